using System.Text.Json;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Models;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.Search;
using RnnRbm.Core.Training;

namespace RnnRbm.Api.Searches;

/// <summary>
/// One run of a hyperparameter search (background work of kind <see cref="Kind"/>): Core's
/// <see cref="HyperparameterSearch"/> on the job's thread, its trials on every processor of this node (one thread
/// each), with the claim, the progress writer and the Version-guarded writes of <see cref="WorkRun{TEntity}"/>.
/// </summary>
/// <remarks>
/// Invariants, beside <see cref="WorkRun{TEntity}"/>'s:
/// <list type="number">
/// <item>The leaderboard is written at every rung a trial reaches (within the writer's half second) and, between
/// rungs, at most every <see cref="BoardInterval"/>; never once per epoch.</item>
/// <item>Finishing is one write: the best trial's model (its best validated epoch, the search in its manifest) and the
/// search's final state with its ModelId together. A cancel finishes the same way, keeping the best trial so far.</item>
/// <item>No trial-level checkpoint: a shutdown hands the search back queued, and the next worker (as one that takes
/// over a dead worker's search) searches again from the start with the full budget (same seed, same trials).</item>
/// <item>A search that ends without a validated trial fails, saying so.</item>
/// </list>
/// </remarks>
public sealed class SearchRun : WorkRun<SearchEntity>
{
    /// <summary>The kind's name: its Hangfire queue, and how its jobs name it.</summary>
    public const string Kind = "search";

    /// <summary>Trials kept in the row's leaderboard.</summary>
    public const int LeaderboardRows = 20;

    /// <summary>Between rungs, the leaderboard is written at most this often.</summary>
    public static readonly TimeSpan BoardInterval = TimeSpan.FromSeconds(3);

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly NumericsBackend _backend;
    private HyperparameterSearch? _search;
    private int _rungReported;   // 1: a trial reached a rung or ended since the last write (set by trial threads)
    private int _epochReported;  // 1: a trial finished an epoch since the last write
    private DateTimeOffset _lastBoard;

    public SearchRun(WorkContext context, NumericsBackend backend)
        : base(context, backend.Name)
    {
        _backend = backend;
    }

    protected override void Work()
    {
        StartSearchRequest settings = JsonSerializer.Deserialize<StartSearchRequest>(Row.SettingsJson, Json)
            ?? throw new SearchInputException("The search's settings are empty.");
        SearchSpace space = settings.Space();
        var options = new SearchOptions
        {
            Budget = TimeSpan.FromMinutes(Row.BudgetMinutes),
            Workers = Math.Clamp(Environment.ProcessorCount, 1, SearchOptions.Limits.MaxWorkers),
            ThreadsPerTrial = 1,
            Seed = settings.Seed ?? StartSearchRequest.DefaultSeed,
            MaxTrials = settings.MaxTrials ?? 0,
        };
        // The CLI's reading: the default recipe's grid, the piano's range.
        var read = new MidiReadOptions { Grid = TrainingRecipe.Default.Grid };
        TrainingData data = TrainingData.Load(Db, Row.CorpusId, read, options.Seed, Log);
        if (data.Valid.Count == 0)
        {
            throw new SearchInputException("A search compares trials on validation data: the corpus needs valid files, or at least two train files to hold a tenth out.");
        }
        var search = new HyperparameterSearch(space, options, data.Sets, read.Range.Count, _backend) { Progress = OnTrial };
        lock (Gate)
        {
            _search = search;
            Row.Workers = options.Workers;
        }
        Log.LogInformation(
            "Search {Id} starts: {Minutes} minutes on {Workers} worker(s), rungs at {Rungs} epochs, {Train} train and {Valid} {Source} sequences, {Backend}.",
            Id, options.Budget.TotalMinutes, options.Workers, string.Join(", ", search.Rungs), data.Train.Count, data.Valid.Count, data.Sets.ValidSource, _backend.Name);
        StartWriter();

        // Stopping fires on a cancel, at shutdown, and when this runner was superseded: every trial ends its epoch in flight.
        SearchResult result = search.Run(Stopping);

        StopWriter();
        if (IsStale)
        {
            return;
        }
        bool cancelled = CancelRequestedNow();
        if (!cancelled && Stopping.IsCancellationRequested)
        {
            HandBack("it is searched again from the start, with its full budget, by the next worker.");
        }
        Finish(result, space, options, read, data, cancelled);
    }

