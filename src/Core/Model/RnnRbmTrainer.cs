using System.Diagnostics;
using System.Numerics.Tensors;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Model;

/// <summary>
/// The seed's training loop (docs/model.md, "Training loop"): each epoch shuffles the sequences, cuts each into
/// consecutive chunks of at most <see cref="TrainingOptions.BatchSize"/> steps that each restart from u0,
/// and makes one SGD update per chunk. The options' improvements (issue 10: <see cref="TrainingOptions.LearnU0"/>,
/// <see cref="TrainingOptions.CarryState"/>, <see cref="TrainingOptions.Transpose"/>) change that loop only when set. Deterministic: the same parameters, options (seed included), data,
/// backend and <see cref="TrainerCheckpoint"/> give bit-identical parameters, whatever the thread count.
/// </summary>
/// <remarks>
/// Random streams of <see cref="TrainingOptions.Seed"/>: 0 initialisation (<see cref="InitialParameters"/>),
/// 1 shuffles, 2 and 3 the two Gibbs row blocks, 4 transpositions, 5 the RBM pretraining's frame shuffles, 6 and 7 its
/// Gibbs blocks, 8 the RNN pretraining's shuffles, 1000 + 2·epoch + b the monitor of held-out data.
/// Pretraining (<see cref="TrainingOptions.RbmPretrainEpochs"/>, <see cref="TrainingOptions.RnnPretrainEpochs"/>) runs before
/// epoch 1 of a run that starts afresh. It is not checkpointed but cheap and deterministic to redo: from the same initial
/// parameters it gives the same result bit for bit, and a run resumed after epoch 1 already holds it.
/// </remarks>
public sealed class RnnRbmTrainer : IDisposable
{
    private const ulong ShuffleStream = 1;
    private const ulong FirstBlockStream = 2;
    private const ulong TransposeStream = FirstBlockStream + ChunkGradient.Blocks;
    private const ulong RbmPretrainShuffleStream = TransposeStream + 1;
    private const ulong FirstRbmPretrainBlockStream = RbmPretrainShuffleStream + 1;
    private const ulong RnnPretrainShuffleStream = FirstRbmPretrainBlockStream + ChunkGradient.Blocks;
    private const ulong FirstEvaluationStream = 1000;

