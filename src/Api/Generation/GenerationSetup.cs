namespace RnnRbm.Api.Generation;

// Placeholder wiring, replaced by the feature's own implementation in this same change.
public static class GenerationSetup
{
    public static WebApplicationBuilder AddGeneration(this WebApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapGeneration(this IEndpointRouteBuilder app) => app;
}
