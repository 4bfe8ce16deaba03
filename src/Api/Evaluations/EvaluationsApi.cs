using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Corpora;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Models;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Limits;
using RnnRbm.Core.Model;

namespace RnnRbm.Api.Evaluations;

/// <summary>
/// /api/evaluations: measure a model on a corpus split in the background (the result lands in the model's metrics),
/// watch it, cancel it. Progress is read from the database, never from a worker's memory.
/// </summary>
public static class EvaluationsApi
{
    /// <summary>The converged search's tolerance when a request gives none (Core's <see cref="EvaluationLimits.AisTolerance"/>).</summary>
    public static readonly double DefaultAisTolerance = EvaluationLimits.AisTolerance.Default!.Value;

    public static IEndpointRouteBuilder MapEvaluations(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/api/evaluations").WithTags("Evaluations").RequireApiKeyForChanges();

        group.MapPost("/", StartAsync)
            .WithName("StartEvaluation")
            .WithSummary("Evaluates a model on a corpus split (runs in the background): log-likelihood by AIS and frame-level accuracy.")
            .WithDescription("modelId and corpusId are required; split defaults to test; without aisSteps AIS searches for a converged schedule " +
                "(sm doubled per step until the mean moves by less than aisTolerance, default 0.01 nats; aisRuns default 10), with aisSteps it runs that " +
                "sm schedule (aisRuns default 100); accSamples defaults to 10, " +
                "seed (0 ≤ seed < 2^53) to a random one (every field's bounds and default: GET /api/evaluations/options; unknown fields, fields " +
                "given twice, numbers sent as strings, and a body over 16 KiB (413) are refused). The work is estimated first (AIS runs × transitions " +
                "and accuracy samples × Gibbs steps per step of the split, at RnnRbm:WorkGflopsPerSecond; a converged search counted at 100..1600 " +
                "transitions): one beyond RnnRbm:MaxWorkHours is refused with 400 saying the estimate and the fields to lower. A damaged model " +
                "(GET /api/models shows state 'damaged') is refused with 409. Returns 202 with the evaluation; poll its Location. On success the results are written into the " +
                "model's manifest metrics ('<split>.logLikelihood', '<split>.logLikelihoodStandardError', '<split>.accuracy'). An evaluation whose " +
                "worker dies shows 'stalled', then is measured again from the start by another (same seed, same result).")
            .AcceptsValidated<StartEvaluationRequest>()
            .Produces<EvaluationResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/options", Options)
            .WithName("GetEvaluationOptions")
            .WithSummary("The bounds and default of every field of POST /api/evaluations; the model page's form reads them from here.");

        group.MapGet("/", ListAsync)
            .WithName("ListEvaluations")
            .WithSummary("Lists the evaluations, newest first; modelId keeps one model's.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapGet("/{id:guid}", GetAsync)
            .WithName("GetEvaluation")
            .WithSummary("Gets an evaluation: state, progress, and when done its log-likelihood, standard error, accuracy and speed.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id:guid}/cancel", CancelAsync)
            .WithName("CancelEvaluation")
            .WithSummary("Cancels a queued or running evaluation; the model's manifest is left as it was.")
            .WithDescription("The worker stops within one AIS transition (within about half a second, on any node), and the " +
                "evaluation ends 'cancelled' without results. A finished evaluation gives 409.")
            .Produces<EvaluationResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        app.MapScore();
        return app;
    }

    internal static Ok<RequestOptionsResponse> Options() => TypedResults.Ok(RequestOptionsResponse.From(
        StartEvaluationRequest.Limits, ("split", EvaluationLimits.Splits, EvaluationLimits.DefaultSplit)));

    internal static async Task<Results<Accepted<EvaluationResponse>, ValidationProblem, ProblemHttpResult>> StartAsync(
        Body<StartEvaluationRequest> body, RnnRbmDbContext db, BackgroundWork work, ModelIntegrity integrity, IOptions<RnnRbmOptions> options,
        CancellationToken cancellationToken)
    {
        // The bounds and the request's own rules were checked by the endpoint's filter; what is left needs the database.
        StartEvaluationRequest request = body.Value;
        var errors = new Dictionary<string, string[]>();
        void Bad(string field, string message) => errors[field] = [message];
        string split = (request.Split ?? EvaluationLimits.DefaultSplit).Trim().ToLowerInvariant();
        Guid modelId = request.ModelId!.Value;
        Guid corpusId = request.CorpusId!.Value;
        var model = await db.Models.AsNoTracking().Where(m => m.Id == modelId)
            .Select(m => new { m.ManifestJson, Length = (long)m.File.Length }).FirstOrDefaultAsync(cancellationToken);
        if (model is null)
        {
            Bad("modelId", $"No model has id {modelId} (GET /api/models lists them).");
        }
        else if (await integrity.DamageAsync(db, modelId, model.Length, cancellationToken) is string damage)
        {
            return ModelIntegrity.Conflict(modelId, damage);
        }
        string? corpusName = await db.Corpora.Where(c => c.Id == corpusId).Select(c => c.Name).FirstOrDefaultAsync(cancellationToken);
        if (corpusName is null)
        {
            Bad("corpusId", $"No corpus has id {corpusId} (GET /api/corpora lists them).");
        }
        else if (!await db.CorpusFiles.AnyAsync(f => f.CorpusId == corpusId && f.Accepted && f.Split == split, cancellationToken))
        {
            // Named, and with the splits it does have, so that the message says what to choose instead.
            var counts = await db.CorpusFiles.Where(f => f.CorpusId == corpusId && f.Accepted)
                .GroupBy(f => f.Split).Select(g => new { Split = g.Key, Files = g.Count() }).ToListAsync(cancellationToken);
            string has = counts.Count == 0 ? "no accepted files at all"
                : string.Join(", ", counts.OrderBy(c => c.Split, StringComparer.Ordinal).Select(c => $"{c.Files} {c.Split}"));
            Bad("split", $"The corpus “{corpusName}” has no accepted {split} files to evaluate on (it has {has}); choose another split.");
        }
        if (errors.Count > 0)
        {
            return ErrorHandling.Invalid(errors);
        }
        int aisRuns = request.AisRuns ?? (request.AisSteps is null ? (int)EvaluationLimits.AisRuns.Default!.Value : EvaluationLimits.DefaultExplicitAisRuns);
        int accSamples = request.AccSamples ?? EvaluationLimits.DefaultAccSamples;
        // Issue 13: an evaluation that cannot finish within the server's budget is refused now, not left holding a worker.
        ModelManifest manifest = ModelEntities.Manifest(model!.ManifestJson);
        long steps = await CorpusFrames.EstimateAsync(db, corpusId, [split], manifest.TimeGrid.ToGrid(), cancellationToken);
        double flops = EvaluationCost.Flops(manifest.Shape.ToShape(), steps, aisRuns, request.AisSteps, accSamples);
        WorkBudget budget = options.Value.WorkBudget;
        if (!budget.Allows(flops))
        {
            IReadOnlyList<string> lower = EvaluationCost.FieldsToLower(aisRuns, request.AisSteps, accSamples);
            return TrainingsApi.TooMuchWork(budget.Refusal($"evaluation ({steps:N0} steps of {split})", flops, lower), lower);
        }

        var evaluation = new EvaluationEntity
        {
            Id = Guid.NewGuid(),
            ModelId = request.ModelId!.Value,
            CorpusId = request.CorpusId!.Value,
            Split = split,
            AisRuns = aisRuns,
            AisSteps = request.AisSteps,
            AisTolerance = request.AisSteps is null ? request.AisTolerance ?? DefaultAisTolerance : null,
            AccSamples = accSamples,
            Seed = request.Seed ?? Random.Shared.NextInt64(EvaluationLimits.MaxSeed + 1),
            State = WorkStates.Queued,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        db.Evaluations.Add(evaluation);
        await db.SaveChangesAsync(cancellationToken);
        // Should this fail, the evaluation stays queued without a job, and recovery (Jobs/WorkRecovery) enqueues it.
        evaluation.JobId = await work.EnqueueAsync<EvaluationEntity>(db, evaluation.Id, CancellationToken.None);
        return TypedResults.Accepted($"/api/evaluations/{evaluation.Id}", EvaluationResponse.From(evaluation, options.Value.StalledAfter));
    }

    internal static async Task<Ok<List<EvaluationResponse>>> ListAsync(Guid? modelId, RnnRbmDbContext db, IOptions<RnnRbmOptions> options,
        CancellationToken cancellationToken)
    {
        IQueryable<EvaluationEntity> query = db.Evaluations.AsNoTracking();
        if (modelId is Guid model)
        {
            query = query.Where(e => e.ModelId == model);
        }
        List<EvaluationEntity> evaluations = await query.OrderByDescending(e => e.CreatedUtc).ToListAsync(cancellationToken);
        return TypedResults.Ok(evaluations.Select(e => EvaluationResponse.From(e, options.Value.StalledAfter)).ToList());
    }

    internal static async Task<Results<Ok<EvaluationResponse>, ProblemHttpResult>> GetAsync(Guid id, RnnRbmDbContext db, IOptions<RnnRbmOptions> options,
        CancellationToken cancellationToken)
    {
        EvaluationEntity? evaluation = await db.Evaluations.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        return evaluation is null ? ErrorHandling.NotFound("Evaluation", id) : TypedResults.Ok(EvaluationResponse.From(evaluation, options.Value.StalledAfter));
    }

    internal static async Task<Results<Accepted<EvaluationResponse>, ProblemHttpResult>> CancelAsync(
        Guid id, RnnRbmDbContext db, BackgroundWork work, IOptions<RnnRbmOptions> options, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        EvaluationEntity? evaluation = await db.Evaluations.FindAsync([id], cancellationToken);
        if (BackgroundWork.Refuses(evaluation, "Evaluation", id, out ProblemHttpResult? refusal))
        {
            return refusal;
        }
        TimeSpan stalledAfter = options.Value.StalledAfter;
        if (await work.TryEndUnclaimedAsync(db, evaluation, DateTimeOffset.UtcNow, () => { }, cancellationToken))
        {
            logs.CreateLogger(typeof(EvaluationsApi)).LogInformation("Evaluation {Id} cancelled without a live worker.", id);
            return TypedResults.Accepted($"/api/evaluations/{id}", EvaluationResponse.From(evaluation, stalledAfter));
        }
        await work.RequestCancelAsync<EvaluationEntity>(db, id, cancellationToken);
        EvaluationEntity? current = await db.Evaluations.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        return TypedResults.Accepted($"/api/evaluations/{id}", EvaluationResponse.From(current ?? evaluation, stalledAfter));
    }
}
