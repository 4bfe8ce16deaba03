using RnnRbm.Api.Hosting;
using RnnRbm.Core.Limits;
using RnnRbm.Core.Search;

namespace RnnRbm.Api.Searches;

// The Searches API's JSON (camelCase through ASP.NET's web defaults). These names are the contract.

/// <summary>
/// The body of <c>POST /api/searches</c>: corpusId and budgetMinutes are required; the rest default to Core's
/// <see cref="SearchSpace.Default"/> (docs/search-api.md). Unknown fields, and numbers sent as strings, are refused.
/// </summary>
/// <param name="CorpusId">The corpus: trials learn from its train split and are compared on its valid split (without valid files, on a seeded tenth of the train files held out).</param>
/// <param name="BudgetMinutes">Wall-clock minutes for the whole search, in (0, 10080] and within RnnRbm:MaxWorkHours.</param>
/// <param name="Seed">Seed of the trials' settings (trial i trains with seed + i; trial 0 is the default recipe when the space holds it). Default 1234.</param>
/// <param name="MaxTrials">Most trials started; 0 or absent: as many as the budget allows.</param>
/// <param name="MinEpochs">Epochs of the first rung: every trial trains this long before it is compared. Default 10.</param>
/// <param name="MaxEpochs">Most epochs of one trial (its last rung). Default 300.</param>
/// <param name="Reduction">Successive halving's factor: the best 1/reduction of a rung go on, each rung reduction times longer. Default 3.</param>
/// <param name="Hidden">H values to choose from. Default [100, 150, 200, 300].</param>
/// <param name="Recurrent">U values to choose from. Default [50, 100, 150].</param>
/// <param name="CdK">CD-k values to choose from. Default [10, 15, 25].</param>
/// <param name="MinLearningRate">Smallest learning rate (sampled log-uniformly). Default 0.0005.</param>
/// <param name="MaxLearningRate">Largest learning rate. Default 0.01.</param>
/// <param name="Momentum">Nesterov momentum coefficients to choose from. Default [0.5, 0.9].</param>
/// <param name="RbmPretrainEpochs">Epochs of RBM pretraining to choose from (0 = none). Default [0, 10].</param>
/// <param name="RnnPretrainEpochs">Epochs of RNN pretraining to choose from (0 = none). Default [0, 10].</param>
public sealed record StartSearchRequest(
    Guid? CorpusId,
    double? BudgetMinutes,
    ulong? Seed = null,
    int? MaxTrials = null,
    int? MinEpochs = null,
    int? MaxEpochs = null,
    int? Reduction = null,
    int[]? Hidden = null,
    int[]? Recurrent = null,
    int[]? CdK = null,
    double? MinLearningRate = null,
    double? MaxLearningRate = null,
    double[]? Momentum = null,
    int[]? RbmPretrainEpochs = null,
    int[]? RnnPretrainEpochs = null) : IRequestBody
{
    /// <summary>The seed of a search whose request gives none (the CLI's default).</summary>
    public const ulong DefaultSeed = 1234;

    /// <summary>The space's own fields named in its problems, to file each problem under its field.</summary>
    private static readonly string[] SpaceFields = ["minLearningRate", "maxLearningRate", "hidden", "recurrent", "cdK", "momentum", "rbmPretrainEpochs", "rnnPretrainEpochs", "minEpochs", "maxEpochs", "reduction"];

    /// <inheritdoc />
    public static IReadOnlyList<FieldLimit> Limits => SearchLimits.All;

    /// <inheritdoc />
    public static long MaxBodyBytes(RnnRbmOptions options) => SearchLimits.MaxBodyBytes;

    /// <summary>The space asked for: the default one with the request's fields.</summary>
    public SearchSpace Space()
    {
        SearchSpace space = SearchSpace.Default;
        return space with
        {
            MinEpochs = MinEpochs ?? space.MinEpochs,
            MaxEpochs = MaxEpochs ?? space.MaxEpochs,
            Reduction = Reduction ?? space.Reduction,
            Hidden = Hidden ?? space.Hidden,
            Recurrent = Recurrent ?? space.Recurrent,
            CdK = CdK ?? space.CdK,
            MinLearningRate = MinLearningRate ?? space.MinLearningRate,
            MaxLearningRate = MaxLearningRate ?? space.MaxLearningRate,
            Momentum = Momentum ?? space.Momentum,
            RbmPretrainEpochs = RbmPretrainEpochs ?? space.RbmPretrainEpochs,
            RnnPretrainEpochs = RnnPretrainEpochs ?? space.RnnPretrainEpochs,
        };
    }

    /// <inheritdoc />
    public void CheckFields(RequestErrors errors)
    {
        if (CorpusId is null || CorpusId == Guid.Empty)
        {
            errors.Add("corpusId", "corpusId is required: the id of a corpus (GET /api/corpora).");
        }
        if (BudgetMinutes is null)
        {
            errors.Add("budgetMinutes", "budgetMinutes is required: the wall-clock minutes of the whole search.");
        }
        if (SpaceFields.Any(errors.ContainsKey))
        {
            return; // a bound already failed: the space's own rules would repeat it
        }
        foreach (string problem in Space().Problems())
        {
            // Core names the field in each sentence ("every hidden must…", "reduction must…"): file it under the first named.
            string field = SpaceFields
                .Select(f => (Field: f, At: problem.IndexOf(f + " ", StringComparison.Ordinal)))
                .Where(x => x.At >= 0)
                .OrderBy(x => x.At)
                .Select(x => x.Field)
                .FirstOrDefault() ?? "body";
            errors.Add(field, problem);
        }
    }
}

