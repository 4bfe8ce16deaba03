using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Jobs;

/// <summary>
/// A kind of background work: its name (also its Hangfire queue), its row type and its run. Made by
/// <see cref="JobsSetup.AddBackgroundWork{TEntity, TRun}"/>.
/// </summary>
public sealed class WorkKind
{
    private WorkKind(string name, Type entityType, Type runType, Func<RnnRbmDbContext, CancellationToken, Task<List<WorkRow>>> active,
        Func<RnnRbmDbContext, Guid, string, CancellationToken, Task> setJobId)
    {
        Name = name;
        EntityType = entityType;
        RunType = runType;
        Active = active;
        SetJobId = setJobId;
    }

    public string Name { get; }

    public Type EntityType { get; }

    public Type RunType { get; }

    /// <summary>The rows that should be running: queued or running.</summary>
    internal Func<RnnRbmDbContext, CancellationToken, Task<List<WorkRow>>> Active { get; }

    /// <summary>Records the row's job (enqueuers only; no Version guard: a runner never writes it).</summary>
    internal Func<RnnRbmDbContext, Guid, string, CancellationToken, Task> SetJobId { get; }

    internal static WorkKind Of<TEntity, TRun>(string name) where TEntity : class, IBackgroundWork where TRun : WorkRun<TEntity> =>
        new(name, typeof(TEntity), typeof(TRun), (db, cancellationToken) => db.Set<TEntity>().AsNoTracking()
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

    /// <summary>The Hangfire server's queues, in priority order: recovered work first, then each kind's new work.</summary>
    public string[] Queues => [RecoveredQueue, .. _kinds.Select(k => k.Name)];

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
