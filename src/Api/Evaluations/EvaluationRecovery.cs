using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Evaluations;

/// <summary>
/// Enqueues evaluations that should be running but have no live worker (see <see cref="LeaseRecovery{TEntity}"/>):
/// one whose worker crashed is measured again from the start once its lease has expired.
/// </summary>
internal sealed class EvaluationRecovery(
    IServiceScopeFactory scopes,
    ActiveEvaluations active,
    WorkerIdentity identity,
    IServiceProvider services,
    ILogger<EvaluationRecovery> log) : LeaseRecovery<EvaluationEntity>("Evaluation", scopes, active, identity, services, log)
{
    protected override Task<string> EnqueueAsync(IServiceProvider services, RnnRbmDbContext db, Guid id, CancellationToken cancellationToken) =>
        services.GetRequiredService<EvaluationScheduler>().EnqueueAsync(db, id, cancellationToken);
}
