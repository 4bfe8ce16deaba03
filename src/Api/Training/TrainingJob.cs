using Hangfire;
using RnnRbm.Api.Hosting;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Api.Training;

/// <summary>
/// The Hangfire job that runs one training to its end. It takes an id, not objects; everything it needs is in the
/// database, so any process can run it, and running it twice is harmless.
/// </summary>
/// <remarks>
/// Invariants (Hangfire promises at-least-once, so each one makes a second run harmless):
/// <list type="number">
/// <item>One runner per training, and every write of a runner guarded by the Version it last wrote: the lease and
/// the guard of <see cref="LeasedRun{TEntity}"/> (<see cref="ActiveTrainings"/> in this process, the lease across
/// processes). A superseded runner stops without writing anything more.</item>
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
    WorkerIdentity identity,
    NumericsBackend backend,
    ILogger<TrainingJob> log)
{
    /// <summary>Runs (or resumes) training <paramref name="trainingId"/>; Hangfire fills in <paramref name="cancellationToken"/> (shutdown).</summary>
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [Queue(TrainingJobsSetup.Queue)]
    public Task RunAsync(Guid trainingId, CancellationToken cancellationToken) =>
        // Hours of CPU-bound work: a dedicated thread, not one of the pool's.
        Task.Factory.StartNew(() => Run(trainingId, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    internal void Run(Guid trainingId, CancellationToken shutdown) =>
        TrainingRun.RunOnce(active, scopes, trainingId, log,
            (db, userCancel, stopping) => new TrainingRun(trainingId, db, identity.Id, backend, log, userCancel, stopping), shutdown);
}
