using System.Diagnostics;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Training;

namespace RnnRbm.Core.Search;

/// <summary>How a search runs on one machine.</summary>
public sealed record SearchOptions
{
    /// <summary>Wall-clock budget: no trial starts or goes on after it, and the running ones are cut at it.</summary>
    public required TimeSpan Budget { get; init; }

    /// <summary>Trials trained at once (each on <see cref="ThreadsPerTrial"/> threads).</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Threads of one trial's updates (0 = as many as help, at most 2).</summary>
    public int ThreadsPerTrial { get; init; }

    /// <summary>Seed of the trials' settings (trial i is seeded Seed + i).</summary>
    public ulong Seed { get; init; } = 1234;

    /// <summary>Most trials started (0 = as many as the budget allows).</summary>
    public int MaxTrials { get; init; }

    /// <summary>Bounds.</summary>
    public static class Limits
    {
        public const double MaxBudgetMinutes = 7 * 24 * 60;
        public const int MaxWorkers = 64;
        public const int MaxTrialsAllowed = 100_000;
    }

    /// <summary>Every problem, one sentence each; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (SearchLimits.BudgetMinutes.Problem(Budget.TotalMinutes) is string budget)
        {
            problems.Add(budget);
        }
        if (Workers < 1 || Workers > Limits.MaxWorkers)
        {
            problems.Add($"workers must lie in [1, {Limits.MaxWorkers}]; got {Workers}.");
        }
        if (ThreadsPerTrial < 0 || ThreadsPerTrial > 2)
        {
            problems.Add($"threads per trial must be 0 (automatic), 1 or 2; got {ThreadsPerTrial}.");
        }
        if (SearchLimits.MaxTrials.Problem(MaxTrials) is string maxTrials)
        {
            problems.Add(maxTrials); // 0: no limit
        }
        return problems;
    }
}

/// <summary>Where a trial stands.</summary>
public enum TrialState
{
    /// <summary>Training now.</summary>
    Running,

    /// <summary>Reached a rung and waits to be chosen to go on (or for the search to end).</summary>
    Paused,

    /// <summary>Its own training ended: early stopping, divergence, or its last rung.</summary>
    Finished,

    /// <summary>Cut by the end of the budget or a cancel.</summary>
    Stopped,
}

/// <summary>The names clients read for <see cref="TrialState"/>: running, paused, finished, stopped.</summary>
public static class TrialStates
{
    /// <summary>The name of <paramref name="state"/>.</summary>
    public static string Name(this TrialState state) => state switch
    {
        TrialState.Running => "running",
        TrialState.Paused => "paused",
        TrialState.Finished => "finished",
        _ => "stopped",
    };
}

/// <summary>One trial as a leaderboard shows it.</summary>
/// <param name="Id">0, 1, 2, … in the order trials started.</param>
/// <param name="Settings">Its choices.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Rung">The last rung it reached (-1: none yet).</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="BestValidLogLikelihood">Its best validation log-likelihood per step (null: not measured yet).</param>
/// <param name="BestEpoch">The epoch of that best.</param>
/// <param name="Seconds">Training time spent on it.</param>
/// <param name="Curve">Its validation log-likelihood by epoch (validated epochs only).</param>
/// <param name="StopReason">Why its training ended, when it did.</param>
public sealed record TrialSummary(int Id, TrialSettings Settings, TrialState State, int Rung, int Epochs, double? BestValidLogLikelihood,
    int? BestEpoch, double Seconds, IReadOnlyList<(int Epoch, double LogLikelihood)> Curve, string? StopReason);

/// <summary>What a search found.</summary>
/// <param name="Trials">Every trial, best first (unmeasured ones last).</param>
/// <param name="Best">The best trial on valid, or null when no trial was validated.</param>
/// <param name="BestModel">Its parameters at its best epoch, with its shape, options, history and stopping state.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="StopReason">Why the search ended.</param>
public sealed record SearchResult(IReadOnlyList<TrialSummary> Trials, TrialSummary? Best, TrainedTrial? BestModel, double Seconds, string StopReason)
{
    /// <summary>Trials a model's manifest keeps of the leaderboard.</summary>
    public const int ManifestLeaderboardRows = 20;