    private readonly TrainingOptions _options;
    private readonly NumericsBackend _backend;
    private readonly int _threads;
    private readonly VectorRandom _shuffle;
    private readonly VectorRandom[] _blockStreams;
    private readonly ChunkGradient _chunkGradient;
    private readonly RnnRbmParameters _gradient;
    private readonly RnnRbmParameters? _velocity;
    private readonly RnnRbmParameters? _average;
    private float _averageRate;
    private long _averaged; // iterates in the average since it started or was reset; 0 = not started yet
    private readonly float[] _chunk;
    private readonly float[] _carried;
    private readonly VectorRandom? _transpose;

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
        _average = options.Averages ? parameters.Clone() : null;
        _transpose = options.Transpose > 0 ? new VectorRandom(options.Seed, TransposeStream) : null;
        if (resume is not null)
        {
            Restore(resume);
        }
        Pretrained = (options.RbmPretrainEpochs == 0 && options.RnnPretrainEpochs == 0) || EpochsCompleted > 0;
        _chunkGradient = new ChunkGradient(parameters.Shape, options.BatchSize, backend, _blockStreams, _threads);
        _gradient = new RnnRbmParameters(parameters.Shape);
        _chunk = new float[options.BatchSize * parameters.Shape.Visible];
        _carried = new float[parameters.Shape.Recurrent];
    }

    /// <summary>θ, as learned so far.</summary>
    public RnnRbmParameters Parameters { get; }

    /// <summary>
    /// The moving average of θ over the updates (<see cref="TrainingOptions.AverageDecay"/> or
    /// <see cref="TrainingOptions.AverageEpochs"/>), or null when the options do
    /// not average. Validation and the saved model use it; it equals θ until the first update. It starts as the plain
    /// mean of the iterates since it started (after the pretraining) or was reset (<see cref="ResetTo"/>), and becomes
    /// the moving average once that mean spans as many updates as the average does: so it never lags θ by more than
    /// the updates it has seen.
    /// </summary>
    public RnnRbmParameters? Average => _average;

    /// <summary>What a model of this run is: the average when the run averages, else θ.</summary>
    public RnnRbmParameters Estimate => _average ?? Parameters;

    /// <summary>Sets θ, and the average when there is one, to <paramref name="parameters"/>, and forgets the momentum (a roll-back).</summary>
    public void ResetTo(RnnRbmParameters parameters)
    {
        Parameters.CopyFrom(parameters);
        _average?.CopyFrom(parameters);
        _averaged = 1;
        ResetVelocity();
    }

    /// <summary>Whole epochs run so far by this run (including those before a resume).</summary>
    public int EpochsCompleted { get; private set; }

    /// <summary>
    /// Whether the pretraining the options ask for is done (true when they ask for none, or when this run resumed after
    /// epoch 1). <see cref="TrainEpoch"/> runs it first when it is not.
    /// </summary>
    public bool Pretrained { get; private set; }

    /// <summary>Called after each pretraining epoch (from the thread that trains).</summary>
    public Action<PretrainResult>? PretrainProgress { get; set; }

    /// <summary>Threads the Gibbs blocks run on.</summary>
    public int Threads => _threads;

    /// <summary>
    /// Multiplies every epoch's learning rate (1 at the start). The training loop halves it when it rolls back a
    /// diverging run; it is part of <see cref="Checkpoint"/>, so a resumed run keeps it.
    /// </summary>
    public float LearningRateScale { get; set; } = 1f;

    /// <summary>Forgets the momentum velocity (after the parameters were rolled back, the old direction is wrong).</summary>
    public void ResetVelocity()
    {
        if (_velocity is not null)
        {
            foreach (NamedTensor tensor in _velocity.Tensors)
            {
                Array.Clear(tensor.Values);
            }
        }
    }

    /// <summary>The seed's initialisation from random stream 0 of <paramref name="seed"/>.</summary>
    public static RnnRbmParameters InitialParameters(ModelShape shape, ulong seed) =>
        RnnRbmParameters.Initialize(shape, new VectorRandom(seed, 0));

    /// <summary>What a later trainer needs to continue this run exactly: call it between epochs.</summary>
    public TrainerCheckpoint Checkpoint() => new(
        EpochsCompleted,
        _shuffle.GetState(),
        [.. _blockStreams.Select(s => s.GetState())],
        _velocity?.Clone(),
        _transpose?.GetState(),
        LearningRateScale,
        _average?.Clone(),
        _averaged);

    /// <summary>
    /// One epoch over <paramref name="sequences"/>. Stops between two updates when <paramref name="cancellation"/>
    /// fires, keeping what was learned (the result says so and the epoch does not count as completed).
    /// </summary>
    /// <exception cref="TrainingDivergedException">A gradient or the monitor became non-finite; θ holds the last finite update.</exception>
    public EpochResult TrainEpoch(IReadOnlyList<PianoRoll> sequences, Action<EpochProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        CheckSequences(sequences);
        if (!Pretrain(sequences, cancellation))
        {
            return new EpochResult(EpochsCompleted + 1, double.NaN, 0, 0, 0, 0, Cancelled: true);
        }
        if (_average is not null && _averaged == 0)
        {
            // The average starts where training starts: after the pretraining.
            _average.CopyFrom(Parameters);
            _averaged = 1;
        }
        long totalFrames = sequences.Sum(s => (long)s.Steps);
        _averageRate = _options.AverageRate(sequences.Sum(s => ((long)s.Steps + _options.BatchSize - 1) / _options.BatchSize));
        int[] order = _shuffle.Permutation(sequences.Count);
        int v = Parameters.Shape.Visible;
        var clock = Stopwatch.StartNew();
        double monitorSum = 0;
        int updates = 0;
        long frames = 0;
        bool cancelled = false;
        float learningRate = _options.LearningRateAt(EpochsCompleted + 1) * LearningRateScale;
        foreach (int index in order)
        {
            PianoRoll sequence = sequences[index];
            int shift = _transpose is null ? 0 : DrawShift(sequence, _options.Transpose, _transpose);
            for (int start = 0; start < sequence.Steps && !cancelled; start += _options.BatchSize)
            {
                if (cancellation.IsCancellationRequested)
                {
                    cancelled = true;
                    break;
                }
                int steps = Math.Min(_options.BatchSize, sequence.Steps - start);
                TensorPrimitives.ConvertChecked<byte, float>(sequence.Cells.Slice(start * v, steps * v), _chunk);
                if (shift != 0)
                {
                    Shift(_chunk.AsSpan(0, steps * v), v, shift);
                }
                // The first chunk of a sequence starts from u0; with CarryState the next ones from the last u of the one before.
                ReadOnlySpan<float> initialState = _options.CarryState && start > 0 ? _carried : default;
                double monitor = _chunkGradient.Compute(_chunk, steps, Parameters, _gradient, _options.CdK, initialState: initialState);
                if (_options.CarryState)
                {
                    _chunkGradient.FinalState.CopyTo(_carried); // u_T under the parameters of this update, before it
                }
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
                if (progress is not null)
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
        if (_average is not null)
        {
            // The plain mean of the iterates until it spans the average's updates, then the moving average.
            _averaged = _averaged == long.MaxValue ? _averaged : _averaged + 1;
            _average.MoveTowards(Parameters, Math.Max(_averageRate, 1f / _averaged));
        }
    }

    /// <summary>
    /// The seed's monitor on <paramref name="sequences"/> without learning (e.g. the validation split): the same
    /// chunks, chain and half-step as training (carrying the state across chunks when training does), averaged over
    /// chunks. Uses its own random streams, so measuring it never changes what training does.
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
                ReadOnlySpan<float> initialState = _options.CarryState && start > 0 ? _carried : default;
                sum += evaluation.Compute(_chunk, steps, Parameters, scratch, _options.CdK, initialState: initialState);
                if (_options.CarryState)
                {
                    evaluation.FinalState.CopyTo(_carried);
                }
                chunks++;
            }
        }
        return chunks > 0 ? sum / chunks : double.NaN;
    }

    /// <summary>
    /// A shift in semitones for <paramref name="sequence"/>, uniform among those in [−max, max] that keep every sounding
    /// note in range (one draw whatever the sequence, so the stream advances alike for silent ones).
    /// </summary>
    internal static int DrawShift(PianoRoll sequence, int max, VectorRandom random)
    {
        int v = sequence.Range.Count;
        int lowest = v, highest = -1;
        ReadOnlySpan<byte> cells = sequence.Cells;
        for (int t = 0; t < sequence.Steps; t++)
        {
            ReadOnlySpan<byte> row = cells.Slice(t * v, v);
            int first = row.IndexOf((byte)1);
            if (first >= 0)
            {
                lowest = Math.Min(lowest, first);
                highest = Math.Max(highest, row.LastIndexOf((byte)1));
            }
        }
        int down = highest < 0 ? max : Math.Min(max, lowest);          // shifting by −down keeps the lowest note ≥ 0
        int up = highest < 0 ? max : Math.Min(max, v - 1 - highest);    // shifting by +up keeps the highest note < V
        return random.NextInt(down + up + 1) - down;
    }

    /// <summary>Moves every row of <paramref name="rows"/> (R×V) by <paramref name="shift"/> columns, filling with 0.</summary>
    internal static void Shift(Span<float> rows, int v, int shift)
    {
        for (int offset = 0; offset < rows.Length; offset += v)
        {
            Span<float> row = rows.Slice(offset, v);
            if (shift > 0)
            {
                row[..(v - shift)].CopyTo(row[shift..]); // overlapping copy: Span.CopyTo moves as memmove does
                row[..shift].Clear();
            }
            else
            {
                row[-shift..].CopyTo(row);
                row[(v + shift)..].Clear();
            }
        }
    }

    /// <summary>
    /// Runs the pretraining the options ask for, unless <see cref="Pretrained"/>; <see cref="TrainEpoch"/> calls it, so
    /// call it only to run pretraining on its own. Returns false when <paramref name="cancellation"/> stopped it: θ
    /// keeps what it learned, but a cancelled pretraining does not resume (a run restarts from its initial parameters).
    /// </summary>
    /// <exception cref="TrainingDivergedException">A pretraining gradient became non-finite.</exception>
    public bool Pretrain(IReadOnlyList<PianoRoll> sequences, CancellationToken cancellation = default)
    {
        if (Pretrained)
        {
            return true;
        }
        CheckSequences(sequences);
        if (_options.RbmPretrainEpochs > 0 && !PretrainRbm(sequences, cancellation))
        {
            return false;
        }
        if (_options.RnnPretrainEpochs > 0 && !PretrainRnn(sequences, cancellation))
        {
            return false;
        }
        Pretrained = true;
        return true;
    }

    // W, bv, bh as one RBM on shuffled frames. It runs the chunk core on a copy of θ whose RNN is all zero: then u_t = 0,
    // bv_t = bv and bh_t = bh for every row, so the rows are independent frames, the core's gradient is exactly the RBM's
    // CD-k gradient averaged over the minibatch, and every RNN tensor's gradient is 0.
    private bool PretrainRbm(IReadOnlyList<PianoRoll> sequences, CancellationToken cancellation)
    {
        ModelShape shape = Parameters.Shape;
        int v = shape.Visible;
        var frames = new List<(int Sequence, int Step)>();
        for (int s = 0; s < sequences.Count; s++)
        {
            for (int t = 0; t < sequences[s].Steps; t++)
            {
                frames.Add((s, t));
            }
        }
        var rbm = new RnnRbmParameters(shape);
        Parameters.W.CopyTo(rbm.W, 0);
        Parameters.Bv.CopyTo(rbm.Bv, 0);
        Parameters.Bh.CopyTo(rbm.Bh, 0);
        var shuffle = new VectorRandom(_options.Seed, RbmPretrainShuffleStream);
        VectorRandom[] streams = [.. Enumerable.Range(0, ChunkGradient.Blocks).Select(b => new VectorRandom(_options.Seed, FirstRbmPretrainBlockStream + (ulong)b))];
        using var core = new ChunkGradient(shape, _options.BatchSize, _backend, streams, _threads);
        bool completed = true;
        for (int epoch = 1; epoch <= _options.RbmPretrainEpochs && completed; epoch++)
        {
            var clock = Stopwatch.StartNew();
            int[] order = shuffle.Permutation(frames.Count);
            double sum = 0;
            long done = 0;
            for (int start = 0; start < order.Length; start += _options.BatchSize)
            {
                if (cancellation.IsCancellationRequested)
                {
                    completed = false;
                    break;
                }
                int rows = Math.Min(_options.BatchSize, order.Length - start);
                for (int r = 0; r < rows; r++)
                {
                    (int s, int t) = frames[order[start + r]];
                    TensorPrimitives.ConvertChecked<byte, float>(sequences[s].Row(t), _chunk.AsSpan(r * v, v));
                }
                double monitor = core.Compute(_chunk, rows, rbm, _gradient, _options.CdK);
                if (!double.IsFinite(monitor) || !_gradient.AllFinite())
                {
                    throw new TrainingDivergedException(
                        $"RBM pretraining diverged in its epoch {epoch}: the gradient became non-finite; try a smaller pretraining learning rate.");
                }
                rbm.AddScaled(_gradient, -_options.PretrainLearningRate);
                sum += monitor * rows;
                done += rows;
            }
            if (completed)
            {
                PretrainProgress?.Invoke(new PretrainResult("rbm", epoch, _options.RbmPretrainEpochs, -sum / done, done, clock.Elapsed.TotalSeconds));
            }
        }
        rbm.W.CopyTo(Parameters.W, 0);
        rbm.Bv.CopyTo(Parameters.Bv, 0);
        rbm.Bh.CopyTo(Parameters.Bh, 0);
        return completed;
    }

    // The RNN alone, by cross-entropy on the next frame (RnnPretraining), over the chunks training uses.
    private bool PretrainRnn(IReadOnlyList<PianoRoll> sequences, CancellationToken cancellation)
    {
        int v = Parameters.Shape.Visible;
        var core = new RnnPretraining(Parameters.Shape, _options.BatchSize, _backend);
        var shuffle = new VectorRandom(_options.Seed, RnnPretrainShuffleStream);
        for (int epoch = 1; epoch <= _options.RnnPretrainEpochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double sum = 0;
            long done = 0;
            foreach (int index in shuffle.Permutation(sequences.Count))
            {
                PianoRoll sequence = sequences[index];
                for (int start = 0; start < sequence.Steps; start += _options.BatchSize)
                {
                    if (cancellation.IsCancellationRequested)
                    {
                        return false;
                    }
                    int steps = Math.Min(_options.BatchSize, sequence.Steps - start);
                    TensorPrimitives.ConvertChecked<byte, float>(sequence.Cells.Slice(start * v, steps * v), _chunk);
                    ReadOnlySpan<float> initialState = _options.CarryState && start > 0 ? _carried : default;
                    double loss = core.Compute(_chunk, steps, Parameters, _gradient, initialState);
                    if (_options.CarryState)
                    {
                        core.FinalState.CopyTo(_carried);
                    }
                    if (!_options.LearnU0)
                    {
                        Array.Clear(_gradient.U0);
                    }
                    if (!double.IsFinite(loss) || !_gradient.AllFinite())
                    {
                        throw new TrainingDivergedException(
                            $"RNN pretraining diverged in its epoch {epoch}: the gradient became non-finite; try a smaller pretraining learning rate.");
                    }
                    Parameters.AddScaled(_gradient, -_options.PretrainLearningRate); // W, bh, Wuh have a zero gradient
                    sum += loss * steps;
                    done += steps;
                }
            }
            PretrainProgress?.Invoke(new PretrainResult("rnn", epoch, _options.RnnPretrainEpochs, sum / done, done, clock.Elapsed.TotalSeconds));
        }
        return true;
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
        if ((checkpoint.TransposeRandomState is null) != (_transpose is null))
        {
            throw new ArgumentException(_transpose is null
                ? "The checkpoint holds a transposition random state but these options do not transpose."
                : "These options transpose but the checkpoint holds no transposition random state.", nameof(checkpoint));
        }
        if ((checkpoint.Average is null) != (_average is null) || (checkpoint.Average is { } a && a.Shape != Parameters.Shape))
        {
            throw new ArgumentException(_average is null
                ? "The checkpoint holds a moving average but these options do not average."
                : "These options average the parameters but the checkpoint holds no average of this model's shape.", nameof(checkpoint));
        }
        _velocity?.CopyFrom(checkpoint.Velocity!);
        _average?.CopyFrom(checkpoint.Average!);
        _averaged = checkpoint.EpochsCompleted > 0 ? checkpoint.AverageCount : 0;
        _transpose?.SetState(checkpoint.TransposeRandomState!);
        EpochsCompleted = checkpoint.EpochsCompleted;
        LearningRateScale = checkpoint.LearningRateScale;
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

/// <summary>One pretraining epoch.</summary>
/// <param name="Stage">"rbm" (W, bv, bh as an RBM on shuffled frames) or "rnn" (the RNN by cross-entropy on the next frame).</param>
/// <param name="Epoch">1-based epoch of this stage.</param>
/// <param name="Epochs">Epochs of this stage.</param>
/// <param name="CrossEntropy">
/// Nats per frame, averaged over the epoch's updates: for "rbm", −(the seed's monitor), the cross-entropy of the frame
/// under the half-step from the chain's end; for "rnn", the cross-entropy of the frame under p_t = σ(bv + u_{t−1} Wuv).
/// </param>
/// <param name="Frames">Frames learned from.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record PretrainResult(string Stage, int Epoch, int Epochs, double CrossEntropy, long Frames, double Seconds);

/// <summary>Progress inside an epoch.</summary>
public readonly record struct EpochProgress(int Epoch, long Frames, long TotalFrames, double RunningMonitor, double Seconds);

/// <summary>Where a training run stands between two epochs: enough to continue it bit for bit.</summary>
/// <param name="EpochsCompleted">Whole epochs done.</param>
/// <param name="ShuffleRandomState">State of the shuffle stream.</param>
/// <param name="BlockRandomStates">States of the Gibbs blocks' streams.</param>
/// <param name="Velocity">The momentum velocity (null without momentum).</param>
/// <param name="TransposeRandomState">State of the transposition stream (null unless <see cref="TrainingOptions.Transpose"/> &gt; 0).</param>
/// <param name="LearningRateScale">The trainer's <see cref="RnnRbmTrainer.LearningRateScale"/>.</param>
/// <param name="Average">The moving average of the parameters (null unless <see cref="TrainingOptions.Averages"/>).</param>
/// <param name="AverageCount">
/// The iterates the average holds since it started or was reset (<see cref="RnnRbmTrainer.Average"/>): while it is
/// fewer than the average's span, the average is their plain mean. <see cref="long.MaxValue"/> when not known (a
/// checkpoint written before the average started as a mean): the moving average throughout.
/// </param>
public sealed record TrainerCheckpoint(int EpochsCompleted, uint[] ShuffleRandomState, IReadOnlyList<uint[]> BlockRandomStates,
    RnnRbmParameters? Velocity = null, uint[]? TransposeRandomState = null, float LearningRateScale = 1f, RnnRbmParameters? Average = null,
    long AverageCount = long.MaxValue);

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
