using System.Collections.Concurrent;

namespace RnnRbm.Api.Progress;

/// <summary>
/// Which trainings this process's hub clients follow (so that the poller reads only those rows), and the last
/// version and state of each row it broadcast.
/// </summary>
public sealed class ProgressSubscriptions
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, byte>> _followers = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, byte>> _byConnection = new();
    private readonly ConcurrentDictionary<Guid, (long Version, string State)> _last = new();

    public void Add(string connectionId, Guid trainingId)
    {
        _followers.GetOrAdd(trainingId, _ => new()).TryAdd(connectionId, 0);
        _byConnection.GetOrAdd(connectionId, _ => new()).TryAdd(trainingId, 0);
    }

    public void Remove(string connectionId, Guid trainingId)
    {
        if (_followers.TryGetValue(trainingId, out var connections))
        {
            connections.TryRemove(connectionId, out _);
        }
        if (_byConnection.TryGetValue(connectionId, out var trainings))
        {
            trainings.TryRemove(trainingId, out _);
        }
    }

    public void RemoveConnection(string connectionId)
    {
        if (_byConnection.TryRemove(connectionId, out var trainings))
        {
            foreach (Guid trainingId in trainings.Keys)
            {
                Remove(connectionId, trainingId);
            }
        }
    }

    /// <summary>The trainings followed by at least one client now; forgets the others.</summary>
    public IReadOnlyList<Guid> Followed()
    {
        var followed = new List<Guid>();
        foreach ((Guid trainingId, var connections) in _followers)
        {
            if (connections.IsEmpty)
            {
                _followers.TryRemove(trainingId, out _);
                _last.TryRemove(trainingId, out _);
            }
            else
            {
                followed.Add(trainingId);
            }
        }
        return followed;
    }

    /// <summary>Whether the row differs from the one last broadcast; remembers it as broadcast.</summary>
    internal bool Changed(Guid trainingId, long version, string state)
    {
        if (_last.TryGetValue(trainingId, out (long Version, string State) last) && last.Version == version && last.State == state)
        {
            return false;
        }
        _last[trainingId] = (version, state);
        return true;
    }
}
