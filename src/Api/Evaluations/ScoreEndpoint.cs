using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Generation;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Models;
using RnnRbm.Api.Progress;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Rendering;

namespace RnnRbm.Api.Evaluations;

/// <summary>The newest succeeded evaluation of the model on one split: what a scored piece is read against.</summary>
/// <param name="Split">test, valid or train.</param>
/// <param name="CorpusId">The corpus it measured.</param>
/// <param name="EvaluationId">The evaluation.</param>
/// <param name="LogLikelihood">Its log-likelihood per step (nats).</param>
/// <param name="StandardError">Its AIS standard error.</param>
/// <param name="BaselineLogLikelihood">Its independent-notes floor.</param>
/// <param name="AisConverged">Whether its AIS converged.</param>
public sealed record CorpusFigure(string Split, Guid CorpusId, Guid EvaluationId, double LogLikelihood, double? StandardError,
    double? BaselineLogLikelihood, bool? AisConverged);

/// <summary>
/// How typical one piece is of the music a model learned (<c>POST /api/models/{id}/score</c>; docs/evaluation.md,
/// "Score a piece"). Log-likelihoods and surprises in nats.
/// </summary>
/// <param name="ModelId">The model.</param>
/// <param name="FileName">The uploaded file's name.</param>
/// <param name="Steps">Steps of the piece on the model's grid.</param>
/// <param name="Grid">The model's grid, in words, the piece was read on.</param>
/// <param name="NotesOutsideRange">Notes of the file outside the model's pitch range, left out.</param>
/// <param name="Seed">Seed of every random choice (same piece, same seed: the same figures).</param>
/// <param name="LogLikelihoodPerStep">(1/T) Σ_t log P(v_t | v_&lt;t) over the piece, log Z_t by the evaluation's converged AIS search.</param>
/// <param name="StandardError">Its AIS standard error.</param>
/// <param name="AisConverged">Whether the last doubling of AIS moved the figure by less than 0.01 nats (false: it reads too high).</param>
/// <param name="AisShift">That last doubling's move, nats per step.</param>
/// <param name="AisSchedule">The AIS schedule reached, in words.</param>
/// <param name="Surprise">−log P(v_t | v_&lt;t) of each step t (step 1 first): how surprising that step is to the model given the piece so far.</param>
/// <param name="SurpriseStandardError">The AIS standard error of each entry of surprise.</param>
/// <param name="Accuracy">Expected frame-level accuracy of the model's next-step predictions on the piece (the evaluation's).</param>
/// <param name="BaselineAccuracy">The previous-frame predictor's accuracy on the piece: the floor beside accuracy.</param>
/// <param name="BaselineLogLikelihood">Independent per-pitch notes fitted on the train files of the model's corpus: the floor beside the log-likelihood; null when that corpus is not here.</param>
/// <param name="BaselineSurprise">Each step's surprise under that floor; null with it.</param>
/// <param name="CorpusFigures">The model's newest succeeded evaluation per split (its own corpus's first): the figure of the corpus's music to read the piece's against.</param>
/// <param name="Summary">The score in one plain sentence.</param>
/// <param name="Seconds">Wall time of the measurement.</param>
public sealed record ScoreResponse(Guid ModelId, string FileName, int Steps, string Grid, int NotesOutsideRange, long Seed,
    double LogLikelihoodPerStep, double StandardError, bool? AisConverged, double? AisShift, string AisSchedule,
    IReadOnlyList<double> Surprise, IReadOnlyList<double> SurpriseStandardError, double? Accuracy, double? BaselineAccuracy,
    double? BaselineLogLikelihood, IReadOnlyList<double>? BaselineSurprise, IReadOnlyList<CorpusFigure> CorpusFigures,
    string Summary, double Seconds);

