using System.Diagnostics;
using System.Numerics.Tensors;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Model;

/// <summary>
/// The seed's training loop (spec "Training loop"): each epoch shuffles the sequences, cuts each into
/// consecutive chunks of at most <see cref="TrainingOptions.BatchSize"/> steps that each restart from u0,
/// and makes one SGD update per chunk. Deterministic: the same parameters, options (seed included), data,
/// backend and <see cref="TrainerCheckpoint"/> give bit-identical parameters, whatever the thread count.
/// </summary>
/// <remarks>
/// Random streams of <see cref="TrainingOptions.Seed"/>: 0 initialisation (<see cref="InitialParameters"/>),
/// 1 shuffles, 2 and 3 the two Gibbs row blocks, 1000 + 2·epoch + b the monitor of held-out data.
/// </remarks>
public sealed class RnnRbmTrainer : IDisposable
{
    private const ulong ShuffleStream = 1;
    private const ulong FirstBlockStream = 2;
    private const ulong FirstEvaluationStream = 1000;

    private readonly TrainingOptions _options;
    private readonly NumericsBackend _backend;
    private readonly int _threads;
    private readonly VectorRandom _shuffle;
    private readonly VectorRandom[] _blockStreams;
    private readonly ChunkGradient _chunkGradient;
    private readonly RnnRbmParameters _gradient;
    private readonly RnnRbmParameters? _velocity;
    private readonly float[] _chunk;

    /// <summary>Starts training <paramref name="parameters"/> (updated in place), or resumes from <paramref name="resume"/>.</summary>
    /// <param name="parameters">θ, updated in place by every update.</param>
    /// <param name="options">Hyperparameters and seed; validated here.</param>
    /// <param name="backend">The numerics backend of the heavy products.</param>
    /// <param name="threads">Threads for the Gibbs blocks: 0 = as many as help (at most 2), else 1 or 2.</param>
    /// <param name="resume">Where an earlier trainer of the same run stopped (its random streams and epoch count).</param>
    public RnnRbmTrainer(RnnRbmParameters parameters, TrainingOptions options, NumericsBackend backend, int threads = 0,
        TrainerCheckpoint? resume = null)
    {
        options.Validate();
        Parameters = parameters;
        _options = options;
        _backend = backend;
        _threads = threads <= 0 ? Math.Min(ChunkGradient.Blocks, Environment.ProcessorCount) : Math.Min(threads, ChunkGradient.Blocks);
        _shuffle = new VectorRandom(options.Seed, ShuffleStream);
        _blockStreams = new VectorRandom[ChunkGradient.Blocks];
        for (int b = 0; b < _blockStreams.Length; b++)
        {
            _blockStreams[b] = new VectorRandom(options.Seed, FirstBlockStream + (ulong)b);
        }
        _velocity = options.Momentum > 0 ? new RnnRbmParameters(parameters.Shape) : null;
        if (resume is not null)
        {
            Restore(resume);
        }
        _chunkGradient = new ChunkGradient(parameters.Shape, options.BatchSize, backend, _blockStreams, _threads);
        _gradient = new RnnRbmParameters(parameters.Shape);
        _chunk = new float[options.BatchSize * parameters.Shape.Visible];
    }

    /// <summary>θ, as learned so far.</summary>
    public RnnRbmParameters Parameters { get; }

    /// <summary>Whole epochs run so far by this run (including those before a resume).</summary>
    public int EpochsCompleted { get; private set; }

    /// <summary>Threads the Gibbs blocks run on.</summary>
    public int Threads => _threads;

    /// <summary>The seed's initialisation from random stream 0 of <paramref name="seed"/>.</summary>
    public static RnnRbmParameters InitialParameters(ModelShape shape, ulong seed) =>
        RnnRbmParameters.Initialize(shape, new VectorRandom(seed, 0));

    /// <summary>What a later trainer needs to continue this run exactly: call it between epochs.</summary>
    public TrainerCheckpoint Checkpoint() => new(
        EpochsCompleted,
        _shuffle.GetState(),
        [.. _blockStreams.Select(s => s.GetState())],
        _velocity?.Clone());

