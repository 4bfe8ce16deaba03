using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Corpora;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Models;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Model;
using RnnRbm.Core.Limits;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Training;

namespace RnnRbm.Api.Training;

/// <summary>/api/trainings: start, watch and cancel trainings. Progress is read from the database, never from a worker's memory.</summary>
public static class TrainingsApi
{
    public static IEndpointRouteBuilder MapTrainings(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/api/trainings").WithTags("Trainings").RequireApiKeyForChanges();

        group.MapPost("/", StartAsync)
            .WithName("StartTraining")
            .WithSummary("Starts training a model on a corpus (runs in the background).")
            .WithDescription("Every field but corpusId is optional and takes the value of the recipe (GET /api/trainings/recipes): " +
                "'default', the project's general recipe, unless recipe 'seed' (the tutorial's) is asked for; the seed is random when absent. " +
                "Every field's bounds: GET /api/trainings/options; unknown fields, fields given twice, and numbers sent as strings, are refused, " +
                "and so is a body over 16 KiB (413). The training's work is estimated first (FLOP per frame from hidden, recurrent and cdK, " +
                "× the corpus's frames at the grid × epochs, at RnnRbm:WorkGflopsPerSecond): one beyond RnnRbm:MaxWorkHours (24 h by default) " +
                "is refused with 400 saying the estimate and the fields to lower. " +
                "Returns 202 with the training; poll its Location.")
            .AcceptsValidated<StartTrainingRequest>()
            .Produces<TrainingResponse>(StatusCodes.Status202Accepted);

        group.MapGet("/options", Options)
            .WithName("GetTrainingOptions")
            .WithSummary("The bounds and default (under the default recipe) of every field of POST /api/trainings; the Train page reads them from here.");

        group.MapGet("/recipes", Recipes)
            .WithName("ListTrainingRecipes")
            .WithSummary("Lists the training recipes with every value they give a field that a request leaves out.");

        group.MapGet("/", ListAsync)
            .WithName("ListTrainings")
            .WithSummary("Lists the trainings, newest first, with their progress and history.");

        group.MapGet("/{id:guid}", GetAsync)
            .WithName("GetTraining")
            .WithSummary("Gets a training: state, epoch of epochs, validation log-likelihood and monitor per epoch, early stopping's decisions, frames/s, ETA, its model when there is one.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id:guid}/curve.png", CurveAsync)
            .WithName("GetTrainingCurve")
            .WithSummary("Draws the training's validation log-likelihood and monitor per epoch as PNG.")
            .Produces<Stream>(StatusCodes.Status200OK, "image/png")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id:guid}/cancel", CancelAsync)
            .WithName("CancelTraining")
            .WithSummary("Cancels a queued or running training; what it learned so far becomes a model.")
            .WithDescription("The worker stops after the update in flight (within about half a second, on any node), and the " +
                "training ends 'cancelled' with a modelId. A finished training gives 409.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    internal static Ok<IReadOnlyList<RecipeResponse>> Recipes() =>
        TypedResults.Ok<IReadOnlyList<RecipeResponse>>([.. TrainingRecipe.All.Select(r => new RecipeResponse(r.Name, r.Description, TrainingSettings.Defaults(r)))]);

    internal static Ok<RequestOptionsResponse> Options() => TypedResults.Ok(RequestOptionsResponse.From(
        StartTrainingRequest.Limits,
        ("recipe", [.. TrainingRecipe.All.Select(r => r.Name)], TrainingRecipe.Default.Name),
        ("recurrence", StartTrainingRequest.Recurrences, ShapeInfo.NameOf(TrainingRecipe.Default.Recurrence))));

    internal static async Task<Results<Accepted<TrainingResponse>, ValidationProblem>> StartAsync(
        Body<StartTrainingRequest> body, RnnRbmDbContext db, BackgroundWork work, IOptions<RnnRbmOptions> options, CancellationToken cancellationToken)
    {
        StartTrainingRequest request = body.Value;
        (TrainingSettings? settings, Dictionary<string, string[]> errors) = TrainingSettings.Resolve(request);
        if (request.CorpusId is Guid corpusId && corpusId != Guid.Empty)
        {
            string? corpusName = await db.Corpora.Where(c => c.Id == corpusId).Select(c => c.Name).FirstOrDefaultAsync(cancellationToken);
            if (corpusName is null)
            {
                errors["corpusId"] = [$"No corpus has id {corpusId} (GET /api/corpora lists them)."];
            }
            else if (!await db.CorpusFiles.AnyAsync(f => f.CorpusId == corpusId && f.Accepted && f.Split == TrainingData.TrainSplit, cancellationToken))
            {
                errors["corpusId"] = [$"The corpus “{corpusName}” has no accepted train files to learn from."];
            }
        }
        if (settings is null || errors.Count > 0)
        {
            return ErrorHandling.Invalid(errors);
        }
        // Issue 13: a training that cannot finish within the server's budget is refused now, not left holding a worker.
        long frames = await CorpusFrames.EstimateAsync(db, settings.CorpusId, [TrainingData.TrainSplit], settings.Grid, cancellationToken);
        double flops = TrainingCost.Flops(settings.Shape, settings.Options, frames);
        WorkBudget budget = options.Value.WorkBudget;
        if (!budget.Allows(flops))
        {
            bool finer = settings.Grid is TimeGrid.Beats { StepsPerQuarter: > 4 } || settings.Grid is TimeGrid.Seconds { StepSeconds: < 0.1 };
            IReadOnlyList<string> lower = TrainingCost.FieldsToLower(settings.Shape, settings.Options, finer);
            return TooMuchWork(budget.Refusal($"training ({frames:N0} frames per epoch, {TrainingCost.FlopsPerFrame(settings.Shape, settings.CdK) / 1e6:G3} MFLOP per frame, {settings.Epochs} epochs)", flops, lower), lower);
        }

        var training = new TrainingEntity
        {
            Id = Guid.NewGuid(),
            CorpusId = settings.CorpusId,
            State = WorkStates.Queued,
            SettingsJson = settings.ToJson(),
            Epochs = settings.Epochs,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        db.Trainings.Add(training);
        await db.SaveChangesAsync(cancellationToken);
        // Should this fail, the training stays queued without a job, and recovery (Jobs/WorkRecovery) enqueues it.
        training.JobId = await work.EnqueueAsync<TrainingEntity>(db, training.Id, CancellationToken.None);
        return TypedResults.Accepted($"/api/trainings/{training.Id}", ToResponse(training, DateTimeOffset.UtcNow, options.Value.StalledAfter));
    }

    internal static async Task<Ok<List<TrainingResponse>>> ListAsync(RnnRbmDbContext db, IOptions<RnnRbmOptions> options, CancellationToken cancellationToken)
    {
        List<TrainingEntity> trainings = await db.Trainings.AsNoTracking()
            .OrderByDescending(t => t.CreatedUtc)
            .Select(WithoutCheckpoint)
            .ToListAsync(cancellationToken);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return TypedResults.Ok(trainings.Select(t => ToResponse(t, now, options.Value.StalledAfter)).ToList());
    }

    internal static async Task<Results<Ok<TrainingResponse>, ProblemHttpResult>> GetAsync(Guid id, RnnRbmDbContext db, IOptions<RnnRbmOptions> options,
        CancellationToken cancellationToken)
    {
        TrainingEntity? training = await db.Trainings.AsNoTracking().Where(t => t.Id == id).Select(WithoutCheckpoint).FirstOrDefaultAsync(cancellationToken);
        return training is null ? ErrorHandling.NotFound("Training", id) : TypedResults.Ok(ToResponse(training, DateTimeOffset.UtcNow, options.Value.StalledAfter));
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> CurveAsync(Guid id, RnnRbmDbContext db, CancellationToken cancellationToken)
    {
        string? history = await db.Trainings.AsNoTracking().Where(t => t.Id == id).Select(t => t.HistoryJson).FirstOrDefaultAsync(cancellationToken);
        return history is null
            ? ErrorHandling.NotFound("Training", id)
            : TypedResults.File(CurveImages.Render(ParseHistory(history), $"training {id.ToString()[..8]}"), "image/png");
    }

    internal static async Task<Results<Accepted<TrainingResponse>, ProblemHttpResult>> CancelAsync(
        Guid id, RnnRbmDbContext db, BackgroundWork work, IOptions<RnnRbmOptions> options, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        TrainingEntity? training = await db.Trainings.FindAsync([id], cancellationToken);
        if (BackgroundWork.Refuses(training, "Training", id, out ProblemHttpResult? refusal))
        {
            return refusal;
        }
        DateTimeOffset now = DateTimeOffset.UtcNow;
        TimeSpan stalledAfter = options.Value.StalledAfter;
        if (await work.TryEndUnclaimedAsync(db, training, now, () => KeepCheckpointAsModel(db, training, now), cancellationToken))
        {
            logs.CreateLogger(typeof(TrainingsApi)).LogInformation("Training {Id} cancelled without a live worker; model {ModelId}.", id, training.ModelId);
            return TypedResults.Accepted($"/api/trainings/{id}", ToResponse(training, now, stalledAfter));
        }
        await work.RequestCancelAsync<TrainingEntity>(db, id, cancellationToken);
        TrainingEntity? current = await db.Trainings.AsNoTracking().Where(t => t.Id == id).Select(WithoutCheckpoint).FirstOrDefaultAsync(cancellationToken);
        return TypedResults.Accepted($"/api/trainings/{id}", ToResponse(current ?? training, now, stalledAfter));
    }

    /// <summary>The 400 of a job beyond the work budget: the message under each field to lower (the first three).</summary>
    internal static ValidationProblem TooMuchWork(string message, IReadOnlyList<string> fields) =>
        TypedResults.ValidationProblem(fields.Take(3).ToDictionary(f => f.Split(' ')[0], _ => new[] { message }),
            detail: message, title: "The job is too large for this server.");

    /// <summary>A training cancelled while queued (or stalled) keeps what its last checkpoint learned, as a model.</summary>
    private static void KeepCheckpointAsModel(RnnRbmDbContext db, TrainingEntity training, DateTimeOffset now)
    {
        if (training.Checkpoint is not byte[] checkpoint)
        {
            return;
        }
        RnnRbmModel model = ModelFile.Read(checkpoint);
        // The model keeps what a finished training would: the best validated epoch, unless the settings keep the last.
        bool best = model.Best is not null && model.Manifest.Stopping is { KeepBest: true, BestEpoch: > 0 };
        ModelManifest manifest = model.Manifest with
        {
            Checkpoint = null,
            CreatedUtc = now,
            Notes = $"Cancelled without a live worker after epoch {training.EpochsCompleted}; the model keeps epoch " +
                $"{(best ? model.Manifest.Stopping!.BestEpoch : training.EpochsCompleted)}.",
        };
        ModelEntity entity = ModelEntities.Create(new RnnRbmModel(best ? model.Best! : model.Parameters, manifest),
            $"{manifest.Corpus?.Name ?? "corpus"} (H {manifest.Shape.Hidden}, U {manifest.Shape.Recurrent}, {training.EpochsCompleted} epochs)",
            ModelEntities.FromTraining, training.Id, training.CorpusId);
        db.Models.Add(entity);
        training.ModelId = entity.Id;
        training.Checkpoint = null;
    }

    /// <summary>Every column but the checkpoint's bytes (a model file: large, and not for responses).</summary>
    internal static readonly Expression<Func<TrainingEntity, TrainingEntity>> WithoutCheckpoint = t => new TrainingEntity
    {
        Id = t.Id,
        CorpusId = t.CorpusId,
        State = t.State,
        SettingsJson = t.SettingsJson,
        Epochs = t.Epochs,
        EpochsCompleted = t.EpochsCompleted,
        HistoryJson = t.HistoryJson,
        StoppingJson = t.StoppingJson,
        CancelRequested = t.CancelRequested,
        Error = t.Error,
        Backend = t.Backend,
        JobId = t.JobId,
        LeaseOwner = t.LeaseOwner,
        LeaseHeartbeatUtc = t.LeaseHeartbeatUtc,
        EpochFramesDone = t.EpochFramesDone,
        EpochFramesTotal = t.EpochFramesTotal,
        ModelId = t.ModelId,
        CreatedUtc = t.CreatedUtc,
        StartedUtc = t.StartedUtc,
        FinishedUtc = t.FinishedUtc,
        Version = t.Version,
    };

    internal static List<EpochRecord> ParseHistory(string json) =>
        JsonSerializer.Deserialize<List<EpochRecord>>(json, ModelFile.JsonOptions) ?? [];

    /// <summary>The training as the API shows it: a running one whose worker is silent for <paramref name="stalledAfter"/> is stalled.</summary>
    internal static TrainingResponse ToResponse(TrainingEntity t, DateTimeOffset now, TimeSpan stalledAfter)
    {
        List<EpochRecord> history = ParseHistory(t.HistoryJson);
        string state = WorkStates.Shown(t.State, t.LeaseHeartbeatUtc, now, stalledAfter);
        bool active = state is WorkStates.Queued or WorkStates.Running; // no ETA while stalled: it would be frozen
        double? fps = FramesPerSecond(t, history);
        double? eta = null;
        if (active && fps is double speed && speed > 0 && t.EpochFramesTotal > 0)
        {
            long remaining = ((long)(t.Epochs - t.EpochsCompleted) * t.EpochFramesTotal) - t.EpochFramesDone;
            eta = Math.Max(0, remaining) / speed;
        }
        double fraction = t.State == WorkStates.Succeeded ? 1
            : t.Epochs == 0 ? 0
            : Math.Clamp((t.EpochsCompleted + (t.EpochFramesTotal > 0 ? (double)t.EpochFramesDone / t.EpochFramesTotal : 0)) / t.Epochs, 0, 1);
        return new TrainingResponse(
            t.Id, t.CorpusId, state, t.EpochsCompleted, t.Epochs,
            TrainingSettings.FromJson(t.SettingsJson),
            history.ToResponse(),
            t.StoppingJson is null ? null : JsonSerializer.Deserialize<StoppingInfo>(t.StoppingJson, ModelFile.JsonOptions)?.ToResponse(),
            new TrainingProgress(t.EpochFramesDone, t.EpochFramesTotal, fraction),
            fps, eta, t.Backend, t.Error, t.ModelId, t.CancelRequested, t.CreatedUtc, t.StartedUtc, t.FinishedUtc);
    }

    /// <summary>The last epoch's speed; during the first epoch, the speed so far (frames done over time since the start).</summary>
    private static double? FramesPerSecond(TrainingEntity t, List<EpochRecord> history)
    {
        if (history.Count > 0 && history[^1].FramesPerSecond > 0 && double.IsFinite(history[^1].FramesPerSecond))
        {
            return history[^1].FramesPerSecond;
        }
        if (t.State == WorkStates.Running && t.EpochFramesDone > 0 && t.StartedUtc is { } started && t.LeaseHeartbeatUtc is { } beat && beat > started)
        {
            return t.EpochFramesDone / (beat - started).TotalSeconds;
        }
        return null;
    }
}