/// <summary>POST /api/models/{id}/score: a MIDI file's log-likelihood per step and surprise curve under a model.</summary>
internal static class ScoreEndpoint
{
    public static IEndpointRouteBuilder MapScore(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/models/{id:guid}/score", ScoreAsync)
            .WithTags("Evaluations")
            .WithName("ScorePiece")
            .WithSummary("How typical is this piece of the music the model learned? Its log-likelihood per step and the surprise of each step.")
            .WithDescription(
                "multipart/form-data (another content type: 415): the MIDI file in `file`, optional `seed` (0 ≤ seed < 2^53, default 1234). The piece is read on the model's grid " +
                "and pitch range (notes outside it are left out and counted), at most " + ScoreLimits.MaxSteps + " steps, and measured as an evaluation " +
                "measures a split (docs/evaluation.md): log P(v_t | v_<t) by AIS with the converged search (10 runs, sm K doubled per step up to " +
                ScoreLimits.MaxTransitions + "), the expected accuracy, and the evaluation's floors (independent notes fitted on the train files of the " +
                "model's corpus when it is here; the previous frame). `surprise[t]` = −log P(v_t | v_<t). `corpusFigures` carries the model's newest " +
                "succeeded evaluation per split. The answer is JSON, or the surprise curve as PNG when the Accept header asks for image/png. " +
                "Not a MIDI file, an empty piece (no note in the model's range) or a piece too long on the model's grid: 400 naming `file`. " +
                "Send `X-Progress-Id: <a GUID>` to follow it at GET /api/progress/{id}. 429 with Retry-After when the generation slots stay busy.")
            .Accepts<ScoreForm>("multipart/form-data")
            .Produces<ScoreResponse>(StatusCodes.Status200OK, "application/json")
            .Produces<Stream>(StatusCodes.Status200OK, "image/png")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .DisableAntiforgery()
            .RequireApiKeyForChanges();
        return app;
    }

    /// <summary>The form of a score request (for the OpenAPI document).</summary>
    /// <param name="File">The MIDI file.</param>
    /// <param name="Seed">Seed of every random choice (default 1234).</param>
    internal sealed record ScoreForm(IFormFile File, long? Seed);

