using Hangfire;
using RnnRbm.Api.Hosting;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Api.Evaluations;

/// <summary>
/// The Hangfire job that runs one evaluation. It takes an id; everything it needs is in the database, so any process
/// can run it, and running it twice is harmless.
/// </summary>
/// <remarks>
/// Invariants (Hangfire promises at-least-once, so each one makes a second run harmless):
/// <list type="number">
/// <item>One runner per evaluation, and every write of a runner guarded by the Version it last wrote: the lease and
/// the guard of <see cref="LeasedRun{TEntity}"/> (<see cref="ActiveEvaluations"/> in this process, the lease across
/// processes). A job that finds the evaluation finished, or leased by a live owner, returns without writing; a
/// superseded runner stops without writing anything more, so the model's manifest is written at most once.</item>
/// <item>Success is one write: the evaluation's results and the model's rewritten file and manifest together.</item>
/// <item>A cancel (this process's registry, or the database flag polled twice a second) stops the measuring within one
/// AIS transition and ends the evaluation cancelled, the model untouched.</item>
/// <item>Shutdown (Hangfire's token) stops the measuring, releases the lease and leaves the evaluation queued;
/// <see cref="EvaluationRecovery"/> enqueues it again, and it is measured again from the start (same seed, same
/// result). So does a worker that dies: its lease ages past <see cref="WorkLease.Timeout"/>, then recovery requeues it.</item>
/// <item>Any other failure ends the evaluation failed with its message; the job is never retried.</item>
/// </list>
/// </remarks>
public sealed class EvaluationJob(
    IServiceScopeFactory scopes,
    ActiveEvaluations active,
    WorkerIdentity identity,
    NumericsBackend backend,
    ILogger<EvaluationJob> log)
{
    /// <summary>Runs evaluation <paramref name="evaluationId"/>; Hangfire fills in <paramref name="cancellationToken"/> (shutdown).</summary>
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [Queue(EvaluationsSetup.Queue)]
    public Task RunAsync(Guid evaluationId, CancellationToken cancellationToken) =>
        // Minutes of CPU-bound work: a dedicated thread, not one of the pool's.
        Task.Factory.StartNew(() => Run(evaluationId, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    internal void Run(Guid evaluationId, CancellationToken shutdown) =>
        EvaluationRun.RunOnce(active, scopes, evaluationId, log,
            (db, userCancel, stopping) => new EvaluationRun(evaluationId, db, identity.Id, backend, log, userCancel, stopping), shutdown);
}

/// <summary>The evaluation's input cannot be used (the model or corpus is gone, or the split is empty at the model's grid).</summary>
public sealed class EvaluationInputException : Exception
{
    public EvaluationInputException()
    {
    }

    public EvaluationInputException(string message) : base(message)
    {
    }

    public EvaluationInputException(string message, Exception inner) : base(message, inner)
    {
    }
}

/// <summary>The evaluations this process is running now (see <see cref="ActiveRuns"/>).</summary>
public sealed class ActiveEvaluations : ActiveRuns;
