using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Training;

/// <summary>
/// Finds trainings that should be running but have no live worker, and enqueues a job for each: at start (after the
/// database exists) and every <see cref="TrainingLease.RecoveryInterval"/> after.
/// </summary>
/// <remarks>
/// Why: Hangfire's SQLite storage has no sliding invisibility, and its timeout is set above any training (stack notes),
/// so it would not fetch a dead process's job again for days; on PostgreSQL (sliding invisibility) Hangfire would, but
/// only one <c>JobInvisibilityTimeout</c> later, and a training released at shutdown has no job left at all.
/// It runs on every node, whatever its role: it only enqueues onto the shared queue, and duplicates are harmless. A training needs a job when it is queued or running,
/// no runner of this process holds it, no other owner's lease is fresh, and its job is neither waiting in the queue nor
/// just fetched. A graceful stop releases the lease, so a restart resumes at once; after a crash the dead owner's
/// lease must first age past <see cref="TrainingLease.Timeout"/>. Enqueuing too often is harmless: the job is
/// idempotent (it returns when the training is finished or leased by a live owner).
/// </remarks>
internal sealed class TrainingRecovery(
    IServiceScopeFactory scopes,
    ActiveTrainings active,
    TrainingWorkerIdentity identity,
    IServiceProvider services,
    ILogger<TrainingRecovery> log) : BackgroundService
{
    // Resolved when the first sweep runs, after the database initialiser (see TrainingServer's remarks).
    private JobStorage Storage => services.GetRequiredService<JobStorage>();

    private IBackgroundJobClient Jobs => services.GetRequiredService<IBackgroundJobClient>();

    private TrainingScheduler Scheduler => services.GetRequiredService<TrainingScheduler>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TrainingLease.RecoveryInterval);
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
                    log.LogWarning(ex, "Training recovery failed; it tries again in {Interval}.", TrainingLease.RecoveryInterval);
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
        var candidates = await db.Trainings.AsNoTracking()
            .Where(t => t.State == TrainingStates.Queued || t.State == TrainingStates.Running)
            .Select(t => new { t.Id, t.State, t.LeaseOwner, t.LeaseHeartbeatUtc, t.JobId, t.EpochsCompleted, t.Epochs })
            .ToListAsync(cancellationToken);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach (var t in candidates)
        {
            if (active.IsActive(t.Id))
            {
                continue;
            }
            if (t.LeaseOwner is not null && TrainingLease.IsFresh(t.LeaseHeartbeatUtc, now))
            {
                if (t.LeaseOwner != identity.Id)
                {
                    log.LogDebug("Training {Id} is leased by {Owner} (heartbeat {Heartbeat:O}); recovery leaves it.", t.Id, t.LeaseOwner, t.LeaseHeartbeatUtc);
                }
                continue;
            }
            (string? jobState, DateTime? fetchedAt) = JobState(t.JobId);
            if (jobState == EnqueuedState.StateName || jobState == ScheduledState.StateName || jobState == AwaitingState.StateName)
            {
                continue; // waiting for a worker: it will run
            }
            if (jobState == ProcessingState.StateName && fetchedAt is DateTime started && now.UtcDateTime - started < TrainingLease.Timeout)
            {
                continue; // just fetched somewhere: give it time to take the lease
            }
            if (jobState == ProcessingState.StateName)
            {
                // Its worker died: no runner, no fresh lease. Retire the orphan so that the dashboard tells the truth.
                Jobs.Delete(t.JobId!);
            }
            string jobId = await Scheduler.EnqueueAsync(db, t.Id, cancellationToken);
            log.LogInformation(
                "Recovery: training {Id} was {State} at epoch {Epoch}/{Epochs} with no live worker (lease {Owner}, job {OldJob} {JobState}); enqueued job {JobId}.",
                t.Id, t.State, t.EpochsCompleted, t.Epochs, t.LeaseOwner ?? "free", t.JobId ?? "none", jobState ?? "unknown", jobId);
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
