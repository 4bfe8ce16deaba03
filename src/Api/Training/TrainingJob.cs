using Hangfire;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Api.Training;

/// <summary>
/// The Hangfire job that runs one training to its end. It takes an id, not objects; everything it needs is in the
/// database, so any process can run it, and running it twice is harmless.
/// </summary>
/// <remarks>
/// Invariants (Hangfire promises at-least-once, so each one makes a second run harmless):
/// <list type="number">
/// <item>One runner per training. <see cref="ActiveTrainings"/> admits one per process; across processes, the lease
/// (LeaseOwner, LeaseHeartbeatUtc) taken with a Version-guarded write admits one. A job that finds the training
/// finished, or leased by an owner whose heartbeat is fresh, returns without writing.</item>
/// <item>Every write of a runner is one SaveChanges guarded by the Version it last wrote, and bumps it. A runner
/// that was superseded (someone else wrote) gets a concurrency failure and stops without writing anything more.</item>
/// <item>A checkpoint is written once per epoch, all of one epoch boundary in one write: the parameters and the
/// trainer's random states (a model file with its checkpoint section), the history and EpochsCompleted. A run first
/// loads it and resumes with RnnRbmTrainer's resume constructor, bit-identical to an uninterrupted run: no epoch is
/// recorded twice, and only the epoch in flight is lost (and redone identically).</item>
/// <item>Finishing is one write too: the model row and the training's final state (with its ModelId) together.</item>
/// <item>Shutdown (Hangfire's token) stops at the next update boundary, releases the lease and leaves the training
/// queued, never failed; <see cref="TrainingRecovery"/> enqueues it again (at once at the next start).</item>
/// <item>Any other failure (divergence, unusable corpus, corrupt checkpoint) ends the training failed with its
/// message; the job is never retried.</item>
/// </list>
/// </remarks>
public sealed class TrainingJob(
    IServiceScopeFactory scopes,
    ActiveTrainings active,
    TrainingWorkerIdentity identity,
    NumericsBackend backend,
    ILogger<TrainingJob> log)
{
    /// <summary>Runs (or resumes) training <paramref name="trainingId"/>; Hangfire fills in <paramref name="cancellationToken"/> (shutdown).</summary>
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [Queue(TrainingJobsSetup.Queue)]
    public Task RunAsync(Guid trainingId, CancellationToken cancellationToken) =>
        // Hours of CPU-bound work: a dedicated thread, not one of the pool's.
        Task.Factory.StartNew(() => Run(trainingId, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    internal void Run(Guid trainingId, CancellationToken shutdown)
    {
        // Invariant 1, within this process.
        using ActiveTrainings.Registration? registration = active.TryRegister(trainingId);
        if (registration is null)
        {
            log.LogInformation("Training {Id} is already being run in this process; this job returns.", trainingId);
            return;
        }
        using IServiceScope scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        using var run = new TrainingRun(trainingId, db, identity.Id, backend, log, registration.CancelRequested, shutdown);
        run.Execute();
    }
}
