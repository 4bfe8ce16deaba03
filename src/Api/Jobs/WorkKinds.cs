using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Jobs;

/// <summary>How much of a node a kind of background work takes while it runs.</summary>
public enum WorkLoad
{
    /// <summary>CPU-bound (a training, an evaluation, a search's trial): one of the node's RnnRbm:Workers.</summary>
    Compute,

    /// <summary>
    /// Mostly waiting (a search coordinating its trials): served by a server of its own on each node, so that it never
    /// takes the place of compute work (with RnnRbm:Workers = 1, a search would otherwise keep its own trials out).
    /// </summary>
    Coordination,
}

/// <summary>
/// A kind of background work: its name (also its Hangfire queue), its row type, its run and its load. Made by
/// <see cref="JobsSetup.AddBackgroundWork{TEntity, TRun}"/>.
/// </summary>
public sealed class WorkKind
{
    private WorkKind(string name, WorkLoad load, Type entityType, Type runType, Func<RnnRbmDbContext, CancellationToken, Task<List<WorkRow>>> active,
        Func<RnnRbmDbContext, Guid, string, CancellationToken, Task> setJobId)
    {
        Name = name;
        Load = load;
        EntityType = entityType;
        RunType = runType;
        Active = active;
        SetJobId = setJobId;
    }

    public string Name { get; }

    public WorkLoad Load { get; }

    /// <summary>
    /// Where recovery puts its lost work: compute work on <see cref="WorkKinds.RecoveredQueue"/>, ahead of new work;
    /// coordination on its own queue (its server has room for it at once).
    /// </summary>
    public string RecoveredQueue => Load == WorkLoad.Compute ? WorkKinds.RecoveredQueue : Name;

    public Type EntityType { get; }

    public Type RunType { get; }

    /// <summary>The rows that should be running: queued or running.</summary>
    internal Func<RnnRbmDbContext, CancellationToken, Task<List<WorkRow>>> Active { get; }

    /// <summary>Records the row's job (enqueuers only; no Version guard: a runner never writes it).</summary>
    internal Func<RnnRbmDbContext, Guid, string, CancellationToken, Task> SetJobId { get; }

    internal static WorkKind Of<TEntity, TRun>(string name, WorkLoad load) where TEntity : class, IBackgroundWork where TRun : WorkRun<TEntity> =>
        new(name, load, typeof(TEntity), typeof(TRun), (db, cancellationToken) => db.Set<TEntity>().AsNoTracking()
            .Where(t => t.State == WorkStates.Queued || t.State == WorkStates.Running)
            .Select(t => new WorkRow(t.Id, t.State, t.LeaseOwner, t.LeaseHeartbeatUtc, t.JobId, t.CreatedUtc))
            .ToListAsync(cancellationToken),
            (db, id, jobId, cancellationToken) => db.Set<TEntity>().Where(t => t.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.JobId, jobId), cancellationToken));
}

/// <summary>What recovery reads of a row.</summary>
internal sealed record WorkRow(Guid Id, string State, string? Worker, DateTimeOffset? Heartbeat, string? JobId, DateTimeOffset CreatedUtc);

/// <summary>The kinds of background work this host knows, in registration order (their queues' order).</summary>
public sealed class WorkKinds
{
    /// <summary>The queue of work taken over from a lost worker or left without a job: served before every kind's own.</summary>
    public const string RecoveredQueue = "recovered";

    private readonly List<WorkKind> _kinds = [];

    public IReadOnlyList<WorkKind> All => _kinds;

    /// <summary>The compute server's queues, in priority order: recovered work first, then each compute kind's new work.</summary>
    public string[] Queues => [RecoveredQueue, .. _kinds.Where(k => k.Load == WorkLoad.Compute).Select(k => k.Name)];

    /// <summary>The coordination server's queues: each coordination kind's (new and recovered work alike).</summary>
    public string[] CoordinationQueues => [.. _kinds.Where(k => k.Load == WorkLoad.Coordination).Select(k => k.Name)];

    public WorkKind Get(string name) =>
        _kinds.Find(k => k.Name == name) ?? throw new InvalidOperationException($"No kind of background work is named '{name}'.");

    public WorkKind Of<TEntity>() where TEntity : IBackgroundWork =>
        _kinds.Find(k => k.EntityType == typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not registered as background work.");

    internal void Add(WorkKind kind)
    {
        if (_kinds.Any(k => k.Name == kind.Name || k.EntityType == kind.EntityType))
        {
            throw new InvalidOperationException($"Background work '{kind.Name}' ({kind.EntityType.Name}) is registered twice.");
        }
        _kinds.Add(kind);
    }
}
