using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;
using RnnRbm.Core.Search;

namespace RnnRbm.Api.Searches;

/// <summary>
/// /api/searches: start a hyperparameter search on a corpus in the background (its best trial becomes a model), watch
/// its leaderboard, cancel it (the best trial so far is kept). Progress is read from the database, never from a worker's memory.
/// </summary>
public static class SearchesApi
{
    /// <summary>Trials shown in a search's leaderboard.</summary>
    public const int LeaderboardRows = 20;

    public static IEndpointRouteBuilder MapSearches(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/api/searches").WithTags("Searches").RequireApiKeyForChanges();

        group.MapPost("/", StartAsync)
            .WithName("StartSearch")
            .WithSummary("Starts a hyperparameter search on a corpus within a wall-clock budget (runs in the background); its best trial becomes a model.")
            .WithDescription("corpusId and budgetMinutes are required; the space defaults to Core's (docs/search-api.md): learning rates " +
                "log-uniform in [minLearningRate, maxLearningRate], hidden, recurrent, cdK, momentum, rbmPretrainEpochs and rnnPretrainEpochs " +
                "chosen from their lists; trials train by successive halving from minEpochs by reduction up to maxEpochs (ASHA), each trial " +
                "a background job (one thread) on whichever worker has room, so every worker of the deployment trains trials of it. Trials learn from the corpus's train split and are compared on its valid split (without " +
                "valid files, on a seeded tenth of the train files). budgetMinutes beyond RnnRbm:MaxWorkHours is refused with 400. Unknown " +
                "fields, fields given twice, numbers sent as strings, and a body over 16 KiB (413) are refused. Returns 202 with the search; " +
                "poll its Location. When it ends the best trial on valid is stored as a model (modelId); a search that validated no trial fails.")
            .AcceptsValidated<StartSearchRequest>()
            .Produces<SearchResponse>(StatusCodes.Status202Accepted);

        group.MapGet("/options", Options)
            .WithName("GetSearchOptions")
            .WithSummary("The bounds and default of every numeric field of POST /api/searches.")
            .WithDescription("One entry per field: minimum, maximum, default, whether it is a whole number; the same bounds the body is checked against (Core's SearchLimits).");

        group.MapGet("/", ListAsync)
            .WithName("ListSearches")
            .WithSummary("Lists the searches, newest first, with their leaderboards.")
            .WithDescription("Every search of this deployment, as GET /api/searches/{id} gives it: poll a running one by its id rather than the list.");

        group.MapGet("/{id:guid}", GetAsync)
            .WithName("GetSearch")
            .WithSummary("Gets a search: state, budget, trials started, the leaderboard (best 20 trials), the best trial so far, and its modelId when done.")
            .WithDescription("The leaderboard is read from the trials' own records, written at each trial's epochs; each trial carries its " +
                "settings, state (queued, running, paused, finished, stopped, failed), epochs, best validation log-likelihood and its validation curve.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id:guid}/cancel", CancelAsync)
            .WithName("CancelSearch")
            .WithSummary("Cancels a queued or running search; its best trial so far becomes a model.")
            .WithDescription("The trials stop after the epoch in flight, and the search ends 'cancelled' with a modelId when a trial was " +
                "validated (without one when none was). A finished search gives 409.")
            .Produces<SearchResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return app;
    }

    internal static Ok<RequestOptionsResponse> Options() => TypedResults.Ok(RequestOptionsResponse.From(StartSearchRequest.Limits));

