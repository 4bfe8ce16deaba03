using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Training;

/// <summary>Enqueues trainings that should be running but have no live worker (see <see cref="LeaseRecovery{TEntity}"/>).</summary>
internal sealed class TrainingRecovery(
    IServiceScopeFactory scopes,
    ActiveTrainings active,
    WorkerIdentity identity,
    IServiceProvider services,
    ILogger<TrainingRecovery> log) : LeaseRecovery<TrainingEntity>("Training", scopes, active, identity, services, log)
{
    protected override Task<string> EnqueueAsync(IServiceProvider services, RnnRbmDbContext db, Guid id, CancellationToken cancellationToken) =>
        services.GetRequiredService<TrainingScheduler>().EnqueueAsync(db, id, cancellationToken);
}
