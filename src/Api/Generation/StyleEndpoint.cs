using Microsoft.AspNetCore.Http.HttpResults;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Analysis;
using RnnRbm.Core.Limits;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Generation;

/// <summary>The body of <c>POST /api/models/{id}/style</c>: how many pieces to generate, each sampled as a generation would be.</summary>
public sealed record StyleRequest : IRequestBody
{
    /// <summary>Pieces generated and measured together, with seeds seed, seed + 1, …</summary>
    /// <example>8</example>
    public int? Pieces { get; init; }

    /// <summary>Steps of each piece; pieces × steps × gibbsK at most 1000000.</summary>
    /// <example>200</example>
    public int? Steps { get; init; }

    /// <summary>Gibbs steps per time step.</summary>
    /// <example>25</example>
    public int? GibbsK { get; init; }

    /// <summary>Seed of the first piece (default 1: the same request measures the same pieces).</summary>
    /// <example>1</example>
    public ulong? Seed { get; init; }

    /// <summary>Sampling temperature (1: the model).</summary>
    /// <example>1</example>
    public double? Temperature { get; init; }

    /// <inheritdoc />
    public static IReadOnlyList<FieldLimit> Limits => GenerationLimits.Style;

    /// <inheritdoc />
    public static long MaxBodyBytes(RnnRbmOptions options) => BodyLimits.FieldsOnly;

    /// <inheritdoc />
    public void CheckFields(RequestErrors errors)
    {
        long sweeps = (long)(Pieces ?? (int)GenerationLimits.StylePieces.Default!.Value) * (Steps ?? GenerationLimits.DefaultSteps) * (GibbsK ?? GenerationLimits.DefaultGibbsK);
        if (errors.Count == 0 && sweeps > GenerationLimits.MaxGibbsSweeps)
        {
            errors.Add("pieces", $"pieces × steps × gibbsK must be at most {GenerationLimits.MaxGibbsSweeps} (one request must stay within seconds); got {sweeps}. Lower one of them.");
        }
    }
}

/// <summary>
/// A model's style beside its corpus's (docs/generation.md, "Style statistics").
/// </summary>
/// <param name="ModelId">The model measured.</param>
/// <param name="Pieces">Pieces generated.</param>
/// <param name="Steps">Steps of each.</param>
/// <param name="GibbsK">Gibbs steps per time step.</param>
/// <param name="Seed">Seed of the first piece.</param>
/// <param name="Temperature">Sampling temperature.</param>
/// <param name="Generated">The statistics of the generated pieces together.</param>
/// <param name="Corpus">The statistics of the train files of the corpus the model learned from; null when that corpus is not in this service.</param>
/// <param name="Distance">One distance between the two, in [0, 1] (0: the same statistics); null without the corpus.</param>
/// <param name="CorpusFiles">Train files measured.</param>
public sealed record StyleResponse(Guid ModelId, int Pieces, int Steps, int GibbsK, ulong Seed, double Temperature,
    StyleStatistics Generated, StyleStatistics? Corpus, double? Distance, int CorpusFiles);

/// <summary>POST /api/models/{id}/style: does the model write like its corpus?</summary>
internal static class StyleEndpoint
{
    public static async Task<Results<Ok<StyleResponse>, ProblemHttpResult>> Measure(
        Guid id, Body<StyleRequest> body, HttpContext http, RnnRbmDbContext db, ModelCache models, NoveltyIndexes corpora, GenerationSlots slots, CancellationToken cancellationToken)
    {
        StyleRequest request = body.Value;
        RnnRbmModel? model;
        try
        {
            model = await models.GetAsync(db, id, cancellationToken);
        }
        catch (InvalidModelFileException ex)
        {
            return Models.ModelIntegrity.Conflict(id, ex.Reason);
        }
        if (model is null)
        {
            return ErrorHandling.NotFound("Model", id);
        }
        int pieces = request.Pieces ?? (int)GenerationLimits.StylePieces.Default!.Value;
        int steps = request.Steps ?? GenerationLimits.DefaultSteps;
        int gibbsK = request.GibbsK ?? GenerationLimits.DefaultGibbsK;
        ulong seed = request.Seed ?? 1;
        double temperature = request.Temperature ?? 1;
        var generated = new List<PianoRoll>(pieces);
        using (IDisposable? slot = await slots.AcquireAsync(cancellationToken))
        {
            if (slot is null)
            {
                http.Response.Headers.RetryAfter = slots.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many generations at once.",
                    detail: $"All generation slots are busy; try again in {slots.RetryAfterSeconds} s.");
            }
            var generator = new RnnRbmGenerator(model);
            for (int i = 0; i < pieces; i++)
            {
                generated.Add(generator.Generate(steps, gibbsK, unchecked(seed + (ulong)i), controls: new GenerationControls { Temperature = temperature }));
            }
        }
        StyleStatistics mine = StyleStatistics.Measure(generated);
        // The corpus's statistics are measured once per corpus, with its novelty index (not re-read per request).
        NoveltyIndexes.CorpusView? corpus = await corpora.ViewAsync(db, id, model, cancellationToken);
        StyleStatistics? theirs = corpus?.Style;
        return TypedResults.Ok(new StyleResponse(id, pieces, steps, gibbsK, seed, temperature, mine, theirs, theirs is null ? null : mine.DistanceTo(theirs), corpus?.Files ?? 0));
    }
}
