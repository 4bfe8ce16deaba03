namespace RnnRbm.Api.Training;

// Placeholder wiring, replaced by the feature's own implementation in this same change.
public static class TrainingJobsSetup
{
    public static WebApplicationBuilder AddTrainingJobs(this WebApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapTrainings(this IEndpointRouteBuilder app) => app;
}