    /// <summary>
    /// One epoch over <paramref name="sequences"/>. Stops between two updates when <paramref name="cancellation"/>
    /// fires, keeping what was learned (the result says so and the epoch does not count as completed).
    /// </summary>
    /// <exception cref="TrainingDivergedException">A gradient or the monitor became non-finite; θ holds the last finite update.</exception>
    public EpochResult TrainEpoch(IReadOnlyList<PianoRoll> sequences, Action<EpochProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        CheckSequences(sequences);
        long totalFrames = sequences.Sum(s => (long)s.Steps);
        int[] order = ShuffledOrder(sequences.Count);
        int v = Parameters.Shape.Visible;
        var clock = Stopwatch.StartNew();
        double monitorSum = 0;
        int updates = 0;
        long frames = 0;
        bool cancelled = false;
        float learningRate = _options.LearningRateAt(EpochsCompleted + 1);
        foreach (int index in order)
        {
            PianoRoll sequence = sequences[index];
            for (int start = 0; start < sequence.Steps && !cancelled; start += _options.BatchSize)
            {
                if (cancellation.IsCancellationRequested)
                {
                    cancelled = true;
                    break;
                }
                int steps = Math.Min(_options.BatchSize, sequence.Steps - start);
                TensorPrimitives.ConvertChecked<byte, float>(sequence.Cells.Slice(start * v, steps * v), _chunk);
                double monitor = _chunkGradient.Compute(_chunk, steps, Parameters, _gradient, _options.CdK);
                if (!_options.LearnU0)
                {
                    Array.Clear(_gradient.U0); // u0 stays 0, as in the seed
                }
                if (!double.IsFinite(monitor) || !_gradient.AllFinite())
                {
                    throw new TrainingDivergedException(
                        $"Training diverged in epoch {EpochsCompleted + 1} after {updates} updates: the gradient became non-finite. " +
                        "The parameters keep their last finite values; try a smaller learning rate.");
                }
                Update(learningRate);
                monitorSum += monitor;
                updates++;
                frames += steps;
                if (progress is not null && (updates & 63) == 0)
                {
                    progress(new EpochProgress(EpochsCompleted + 1, frames, totalFrames, monitorSum / updates, clock.Elapsed.TotalSeconds));
                }
            }
            if (cancelled)
            {
                break;
            }
        }
        if (!Parameters.AllFinite())
        {
            throw new TrainingDivergedException($"Training diverged in epoch {EpochsCompleted + 1}: a parameter became non-finite.");
        }
        double seconds = clock.Elapsed.TotalSeconds;
        if (!cancelled)
        {
            EpochsCompleted++;
        }
        return new EpochResult(
            cancelled ? EpochsCompleted + 1 : EpochsCompleted,
            updates > 0 ? monitorSum / updates : double.NaN,
            frames,
            updates,
            seconds,
            seconds > 0 ? frames / seconds : 0,
            cancelled);
    }

    private void Update(float learningRate)
    {
        if (_options.ClipNorm > 0)
        {
            double norm = _gradient.Norm();
            if (norm > _options.ClipNorm)
            {
                _gradient.Scale((float)(_options.ClipNorm / norm));
            }
        }
        if (_velocity is null)
        {
            Parameters.AddScaled(_gradient, -learningRate);
        }
        else
        {
            Parameters.AddNesterov(_gradient, _velocity, _options.Momentum, learningRate);
        }
    }

    /// <summary>
    /// The seed's monitor on <paramref name="sequences"/> without learning (e.g. the validation split): the same
    /// chunks, chain and half-step as training, averaged over chunks. Uses its own random streams, so measuring it
    /// never changes what training does.
    /// </summary>
    public double MeasureMonitor(IReadOnlyList<PianoRoll> sequences)
    {
        CheckSequences(sequences);
        ulong first = FirstEvaluationStream + ((ulong)EpochsCompleted * ChunkGradient.Blocks);
        var streams = new VectorRandom[ChunkGradient.Blocks];
        for (int b = 0; b < streams.Length; b++)
        {
            streams[b] = new VectorRandom(_options.Seed, first + (ulong)b);
        }
        using var evaluation = new ChunkGradient(Parameters.Shape, _options.BatchSize, _backend, streams, _threads);
        var scratch = new RnnRbmParameters(Parameters.Shape);
        int v = Parameters.Shape.Visible;
        double sum = 0;
        int chunks = 0;
        foreach (PianoRoll sequence in sequences)
        {
            for (int start = 0; start < sequence.Steps; start += _options.BatchSize)
            {
                int steps = Math.Min(_options.BatchSize, sequence.Steps - start);
                TensorPrimitives.ConvertChecked<byte, float>(sequence.Cells.Slice(start * v, steps * v), _chunk);
                sum += evaluation.Compute(_chunk, steps, Parameters, scratch, _options.CdK);
                chunks++;
            }
        }
        return chunks > 0 ? sum / chunks : double.NaN;
    }

