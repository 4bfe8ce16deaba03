using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Model;

/// <summary>
/// The self-description stored at the head of a model file (JSON): what the model is, what it learned from,
/// how, how it went, and on which numerics backend. Names are camelCase in the file and stable.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>Model sizes.</summary>
    public required ShapeInfo Shape { get; init; }

    /// <summary>Pitches of the visible units.</summary>
    public required PitchRangeInfo PitchRange { get; init; }

    /// <summary>The time step the model learned at (and generates at by default).</summary>
    public required TimeGridInfo TimeGrid { get; init; }

    /// <summary>Hyperparameters and seed of the training run.</summary>
    public required TrainingInfo Training { get; init; }

    /// <summary>What it learned from.</summary>
    public CorpusInfo? Corpus { get; init; }

    /// <summary>The monitor epoch by epoch.</summary>
    public IReadOnlyList<EpochRecord> History { get; init; } = [];

    /// <summary>The backend that ran the heavy products.</summary>
    public required NumericsInfo Numerics { get; init; }

    /// <summary>When the file was written (UTC).</summary>
    public DateTimeOffset CreatedUtc { get; init; }

    /// <summary>Where training stands, so that it can resume exactly (absent in a plain model).</summary>
    public CheckpointInfo? Checkpoint { get; init; }

    /// <summary>Early stopping: the best epoch on valid, the events, why training stopped (null for files written before it existed).</summary>
    public StoppingInfo? Stopping { get; init; }

    /// <summary>Evaluation results by name (e.g. "test.logLikelihood"); filled by later tools.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Free text.</summary>
    public string? Notes { get; init; }

    /// <summary>The hyperparameter search this model won, when it came from one (null otherwise).</summary>
    public SearchInfo? Search { get; init; }
}

/// <summary>
/// The search a model came from: its budget and schedule, how many trials it ran, which one won, and the leaderboard's
/// top (each trial's settings in words, epochs, best validation log-likelihood and state).
/// </summary>
public sealed record SearchInfo(double BudgetMinutes, double Seconds, int Trials, int BestTrial, IReadOnlyList<int> Rungs, int Reduction,
    int Workers, ulong Seed, string StopReason, IReadOnlyList<SearchTrialInfo> Leaderboard);

/// <summary>One trial of a <see cref="SearchInfo"/>.</summary>
public sealed record SearchTrialInfo(int Id, string Settings, int Epochs, double? BestValidLogLikelihood, int? BestEpoch, string State);

/// <summary>V, H, U, and the recurrence: absent (or "tanh") for the paper's, "gru" for a GRU.</summary>
public sealed record ShapeInfo(int Visible, int Hidden, int Recurrent, string? Recurrence = null)
{
    public ModelShape ToShape() => new(Visible, Hidden, Recurrent, ParseRecurrence(Recurrence));

    public static ShapeInfo From(ModelShape shape) =>
        new(shape.Visible, shape.Hidden, shape.Recurrent, shape.Kind == RecurrenceKind.Tanh ? null : NameOf(shape.Kind));

    /// <summary>"tanh" or "gru".</summary>
    public static string NameOf(RecurrenceKind kind) => kind == RecurrenceKind.Gru ? "gru" : "tanh";

    /// <summary>Reads "tanh" (or null) and "gru"; anything else is a <see cref="FormatException"/>.</summary>
    public static RecurrenceKind ParseRecurrence(string? name) => name switch
    {
        null or "tanh" => RecurrenceKind.Tanh,
        "gru" => RecurrenceKind.Gru,
        _ => throw new FormatException($"Unknown recurrence '{name}' (expected 'tanh' or 'gru')."),
    };
}

/// <summary>The half-open MIDI range [lowest, end).</summary>
public sealed record PitchRangeInfo(int Lowest, int End)
{
    public PitchRange ToRange() => new(Lowest, End);

    public static PitchRangeInfo From(PitchRange range) => new(range.Lowest, range.End);
}

/// <summary>A time grid: <c>kind</c> "seconds" with <c>seconds</c>, or "beats" with <c>stepsPerQuarter</c>.</summary>
public sealed record TimeGridInfo(string Kind, double? Seconds = null, int? StepsPerQuarter = null)
{
    public TimeGrid ToGrid() => Kind switch
    {
        "seconds" when Seconds is double dt => new TimeGrid.Seconds(dt),
        "beats" when StepsPerQuarter is int n => new TimeGrid.Beats(n),
        _ => throw new FormatException($"Unknown time grid '{Kind}' (expected 'seconds' with seconds, or 'beats' with stepsPerQuarter)."),
    };

    public static TimeGridInfo From(TimeGrid grid) => grid switch
    {
        TimeGrid.Seconds s => new TimeGridInfo("seconds", Seconds: s.StepSeconds),
        TimeGrid.Beats b => new TimeGridInfo("beats", StepsPerQuarter: b.StepsPerQuarter),
        _ => throw new ArgumentException("Unknown time grid.", nameof(grid)),
    };
}

