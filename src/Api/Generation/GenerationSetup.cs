using Microsoft.AspNetCore.Http.HttpResults;
using RnnRbm.Api.Hosting;
using RnnRbm.Core.Model;

namespace RnnRbm.Api.Generation;

/// <summary>The Generation feature: POST /generate, and the generations as resources at /api/generations with their views.</summary>
public static class GenerationSetup
{
    public static WebApplicationBuilder AddGeneration(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GenerationSlots>();
        builder.Services.AddSingleton<ModelCache>();
        builder.Services.AddSingleton<NoveltyIndexes>();
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
            .WithSummary("Generate a piece from a model and download it as a MIDI file.")
            .WithDescription(
                "Samples `steps` new time steps from the model with `gibbsK` Gibbs steps each; steps × gibbsK at most 1000000 " +
                "(every field's bounds and default: GET /api/generations/options and the request's schema). Unknown fields, and numbers sent as strings, are refused. " +
                "The seed is random when absent and always returned in the `X-Seed` header; the same request with the same seed returns the same bytes. " +
                "A `primer` (base64 MIDI file) is read over the model's pitch range and time grid; the model continues it, and the output holds " +
                "the continuation only unless `includePrimer` is true. " +
                "The answer is the MIDI file (audio/midi). The same operation also answers a piano-roll PNG or the notes as JSON to a request " +
                "whose `Accept` header asks for image/png or application/json (or whose `format` field is `png` or `json`); a `format` the " +
                "`Accept` header refuses is a 406. Clients that want several views of one piece use POST /api/generations and its views. " +
                "Each generation is recorded: its id is in the `X-Generation-Id` header, and GET /api/generations/{id}/png (or /midi, /audio) " +
                "renders the same piece again without sampling. " +
                "`count` (1..8) samples several pieces with seeds seed, seed + 1, …: then the answer is a zip of their MIDI files (application/zip; " +
                "of PNG images for png) or, for json, a JSON list of pieces, and `X-Generation-Id` lists their ids, comma-separated. " +
                "`fill` (a base64 MIDI piece) with `gapStart`, `gapEnd` and `candidates` regenerates only the steps [gapStart, gapEnd) so that they lead " +
                "into what follows (importance resampling, docs/generation.md \"Filling a gap\"); the answer is the whole piece. " +
                "At most RnnRbm:GenerationConcurrency generations run at once; a request beyond them waits up to RnnRbm:GenerationSlotWait (1 s) for one, then 429 with `Retry-After` (seconds).")
            .AcceptsValidated<GenerateRequest>()
            .WithMetadata(new GenerateOperationFilter.Marker())
            // One media type, as for png and json (the description names the others): a generated client's method returns
            // exactly one thing. Several pieces in one call: POST /api/generations lists them with their links.
            .Produces<Stream>(StatusCodes.Status200OK, "audio/midi")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status406NotAcceptable)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .RequireApiKeyForChanges();

