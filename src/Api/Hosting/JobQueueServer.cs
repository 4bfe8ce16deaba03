using Hangfire;
using Hangfire.AspNetCore;

namespace RnnRbm.Api.Hosting;

/// <summary>
/// A Hangfire server for one queue of this host: the host's own <see cref="JobStorage"/> and container (not
/// Hangfire's process-wide JobStorage.Current and JobActivator.Current, which the last host configured wins) and
/// the configured shutdown timeout. Training and evaluation each run one.
/// </summary>
internal sealed class JobQueueServer : IDisposable
{
    private readonly BackgroundJobServer _server;

    public JobQueueServer(IServiceProvider services, string queue, string name, int workers, TimeSpan shutdownTimeout)
    {
        _server = new BackgroundJobServer(
            new BackgroundJobServerOptions
            {
                ServerName = name,
                WorkerCount = workers,
                Queues = [queue],
                Activator = new AspNetCoreJobActivator(services.GetRequiredService<IServiceScopeFactory>()),
                // A job stops at its next safe point and releases its work well within this
                // (RnnRbm:ShutdownTimeout; the host waits 5 s longer, the orchestrator longer still).
                ShutdownTimeout = shutdownTimeout,
            },
            services.GetRequiredService<JobStorage>());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _server.SendStop();
        await _server.WaitForShutdownAsync(cancellationToken);
    }

    public void Dispose() => _server.Dispose();
}