/// <summary>One trial as the leaderboard shows it.</summary>
/// <param name="Id">0, 1, 2, … in the order trials started.</param>
/// <param name="Settings">Its choices: learningRate, hidden, recurrent, cdK, momentum, rbmPretrainEpochs, rnnPretrainEpochs (the rest is the default recipe).</param>
/// <param name="Description">The settings in one line.</param>
/// <param name="State">queued (waiting for a free worker), running, paused (at a rung, waiting to be chosen to go on), finished, stopped (cut by the budget or a cancel) or failed.</param>
/// <param name="Rung">The last rung reached (-1: none yet).</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="BestValidLogLikelihood">Its best validation log-likelihood per step (null: not validated yet).</param>
/// <param name="BestEpoch">The epoch of that best.</param>
/// <param name="Seconds">Training time spent on it, over all the workers that trained it.</param>
/// <param name="Curve">Its validation log-likelihood at each validated epoch, oldest first.</param>
public sealed record SearchTrialResponse(int Id, TrialSettings Settings, string Description, string State, int Rung, int Epochs,
    double? BestValidLogLikelihood, int? BestEpoch, double Seconds, IReadOnlyList<SearchCurvePoint>? Curve = null)
{
    internal static SearchTrialResponse From(TrialSummary t) => new(t.Id, t.Settings, t.Settings.ToString(), t.State.Name(), t.Rung, t.Epochs,
        t.BestValidLogLikelihood is double ll && double.IsFinite(ll) ? ll : null, t.BestEpoch, t.Seconds,
        [.. t.Curve.Where(p => double.IsFinite(p.LogLikelihood)).Select(p => new SearchCurvePoint(p.Epoch, p.LogLikelihood))]);
}

/// <summary>One point of a trial's validation curve.</summary>
/// <param name="Epoch">The epoch validated.</param>
/// <param name="LogLikelihood">The validation log-likelihood per step then.</param>
public sealed record SearchCurvePoint(int Epoch, double LogLikelihood);

/// <summary>A search: what it was asked, where it stands, its leaderboard, and (when done) its model.</summary>
/// <param name="Id">The search id.</param>
/// <param name="CorpusId">The corpus searched on.</param>
/// <param name="State">queued, running, stalled (its coordinator's worker lost: another takes it over, while its trials go on), succeeded, failed or cancelled.</param>
/// <param name="BudgetMinutes">The wall-clock budget.</param>
/// <param name="Settings">The request with every default and the seed filled in (post it again to repeat the search).</param>
/// <param name="Rungs">The rungs' epoch counts.</param>
/// <param name="Workers">Trials training now, across all workers (one thread each).</param>
/// <param name="TrialsStarted">Trials started so far.</param>
/// <param name="Leaderboard">The best 20 trials, best on valid first (unvalidated ones last), as their records stand now.</param>
/// <param name="Best">The best validated trial so far.</param>
/// <param name="StopReason">Why the search ended, when it did.</param>
/// <param name="Seconds">Wall time of the search, when it ended.</param>
/// <param name="ModelId">The best trial's model (also after a cancel, when a trial was validated).</param>
/// <param name="Backend">The numerics backend that runs it.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="CancelRequested">Whether a cancel was asked for.</param>
/// <param name="CreatedUtc">When it was requested.</param>
/// <param name="StartedUtc">When a worker first started it: its budget counts from then.</param>
/// <param name="FinishedUtc">When it ended.</param>
public sealed record SearchResponse(
    Guid Id,
    Guid CorpusId,
    string State,
    double BudgetMinutes,
    StartSearchRequest Settings,
    IReadOnlyList<int> Rungs,
    int? Workers,
    int TrialsStarted,
    IReadOnlyList<SearchTrialResponse> Leaderboard,
    SearchTrialResponse? Best,
    string? StopReason,
    double? Seconds,
    Guid? ModelId,
    string? Backend,
    string? Error,
    bool CancelRequested,
    DateTimeOffset CreatedUtc,
    DateTimeOffset? StartedUtc,
    DateTimeOffset? FinishedUtc);