        const string notKeptShort = "409 when one was recorded before the service kept pieces.";
        RouteGroupBuilder history = app.MapGroup("/api/generations").WithTags("Generation").RequireApiKeyForChanges();
        history.MapPost("/", GenerateEndpoint.Create)
            .WithName("CreateGeneration")
            .WithSummary("Generate a piece from a model and keep it as a resource: its settings and notes, with views as MIDI, PNG and audio.")
            .WithDescription(
                "The same body and sampling as POST /generate (the `format` field is ignored: every view is available). Answers 201 with " +
                "the generation (`piece` holds the notes of every step) and its address in `Location`; then GET /api/generations/{id}/midi, " +
                "/png and /audio render that piece without sampling again. The seed is in `request.seed` and the `X-Seed` header. " +
                "With `count` above 1 the answer is the first piece's generation, and `pieces` lists every piece (its id, seed and views) with " +
                "`zip`, the address of all their MIDI files in one zip; each piece is a generation of its own in the history. " +
                "429 with `Retry-After` when no generation slot frees within RnnRbm:GenerationSlotWait.")
            .AcceptsValidated<GenerateRequest>()
            .WithMetadata(new GenerateOperationFilter.Marker())
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status500InternalServerError);
        history.MapGet("/options", Options)
            .WithName("GetGenerationOptions")
            .WithSummary("The bounds and default of every field of POST /generate (the Generate page reads them from here).");
        history.MapGet("/", GenerationHistoryEndpoints.List)
            .WithName("ListGenerations")
            .WithSummary("The served generations, most recent first.")
            .WithDescription("Paged with `limit` (1..100, default 20) and `offset`; `modelId` keeps one model's. Each item's `request` " +
                "(primer left out) can be posted to /generate to regenerate it, or with another seed to vary it.")
            .ProducesValidationProblem();
        history.MapGet("/zip", GenerationHistoryEndpoints.Zip)
            .WithName("GetGenerationsZip")
            .WithSummary("Several generations' MIDI files in one zip (the pieces of a request with count above 1: its `zip` address).")
            .WithDescription("`ids` names 1 to 8 generations, repeated (`ids=…&ids=…`); the entries are named rnnrbm-{index}-seed-{seed}.mid in that order. " +
                "404 when one is unknown, " + notKeptShort)
            .Produces<Stream>(StatusCodes.Status200OK, "application/zip")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        history.MapGet("/{id:guid}", GenerationHistoryEndpoints.Get)
            .WithName("GetGeneration")
            .WithSummary("One served generation: its full request (primer included) and its piece, the notes of every step.");
        const string notKept = "409 for a generation recorded before the service kept pieces (sample it again with POST /generate and its request).";
        history.MapGet("/{id:guid}/midi", GenerationHistoryEndpoints.Midi)
            .WithName("GetGenerationMidi")
            .WithSummary("The generation's piece as a MIDI file, rendered from the stored notes (no sampling).")
            .WithDescription(notKept)
            .Produces<Stream>(StatusCodes.Status200OK, "audio/midi")
            .ProducesProblem(StatusCodes.Status409Conflict);
        history.MapGet("/{id:guid}/png", GenerationHistoryEndpoints.Png)
            .WithName("GetGenerationPng")
            .WithSummary("The generation's piece as a piano-roll image (time left to right, pitch upwards).")
            .WithDescription(notKept)
            .Produces<Stream>(StatusCodes.Status200OK, "image/png")
            .ProducesProblem(StatusCodes.Status409Conflict);
        history.MapGet("/{id:guid}/audio", GenerationHistoryEndpoints.Audio)
            .WithName("GetGenerationAudio")
            .WithSummary("The generation's piece rendered to audio with FluidSynth: Ogg Opus, or WAV where opusenc is missing (GET /api/audio/status says which).")
            .WithDescription(notKept + " 503 when this server cannot render audio; 429 with `Retry-After` when its audio slots are busy; " +
                "413 when the piece is longer than RnnRbm:Audio:MaxAudioSeconds.")
            .Produces<Stream>(StatusCodes.Status200OK, "audio/ogg", "audio/wav")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);

        app.MapPost("/api/models/{id:guid}/style", StyleEndpoint.Measure)
            .WithTags("Generation")
            .WithName("MeasureModelStyle")
            .WithSummary("Does the model write like its corpus? Generates `pieces` pieces and measures their style statistics beside the corpus's.")
            .WithDescription(
                "Pitch-class histogram, polyphony, pitch range, empty-step rate and note lengths of the generated pieces together and of the " +
                "train files of the corpus the model learned from, with one distance between them in [0, 1] (docs/generation.md, \"Style statistics\"). " +
                "The pieces are sampled as POST /generate samples (seeds seed, seed + 1, …; the same request gives the same answer) and not kept. " +
                "`corpus` and `distance` are null for a model whose corpus is not in this service (imported or bundled). " +
                "pieces × steps × gibbsK at most 1000000; 429 with `Retry-After` (seconds), as for generations, when the generation slots stay busy.")
            .AcceptsValidated<StyleRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireApiKeyForChanges();
        return app;
    }

    internal static Ok<RequestOptionsResponse> Options() => TypedResults.Ok(RequestOptionsResponse.From(
        GenerateRequest.Limits, ("format", GenerationLimits.Formats, GenerationLimits.Formats[0])));
}