/// <summary>The options a run was trained with, and how far it got.</summary>
/// <remarks>
/// Files written before Momentum, ClipNorm and LearningRateDecay existed read as plain SGD at a constant rate; before
/// the improvements of issue 10 (LearnU0 ...), as the seed's training without them.
/// </remarks>
public sealed record TrainingInfo(float LearningRate, int BatchSize, int CdK, int EpochsPlanned, ulong Seed, int EpochsCompleted,
    float Momentum = 0, float ClipNorm = 0, float LearningRateDecay = 1, bool LearnU0 = false, bool CarryState = false, int Transpose = 0,
    int RbmPretrainEpochs = 0, int RnnPretrainEpochs = 0, float PretrainLearningRate = 0.01f, float AverageDecay = 0, float AverageEpochs = 0)
{
    public TrainingOptions ToOptions() => new()
    {
        LearningRate = LearningRate, BatchSize = BatchSize, CdK = CdK, Epochs = EpochsPlanned, Seed = Seed,
        Momentum = Momentum, ClipNorm = ClipNorm, LearningRateDecay = LearningRateDecay, LearnU0 = LearnU0,
        CarryState = CarryState, Transpose = Transpose,
        RbmPretrainEpochs = RbmPretrainEpochs, RnnPretrainEpochs = RnnPretrainEpochs, PretrainLearningRate = PretrainLearningRate,
        AverageDecay = AverageDecay, AverageEpochs = AverageEpochs,
    };

    public static TrainingInfo From(TrainingOptions options, int epochsCompleted) =>
        new(options.LearningRate, options.BatchSize, options.CdK, options.Epochs, options.Seed, epochsCompleted,
            options.Momentum, options.ClipNorm, options.LearningRateDecay, options.LearnU0, options.CarryState, options.Transpose,
            options.RbmPretrainEpochs, options.RnnPretrainEpochs, options.PretrainLearningRate, options.AverageDecay, options.AverageEpochs);
}

/// <summary>The corpus: a name, how many sequences and steps were learned from, and a digest of their content.</summary>
public sealed record CorpusInfo(string Name, int Sequences, long Steps, string? Sha256 = null);

/// <summary>One epoch of the training history.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Monitor">
/// The seed's monitor on the training chunks: a pseudo-likelihood of one reconstruction from the CD chain, not the model's
/// log-likelihood (it can fall while the log-likelihood rises); kept because the tutorial prints it.
/// </param>
/// <param name="ValidMonitor">The same monitor on the validation data.</param>
/// <param name="Seconds">Wall time of the epoch's updates.</param>
/// <param name="FramesPerSecond">Training speed of the epoch.</param>
/// <param name="ValidLogLikelihood">
/// Log-likelihood per step of the validation subset, by the bracket or AIS (null on epochs that were not validated):
/// the figure that early stopping and the divergence guard use.
/// </param>
/// <param name="ValidConverged">
/// Whether the estimate's check (doubling the bracket's chains and samples, or the AIS schedule) moved
/// <paramref name="ValidLogLikelihood"/> by less than the tolerance; null when this validation skipped the check (the
/// bracket checks every <see cref="Training.EarlyStoppingOptions.CheckEvery"/>-th validation; the others read its first
/// pass plus the last check's move).
/// </param>
/// <param name="ValidAisSteps">AIS transitions behind <paramref name="ValidLogLikelihood"/>.</param>
/// <param name="ValidSeconds">Wall time of the validation.</param>
/// <param name="LearningRate">The learning rate the epoch used (after any roll-back's lowering).</param>
public sealed record EpochRecord(int Epoch, double Monitor, double? ValidMonitor, double Seconds, double FramesPerSecond,
    double? ValidLogLikelihood = null, bool? ValidConverged = null, int? ValidAisSteps = null, double? ValidSeconds = null,
    double? LearningRate = null);

/// <summary>Something the training loop decided, in words (a roll-back, a raised validation schedule, the stop).</summary>
/// <param name="Epoch">The epoch it happened at (after that epoch's updates).</param>
/// <param name="Kind">rollback, plateau, schedule, stopped or note.</param>
/// <param name="Message">What happened and why, for people.</param>
public sealed record TrainingEvent(int Epoch, string Kind, string Message);

