using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Progress;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Analysis;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Generation;

/// <summary>
/// POST /generate (the piece itself, as MIDI, PNG or JSON) and POST /api/generations (the generation as a resource):
/// both sample a piece from a model and record it, with the piece, in the history.
/// </summary>
internal static class GenerateEndpoint
{
    public const string SeedHeader = "X-Seed";
    public const string GenerationIdHeader = "X-Generation-Id";

    /// <summary>JSON of the stored request (the history); the same camelCase names as the API.</summary>
    internal static readonly JsonSerializerOptions HistoryJson = new(JsonSerializerDefaults.Web);

    public static async Task<Results<FileContentHttpResult, JsonHttpResult<GenerationJson>, JsonHttpResult<IReadOnlyList<GenerationJson>>, ValidationProblem, ProblemHttpResult>> Generate(
        Body<GenerateRequest> body, HttpContext http, RnnRbmDbContext db, ModelCache models, NoveltyIndexes novelty, GenerationSlots slots, IOptions<RnnRbmOptions> options, ILoggerFactory logs)
    {
        (string? format, ProblemHttpResult? notAcceptable) = GenerateNegotiation.Choose(body.Value.Format, http.Request);
        if (notAcceptable is not null)
        {
            return notAcceptable;
        }
        Sampled outcome = await SampleAsync(body.Value, format!, http, db, models, novelty, slots, options.Value, logs);
        if (outcome.Pieces is not { } pieces)
        {
            return outcome.Invalid is not null ? outcome.Invalid : outcome.Problem!;
        }
        if (pieces.Count > 1)
        {
            // Several pieces: a JSON list, or a zip of one file per piece in seed order.
            IReadOnlyList<GenerationJson> all = [.. pieces.Select(p => p.Piece)];
            return format switch
            {
                "json" => TypedResults.Json(all),
                "png" => TypedResults.File(StoredPiece.Zip(all, png: true), "application/zip", fileDownloadName: StoredPiece.ZipFileName(all, png: true)),
                _ => TypedResults.File(StoredPiece.Zip(all, png: false), "application/zip", fileDownloadName: StoredPiece.ZipFileName(all, png: false)),
            };
        }
        GenerationJson piece = pieces[0].Piece;
        return format switch
        {
            "png" => TypedResults.File(StoredPiece.Png(piece), "image/png"),
            "json" => TypedResults.Json(piece),
            _ => TypedResults.File(StoredPiece.Midi(piece), "audio/midi", fileDownloadName: StoredPiece.MidiFileName(piece)),
        };
    }

    public static async Task<Results<Created<GenerationSummary>, ValidationProblem, ProblemHttpResult>> Create(
        Body<GenerateRequest> body, HttpContext http, RnnRbmDbContext db, ModelCache models, NoveltyIndexes novelty, GenerationSlots slots, IOptions<RnnRbmOptions> options, ILoggerFactory logs)
    {
        Sampled outcome = await SampleAsync(body.Value, "json", http, db, models, novelty, slots, options.Value, logs);
        if (outcome.Pieces is not { } pieces)
        {
            return outcome.Invalid is not null ? outcome.Invalid : outcome.Problem!;
        }
        // The row as the history shows it (with the model's name), and the piece in hand rather than read back and unpacked.
        (Guid id, GenerationJson first) = pieces[0];
        GenerationSummary created = await GenerationHistoryEndpoints.FindAsync(db, id, withPiece: false, http.RequestAborted)
            ?? throw new InvalidOperationException($"Generation {id} was not found right after it was saved.");
        created = created with { Piece = first };
        if (pieces.Count > 1)
        {
            created = created with
            {
                Pieces = [.. pieces.Select(p => PieceLinksJson.Of(p.Id, p.Piece.Seed))],
                Zip = GenerationHistoryEndpoints.ZipAddress(pieces.Select(p => p.Id)),
            };
        }
        return TypedResults.Created($"/api/generations/{id}", created);
    }

    /// <summary>The sampled and recorded pieces (each with its history id, in seed order), or why there are none.</summary>
    private sealed record Sampled(IReadOnlyList<(Guid Id, GenerationJson Piece)>? Pieces, ValidationProblem? Invalid = null, ProblemHttpResult? Problem = null);

