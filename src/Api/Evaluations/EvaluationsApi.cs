using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Evaluation;

namespace RnnRbm.Api.Evaluations;

/// <summary>
/// /api/evaluations: measure a model on a corpus split in the background (the result lands in the model's metrics),
/// watch it, cancel it. Progress is read from the database, never from a worker's memory.
/// </summary>
public static class EvaluationsApi
{
    public const string DefaultSplit = "test";
    public const int DefaultAisRuns = 100;
    /// <summary>AIS runs per step of the converged search (the default; Core's <see cref="EvaluationOptions.Converged"/>).</summary>
    public static readonly int DefaultSearchAisRuns = EvaluationOptions.Converged.AisRuns;
    public static readonly double DefaultAisTolerance = EvaluationOptions.Converged.AisConvergence!.Tolerance;
    public const double MaxAisTolerance = 1;
    public const int DefaultAccSamples = 10;
    public const int MinAisSteps = 3; // the three-segment schedule needs one transition per segment
    public const long MaxSeed = (1L << 53) - 1;
    internal static readonly string[] Splits = ["test", "valid", "train"];

    public static IEndpointRouteBuilder MapEvaluations(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/api/evaluations").WithTags("Evaluations").RequireApiKeyForChanges();

        group.MapPost("/", StartAsync)
            .WithName("StartEvaluation")
            .WithSummary("Evaluates a model on a corpus split (runs in the background): log-likelihood by AIS and frame-level accuracy.")
            .WithDescription("modelId and corpusId are required; split defaults to test; without aisSteps AIS searches for a converged schedule " +
                "(sm doubled per step until the mean moves by less than aisTolerance, default 0.01 nats; aisRuns default 10), with aisSteps it runs that " +
                "sm schedule (aisRuns default 100); accSamples defaults to 10, " +
                "seed (0 ≤ seed < 2^53) to a random one. Returns 202 with the evaluation; poll its Location. On success the results are written into the " +
                "model's manifest metrics ('<split>.logLikelihood', '<split>.logLikelihoodStandardError', '<split>.accuracy'). An evaluation whose " +
                "worker dies shows 'stalled', then is measured again from the start by another (same seed, same result).")
            .Accepts<StartEvaluationRequest>("application/json")
            .Produces<EvaluationResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

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

        return app;
    }

    internal static async Task<Results<Accepted<EvaluationResponse>, ValidationProblem, ProblemHttpResult>> StartAsync(
        HttpRequest http, RnnRbmDbContext db, BackgroundWork work, IOptions<RnnRbmOptions> options, CancellationToken cancellationToken)
    {
        // Read here, not bound by the framework: a field of the wrong type ("seed": 1.5) is a 400 naming it too.
        (StartEvaluationRequest? request, ProblemHttpResult? unreadable) = await JsonBody.ReadAsync<StartEvaluationRequest>(http, cancellationToken);
        if (request is null)
        {
            return unreadable!;
        }
        var errors = new Dictionary<string, string[]>();
        void Bad(string field, string message) => errors[field] = [message];
        void InRange(string field, long? value, long min, long max)
        {
            if (value is long v && (v < min || v > max))
            {
                Bad(field, $"{field} must lie in [{min}, {max}]; got {v}.");
            }
        }

        string split = (request.Split ?? DefaultSplit).Trim().ToLowerInvariant();
        if (!Splits.Contains(split))
        {
            Bad("split", $"split must be test, valid or train; got '{request.Split}'.");
        }
        InRange("aisRuns", request.AisRuns, 1, AisOptions.MaxRuns);
        InRange("aisSteps", request.AisSteps, MinAisSteps, AisSchedule.MaxTransitions);
        InRange("accSamples", request.AccSamples, 1, 10_000);
        if (request.AisTolerance is double tolerance && !(tolerance > 0 && tolerance <= MaxAisTolerance))
        {
            Bad("aisTolerance", $"aisTolerance must lie in (0, {MaxAisTolerance}] nats; got {tolerance}.");
        }
        else if (request.AisTolerance is not null && request.AisSteps is not null)
        {
            Bad("aisTolerance", "aisTolerance is for the converged search: leave it out when aisSteps fixes the schedule.");
        }
        InRange("seed", request.Seed, 0, MaxSeed);
        if (request.ModelId is not Guid modelId || modelId == Guid.Empty)
        {
            Bad("modelId", "modelId is required: the id of a model (GET /api/models).");
        }
        else if (!await db.Models.AnyAsync(m => m.Id == modelId, cancellationToken))
        {
            Bad("modelId", $"No model has id {modelId} (GET /api/models lists them).");
        }
        if (request.CorpusId is not Guid corpusId || corpusId == Guid.Empty)
        {
            Bad("corpusId", "corpusId is required: the id of a corpus (GET /api/corpora).");
        }
        else if (!await db.Corpora.AnyAsync(c => c.Id == corpusId, cancellationToken))
        {
            Bad("corpusId", $"No corpus has id {corpusId} (GET /api/corpora lists them).");
        }
        else if (!errors.ContainsKey("split")
            && !await db.CorpusFiles.AnyAsync(f => f.CorpusId == corpusId && f.Accepted && f.Split == split, cancellationToken))
        {
            Bad("split", $"The corpus {corpusId} has no accepted {split} files to evaluate on; choose another split.");
        }
        if (errors.Count > 0)
        {
            return ErrorHandling.Invalid(errors);
        }

        var evaluation = new EvaluationEntity
        {
            Id = Guid.NewGuid(),
            ModelId = request.ModelId!.Value,
            CorpusId = request.CorpusId!.Value,
            Split = split,
            AisRuns = request.AisRuns ?? (request.AisSteps is null ? DefaultSearchAisRuns : DefaultAisRuns),
            AisSteps = request.AisSteps,
            AisTolerance = request.AisSteps is null ? request.AisTolerance ?? DefaultAisTolerance : null,
            AccSamples = request.AccSamples ?? DefaultAccSamples,
            Seed = request.Seed ?? Random.Shared.NextInt64(MaxSeed + 1),
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
