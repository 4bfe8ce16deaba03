using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Hosting;

/// <summary>
/// Finds leased work (trainings, evaluations) that should be running but has no live worker, and enqueues a job for
/// each: at start (after the database exists) and every <see cref="WorkLease.RecoveryInterval"/> after.
/// </summary>
/// <remarks>
/// Why: Hangfire's SQLite storage has no sliding invisibility, and its timeout is set above any job (docs/stack.md, "Hangfire"),
/// so it would not fetch a dead process's job again for days; on PostgreSQL (sliding invisibility) Hangfire would, but
/// only one <c>JobInvisibilityTimeout</c> later, and work released at shutdown has no job left at all.
/// It runs on every node, whatever its role: it only enqueues onto the shared queue, and duplicates are harmless. A row
/// needs a job when it is queued or running, no runner of this process holds it, no other owner's lease is fresh, and
/// its job is neither waiting in the queue nor just fetched. A graceful stop releases the lease, so a restart resumes
/// at once; after a crash the dead owner's lease must first age past <see cref="WorkLease.Timeout"/>. Enqueuing too
/// often is harmless: the job is idempotent (it returns when the row is finished or leased by a live owner).
/// </remarks>
internal abstract class LeaseRecovery<TEntity>(
    string noun,
    IServiceScopeFactory scopes,
    ActiveRuns active,
    WorkerIdentity identity,
    IServiceProvider services,
    ILogger log) : BackgroundService where TEntity : class, ILeasedWork
{
    // Resolved when the first sweep runs, after the database initialiser (see TrainingServer's remarks).
    private JobStorage Storage => services.GetRequiredService<JobStorage>();

    private IBackgroundJobClient Jobs => services.GetRequiredService<IBackgroundJobClient>();

    /// <summary>Enqueues a job for <paramref name="id"/> and records its id on the row; returns the job id.</summary>
    protected abstract Task<string> EnqueueAsync(IServiceProvider services, RnnRbmDbContext db, Guid id, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(WorkLease.RecoveryInterval);
        try
        {
            do
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    log.LogWarning(ex, "{Noun} recovery failed; it tries again in {Interval}.", noun, WorkLease.RecoveryInterval);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        var candidates = await db.Set<TEntity>().AsNoTracking()
            .Where(t => t.State == WorkStates.Queued || t.State == WorkStates.Running)
            .Select(t => new { t.Id, t.State, t.LeaseOwner, t.LeaseHeartbeatUtc, t.JobId })
            .ToListAsync(cancellationToken);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach (var t in candidates)
        {
            if (active.IsActive(t.Id))
            {
                continue;
            }
            if (t.LeaseOwner is not null && WorkLease.IsFresh(t.LeaseHeartbeatUtc, now))
            {
                if (t.LeaseOwner != identity.Id)
                {
                    log.LogDebug("{Noun} {Id} is leased by {Owner} (heartbeat {Heartbeat:O}); recovery leaves it.", noun, t.Id, t.LeaseOwner, t.LeaseHeartbeatUtc);
                }
                continue;
            }
            (string? jobState, DateTime? fetchedAt) = JobState(t.JobId);
            if (jobState == EnqueuedState.StateName || jobState == ScheduledState.StateName || jobState == AwaitingState.StateName)
            {
                continue; // waiting for a worker: it will run
            }
            if (jobState == ProcessingState.StateName && fetchedAt is DateTime started && now.UtcDateTime - started < WorkLease.Timeout)
            {
                continue; // just fetched somewhere: give it time to take the lease
            }
            if (jobState == ProcessingState.StateName)
            {
                // Its worker died: no runner, no fresh lease. Retire the orphan so that the dashboard tells the truth.
                Jobs.Delete(t.JobId!);
            }
            string jobId = await EnqueueAsync(services, db, t.Id, cancellationToken);
            log.LogInformation(
                "Recovery: {Noun} {Id} was {State} with no live worker (lease {Owner}, job {OldJob} {JobState}); enqueued job {JobId}.",
                noun, t.Id, t.State, t.LeaseOwner ?? "free", t.JobId ?? "none", jobState ?? "unknown", jobId);
        }
    }

    private (string? State, DateTime? StartedAt) JobState(string? jobId)
    {
        if (jobId is null)
        {
            return (null, null);
        }
        using Hangfire.Storage.IStorageConnection connection = Storage.GetConnection();
        Hangfire.Storage.StateData? state = connection.GetStateData(jobId);
        if (state is null)
        {
            return (null, null);
        }
        DateTime? startedAt = state.Data is not null && state.Data.TryGetValue("StartedAt", out string? value)
            ? JobHelper.DeserializeNullableDateTime(value)
            : null;
        return (state.Name, startedAt);
    }
}
