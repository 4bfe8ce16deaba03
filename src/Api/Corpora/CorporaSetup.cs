namespace RnnRbm.Api.Corpora;

// Placeholder wiring, replaced by the feature's own implementation in this same change.
public static class CorporaSetup
{
    public static WebApplicationBuilder AddCorpora(this WebApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapCorpora(this IEndpointRouteBuilder app) => app;
}