    /// <summary>
    /// The best trial as a model: its parameters at its best validated epoch, its options, history and stopping state,
    /// and the search (budget, rungs, the top of the leaderboard) in the manifest; null when no trial was validated.
    /// </summary>
    public RnnRbmModel? Model(SearchSpace space, SearchOptions options, PitchRange range, TimeGrid grid, CorpusInfo corpus, NumericsBackend backend,
        IReadOnlyDictionary<string, double>? metrics = null, string? notes = null)
    {
        if (BestModel is not TrainedTrial best || Best is not TrialSummary winner)
        {
            return null;
        }
        var manifest = new ModelManifest
        {
            Shape = ShapeInfo.From(best.Shape),
            PitchRange = PitchRangeInfo.From(range),
            TimeGrid = TimeGridInfo.From(grid),
            Training = TrainingInfo.From(best.Options, best.EpochsTrained),
            Corpus = corpus,
            History = best.History,
            Stopping = best.Stopping,
            Numerics = new NumericsInfo(backend.Name, backend.Description),
            CreatedUtc = DateTimeOffset.UtcNow,
            Metrics = metrics ?? new Dictionary<string, double>(),
            Notes = notes,
            Search = new SearchInfo(options.Budget.TotalMinutes, Seconds, Trials.Count, winner.Id, space.Rungs(), space.Reduction, options.Workers, options.Seed,
                StopReason,
                [.. Trials.Take(ManifestLeaderboardRows).Select(t => new SearchTrialInfo(t.Id, t.Settings.ToString(), t.Epochs, t.BestValidLogLikelihood, t.BestEpoch, t.State.Name()))]),
        };
        return new RnnRbmModel(best.Parameters, manifest);
    }
}

/// <summary>A trial's model: the parameters kept (its best validated epoch), and what its manifest needs.</summary>
public sealed record TrainedTrial(RnnRbmParameters Parameters, ModelShape Shape, TrainingOptions Options, int EpochsTrained,
    IReadOnlyList<EpochRecord> History, StoppingInfo Stopping);

/// <summary>
/// A hyperparameter search on one machine (docs/search.md): trials sampled from a <see cref="SearchSpace"/>, trained
/// by <see cref="TrainingLoop"/> (the default recipe's validation, plateau rule, early stopping and divergence guard)
/// rung by rung as <see cref="AshaSchedule"/> decides, on <see cref="SearchOptions.Workers"/> at once, within a
/// wall-clock budget. A paused trial keeps its loop's checkpoint, so going on continues it exactly.
/// </summary>
public sealed class HyperparameterSearch
{
    private readonly SearchSpace _space;
    private readonly SearchOptions _options;
    private readonly TrainingSets _data;
    private readonly int _visible;
    private readonly NumericsBackend _backend;
    private readonly IReadOnlyList<int> _rungs;
    private readonly EarlyStoppingOptions _stopping;
    private readonly AshaSchedule _schedule;
    private readonly List<Trial> _trials = [];
    private readonly object _gate = new(); // Monitor: workers wait on it for a promotable trial
    private int _running;

