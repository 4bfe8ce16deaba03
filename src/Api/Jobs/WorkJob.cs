using System.ComponentModel;
using Hangfire;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Jobs;

/// <summary>
/// The one Hangfire job of all background work: it takes a kind and an id, not objects; everything it needs is in the
/// database, so any node can run it, and running it twice is harmless (<see cref="WorkRun{TEntity}"/>'s invariants).
/// </summary>
public sealed class WorkJob(
    IServiceScopeFactory scopes,
    WorkKinds kinds,
    WorkerIdentity identity,
    IOptions<RnnRbmOptions> options,
    ILoggerFactory logs)
{
    /// <summary>
    /// Runs (or resumes) <paramref name="id"/> of <paramref name="kind"/>. Hangfire fills in
    /// <paramref name="cancellationToken"/>: it fires at shutdown (the run hands the work back and Hangfire re-queues
    /// the job) and when the job is deleted (a cancel, or a takeover of a silent worker).
    /// </summary>
    /// <remarks>Failures are recorded on the row by the run, never retried: hence no automatic retry.</remarks>
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [DisplayName("{0} {1}")]
    public Task RunAsync(string kind, Guid id, CancellationToken cancellationToken) =>
        // Minutes to hours of CPU-bound work: a dedicated thread, not one of the pool's.
        Task.Factory.StartNew(() => Run(kind, id, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    internal void Run(string kind, Guid id, CancellationToken cancellationToken)
    {
        WorkKind work = kinds.Get(kind);
        using IServiceScope scope = scopes.CreateScope();
        var context = new WorkContext(kind, id, scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>(), identity.Id,
            logs.CreateLogger(work.RunType), options.Value, cancellationToken);
        using IWorkRun run = (IWorkRun)ActivatorUtilities.CreateInstance(scope.ServiceProvider, work.RunType, context);
        run.Execute();
    }
}
