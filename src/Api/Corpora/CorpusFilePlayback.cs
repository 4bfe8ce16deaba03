using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Audio;
using RnnRbm.Api.Generation;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Corpora;

/// <summary>
/// "Listen to my upload": GET /api/corpora/{id}/files/{fileId}/roll (the file's piano-roll, notes per step) and
/// /audio (the file itself rendered by the audio preview). The roll is read on a seconds grid, so that step t starts at
/// t × stepSeconds of the audio whatever the file's tempo changes: a player can put its playhead on the roll from the
/// audio's clock alone.
/// </summary>
internal static class CorpusFilePlayback
{
    /// <summary>Seconds per step of a corpus file's roll: fine enough for sixteenth notes up to 300 bpm.</summary>
    public const double StepSeconds = 0.05;

    public static RouteGroupBuilder MapCorpusFilePlayback(this RouteGroupBuilder corpora)
    {
        corpora.MapGet("{id:guid}/files/{fileId:guid}/roll", Roll)
            .WithName("GetCorpusFileRoll")
            .WithSummary("An accepted file of the corpus as a piano-roll: the MIDI pitches sounding at each step.")
            .WithDescription(
                $"Read on a grid of {StepSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s per step through the file's tempo map " +
                "(so step t starts t × timeGrid.seconds into the file and into its audio), over the 88 piano keys, drums (channel 10) left out. " +
                "404 when the corpus or the file is unknown (or the file belongs to another corpus); 409 for a rejected file, which was not kept.")
            .Produces<CorpusFileRoll>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        corpora.MapGet("{id:guid}/files/{fileId:guid}/audio", Audio)
            .WithName("GetCorpusFileAudio")
            .WithSummary("An accepted file of the corpus rendered to audio with FluidSynth: Ogg Opus, or WAV where opusenc is missing.")
            .WithDescription(
                "The file as uploaded (its own tempi and instruments), rendered like POST /api/audio. 404 when the corpus or the file is unknown; " +
                "409 for a rejected file; 503 when this server cannot render audio (GET /api/audio/status); 429 with `Retry-After` when its audio " +
                "slots are busy; 413 when the file is longer than RnnRbm:Audio:MaxAudioSeconds.")
            .Produces<Stream>(StatusCodes.Status200OK, "audio/ogg", "audio/wav")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        return corpora;
    }

    private static async Task<Results<Ok<CorpusFileRoll>, ProblemHttpResult>> Roll(
        Guid id, Guid fileId, RnnRbmDbContext db, IOptions<RnnRbmOptions> options, CancellationToken ct)
    {
        (StoredFile? file, ProblemHttpResult? problem) = await FindAsync(db, id, fileId, ct);
        if (file is null)
        {
            return problem!;
        }
        var grid = new TimeGrid.Seconds(StepSeconds);
        MidiLimits limits = MidiLimits.Default;
        var read = new MidiReadOptions
        {
            Grid = grid,
            Range = PitchRange.Piano,
            IncludeDrums = false,
            // The file passed the upload's limits; its longest allowed duration must fit in steps of this grid too.
            Limits = limits with { MaxBytes = options.Value.MaxMidiFileBytes, MaxSteps = (int)Math.Ceiling(limits.MaxDurationSeconds / StepSeconds) + 1 },
        };
        MidiReadResult result;
        try
        {
            result = MidiReader.Read(file.Bytes, read);
        }
        catch (InvalidMidiException ex)
        {
            // Accepted files were read at upload with the same reader: this is a stored file damaged since, or a limit changed.
            return Unreadable(file, ex.Message);
        }
        PianoRoll roll = result.Roll;
        var notes = new IReadOnlyList<int>[roll.Steps];
        for (int t = 0; t < roll.Steps; t++)
        {
            notes[t] = roll.NotesAt(t);
        }
        return TypedResults.Ok(new CorpusFileRoll(
            id, fileId, file.FileName, roll.Steps, StoredPiece.ToJson(grid), new PitchRangeJson(roll.Range.Lowest, roll.Range.End),
            roll.CountActive(), result.Stats.DurationSeconds, notes));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Audio(
        Guid id, Guid fileId, RnnRbmDbContext db, HttpContext http, AudioRenderer renderer, AudioSlots slots, IOptions<AudioOptions> audio,
        IOptions<RnnRbmOptions> options)
    {
        (StoredFile? file, ProblemHttpResult? problem) = await FindAsync(db, id, fileId, http.RequestAborted);
        if (file is null)
        {
            return problem!;
        }
        AudioStatus status = renderer.Status();
        if (!status.Available)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Audio preview unavailable.", detail: status.Message);
        }
        byte[] midi;
        try
        {
            // The structure walk's rewrite: a plain SMF (a RIFF/RMID wrapper taken off) that the synthesiser reads safely.
            midi = MidiPreCheck.Check(file.Bytes, MidiLimits.Default with { MaxBytes = options.Value.MaxMidiFileBytes }).Canonical;
        }
        catch (InvalidMidiException ex)
        {
            return Unreadable(file, ex.Message);
        }
        return await AudioSetup.RenderAsync(midi, http, renderer, slots, audio.Value);
    }

    private sealed record StoredFile(string FileName, byte[] Bytes);

    private static async Task<(StoredFile? File, ProblemHttpResult? Problem)> FindAsync(RnnRbmDbContext db, Guid id, Guid fileId, CancellationToken ct)
    {
        var row = await db.CorpusFiles.AsNoTracking()
            .Where(f => f.Id == fileId && f.CorpusId == id)
            .Select(f => new { f.FileName, f.Accepted, f.Reason, f.Bytes })
            .FirstOrDefaultAsync(ct);
        if (row is null)
        {
            bool corpusExists = await db.Corpora.AnyAsync(c => c.Id == id, ct);
            return (null, corpusExists
                ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "File not found.",
                    detail: $"The corpus has no file with id {fileId}. GET /api/corpora/{id} lists its files with their ids.")
                : ErrorHandling.NotFound("Corpus", id));
        }
        if (!row.Accepted || row.Bytes is null)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "This file was rejected, so it was not kept.",
                detail: $"'{row.FileName}' was rejected at upload ({row.Reason ?? "no reason recorded"}); only accepted files can be seen and heard."));
        }
        return (new StoredFile(row.FileName, row.Bytes), null);
    }

    private static ProblemHttpResult Unreadable(StoredFile file, string reason) =>
        TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The stored file cannot be read.",
            detail: $"'{file.FileName}' was accepted at upload but cannot be read now: {reason}.");
}
