using RnnRbm.Core.PianoRolls;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Rendering;

namespace RnnRbm.Api.Corpora;

/// <summary>The /api/corpora endpoints: upload, list, inspect, histogram image, delete.</summary>
public static class CorporaApi
{
    public static IEndpointRouteBuilder MapCorporaApi(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/api/corpora").WithTags("Corpora").RequireApiKeyForChanges();

        group.MapPost("", Create)
            .DisableAntiforgery()
            .WithName("CreateCorpus")
            .WithSummary("Upload a corpus of MIDI files.")
            .WithDescription(
                "multipart/form-data with `name` and one or more files in `files`: MIDI files (.mid/.midi/.kar, recognised by their MThd or RIFF/RMID " +
                "signature, not their extension) and/or .zip archives. A zip with top-level `train/`, `valid/`, `test/` folders keeps that split " +
                "(its files elsewhere are rejected); every other file is split by a seeded shuffle: `validFraction` (0..0.5, default 0.1) of them to " +
                "valid, the rest to train, deterministic for the same files and `splitSeed` (default 0). The answer reports every file: accepted with " +
                "its statistics, or rejected with the reason. Zip entries with unsafe paths (`..`, absolute, drive letters, backslashes) and nested " +
                "archives are rejected; an upload beyond the zip limits (entries, inflated bytes) or where no file is accepted is refused as a whole (400). " +
                "Files without notes are rejected with that reason. At most RnnRbm:UploadConcurrency uploads are read at once; beyond it, 429 with " +
                "`Retry-After` (seconds).")
            .Produces<CorpusDetails>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapGet("/options", () => TypedResults.Ok(RequestOptionsResponse.From(CorpusLimits.All)))
            .WithName("GetCorpusOptions")
            .WithSummary("The bounds and default of every numeric field of POST /api/corpora; the Corpora page's form reads them from here.");

        group.MapGet("", List)
            .WithName("ListCorpora")
            .WithSummary("List the corpora.")
            .WithDescription("Every corpus, newest first, with its file counts per split and its steps on the statistics grid.")
            .Produces<List<CorpusSummary>>();

        group.MapGet("{id:guid}", Get)
            .WithName("GetCorpus")
            .WithSummary("A corpus with its files and statistics.")
            .WithDescription(
                "Files with their split, accepted or rejected (and why), per-file statistics; total steps; the pitch histogram (note-steps per MIDI " +
                "pitch); polyphony; tempos and time signatures seen. All computed once at upload on the grid given in `statisticsGrid`.")
            .Produces<CorpusDetails>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("{id:guid}/pitch-histogram.png", PitchHistogram)
            .WithName("GetCorpusPitchHistogram")
            .WithSummary("The corpus's pitch histogram as a PNG bar chart.")
            .WithDescription("Note-steps per piano key (MIDI 21..108) over the accepted files, on the statistics grid.")
            .Produces<Stream>(StatusCodes.Status200OK, "image/png")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapCorpusFilePlayback();

        group.MapDelete("{id:guid}", Delete)
            .WithName("DeleteCorpus")
            .WithSummary("Delete a corpus and its files.")
            .WithDescription("Refused (409) while a queued or running training uses the corpus: cancel it first. Models trained on it are kept.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    /// <param name="name">The corpus's name (1-200 characters).</param>
    /// <param name="files">MIDI files and/or zip archives.</param>
    /// <param name="validFraction">Fraction of the seeded files sent to valid, 0..0.5 (default 0.1).</param>
    /// <param name="splitSeed">Seed of the split shuffle, an unsigned 64-bit integer (default 0).</param>
    /// <param name="importer">The import service.</param>
    /// <param name="budget">The process's budget of uploads in flight.</param>
    /// <param name="db">The database, to find the corpora that already hold the same files.</param>
    /// <param name="http">The request, for the Retry-After header.</param>
    /// <param name="ct">The request's cancellation.</param>
    private static async Task<Results<Created<CorpusDetails>, ValidationProblem, ProblemHttpResult>> Create(
        [FromForm] string? name,
        IFormFileCollection files,
        [FromForm] string? validFraction,
        [FromForm] string? splitSeed,
        CorpusImporter importer,
        UploadBudget budget,
        RnnRbmDbContext db,
        HttpContext http,
        CancellationToken ct)
    {
        // Numbers come as text so that every bad field is listed in one answer, not the first the binder trips on.
        var parseErrors = new Dictionary<string, string[]>();
        double fraction = CorpusImporter.DefaultValidFraction;
        if (!string.IsNullOrWhiteSpace(validFraction) &&
            !double.TryParse(validFraction, NumberStyles.Float, CultureInfo.InvariantCulture, out fraction))
        {
            parseErrors["validFraction"] = [$"validFraction must be a number in [0, {CorpusImporter.MaxValidFraction.ToString(CultureInfo.InvariantCulture)}]; got '{validFraction}'."];
            fraction = CorpusImporter.DefaultValidFraction;
        }
        ulong seed = CorpusImporter.DefaultSplitSeed;
        if (!string.IsNullOrWhiteSpace(splitSeed) &&
            !ulong.TryParse(splitSeed, NumberStyles.None, CultureInfo.InvariantCulture, out seed))
        {
            parseErrors["splitSeed"] = [$"splitSeed must be an integer in [0, {ulong.MaxValue}]; got '{splitSeed}'."];
        }
        Dictionary<string, string[]> errors = CorpusImporter.Validate(name, files.Count, fraction);
        foreach (KeyValuePair<string, string[]> error in parseErrors)
        {
            errors[error.Key] = error.Value;
        }
        if (errors.Count > 0)
        {
            return ErrorHandling.Invalid(errors);
        }

        using UploadBudget.Lease? lease = budget.TryAdmit();
        if (lease is null)
        {
            int retryAfter = budget.RetryAfterSeconds;
            http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many uploads at once.",
                detail: $"All {budget.Concurrency} upload places are busy (RnnRbm:UploadConcurrency); nothing was kept, try again in {retryAfter} s.");
        }

        // The files are read from the form's own streams (spooled to disk beyond 64 KiB), never copied whole: the form
        // reader already enforced RnnRbm:MaxRequestBytes on the whole body.
        List<UploadedFile> uploads = [.. files.Select(f => new UploadedFile(f.FileName, f.Length, f.OpenReadStream))];
        CorpusImportResult result = await importer.ImportAsync(name!, uploads, fraction, seed, id: null, lease, ct);
        return result.Corpus is CorpusDetails corpus
            ? TypedResults.Created($"/api/corpora/{corpus.Id}", corpus with { SameFilesAs = await SameFilesAsync(db, corpus.Id, ct) })
            : ErrorHandling.Invalid(new Dictionary<string, string[]>(result.Errors));
    }

    /// <summary>
    /// The corpora that already held some of a new corpus's accepted files (by SHA-256), most shared first. Said in the
    /// upload's answer, never acted on: the person chooses which to keep.
    /// </summary>
    private static async Task<List<SameCorpus>> SameFilesAsync(RnnRbmDbContext db, Guid id, CancellationToken ct)
    {
        List<string> mine = await db.CorpusFiles.AsNoTracking()
            .Where(f => f.CorpusId == id && f.Accepted && f.ContentSha256 != null)
            .Select(f => f.ContentSha256!).Distinct().ToListAsync(ct);
        if (mine.Count == 0)
        {
            return [];
        }
        var shared = await db.CorpusFiles.AsNoTracking()
            .Where(f => f.CorpusId != id && f.Accepted && mine.Contains(f.ContentSha256!))
            .Select(f => new { f.CorpusId, f.ContentSha256 })
            .ToListAsync(ct);
        if (shared.Count == 0)
        {
            return [];
        }
        List<Guid> ids = [.. shared.Select(s => s.CorpusId).Distinct()];
        var corpora = await db.Corpora.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, c.Name, Files = c.Files.Count(f => f.Accepted) }).ToListAsync(ct);
        return [.. corpora
            .Select(c =>
            {
                int same = shared.Where(s => s.CorpusId == c.Id).Select(s => s.ContentSha256).Distinct().Count();
                return new SameCorpus(c.Id, c.Name, same, c.Files, same == mine.Count && c.Files == mine.Count);
            })
            .OrderByDescending(c => c.SameFiles).ThenBy(c => c.Name, StringComparer.Ordinal)];
    }

    private static async Task<Ok<List<CorpusSummary>>> List(RnnRbmDbContext db, CancellationToken ct)
    {
        List<CorpusEntity> corpora = await db.Corpora.AsNoTracking().OrderByDescending(c => c.CreatedUtc).ToListAsync(ct);
        var groups = await db.CorpusFiles
            .GroupBy(f => new { f.CorpusId, f.Split, f.Accepted })
            .Select(g => new { g.Key.CorpusId, g.Key.Split, g.Key.Accepted, Count = g.Count() })
            .ToListAsync(ct);
        ILookup<Guid, (string, bool, int)> byCorpus = groups.ToLookup(g => g.CorpusId, g => (g.Split, g.Accepted, g.Count));
        return TypedResults.Ok(corpora.Select(c => CorpusViews.Summary(c, byCorpus[c.Id])).ToList());
    }

    private static async Task<Results<Ok<CorpusDetails>, ProblemHttpResult>> Get(Guid id, RnnRbmDbContext db, CancellationToken ct)
    {
        CorpusEntity? corpus = await db.Corpora.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (corpus is null)
        {
            return ErrorHandling.NotFound("Corpus", id);
        }
        List<CorpusViews.FileRow> files = await db.CorpusFiles
            .Where(f => f.CorpusId == id)
            .Select(f => new CorpusViews.FileRow(f.Id, f.FileName, f.Split, f.Accepted, f.Reason, f.StatsJson))
            .ToListAsync(ct);
        return TypedResults.Ok(CorpusViews.Details(corpus, files));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> PitchHistogram(Guid id, RnnRbmDbContext db, CancellationToken ct)
    {
        var corpus = await db.Corpora.Where(c => c.Id == id).Select(c => new { c.Name, c.StatisticsJson }).FirstOrDefaultAsync(ct);
        if (corpus is null)
        {
            return ErrorHandling.NotFound("Corpus", id);
        }
        IReadOnlyList<PitchCount> histogram = CorpusStatistics.FromJson(corpus.StatisticsJson).Histogram();
        byte[] png = BarChartImage.RenderPng(
            [.. histogram.Select(p => (p.Name, (double)p.NoteSteps))],
            $"Pitch histogram: {corpus.Name}",
            "pitch",
            "note-steps (2 per quarter note)");
        return TypedResults.File(png, "image/png");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, RnnRbmDbContext db, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!await db.Corpora.AnyAsync(c => c.Id == id, ct))
        {
            return ErrorHandling.NotFound("Corpus", id);
        }
        List<Guid> busy = await db.Trainings
            .Where(t => t.CorpusId == id && (t.State == "queued" || t.State == "running"))
            .Select(t => t.Id)
            .ToListAsync(ct);
        if (busy.Count > 0)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The corpus is in use.",
                detail: $"Training(s) {string.Join(", ", busy)} queued or running on corpus {id} use it; cancel them or wait for them to finish, then delete.");
        }
        // Files first: the cascade is not left to the database's foreign-key setting.
        await db.CorpusFiles.Where(f => f.CorpusId == id).ExecuteDeleteAsync(ct);
        await db.Corpora.Where(c => c.Id == id).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.NoContent();
    }
}
