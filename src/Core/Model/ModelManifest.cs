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

    /// <summary>Evaluation results by name (e.g. "test.logLikelihood"); filled by later tools.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Free text.</summary>
    public string? Notes { get; init; }
}

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
    int RbmPretrainEpochs = 0, int RnnPretrainEpochs = 0, float PretrainLearningRate = 0.01f)
{
    public TrainingOptions ToOptions() => new()
    {
        LearningRate = LearningRate, BatchSize = BatchSize, CdK = CdK, Epochs = EpochsPlanned, Seed = Seed,
        Momentum = Momentum, ClipNorm = ClipNorm, LearningRateDecay = LearningRateDecay, LearnU0 = LearnU0,
        CarryState = CarryState, Transpose = Transpose,
        RbmPretrainEpochs = RbmPretrainEpochs, RnnPretrainEpochs = RnnPretrainEpochs, PretrainLearningRate = PretrainLearningRate,
    };

    public static TrainingInfo From(TrainingOptions options, int epochsCompleted) =>
        new(options.LearningRate, options.BatchSize, options.CdK, options.Epochs, options.Seed, epochsCompleted,
            options.Momentum, options.ClipNorm, options.LearningRateDecay, options.LearnU0, options.CarryState, options.Transpose,
            options.RbmPretrainEpochs, options.RnnPretrainEpochs, options.PretrainLearningRate);
}

/// <summary>The corpus: a name, how many sequences and steps were learned from, and a digest of their content.</summary>
public sealed record CorpusInfo(string Name, int Sequences, long Steps, string? Sha256 = null);

/// <summary>One epoch of the monitor history.</summary>
public sealed record EpochRecord(int Epoch, double Monitor, double? ValidMonitor, double Seconds, double FramesPerSecond);

/// <summary>The numerics backend by name and description.</summary>
public sealed record NumericsInfo(string Backend, string Description);

/// <summary>The random states a resumed trainer needs (see <see cref="TrainerCheckpoint"/>).</summary>
/// <param name="ShuffleRandomState">State of the shuffle stream.</param>
/// <param name="BlockRandomStates">States of the Gibbs blocks' streams.</param>
/// <param name="Velocity">True when the file's weights are followed by the momentum velocity (<see cref="RnnRbmModel.Velocity"/>).</param>
/// <param name="TransposeRandomState">State of the transposition stream (only with <see cref="TrainingOptions.Transpose"/> &gt; 0).</param>
public sealed record CheckpointInfo(uint[] ShuffleRandomState, IReadOnlyList<uint[]> BlockRandomStates, bool Velocity = false,
    uint[]? TransposeRandomState = null)
{
    public TrainerCheckpoint ToTrainerCheckpoint(int epochsCompleted, RnnRbmParameters? velocity) =>
        new(epochsCompleted, ShuffleRandomState, BlockRandomStates, velocity, TransposeRandomState);

    public static CheckpointInfo From(TrainerCheckpoint checkpoint) =>
        new(checkpoint.ShuffleRandomState, checkpoint.BlockRandomStates, checkpoint.Velocity is not null, checkpoint.TransposeRandomState);
}
