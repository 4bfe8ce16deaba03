using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Evaluations;

/// <summary>
/// Wires the Evaluations feature: the job, its Hangfire server on the "evaluation" queue, the in-process registry of
/// running evaluations, and recovery (endpoints: <see cref="EvaluationsApi.MapEvaluations"/>).
/// </summary>
public static class EvaluationsSetup
{
    /// <summary>The Hangfire queue of evaluation jobs, served only by <see cref="EvaluationServer"/>.</summary>
    public const string Queue = "evaluation";

    public static WebApplicationBuilder AddEvaluations(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<WorkerIdentity>();
        builder.Services.AddSingleton<ActiveEvaluations>();
        builder.Services.AddSingleton<EvaluationScheduler>();
        builder.Services.AddTransient<EvaluationJob>();
        // As for trainings: the worker starts after the database initialiser, then recovery enqueues what a previous
        // process left (at once after a graceful stop, one lease timeout after a crash).
        builder.Services.AddHostedService<EvaluationServer>();
        builder.Services.AddHostedService<EvaluationRecovery>();
        return builder;
    }
}

/// <summary>Enqueues an evaluation's job on the "evaluation" queue and records the job id beside it (a worker never writes it: no Version guard).</summary>
public sealed class EvaluationScheduler(IBackgroundJobClient jobs)
{
    public async Task<string> EnqueueAsync(RnnRbmDbContext db, Guid evaluationId, CancellationToken cancellationToken)
    {
        string jobId = jobs.Enqueue<EvaluationJob>(EvaluationsSetup.Queue, job => job.RunAsync(evaluationId, CancellationToken.None));
        await db.Evaluations.Where(e => e.Id == evaluationId).ExecuteUpdateAsync(s => s.SetProperty(e => e.JobId, jobId), cancellationToken);
        return jobId;
    }
}