    private static async Task<Sampled> SampleAsync(GenerateRequest request, string format, HttpContext http, RnnRbmDbContext db,
        ModelCache models, NoveltyIndexes novelty, GenerationSlots slots, RnnRbmOptions settingsOfService, ILoggerFactory logs)
    {
        CancellationToken aborted = http.RequestAborted;
        Dictionary<string, string[]> errors = GenerationSettings.Resolve(request, settingsOfService.MaxMidiFileBytes, out GenerationSettings? asked, out byte[]? primerBytes, out byte[]? melodyBytes, out byte[]? fillBytes);
        if (asked is null)
        {
            return new Sampled(null, Invalid: ErrorHandling.Invalid(errors));
        }
        // What was answered, so that the stored request posted again gives the same bytes.
        GenerationSettings resolved = asked with { Format = format };

        RnnRbmModel? model;
        try
        {
            model = await models.GetAsync(db, resolved.ModelId, aborted);
        }
        catch (InvalidModelFileException ex)
        {
            logs.CreateLogger(typeof(GenerateEndpoint)).LogWarning("Model {ModelId}: stored file damaged: {Reason}", resolved.ModelId, ex.Reason);
            return new Sampled(null, Problem: Models.ModelIntegrity.Conflict(resolved.ModelId, ex.Reason));
        }
        if (model is null)
        {
            return new Sampled(null, Problem: ErrorHandling.NotFound("Model", resolved.ModelId));
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
            return new Sampled(null, Invalid: ErrorHandling.Invalid("tempo", $"This model's step ({model.Grid}) cannot be written at {resolved.Tempo} bpm: {ex.Message}"));
        }

        var readOptions = new MidiReadOptions
        {
            Grid = model.Grid,
            Range = model.Range,
            Limits = MidiLimits.Default with { MaxBytes = settingsOfService.MaxMidiFileBytes, MaxSteps = GenerationLimits.MaxPrimerSteps },
        };
        if (ReadMidi(primerBytes, readOptions, "primer", out PianoRoll? primer) is ValidationProblem badPrimer)
        {
            return new Sampled(null, Invalid: badPrimer);
        }
        // A length in bars or seconds becomes steps on the model's grid at the request's tempo.
        int? askedSteps = request.Steps;
        string lengthField = "steps";
        if (request.Bars is double bars)
        {
            if (!MusicalLength.TryParseTimeSignature(request.TimeSignature ?? GenerationLimits.DefaultTimeSignature, out (int, int) signature))
            {
                throw new InvalidOperationException($"The time signature '{request.TimeSignature}' was not checked.");
            }
            askedSteps = MusicalLength.StepsOfBars(model.Grid, bars, signature, resolved.Tempo);
            lengthField = "bars";
        }
        else if (request.Seconds is double seconds)
        {
            askedSteps = MusicalLength.StepsOfSeconds(model.Grid, seconds, resolved.Tempo);
            lengthField = "seconds";
        }
        if (lengthField != "steps")
        {
            int steps = askedSteps!.Value;
            string? problem = steps > GenerationLimits.MaxSteps ? $"{lengthField} gives {steps} steps on this model's grid ({model.Grid}) at {resolved.Tempo} bpm, above the {GenerationLimits.MaxSteps} allowed."
                : (long)steps * resolved.GibbsK > GenerationLimits.MaxGibbsSweeps ? $"{lengthField} gives {steps} steps on this model's grid ({model.Grid}); steps × gibbsK must be at most {GenerationLimits.MaxGibbsSweeps}. Lower either."
                : null;
            if (problem is not null)
            {
                return new Sampled(null, Invalid: ErrorHandling.Invalid(lengthField, problem));
            }
            resolved = resolved with { Steps = steps };
        }
        if (model.Range.Lowest + resolved.Transpose < 0 || model.Range.End + resolved.Transpose > 128)
        {
            return new Sampled(null, Invalid: ErrorHandling.Invalid("transpose",
                $"transpose {resolved.Transpose} would move this model's range {model.Range} beyond MIDI's notes 0-127."));
        }

        if (ReadMidi(melodyBytes, readOptions, "melody", out PianoRoll? melody) is ValidationProblem badMelody)
        {
            return new Sampled(null, Invalid: badMelody);
        }
        if (melody is not null)
        {
            // Without steps the melody's length; with them, no longer than the melody (a test of the bound, as for steps).
            int steps = askedSteps ?? Math.Min(melody.Steps, GenerationLimits.MaxSteps);
            string? problem = melody.Steps == 0 ? "melody has no step on the model's grid: send a MIDI file with notes."
                : steps > melody.Steps ? $"melody lasts {melody.Steps} steps on the model's grid ({model.Grid}); {lengthField} asks for {steps}: leave it out to follow the melody, or lower it."
                : (long)steps * resolved.GibbsK > GenerationLimits.MaxGibbsSweeps ? $"steps × gibbsK must be at most {GenerationLimits.MaxGibbsSweeps}; the melody's {steps} steps × {resolved.GibbsK}. Lower gibbsK."
                : null;
            if (problem is not null)
            {
                return new Sampled(null, Invalid: ErrorHandling.Invalid("melody", problem));
            }
            resolved = resolved with { Steps = steps };
        }
        if (ReadMidi(fillBytes, readOptions, "fill", out PianoRoll? whole) is ValidationProblem badFill)
        {
            return new Sampled(null, Invalid: badFill);
        }
        if (whole is not null && resolved.GapEnd > whole.Steps)
        {
            return new Sampled(null, Invalid: ErrorHandling.Invalid("gapEnd",
                $"The piece lasts {whole.Steps} steps on the model's grid ({model.Grid}); gapEnd {resolved.GapEnd} lies beyond it. Give a gap inside the piece."));
        }
        var controls = new GenerationControls { Temperature = resolved.Temperature, Melody = melody, MelodyOnTop = resolved.MelodyOnTop };
        int count = request.Count ?? 1;

        // The slot bounds the sampling only: the lookups above and the history write below wait on the database, not
        // on the cores, and holding a slot through them would leave a core idle while others queue for it.
        var sampled = new (PianoRoll Generated, GapFill? Fill)[count];
        using (IDisposable? slot = await slots.AcquireAsync(aborted))
        {
            if (slot is null)
            {
                int retryAfter = slots.RetryAfterSeconds;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                return new Sampled(null, Problem: TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many generations at once.",
                    detail: $"All {settingsOfService.GenerationConcurrency} generation slots are busy; try again in {retryAfter} s."));
            }
            // A client that sent X-Progress-Id polls GET /api/progress/{id} meanwhile (issue 15: time left of a long generation):
            // piece i of `count` covers [i / count, (i + 1) / count]; a gap's fill reports when each piece is done.
            using RequestProgress.Tracker? progress = http.RequestServices.GetRequiredService<RequestProgress>().Start(http.Request, "generation");
            int done = 0;
            var generator = new RnnRbmGenerator(model) { Progress = progress is null ? null : share => progress.Report((done + share) / count) };
            for (int i = 0; i < count; i++)
            {
                done = i;
                ulong seed = unchecked(resolved.Seed + (ulong)i); // distinct seeds: seed, seed + 1, …
                if (whole is not null)
                {
                    GapFill fill = generator.FillGap(whole, resolved.GapStart!.Value, resolved.GapEnd!.Value, resolved.Candidates!.Value, resolved.GibbsK, seed, controls);
                    sampled[i] = (fill.Piece, fill);
                }
                else
                {
                    sampled[i] = (generator.Generate(resolved.Steps, resolved.GibbsK, seed, primer, controls), null);
                }
                progress?.Report((double)(i + 1) / count);
            }
        }

