using System.Collections.Concurrent;

namespace RnnRbm.Api.Training;

/// <summary>
/// The trainings this process is running now, each with its cancellation source: a cancel request in this process
/// reaches the worker at once (other processes see the database flag within a poll interval). Admits at most one
/// runner per training per process.
/// </summary>
public sealed class ActiveTrainings
{
    private readonly ConcurrentDictionary<Guid, Registration> _runs = new();

    /// <summary>Registers a runner for <paramref name="trainingId"/>, or returns null when one is already registered.</summary>
    public Registration? TryRegister(Guid trainingId)
    {
        var registration = new Registration(this, trainingId);
        if (_runs.TryAdd(trainingId, registration))
        {
            return registration;
        }
        registration.Dispose();
        return null;
    }

    /// <summary>Whether a runner of this process holds <paramref name="trainingId"/>.</summary>
    public bool IsActive(Guid trainingId) => _runs.ContainsKey(trainingId);

    /// <summary>Signals the runner of <paramref name="trainingId"/>, if this process has one.</summary>
    public bool Cancel(Guid trainingId)
    {
        if (_runs.TryGetValue(trainingId, out Registration? registration))
        {
            registration.Cancel();
            return true;
        }
        return false;
    }

    /// <summary>One runner's slot; disposing it frees the slot.</summary>
    public sealed class Registration : IDisposable
    {
        private readonly ActiveTrainings _owner;
        private readonly Guid _trainingId;
        private readonly CancellationTokenSource _cancel = new();

        internal Registration(ActiveTrainings owner, Guid trainingId)
        {
            _owner = owner;
            _trainingId = trainingId;
        }

        /// <summary>Fires when a user asks to cancel the training.</summary>
        public CancellationToken CancelRequested => _cancel.Token;

        internal void Cancel()
        {
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run ended meanwhile: nothing left to cancel.
            }
        }

        public void Dispose()
        {
            _owner._runs.TryRemove(new KeyValuePair<Guid, Registration>(_trainingId, this));
            _cancel.Dispose();
        }
    }
}
