using Microsoft.AspNetCore.Http.HttpResults;
using RnnRbm.Api.Hosting;
using RnnRbm.Core.Model;

namespace RnnRbm.Api.Generation;

/// <summary>The Generation feature: POST /generate and the history at /api/generations.</summary>
public static class GenerationSetup
{
    public static WebApplicationBuilder AddGeneration(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GenerationSlots>();
        builder.Services.AddSingleton<ModelCache>();
        builder.Services.ConfigureSwaggerGen(o => o.OperationFilter<GenerateOperationFilter>());
        return builder;
    }

    public static IEndpointRouteBuilder MapGeneration(this IEndpointRouteBuilder app)
    {
        // Generation changes nothing but the history, yet it is the service's heaviest request: like every POST it
        // needs the API key when one is configured, so an open server cannot be made to burn its CPU by anyone.
        app.MapPost("/generate", GenerateEndpoint.Generate)
            .WithTags("Generation")
            .WithName("Generate")
            .WithSummary("Generate a piece from a model, as MIDI, a piano-roll PNG or JSON.")
            .WithDescription(
                "Samples `steps` new time steps from the model with `gibbsK` Gibbs steps each; steps × gibbsK at most 1000000 " +
                "(every field's bounds and default: GET /api/generations/options and the request's schema). Unknown fields, and numbers sent as strings, are refused. " +
                "The seed is random when absent and always returned in the `X-Seed` header (and in the json format's body); the same request " +
                "with the same seed returns the same bytes. A `primer` (base64 MIDI file) is read over the model's pitch range and time grid; " +
                "the model continues it, and the output holds the continuation only unless `includePrimer` is true. " +
                "`format`: `midi` (default; audio/midi attachment), `png` (piano-roll image) or `json` (notes per step). " +
                "Each generation is recorded: its id is in the `X-Generation-Id` header and under GET /api/generations/{id}. " +
                "At most RnnRbm:GenerationConcurrency generations run at once; beyond it, 429 with `Retry-After` (seconds). " +
                "Needs the API key (X-Api-Key) when the server has one.")
            .AcceptsValidated<GenerateRequest>()
            .WithMetadata(new GenerateOperationFilter.Marker())
            .Produces<Stream>(StatusCodes.Status200OK, "audio/midi")
            .Produces<Stream>(StatusCodes.Status200OK, "image/png")
            .Produces<GenerationJson>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireApiKeyForChanges();

        RouteGroupBuilder history = app.MapGroup("/api/generations").WithTags("Generation");
        history.MapGet("/options", Options)
            .WithName("GetGenerationOptions")
            .WithSummary("The bounds and default of every field of POST /generate (the Generate page reads them from here).");
        history.MapGet("/", GenerationHistoryEndpoints.List)
            .WithName("ListGenerations")
            .WithSummary("The served generations, most recent first.")
            .WithDescription("Paged with `limit` (1..100, default 20) and `offset`; `modelId` keeps one model's. Each item's `request` " +
                "(primer left out) can be posted to /generate to regenerate it, or with another seed to vary it.")
            .ProducesValidationProblem();
        history.MapGet("/{id:guid}", GenerationHistoryEndpoints.Get)
            .WithName("GetGeneration")
            .WithSummary("One served generation, with its full request (primer included).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    internal static Ok<RequestOptionsResponse> Options() => TypedResults.Ok(RequestOptionsResponse.From(
        GenerateRequest.Limits, ("format", GenerationLimits.Formats, GenerationLimits.Formats[0])));
}