    internal static async Task<Results<Accepted<SearchResponse>, ValidationProblem>> StartAsync(
        Body<StartSearchRequest> body, RnnRbmDbContext db, BackgroundWork work, IOptions<RnnRbmOptions> options, CancellationToken cancellationToken)
    {
        // The bounds and the space's rules were checked by the endpoint's filter; what is left needs the database and the node's budget.
        StartSearchRequest request = body.Value;
        var errors = new Dictionary<string, string[]>();
        Guid corpusId = request.CorpusId!.Value;
        double minutes = request.BudgetMinutes!.Value;
        double maxMinutes = options.Value.MaxWorkHours * 60;
        if (minutes > maxMinutes)
        {
            errors["budgetMinutes"] = [string.Create(CultureInfo.InvariantCulture,
                $"budgetMinutes must be at most {maxMinutes:G} (this server's RnnRbm:MaxWorkHours of work per job); got {minutes:G}.")];
        }
        string? corpusName = await db.Corpora.Where(c => c.Id == corpusId).Select(c => c.Name).FirstOrDefaultAsync(cancellationToken);
        if (corpusName is null)
        {
            errors["corpusId"] = [$"No corpus has id {corpusId} (GET /api/corpora lists them)."];
        }
        else
        {
            int train = await db.CorpusFiles.CountAsync(f => f.CorpusId == corpusId && f.Accepted && f.Split == TrainingData.TrainSplit, cancellationToken);
            bool valid = await db.CorpusFiles.AnyAsync(f => f.CorpusId == corpusId && f.Accepted && f.Split == TrainingData.ValidSplit, cancellationToken);
            if (train == 0)
            {
                errors["corpusId"] = [$"The corpus “{corpusName}” has no accepted train files to learn from."];
            }
            else if (!valid && train < 2)
            {
                errors["corpusId"] = [$"The corpus “{corpusName}” has no valid files and one train file: a search compares trials on validation data (valid files, or a tenth of two or more train files held out)."];
            }
        }
        if (errors.Count > 0)
        {
            return ErrorHandling.Invalid(errors);
        }

        StartSearchRequest settings = request with { Seed = request.Seed ?? StartSearchRequest.DefaultSeed, MaxTrials = request.MaxTrials ?? 0 };
        SearchSpace space = settings.Space();
        settings = settings with
        {
            MinEpochs = space.MinEpochs,
            MaxEpochs = space.MaxEpochs,
            Reduction = space.Reduction,
            Hidden = [.. space.Hidden],
            Recurrent = [.. space.Recurrent],
            CdK = [.. space.CdK],
            MinLearningRate = space.MinLearningRate,
            MaxLearningRate = space.MaxLearningRate,
            Momentum = [.. space.Momentum],
            RbmPretrainEpochs = [.. space.RbmPretrainEpochs],
            RnnPretrainEpochs = [.. space.RnnPretrainEpochs],
        };
        var search = new SearchEntity
        {
            Id = Guid.NewGuid(),
            CorpusId = corpusId,
            State = WorkStates.Queued,
            SettingsJson = JsonSerializer.Serialize(settings, SearchRun.Json),
            BudgetMinutes = minutes,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        db.Searches.Add(search);
        await db.SaveChangesAsync(cancellationToken);
        // Should this fail, the search stays queued without a job, and recovery (Jobs/WorkRecovery) enqueues it.
        search.JobId = await work.EnqueueAsync<SearchEntity>(db, search.Id, CancellationToken.None);
        return TypedResults.Accepted($"/api/searches/{search.Id}", ToResponse(search, [], DateTimeOffset.UtcNow, options.Value.StalledAfter));
    }

    internal static async Task<Ok<List<SearchResponse>>> ListAsync(RnnRbmDbContext db, IOptions<RnnRbmOptions> options, CancellationToken cancellationToken)
    {
        List<SearchEntity> searches = await db.Searches.AsNoTracking().OrderByDescending(s => s.CreatedUtc).ToListAsync(cancellationToken);
        ILookup<Guid, TrialRow> trials = (await db.RowsAsync([.. searches.Select(s => s.Id)], cancellationToken)).ToLookup(t => t.SearchId);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return TypedResults.Ok(searches.Select(s => ToResponse(s, [.. trials[s.Id]], now, options.Value.StalledAfter)).ToList());
    }

    internal static async Task<Results<Ok<SearchResponse>, ProblemHttpResult>> GetAsync(Guid id, RnnRbmDbContext db, IOptions<RnnRbmOptions> options,
        CancellationToken cancellationToken)
    {
        SearchEntity? search = await db.Searches.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        return search is null ? ErrorHandling.NotFound("Search", id)
            : TypedResults.Ok(ToResponse(search, await db.RowsAsync([id], cancellationToken), DateTimeOffset.UtcNow, options.Value.StalledAfter));
    }

    internal static async Task<Results<Accepted<SearchResponse>, ProblemHttpResult>> CancelAsync(
        Guid id, RnnRbmDbContext db, BackgroundWork work, IOptions<RnnRbmOptions> options, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        SearchEntity? search = await db.Searches.FindAsync([id], cancellationToken);
        if (BackgroundWork.Refuses(search, "Search", id, out ProblemHttpResult? refusal))
        {
            return refusal;
        }
        DateTimeOffset now = DateTimeOffset.UtcNow;
        TimeSpan stalledAfter = options.Value.StalledAfter;
        // Never started: no trial exists, so nothing is kept. Once started, its coordinator (this one, or the next after a
        // takeover) stops the trials and keeps the best one so far.
        if (search.StartedUtc is null && await work.TryEndUnclaimedAsync(db, search, now, () => { }, cancellationToken))
        {
            logs.CreateLogger(typeof(SearchesApi)).LogInformation("Search {Id} cancelled before it started.", id);
            return TypedResults.Accepted($"/api/searches/{id}", ToResponse(search, [], now, stalledAfter));
        }
        await work.RequestCancelAsync<SearchEntity>(db, id, cancellationToken);
        SearchEntity? current = await db.Searches.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        return TypedResults.Accepted($"/api/searches/{id}", ToResponse(current ?? search, await db.RowsAsync([id], cancellationToken), now, stalledAfter));
    }

    /// <summary>
    /// The search as the API shows it, its leaderboard read from its trials' rows: a running one whose coordinator is
    /// silent for <paramref name="stalledAfter"/> is stalled (its trials may still run).
    /// </summary>
    internal static SearchResponse ToResponse(SearchEntity s, IReadOnlyList<TrialRow> trials, DateTimeOffset now, TimeSpan stalledAfter)
    {
        StartSearchRequest settings = SearchRun.Request(s);
        List<SearchTrialResponse> board = [.. SearchTrials.Ranked(trials).Take(LeaderboardRows)
            .Select(t => SearchTrialResponse.From(t.Summary()) with { State = t.Shown })];
        int running = trials.Count(t => WorkStates.Shown(t.State, t.LeaseHeartbeatUtc, now, stalledAfter) == WorkStates.Running);
        return new SearchResponse(
            s.Id, s.CorpusId, WorkStates.Shown(s.State, s.LeaseHeartbeatUtc, now, stalledAfter), s.BudgetMinutes, settings,
            settings.Space().Rungs(), running, Math.Max(s.TrialsStarted, trials.Count), board, board.FirstOrDefault(t => t.BestValidLogLikelihood is not null),
            s.StopReason, s.Seconds, s.ModelId, s.Backend, s.Error, s.CancelRequested, s.CreatedUtc, s.StartedUtc, s.FinishedUtc);
    }
}
