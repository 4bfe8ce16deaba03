namespace RnnRbm.Api.Health;

// Placeholder wiring, replaced by the feature's own implementation in this same change.
public static class HealthSetup
{
    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app) => app;
}
