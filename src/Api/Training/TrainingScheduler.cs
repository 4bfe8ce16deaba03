using Hangfire;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Training;

/// <summary>Enqueues a training's job on the "training" queue and records the job id beside the training.</summary>
public sealed class TrainingScheduler(IBackgroundJobClient jobs)
{
    public async Task<string> EnqueueAsync(RnnRbmDbContext db, Guid trainingId, CancellationToken cancellationToken)
    {
        string jobId = jobs.Enqueue<TrainingJob>(TrainingJobsSetup.Queue, job => job.RunAsync(trainingId, CancellationToken.None));
        // JobId is informational (recovery reads it); a worker never writes it, so this needs no Version guard.
        await db.Trainings.Where(t => t.Id == trainingId).ExecuteUpdateAsync(s => s.SetProperty(t => t.JobId, jobId), cancellationToken);
        return jobId;
    }
}
