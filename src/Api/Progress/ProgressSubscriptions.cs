using System.Collections.Concurrent;

namespace RnnRbm.Api.Progress;

/// <summary>
/// Which trainings this process's hub clients follow (so that the poller reads only those rows), and the last
/// version of each row it broadcast with the speed it measured.
/// </summary>
public sealed class ProgressSubscriptions
{
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, byte>> _followers = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, byte>> _byConnection = new();
    private readonly ConcurrentDictionary<Guid, Sample> _last = new();

    /// <summary>What was last seen of a training: its row version and state, and the frames learned at that moment.</summary>
    internal sealed record Sample(long Version, string State, long Frames, long AtTimestamp, double? FramesPerSecond);

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

    internal Sample? Last(Guid trainingId) => _last.TryGetValue(trainingId, out Sample? sample) ? sample : null;

    internal void Remember(Guid trainingId, Sample sample) => _last[trainingId] = sample;

    /// <summary>The speed last measured for a training, if any.</summary>
    public double? SpeedOf(Guid trainingId) => Last(trainingId)?.FramesPerSecond;
}