    protected override bool IsExpectedFailure(Exception ex) => ex is SearchInputException or TrainingInputException;

    protected override bool RecordProgress()
    {
        if (_search is not HyperparameterSearch search)
        {
            return false;
        }
        DateTimeOffset now = DateTimeOffset.UtcNow;
        bool rung = Volatile.Read(ref _rungReported) == 1;
        bool epoch = Volatile.Read(ref _epochReported) == 1;
        if (!rung && !(epoch && now - _lastBoard >= BoardInterval))
        {
            return false;
        }
        Interlocked.Exchange(ref _rungReported, 0);
        Interlocked.Exchange(ref _epochReported, 0);
        _lastBoard = now;
        Record(search.Leaderboard());
        return true;
    }

    protected override void ResetProgress()
    {
        Row.TrialsStarted = 0;
        Row.LeaderboardJson = "[]";
        Row.StopReason = null;
        Row.Seconds = null;
    }

    /// <summary>A trial's report, on its own thread: only flags for the writer (invariant 1).</summary>
    private void OnTrial(TrialSummary trial) =>
        Volatile.Write(ref trial.State == TrialState.Running ? ref _epochReported : ref _rungReported, 1);

    /// <summary>The leaderboard into the row. Call under <see cref="WorkRun{TEntity}.Gate"/>.</summary>
    private void Record(IReadOnlyList<TrialSummary> trials)
    {
        Row.TrialsStarted = trials.Count;
        Row.LeaderboardJson = JsonSerializer.Serialize(trials.Take(LeaderboardRows).Select(SearchTrialResponse.From).ToList(), Json);
    }

    /// <summary>Invariant 2 (and 4): the best trial's model and the final state in one guarded write.</summary>
    private void Finish(SearchResult result, SearchSpace space, SearchOptions options, MidiReadOptions read, TrainingData data, bool cancelled)
    {
        lock (Gate)
        {
            Record(result.Trials);
            Row.StopReason = result.StopReason;
            Row.Seconds = result.Seconds;
        }
        if (result.BestModel is not TrainedTrial best || result.Best is not TrialSummary bestTrial)
        {
            if (!cancelled)
            {
                // Recorded with the leaderboard above by the failure's write.
                throw new SearchInputException(
                    $"No trial was validated within the budget ({result.StopReason}, {result.Trials.Count} trial(s) started): give it more minutes, " +
                    $"or a smaller minEpochs (a trial is first validated after its first rung's {space.Rungs()[0]} epochs).");
            }
            End(WorkStates.Cancelled, null, result);
            return;
        }
        RnnRbmModel found = result.Model(space, options, read.Range, read.Grid, data.Corpus, _backend,
            notes: cancelled ? $"The search {Id} was cancelled; this is its best trial so far." : null)!;
        ModelEntity model = ModelEntities.Create(found,
            $"{data.Corpus.Name} (search trial {bestTrial.Id}: H {best.Shape.Hidden}, U {best.Shape.Recurrent}, epoch {best.Stopping.BestEpoch} of {best.EpochsTrained})",
            ModelEntities.FromSearch, trainingId: null, Row.CorpusId);
        Db.Models.Add(model);
        End(cancelled ? WorkStates.Cancelled : WorkStates.Succeeded, model, result);
    }

    private void End(string state, ModelEntity? model, SearchResult result)
    {
        lock (Gate)
        {
            Row.State = state;
            Row.ModelId = model?.Id;
            Row.FinishedUtc = DateTimeOffset.UtcNow;
            ClearWorker();
            if (TrySave($"finish as {state}"))
            {
                Log.LogInformation("Search {Id} {State} ({Reason}) after {Seconds:F0} s and {Trials} trials; best trial {Best}, model {ModelId}.",
                    Id, state, result.StopReason, result.Seconds, result.Trials.Count, result.Best?.Id, model?.Id);
            }
        }
    }
}

/// <summary>The search's input cannot be used, or it found nothing to keep (no trial validated).</summary>
public sealed class SearchInputException : Exception
{
    public SearchInputException()
    {
    }

    public SearchInputException(string message) : base(message)
    {
    }

    public SearchInputException(string message, Exception inner) : base(message, inner)
    {
    }
}