    /// <param name="space">What to choose from.</param>
    /// <param name="options">Budget, workers, seed.</param>
    /// <param name="data">Train and valid sequences (every trial validates on the same fixed subset).</param>
    /// <param name="visible">Keys of the pitch range.</param>
    /// <param name="backend">Numerics backend.</param>
    public HyperparameterSearch(SearchSpace space, SearchOptions options, TrainingSets data, int visible, NumericsBackend backend)
    {
        IReadOnlyList<string> problems = [.. space.Problems(), .. options.Problems()];
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }
        if (data.Valid.Count == 0)
        {
            throw new ArgumentException("A search needs validation sequences to compare its trials on (a valid split, or two or more training files to hold one out).");
        }
        _space = space;
        _options = options;
        _data = data;
        _visible = visible;
        _backend = backend;
        _rungs = space.Rungs();
        _schedule = new AshaSchedule(_rungs.Count, space.Reduction);
        _stopping = space.TrialStopping(options.Seed);
    }

    /// <summary>After every epoch and rung of any trial: that trial as it stands (called on the trial's worker thread).</summary>
    public Action<TrialSummary>? Progress { get; init; }

    /// <summary>The rungs' epoch counts.</summary>
    public IReadOnlyList<int> Rungs => _rungs;

    /// <summary>Every trial's validation and early stopping: the default recipe's, validating at every rung's epoch.</summary>
    public EarlyStoppingOptions TrialStopping => _stopping;

    /// <summary>Every trial now, best first.</summary>
    public IReadOnlyList<TrialSummary> Leaderboard()
    {
        lock (_gate)
        {
            return Ranked(_trials.Select(t => t.Summary()));
        }
    }

    /// <summary>Runs until the budget ends, <paramref name="cancellation"/> fires, or no trial is left to start or continue.</summary>
    public SearchResult Run(CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        budget.CancelAfter(_options.Budget);
        Task[] workers = [.. Enumerable.Range(0, _options.Workers).Select(_ => Task.Factory.StartNew(() => Work(budget.Token), TaskCreationOptions.LongRunning))];
        Task.WaitAll(workers, CancellationToken.None); // each worker watches the budget and ends its epoch in flight
        string reason = cancellation.IsCancellationRequested ? "cancelled"
            : budget.IsCancellationRequested ? $"the budget of {_options.Budget.TotalMinutes:G4} minutes ended"
            : "no trial was left to start or continue";
        lock (_gate)
        {
            IReadOnlyList<TrialSummary> ranked = Ranked(_trials.Select(t => t.Summary()));
            TrialSummary? best = ranked.FirstOrDefault(t => t.BestValidLogLikelihood is not null);
            TrainedTrial? model = best is null ? null : _trials[best.Id].Model();
            return new SearchResult(ranked, best, model, clock.Elapsed.TotalSeconds, reason);
        }
    }

    private void Work(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            Trial? trial;
            int rung;
            lock (_gate)
            {
                while (true)
                {
                    if (token.IsCancellationRequested)
                    {
                        return;
                    }
                    if (_schedule.NextPromotion() is (int promoted, int from))
                    {
                        trial = _trials[promoted];
                        rung = from + 1;
                        break;
                    }
                    if (_options.MaxTrials == 0 || _trials.Count < _options.MaxTrials)
                    {
                        int id = _trials.Count;
                        TrialSettings settings = _space.Sample(_options.Seed, id);
                        trial = new Trial(id, settings, settings.Shape(_visible), settings.Options(_space.MaxEpochs, _options.Seed + (ulong)id));
                        _trials.Add(trial);
                        rung = 0;
                        break;
                    }
                    if (_running == 0)
                    {
                        return; // nothing left to start, and nobody running could make a trial promotable
                    }
                    Monitor.Wait(_gate, TimeSpan.FromSeconds(1)); // a report from a running trial may make one promotable
                }
                trial.State = TrialState.Running;
                _running++;
            }
            try
            {
                Train(trial, rung, token);
            }
            finally
            {
                lock (_gate)
                {
                    _running--;
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    private void Train(Trial trial, int rung, CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        RnnRbmParameters parameters = trial.Current ?? RnnRbmTrainer.InitialParameters(trial.Shape, trial.Options.Seed);
        using var loop = new TrainingLoop(parameters, trial.Options, _stopping, _backend, _data, _options.ThreadsPerTrial, trial.Resume);
        bool cut = false;
        while (!loop.Finished && loop.EpochsCompleted < _rungs[rung])
        {
            LoopEpoch step = loop.RunEpoch(cancellation: token);
            if (step.Cancelled || token.IsCancellationRequested)
            {
                loop.StopNow("the search ended");
                cut = true;
                break;
            }
            lock (_gate)
            {
                trial.Observe(loop, clock.Elapsed.TotalSeconds);
            }
            Progress?.Invoke(trial.Summary());
        }
        lock (_gate)
        {
            trial.Observe(loop, clock.Elapsed.TotalSeconds);
            trial.Rung = cut ? trial.Rung : rung;
            bool ended = cut || loop.Finished || rung == _rungs.Count - 1;
            if (ended)
            {
                trial.End(loop, cut ? TrialState.Stopped : TrialState.Finished);
            }
            else
            {
                trial.Pause(loop, parameters);
            }
            if (!cut)
            {
                _schedule.Report(trial.Id, rung, trial.BestValidLogLikelihood ?? double.NegativeInfinity, ended);
            }
        }
        Progress?.Invoke(trial.Summary());
    }

    private static IReadOnlyList<TrialSummary> Ranked(IEnumerable<TrialSummary> trials) =>
        [.. trials.OrderByDescending(t => t.BestValidLogLikelihood ?? double.NegativeInfinity).ThenBy(t => t.Id)];

    /// <summary>A trial's mutable state; guarded by the search's lock (its loop is only touched by the worker training it).</summary>
    private sealed class Trial(int id, TrialSettings settings, ModelShape shape, TrainingOptions options)
    {
        public int Id { get; } = id;
        public TrialSettings Settings { get; } = settings;
        public ModelShape Shape { get; } = shape;
        public TrainingOptions Options { get; } = options;
        public TrialState State { get; set; } = TrialState.Paused;
        public int Rung { get; set; } = -1;
        public int Epochs { get; private set; }
        public double? BestValidLogLikelihood { get; private set; }
        public int? BestEpoch { get; private set; }
        public double Seconds { get; private set; }
        public string? StopReason { get; private set; }
        public List<(int Epoch, double LogLikelihood)> Curve { get; } = [];

        /// <summary>The loop's checkpoint and current parameters while paused; null once ended.</summary>
        public TrainingResume? Resume { get; private set; }
        public RnnRbmParameters? Current { get; private set; }

        // An ended trial's kept parameters, history and state (what its model would be).
        private TrainedTrial? _ended;
        private double _secondsBefore;

        public void Observe(TrainingLoop loop, double secondsThisRun)
        {
            Epochs = loop.EpochsCompleted;
            StoppingInfo state = loop.State;
            BestValidLogLikelihood = state.BestValidLogLikelihood;
            BestEpoch = state.BestEpoch;
            Seconds = _secondsBefore + secondsThisRun;
            Curve.Clear();
            Curve.AddRange(loop.History.Where(r => r.ValidLogLikelihood is not null).Select(r => (r.Epoch, r.ValidLogLikelihood!.Value)));
        }

        public void Pause(TrainingLoop loop, RnnRbmParameters parameters)
        {
            Resume = loop.Checkpoint();
            Current = parameters;
            State = TrialState.Paused;
            _secondsBefore = Seconds;
        }

        public void End(TrainingLoop loop, TrialState state)
        {
            StoppingInfo stopping = loop.State;
            _ended = new TrainedTrial(loop.ResultParameters(), Shape, Options, loop.EpochsCompleted, [.. loop.History], stopping);
            StopReason = stopping.StopReason;
            Resume = null;
            Current = null;
            State = state;
            _secondsBefore = Seconds;
        }

        public TrainedTrial? Model() =>
            _ended ?? (Resume is TrainingResume r
                ? new TrainedTrial(r.Best.Clone(), Shape, Options, Epochs, r.History, r.Stopping)
                : null);

        public TrialSummary Summary() =>
            new(Id, Settings, State, Rung, Epochs, BestValidLogLikelihood, BestEpoch, Seconds, [.. Curve], StopReason);
    }
}
