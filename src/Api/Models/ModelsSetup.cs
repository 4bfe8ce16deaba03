namespace RnnRbm.Api.Models;

// Placeholder wiring, replaced by the feature's own implementation in this same change.
public static class ModelsSetup
{
    public static WebApplicationBuilder AddModels(this WebApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder app) => app;
}
