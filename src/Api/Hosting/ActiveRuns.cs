using System.Collections.Concurrent;

namespace RnnRbm.Api.Hosting;

/// <summary>
/// The runs of one kind of leased work (trainings, evaluations) this process is running now, each with its
/// cancellation source: a cancel request in this process reaches the worker at once (other processes see the
/// database flag within a poll interval). Admits at most one runner per id per process.
/// </summary>
public abstract class ActiveRuns
{
    private readonly ConcurrentDictionary<Guid, Registration> _runs = new();

    /// <summary>Registers a runner for <paramref name="id"/>, or returns null when one is already registered.</summary>
    public Registration? TryRegister(Guid id)
    {
        var registration = new Registration(this, id);
        if (_runs.TryAdd(id, registration))
        {
            return registration;
        }
        registration.Dispose();
        return null;
    }

    /// <summary>Whether a runner of this process holds <paramref name="id"/>.</summary>
    public bool IsActive(Guid id) => _runs.ContainsKey(id);

    /// <summary>Signals the runner of <paramref name="id"/>, if this process has one.</summary>
    public bool Cancel(Guid id)
    {
        if (_runs.TryGetValue(id, out Registration? registration))
        {
            registration.Cancel();
            return true;
        }
        return false;
    }

    /// <summary>One runner's slot; disposing it frees the slot.</summary>
    public sealed class Registration : IDisposable
    {
        private readonly ActiveRuns _owner;
        private readonly Guid _id;
        private readonly CancellationTokenSource _cancel = new();

        internal Registration(ActiveRuns owner, Guid id)
        {
            _owner = owner;
            _id = id;
        }

        /// <summary>Fires when a user asks to cancel the run.</summary>
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
            _owner._runs.TryRemove(new KeyValuePair<Guid, Registration>(_id, this));
            _cancel.Dispose();
        }
    }
}
