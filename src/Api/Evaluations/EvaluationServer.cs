using Hangfire.Common;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;

namespace RnnRbm.Api.Evaluations;

/// <summary>
/// The Hangfire server of the "evaluation" queue: one worker on nodes of role all or worker, none on web nodes.
/// Built like <c>Training.TrainingServer</c> (see its remarks on why storage and filters are resolved at start).
/// </summary>
internal sealed class EvaluationServer(
    IServiceProvider services,
    WorkerIdentity identity,
    IOptions<RnnRbmOptions> options,
    ILogger<EvaluationServer> log) : IHostedService, IDisposable
{
    private JobQueueServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<EvaluationScheduler>();
        _ = JobFilterProviders.Providers.GetFilters(Job.FromExpression<EvaluationJob>(job => job.RunAsync(Guid.Empty, CancellationToken.None)));
        if (options.Value.Role == NodeRoles.Web)
        {
            log.LogInformation("No evaluation worker in this process (RnnRbm:Role = web): evaluations run on workers.");
            return Task.CompletedTask;
        }
        _server = new JobQueueServer(services, EvaluationsSetup.Queue,
            "evaluation:" + identity.Id, workers: 1, options.Value.ShutdownTimeout);
        log.LogInformation("Evaluation worker: 1 on queue '{Queue}'.", EvaluationsSetup.Queue);
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