        var pieces = new List<(Guid Id, GenerationJson Piece)>(count);
        for (int i = 0; i < count; i++)
        {
            (PianoRoll generated, GapFill? fill) = sampled[i];
            GenerationSettings one = resolved with { Seed = unchecked(resolved.Seed + (ulong)i) };
            PianoRoll output = one.IncludePrimer && primer is not null ? Concatenate(primer, generated) : generated;
            if (request.Key is not null && MusicalKey.TryParse(request.Key, out MusicalKey target) && MusicalKey.Estimate(generated) is MusicalKey found)
            {
                // Resolved to semitones, so that the stored request gives the same bytes again.
                one = one with { Transpose = found.SemitonesTo(target) };
            }
            if (one.Transpose != 0)
            {
                output = output.Transposed(one.Transpose)
                    ?? throw new InvalidOperationException($"A transposition by {one.Transpose} of {output.Range} was not checked.");
            }
            // Outside the slot: the first generation of a model builds its corpus's index (seconds), the others walk it
            // (milliseconds). A filled gap is checked on the steps the model wrote, not on the piece it was given.
            PianoRoll written = fill is null ? generated : Slice(generated, one.GapStart!.Value, one.GapEnd!.Value);
            NoveltyReport? report = await novelty.CheckAsync(db, one.ModelId, model, written, aborted);
            GenerationJson piece = ToJson(one, model, output, primer?.Steps ?? 0, melody is null ? 0 : one.Steps, report, fill is null ? null : Gap(one, fill));
            var entity = new GenerationEntity
            {
                Id = Guid.CreateVersion7(),
                ModelId = one.ModelId,
                CreatedUtc = DateTimeOffset.UtcNow,
                RequestJson = JsonSerializer.Serialize(one, HistoryJson),
                Steps = one.Steps,
                Notes = piece.NoteSteps,
                Piece = StoredPiece.Pack(piece),
            };
            db.Generations.Add(entity);
            pieces.Add((entity.Id, piece));
        }
        await slots.RecordAsync(() => db.SaveChangesAsync(aborted), aborted);