    internal static async Task<Results<Ok<ScoreResponse>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ScoreAsync(
        Guid id, HttpContext http, RnnRbmDbContext db, ModelCache models, NoveltyIndexes corpora, GenerationSlots slots, NumericsBackend backend,
        RequestProgress requestProgress, IOptions<RnnRbmOptions> options)
    {
        CancellationToken aborted = http.RequestAborted;
        // Another content type never gets here: the endpoint accepts multipart/form-data only (415 otherwise).
        IFormCollection form = await http.Request.ReadFormAsync(aborted);
        IFormFile? file = form.Files.GetFile("file");
        if (file is null)
        {
            return ErrorHandling.Invalid("file", "Send the MIDI file in the multipart field 'file'.");
        }
        ulong seed = (ulong)ScoreLimits.Seed.Default!.Value;
        if (form.TryGetValue("seed", out var seedText) && !string.IsNullOrWhiteSpace(seedText))
        {
            if (!long.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out long given))
            {
                return ErrorHandling.Invalid("seed", $"seed must be a whole number; got '{seedText}'.");
            }
            if (ScoreLimits.Seed.Problem(given) is string problem)
            {
                return ErrorHandling.Invalid("seed", problem);
            }
            seed = (ulong)given;
        }
        int max = options.Value.MaxMidiFileBytes;
        byte[]? bytes;
        await using (Stream stream = file.OpenReadStream())
        {
            bytes = file.Length > max ? null : await CappedRead.ReadAtMostAsync(stream, max, aborted);
        }
        if (bytes is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The MIDI file is too large.",
                detail: $"A piece to score is a MIDI file of at most {max.ToString("N0", CultureInfo.InvariantCulture)} bytes (RnnRbm:MaxMidiFileBytes).");
        }

        RnnRbmModel? model;
        try
        {
            model = await models.GetAsync(db, id, aborted);
        }
        catch (InvalidModelFileException ex)
        {
            return ModelIntegrity.Conflict(id, ex.Reason);
        }
        if (model is null)
        {
            return ErrorHandling.NotFound("Model", id);
        }

        var read = new MidiReadOptions
        {
            Grid = model.Grid,
            Range = model.Range,
            Limits = MidiLimits.Default with { MaxBytes = max, MaxSteps = ScoreLimits.MaxSteps },
        };
        MidiReadResult piece;
        try
        {
            piece = MidiReader.Read(bytes, read);
        }
        catch (InvalidMidiException ex)
        {
            return ErrorHandling.Invalid("file", $"{file.FileName}: {ex.Message}" +
                (ex.Message.Contains("steps of", StringComparison.Ordinal) ? " Score an excerpt of the piece." : ""));
        }
        if (piece.Stats.Notes == 0)
        {
            return ErrorHandling.Invalid("file", piece.Stats.NotesOutsideRange > 0
                ? $"{file.FileName}: all {piece.Stats.NotesOutsideRange} notes lie outside the model's pitch range {model.Range}; nothing is left to score."
                : $"{file.FileName}: the piece has no note to score.");
        }

        // The corpus's floor (fitted once per corpus with its novelty index) and the model's evaluations, before the work.
        NoveltyIndexes.CorpusView? corpus = await corpora.ViewAsync(db, id, model, aborted);
        List<CorpusFigure> figures = await CorpusFiguresAsync(db, id, aborted);

        PieceScore score;
        using (IDisposable? slot = await slots.AcquireAsync(aborted))
        {
            if (slot is null)
            {
                http.Response.Headers.RetryAfter = slots.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many generations at once.",
                    detail: $"All generation slots are busy (scores share them); try again in {slots.RetryAfterSeconds} s.");
            }
            using RequestProgress.Tracker? progress = requestProgress.Start(http.Request, "score");
            PianoRoll roll = piece.Roll;
            score = await Task.Run(() => PieceScorer.Score(model.Parameters, roll, corpus?.Baseline, seed, backend,
                progress is null ? null : progress.Report, aborted), aborted);
        }

        CorpusFigure? against = figures.FirstOrDefault(f => f.Split == "test") ?? figures.FirstOrDefault();
        if (http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("image/png", StringComparison.OrdinalIgnoreCase)))
        {
            byte[] png = SurpriseCurveImage.RenderPng(score.Surprise, score.BaselineSurprise, against is null ? null : -against.LogLikelihood,
                title: $"{file.FileName}: surprise per step");
            return TypedResults.File(png, "image/png");
        }
        return TypedResults.Ok(new ScoreResponse(id, file.FileName, score.Steps, model.Grid.ToString(), piece.Stats.NotesOutsideRange, (long)seed,
            score.LogLikelihood, score.StandardError, score.AisConverged, score.AisShift, score.AisSchedule,
            score.Surprise, score.SurpriseStandardError, score.Accuracy, score.BaselineAccuracy,
            score.BaselineLogLikelihood, score.BaselineSurprise, figures,
            ScoreWords.Describe(score, against?.Split, against?.LogLikelihood), score.Seconds));
    }

    /// <summary>The newest succeeded evaluation with a log-likelihood per split, test first, then valid, then train.</summary>
    private static async Task<List<CorpusFigure>> CorpusFiguresAsync(RnnRbmDbContext db, Guid modelId, CancellationToken cancellationToken)
    {
        Guid? own = await db.Models.AsNoTracking().Where(m => m.Id == modelId).Select(m => m.CorpusId).FirstOrDefaultAsync(cancellationToken);
        var rows = await db.Evaluations.AsNoTracking()
            .Where(e => e.ModelId == modelId && e.State == WorkStates.Succeeded && e.LogLikelihood != null)
            .Select(e => new { e.Id, e.Split, e.CorpusId, e.LogLikelihood, e.StandardError, e.BaselineLogLikelihood, e.AisConverged, e.FinishedUtc })
            .ToListAsync(cancellationToken);
        return [.. rows
            // The model's own corpus first, then the newest.
            .OrderByDescending(e => e.CorpusId == own).ThenByDescending(e => e.FinishedUtc)
            .GroupBy(e => e.Split).Select(g => g.First())
            .OrderBy(e => Array.IndexOf(["test", "valid", "train"], e.Split))
            .Select(e => new CorpusFigure(e.Split, e.CorpusId, e.Id, e.LogLikelihood!.Value, e.StandardError, e.BaselineLogLikelihood, e.AisConverged))];
    }
}
