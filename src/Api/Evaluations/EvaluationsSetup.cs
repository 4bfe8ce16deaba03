using Hangfire;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Evaluations;

/// <summary>
/// Wires the Evaluations feature: the job and its Hangfire server on the "evaluation" queue
/// (endpoints: <see cref="EvaluationsApi.MapEvaluations"/>).
/// </summary>
public static class EvaluationsSetup
{
    /// <summary>The Hangfire queue of evaluation jobs, served only by <see cref="EvaluationServer"/>.</summary>
    public const string Queue = "evaluation";

    public static WebApplicationBuilder AddEvaluations(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EvaluationScheduler>();
        builder.Services.AddTransient<EvaluationJob>();
        builder.Services.AddHostedService<EvaluationServer>();
        return builder;
    }
}

/// <summary>Enqueues an evaluation's job on the "evaluation" queue and records the job id beside it.</summary>
public sealed class EvaluationScheduler(IBackgroundJobClient jobs)
{
    public async Task<string> EnqueueAsync(RnnRbmDbContext db, Guid evaluationId, CancellationToken cancellationToken)
    {
        string jobId = jobs.Enqueue<EvaluationJob>(EvaluationsSetup.Queue, job => job.RunAsync(evaluationId, CancellationToken.None));
        await db.Evaluations.Where(e => e.Id == evaluationId).ExecuteUpdateAsync(s => s.SetProperty(e => e.JobId, jobId), cancellationToken);
        return jobId;
    }
}
