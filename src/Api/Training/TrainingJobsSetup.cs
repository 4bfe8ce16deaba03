using Microsoft.Extensions.DependencyInjection.Extensions;
using RnnRbm.Api.Hosting;

namespace RnnRbm.Api.Training;

/// <summary>
/// Wires the Training feature: the job, its Hangfire server on the "training" queue, the in-process registry of
/// running trainings, and start-up recovery (endpoints: <see cref="TrainingsApi.MapTrainings"/>).
/// </summary>
public static class TrainingJobsSetup
{
    /// <summary>The Hangfire queue of training jobs, served only by <see cref="TrainingServer"/>.</summary>
    public const string Queue = "training";

    public static WebApplicationBuilder AddTrainingJobs(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<WorkerIdentity>();
        builder.Services.AddSingleton<ActiveTrainings>();
        builder.Services.AddSingleton<TrainingScheduler>();
        builder.Services.AddTransient<TrainingJob>();
        // Start order matters: the database exists (StorageExtensions' initialiser runs first), then the worker
        // starts, then recovery enqueues what a previous process left. Stop order is the reverse.
        builder.Services.AddHostedService<TrainingServer>();
        builder.Services.AddHostedService<TrainingRecovery>();
        return builder;
    }
}
