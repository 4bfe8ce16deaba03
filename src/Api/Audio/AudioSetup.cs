using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;

namespace RnnRbm.Api.Audio;

/// <summary>The audio preview: POST /api/audio renders a MIDI file to Ogg Opus (or WAV) with FluidSynth; GET /api/audio/status says whether it can.</summary>
public static class AudioSetup
{
    public static WebApplicationBuilder AddAudio(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AudioOptions>()
            .Bind(builder.Configuration.GetSection(AudioOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<AudioRenderer>();
        builder.Services.AddSingleton<AudioSlots>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAudio(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder audio = app.MapGroup("/api/audio").WithTags("Audio");
        audio.MapGet("/status", (AudioRenderer renderer) => TypedResults.Ok(renderer.Status()))
            .WithName("GetAudioStatus")
            .WithSummary("Whether MIDI can be rendered to audio here, in which format and with which soundfont.");
        // Rendering changes nothing, but it costs CPU: like every POST it needs the API key when the server has one.
        audio.MapPost("/", Render)
            .WithName("RenderAudio")
            .WithSummary("Render a MIDI file to audio (Ogg Opus, or WAV when opusenc is missing) with FluidSynth.")
            .WithDescription("Send the MIDI file as multipart `file` or as the raw body (Content-Type audio/midi). " +
                "At most RnnRbm:Audio:MaxMidiBytes bytes (1 MiB by default) and RnnRbm:Audio:MaxAudioSeconds of audio. " +
                "503 when FluidSynth or the soundfont is missing (GET /api/audio/status tells beforehand); 429 with Retry-After when busy.")
            // One Accepts: a second would replace the first, and the endpoint would refuse the other kind with 415.
            .Accepts<Stream>("audio/midi", "audio/x-midi", "audio/mid", "application/octet-stream", "multipart/form-data")
            .Produces<Stream>(StatusCodes.Status200OK, "audio/ogg")
            .Produces<Stream>(StatusCodes.Status200OK, "audio/wav")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout)
            .DisableAntiforgery()
            .RequireApiKeyForChanges();
        return app;
    }

    internal static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Render(
        HttpContext http, AudioRenderer renderer, AudioSlots slots, IOptions<AudioOptions> options)
    {
        CancellationToken aborted = http.RequestAborted;
        AudioStatus status = renderer.Status();
        if (!status.Available)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Audio preview unavailable.", detail: status.Message);
        }

        int max = options.Value.MaxMidiBytes;
        byte[]? midi;
        if (http.Request.HasFormContentType)
        {
            IFormCollection form = await http.Request.ReadFormAsync(aborted);
            IFormFile? file = form.Files.GetFile("file");
            if (file is null)
            {
                return ErrorHandling.Invalid("file", "Send the MIDI file in the multipart field 'file'.");
            }
            if (file.Length > max)
            {
                return TooBig(max);
            }
            await using Stream stream = file.OpenReadStream();
            midi = await CappedRead.ReadAtMostAsync(stream, max, aborted);
        }
        else
        {
            midi = await CappedRead.ReadAtMostAsync(http.Request.Body, max, aborted);
        }
        if (midi is null)
        {
            return TooBig(max);
        }
        if (midi.Length < 14 || midi[0] != 'M' || midi[1] != 'T' || midi[2] != 'h' || midi[3] != 'd')
        {
            return ErrorHandling.Invalid("file", "This is not a Standard MIDI File (it does not start with 'MThd').");
        }

        Results<FileContentHttpResult, ProblemHttpResult> rendered = await RenderAsync(midi, http, renderer, slots, options.Value);
        return rendered.Result is FileContentHttpResult audio ? audio : (ProblemHttpResult)rendered.Result;
    }

    /// <summary>Renders a MIDI file in one of the audio slots (429 with Retry-After when none frees in time).</summary>
    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> RenderAsync(
        byte[] midi, HttpContext http, AudioRenderer renderer, AudioSlots slots, AudioOptions options)
    {
        CancellationToken aborted = http.RequestAborted;
        using IDisposable? slot = await slots.AcquireAsync(aborted);
        if (slot is null)
        {
            http.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many audio renders at once.",
                detail: $"All {options.Concurrency} audio slots are busy; try again in a few seconds.");
        }
        try
        {
            RenderedAudio audio = await renderer.RenderAsync(midi, aborted);
            return TypedResults.File(audio.Bytes, audio.ContentType);
        }
        catch (AudioRenderException ex)
        {
            return TypedResults.Problem(statusCode: ex.Status, title: ex.Title, detail: ex.Message);
        }
    }

    private static ProblemHttpResult TooBig(int max) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The MIDI file is too large.",
            detail: $"Audio previews take MIDI files of at most {max.ToString("N0", CultureInfo.InvariantCulture)} bytes.");
}

/// <summary>
/// At most <see cref="AudioOptions.Concurrency"/> renders at once; a request waits a few seconds for a slot (a render
/// takes about a second) and is then refused with 429.
/// </summary>
internal sealed class AudioSlots(IOptions<AudioOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _free = new(options.Value.Concurrency, options.Value.Concurrency);

    public static TimeSpan Wait { get; } = TimeSpan.FromSeconds(10);

    public async Task<IDisposable?> AcquireAsync(CancellationToken cancellationToken) =>
        await _free.WaitAsync(Wait, cancellationToken) ? new Slot(_free) : null;

    public void Dispose() => _free.Dispose();

    private sealed class Slot(SemaphoreSlim free) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                free.Release();
            }
        }
    }
}
