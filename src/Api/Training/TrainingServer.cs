using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;

namespace RnnRbm.Api.Training;

/// <summary>
/// The Hangfire server of the "training" queue: <see cref="RnnRbmOptions.TrainingWorkers"/> workers (training is
/// CPU-bound: one per node by default), none when 0. Decided from the bound options at start, so configuration
/// from any source (including tests) counts.
/// </summary>
/// <remarks>
/// Hangfire's storage (this host's <see cref="JobStorage"/> singleton, see StorageExtensions) is resolved in StartAsync,
/// not injected: building it creates Hangfire's tables, which is best done after the database initialiser (which
/// starts before this service but is constructed together with it) has migrated the app's.
/// </remarks>
internal sealed class TrainingServer(
    IServiceProvider services,
    WorkerIdentity identity,
    IOptions<RnnRbmOptions> options,
    ILogger<TrainingServer> log) : IHostedService, IDisposable
{
    private JobQueueServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Hangfire keeps process-wide state (JobStorage.Current, its log provider) that each host's configuration
        // overwrites. Build the job client and the job's filter attributes (cached process-wide; AutomaticRetry takes a
        // logger when built) now, while this host's are current, so that a later host's disposal (several hosts share
        // a test process) cannot break them.
        _ = services.GetRequiredService<TrainingScheduler>();
        _ = JobFilterProviders.Providers.GetFilters(Job.FromExpression<TrainingJob>(job => job.RunAsync(Guid.Empty, CancellationToken.None)));
        int workers = options.Value.TrainingWorkers;
        if (workers == 0)
        {
            log.LogInformation("No training worker in this process (RnnRbm:TrainingWorkers = 0): trainings run elsewhere.");
            return Task.CompletedTask;
        }
        _server = new JobQueueServer(services, TrainingJobsSetup.Queue, "training:" + identity.Id, workers, options.Value.ShutdownTimeout);
        log.LogInformation("Training worker(s): {Workers} on queue '{Queue}'.", workers, TrainingJobsSetup.Queue);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync(cancellationToken);
        }
    }

    public void Dispose() => _server?.Dispose();
}