        http.Response.Headers[SeedHeader] = resolved.Seed.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers[GenerationIdHeader] = string.Join(",", pieces.Select(p => p.Id));
        return new Sampled(pieces);
    }

    private static GapJson Gap(GenerationSettings settings, GapFill fill) =>
        new(settings.GapStart!.Value, settings.GapEnd!.Value, fill.Candidates.Count, fill.Chosen, fill.Scores, fill.Weights(), fill.ScoredSteps);

    private static PianoRoll Slice(PianoRoll roll, int from, int to)
    {
        var part = new PianoRoll(to - from, roll.Range);
        for (int t = from; t < to; t++)
        {
            roll.Row(t).CopyTo(part.MutableRow(t - from));
        }
        return part;
    }

    // A file of the request (the primer, the melody) read on the model's grid and range; the problem names its field.
    private static ValidationProblem? ReadMidi(byte[]? bytes, MidiReadOptions options, string field, out PianoRoll? roll)
    {
        roll = null;
        if (bytes is null)
        {
            return null;
        }
        try
        {
            roll = MidiReader.Read(bytes, options).Roll;
            return null;
        }
        catch (InvalidMidiException ex)
        {
            return ErrorHandling.Invalid(field, ex.Message);
        }
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

    private static GenerationJson ToJson(GenerationSettings settings, RnnRbmModel model, PianoRoll roll, int primerSteps, int melodySteps, NoveltyReport? novelty, GapJson? gap)
    {
        var notes = new IReadOnlyList<int>[roll.Steps];
        for (int t = 0; t < roll.Steps; t++)
        {
            notes[t] = roll.NotesAt(t);
        }
        return new GenerationJson(
            settings.ModelId, settings.Seed, roll.Steps, settings.Steps, primerSteps, settings.IncludePrimer, settings.GibbsK,
            new PitchRangeJson(roll.Range.Lowest, roll.Range.End), StoredPiece.ToJson(model.Grid), settings.Tempo, settings.Program, roll.CountActive(), notes,
            settings.Temperature, melodySteps, settings.Transpose, MusicalKey.Estimate(roll)?.ToString(),
            novelty is null ? null : new NoveltyJson(Run(novelty.Exact), Run(novelty.Transposed), novelty.Threshold, novelty.Warning), gap);
    }

    private static NoveltyRunJson Run(NoveltyMatch match) =>
        new(match.Steps, match.PieceStart, match.Sequence, match.SequenceStart, match.Transposition);
}