/// <summary>
/// Where early stopping stands (in a checkpoint) or what it decided (in a finished model): the best epoch on the
/// validation log-likelihood, the validation schedule, the roll-backs and why the training stopped.
/// </summary>
/// <param name="Validated">Whether the validation log-likelihood was measured at all (false: no validation data).</param>
/// <param name="KeepBest">Whether the model keeps the best validated epoch (false: the last epoch, as the seed does).</param>
/// <param name="Patience">Epochs without improvement before stopping (0 = never stops early).</param>
/// <param name="BestEpoch">The best validated epoch so far (0 = the initial parameters; null before any validation).</param>
/// <param name="BestValidLogLikelihood">Its validation log-likelihood at the current schedule.</param>
/// <param name="KeptEpoch">The epoch whose parameters the model holds (set when the training ended).</param>
/// <param name="StopReason">Why the training ended (null while it runs).</param>
/// <param name="ValidationSteps">Steps of the validation subset.</param>
/// <param name="ValidationSequences">Sequences of the validation subset.</param>
/// <param name="ValidationSource">"valid" (the corpus's validation split) or "held-out" (a seeded 10% of the training files).</param>
/// <param name="AisSteps">The AIS schedule's transitions the next validation starts from (doubled while not converged).</param>
/// <param name="ValidateEvery">Epochs between validations now in force.</param>
/// <param name="LastValidatedEpoch">The last epoch that was validated (0 = none).</param>
/// <param name="Rollbacks">Roll-backs so far.</param>
/// <param name="Events">What the loop decided, oldest first.</param>
/// <param name="LastCutEpoch">The epoch of the last cut of the learning rate, by a plateau or a roll-back (0 = none): the next plateau window starts there.</param>
/// <param name="Cuts">Plateau cuts so far.</param>
/// <param name="Validations">Validations so far (the bracket's doubling check runs on every <see cref="Training.EarlyStoppingOptions.CheckEvery"/>-th).</param>
/// <param name="CheckShift">The last check's move of the bracket's estimate, added to the unchecked validations after it (null before the first check).</param>
/// <param name="CheckChains">The bracket's chains of the next check (null in checkpoints written before the chains followed the checks: 100).</param>
/// <param name="ShiftChains">The bracket's chains of the last check, which the unchecked validations after it use (null: 100).</param>
public sealed record StoppingInfo(
    bool Validated,
    bool KeepBest,
    int Patience,
    int? BestEpoch,
    double? BestValidLogLikelihood,
    int? KeptEpoch,
    string? StopReason,
    int ValidationSteps,
    int ValidationSequences,
    string ValidationSource,
    int AisSteps,
    int ValidateEvery,
    int LastValidatedEpoch,
    int Rollbacks,
    IReadOnlyList<TrainingEvent> Events,
    int LastCutEpoch = 0,
    int Cuts = 0,
    int Validations = 0,
    double? CheckShift = null,
    int? CheckChains = null,
    int? ShiftChains = null);

/// <summary>The numerics backend by name and description.</summary>
public sealed record NumericsInfo(string Backend, string Description);

/// <summary>The random states a resumed trainer needs (see <see cref="TrainerCheckpoint"/>).</summary>
/// <param name="ShuffleRandomState">State of the shuffle stream.</param>
/// <param name="BlockRandomStates">States of the Gibbs blocks' streams.</param>
/// <param name="Velocity">True when the file's weights are followed by the momentum velocity (<see cref="RnnRbmModel.Velocity"/>).</param>
/// <param name="TransposeRandomState">State of the transposition stream (only with <see cref="TrainingOptions.Transpose"/> &gt; 0).</param>
/// <param name="LearningRateScale">The trainer's learning-rate scale (lowered by roll-backs).</param>
/// <param name="Best">True when the weights (and velocity) are followed by the best validated epoch's parameters (<see cref="RnnRbmModel.Best"/>).</param>
/// <param name="Average">True when the tensors end with the moving average of the parameters (<see cref="RnnRbmModel.Average"/>).</param>
/// <param name="AverageCount">The iterates in the average (<see cref="TrainerCheckpoint.AverageCount"/>); null without an average, or in a file written before it was recorded.</param>
public sealed record CheckpointInfo(uint[] ShuffleRandomState, IReadOnlyList<uint[]> BlockRandomStates, bool Velocity = false,
    uint[]? TransposeRandomState = null, float LearningRateScale = 1f, bool Best = false, bool Average = false, long? AverageCount = null)
{
    public TrainerCheckpoint ToTrainerCheckpoint(int epochsCompleted, RnnRbmParameters? velocity, RnnRbmParameters? average = null) =>
        new(epochsCompleted, ShuffleRandomState, BlockRandomStates, velocity, TransposeRandomState, LearningRateScale, average,
            AverageCount ?? long.MaxValue);

    public static CheckpointInfo From(TrainerCheckpoint checkpoint, bool best = false) =>
        new(checkpoint.ShuffleRandomState, checkpoint.BlockRandomStates, checkpoint.Velocity is not null, checkpoint.TransposeRandomState,
            checkpoint.LearningRateScale, best, checkpoint.Average is not null, checkpoint.Average is null ? null : checkpoint.AverageCount);
}
