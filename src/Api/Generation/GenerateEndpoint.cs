using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Rendering;

namespace RnnRbm.Api.Generation;

/// <summary>POST /generate: sample a piece from a model, as MIDI, a piano-roll PNG or JSON, and record it in the history.</summary>
internal static class GenerateEndpoint
{
    public const string SeedHeader = "X-Seed";
    public const string GenerationIdHeader = "X-Generation-Id";

    /// <summary>JSON of the stored request (the history); the same camelCase names as the API.</summary>
    internal static readonly JsonSerializerOptions HistoryJson = new(JsonSerializerDefaults.Web);

    public static async Task<Results<FileContentHttpResult, Ok<GenerationJson>, ValidationProblem, ProblemHttpResult>> Generate(
        Body<GenerateRequest> body, HttpContext http, RnnRbmDbContext db, ModelCache models, GenerationSlots slots, IOptions<RnnRbmOptions> options, ILoggerFactory logs)
    {
        CancellationToken aborted = http.RequestAborted;
        GenerateRequest request = body.Value;
        RnnRbmOptions settingsOfService = options.Value;
        Dictionary<string, string[]> errors = GenerationSettings.Resolve(request, settingsOfService.MaxMidiFileBytes, out GenerationSettings? resolved, out byte[]? primerBytes);
        if (resolved is null)
        {
            return ErrorHandling.Invalid(errors);
        }

        using IDisposable? slot = slots.TryAcquire();
        if (slot is null)
        {
            int retryAfter = slots.RetryAfterSeconds;
            http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many generations at once.",
                detail: $"All {settingsOfService.GenerationConcurrency} generation slots are busy; try again in {retryAfter} s.");
        }

        RnnRbmModel? model;
        try
        {
            model = await models.GetAsync(db, resolved.ModelId, aborted);
        }
        catch (InvalidModelFileException ex)
        {
            logs.CreateLogger(typeof(GenerateEndpoint)).LogWarning("Model {ModelId}: stored file damaged: {Reason}", resolved.ModelId, ex.Reason);
            return Models.ModelIntegrity.Conflict(resolved.ModelId, ex.Reason);
        }
        if (model is null)
        {
            return ErrorHandling.NotFound("Model", resolved.ModelId);
        }

        var writeOptions = new MidiWriteOptions { Grid = model.Grid, TempoBpm = resolved.Tempo, Program = resolved.Program };
        try
        {
            // An empty roll costs nothing and fails as the real one would when the model's step cannot be
            // written at this tempo: better to learn it before spending the compute.
            MidiWriter.Write(new PianoRoll(0, model.Range), writeOptions);
        }
        catch (ArgumentException ex)
        {
            return ErrorHandling.Invalid("tempo", $"This model's step ({model.Grid}) cannot be written at {resolved.Tempo} bpm: {ex.Message}");
        }

        PianoRoll? primer = null;
        if (primerBytes is not null)
        {
            var readOptions = new MidiReadOptions
            {
                Grid = model.Grid,
                Range = model.Range,
                Limits = MidiLimits.Default with { MaxBytes = settingsOfService.MaxMidiFileBytes, MaxSteps = GenerationLimits.MaxPrimerSteps },
            };
            try
            {
                primer = MidiReader.Read(primerBytes, readOptions).Roll;
            }
            catch (InvalidMidiException ex)
            {
                return ErrorHandling.Invalid("primer", ex.Message);
            }
        }

        PianoRoll generated = new RnnRbmGenerator(model).Generate(resolved.Steps, resolved.GibbsK, resolved.Seed, primer);
        PianoRoll output = resolved.IncludePrimer && primer is not null ? Concatenate(primer, generated) : generated;

        var entity = new GenerationEntity
        {
            Id = Guid.CreateVersion7(),
            ModelId = resolved.ModelId,
            CreatedUtc = DateTimeOffset.UtcNow,
            RequestJson = JsonSerializer.Serialize(resolved, HistoryJson),
            Steps = resolved.Steps,
            Notes = output.CountActive(),
        };
        db.Generations.Add(entity);
        await db.SaveChangesAsync(aborted);

        http.Response.Headers[SeedHeader] = resolved.Seed.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers[GenerationIdHeader] = entity.Id.ToString();
        return resolved.Format switch
        {
            "png" => TypedResults.File(
                PianoRollImage.RenderPng(output, model.Grid, new PianoRollImageOptions { Title = $"generated piano-roll (seed {resolved.Seed})" }),
                "image/png"),
            "json" => TypedResults.Ok(ToJson(resolved, model, output, primer?.Steps ?? 0)),
            _ => TypedResults.File(MidiWriter.Write(output, writeOptions), "audio/midi",
                fileDownloadName: $"rnnrbm-seed-{resolved.Seed.ToString(CultureInfo.InvariantCulture)}.mid"),
        };
    }

    private static PianoRoll Concatenate(PianoRoll first, PianoRoll second)
    {
        var roll = new PianoRoll(first.Steps + second.Steps, first.Range);
        for (int t = 0; t < first.Steps; t++)
        {
            first.Row(t).CopyTo(roll.MutableRow(t));
        }
        for (int t = 0; t < second.Steps; t++)
        {
            second.Row(t).CopyTo(roll.MutableRow(first.Steps + t));
        }
        return roll;
    }

    private static GenerationJson ToJson(GenerationSettings settings, RnnRbmModel model, PianoRoll roll, int primerSteps)
    {
        var notes = new IReadOnlyList<int>[roll.Steps];
        for (int t = 0; t < roll.Steps; t++)
        {
            notes[t] = roll.NotesAt(t);
        }
        TimeGridJson grid = model.Grid switch
        {
            TimeGrid.Seconds s => new TimeGridJson("seconds", s.StepSeconds, null),
            TimeGrid.Beats b => new TimeGridJson("beats", null, b.StepsPerQuarter),
            _ => throw new InvalidOperationException("Unknown time grid."),
        };
        return new GenerationJson(
            settings.ModelId, settings.Seed, roll.Steps, settings.Steps, primerSteps, settings.IncludePrimer, settings.GibbsK,
            new PitchRangeJson(model.Range.Lowest, model.Range.End), grid, settings.Tempo, settings.Program, roll.CountActive(), notes);
    }
}