    private int[] ShuffledOrder(int count)
    {
        // Fisher–Yates from the identity every epoch: the order depends only on the shuffle stream's state.
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--)
        {
            int j = _shuffle.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private void CheckSequences(IReadOnlyList<PianoRoll> sequences)
    {
        if (sequences.Count == 0)
        {
            throw new ArgumentException("There are no sequences to learn from.", nameof(sequences));
        }
        int v = Parameters.Shape.Visible;
        foreach (PianoRoll sequence in sequences)
        {
            if (sequence.Range.Count != v)
            {
                throw new ArgumentException(
                    $"A piano-roll over {sequence.Range} has {sequence.Range.Count} pitches; the model has {v} visible units.",
                    nameof(sequences));
            }
        }
    }

    private void Restore(TrainerCheckpoint checkpoint)
    {
        if (checkpoint.BlockRandomStates.Count != _blockStreams.Length)
        {
            throw new ArgumentException($"A checkpoint must hold {_blockStreams.Length} block random states.", nameof(checkpoint));
        }
        if ((checkpoint.Velocity is null) != (_velocity is null) || (checkpoint.Velocity is { } v && v.Shape != Parameters.Shape))
        {
            throw new ArgumentException(_velocity is null
                ? "The checkpoint holds a momentum velocity but these options have no momentum."
                : "These options use momentum but the checkpoint holds no velocity of this model's shape.", nameof(checkpoint));
        }
        _velocity?.CopyFrom(checkpoint.Velocity!);
        EpochsCompleted = checkpoint.EpochsCompleted;
        _shuffle.SetState(checkpoint.ShuffleRandomState);
        for (int b = 0; b < _blockStreams.Length; b++)
        {
            _blockStreams[b].SetState(checkpoint.BlockRandomStates[b]);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _chunkGradient.Dispose();
}

/// <summary>What one epoch did.</summary>
/// <param name="Epoch">1-based number of the epoch (for a cancelled one, the epoch that was interrupted).</param>
/// <param name="Monitor">The seed's monitor averaged over the epoch's updates (NaN when none ran).</param>
/// <param name="Frames">Time steps learned from.</param>
/// <param name="Updates">SGD updates made.</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="FramesPerSecond">Frames / seconds.</param>
/// <param name="Cancelled">True when cancellation stopped the epoch early.</param>
public sealed record EpochResult(int Epoch, double Monitor, long Frames, int Updates, double Seconds, double FramesPerSecond, bool Cancelled);

/// <summary>Progress inside an epoch.</summary>
public readonly record struct EpochProgress(int Epoch, long Frames, long TotalFrames, double RunningMonitor, double Seconds);

/// <summary>Where a training run stands between two epochs: enough to continue it bit for bit.</summary>
/// <param name="EpochsCompleted">Whole epochs done.</param>
/// <param name="ShuffleRandomState">State of the shuffle stream.</param>
/// <param name="BlockRandomStates">States of the Gibbs blocks' streams.</param>
/// <param name="Velocity">The momentum velocity (null without momentum).</param>
public sealed record TrainerCheckpoint(int EpochsCompleted, uint[] ShuffleRandomState, IReadOnlyList<uint[]> BlockRandomStates,
    RnnRbmParameters? Velocity = null);

/// <summary>Training produced a non-finite gradient or parameter and stopped before writing it.</summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException()
    {
    }

    public TrainingDivergedException(string message) : base(message)
    {
    }

    public TrainingDivergedException(string message, Exception inner) : base(message, inner)
    {
    }
}
