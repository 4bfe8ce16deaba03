namespace RnnRbm.Core.Model;

/// <summary>How to train: the seed's defaults (docs/model.md, "Training loop"), plus the seed of the one random generator.</summary>
public sealed record TrainingOptions
{
    /// <summary>SGD step size (seed 0.001).</summary>
    public float LearningRate { get; init; } = 0.001f;

    /// <summary>
    /// Learning-rate schedule: epoch e (1-based) steps with lr·decay^(e−1). 1 keeps the rate constant (the seed);
    /// below 1 it shrinks geometrically, e.g. 0.98 halves it every 34 epochs.
    /// </summary>
    public float LearningRateDecay { get; init; } = 1f;

    /// <summary>The step size of epoch <paramref name="epoch"/> (1-based) under the schedule.</summary>
    public float LearningRateAt(int epoch) => LearningRateDecay == 1f
        ? LearningRate
        : (float)(LearningRate * Math.Pow(LearningRateDecay, epoch - 1));

    /// <summary>Longest chunk, in steps, that one update sees (seed 100).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Gibbs steps of contrastive divergence (seed 15).</summary>
    public int CdK { get; init; } = 15;

    /// <summary>Passes over the training set (seed 200).</summary>
    public int Epochs { get; init; } = 200;

    /// <summary>
    /// Nesterov momentum coefficient μ (seed 0: plain SGD). With μ &gt; 0 each update is v ← μv − lr·g, θ ← θ + μv − lr·g
    /// (Bengio, Boulanger-Lewandowski &amp; Pascanu 2013, the tutorial's "Nesterov momentum").
    /// </summary>
    public float Momentum { get; init; }

    /// <summary>Gradient clipping: when the gradient's L2 norm over all parameters exceeds this, it is scaled down to it (0 = off, the seed).</summary>
    public float ClipNorm { get; init; }

    /// <summary>
    /// Learn the RNN's initial state u0 by BPTT (∂C/∂u0 = g_0, the gradient reaching u_0) instead of keeping it 0
    /// (false, the seed). One of the tutorial's listed improvements.
    /// </summary>
    public bool LearnU0 { get; init; }

    /// <summary>
    /// Carry the RNN state across the chunks of one sequence (false: every chunk restarts from u0, the seed). Chunk c+1
    /// then starts from u_T of chunk c, computed with the parameters of the time and held constant (truncated BPTT: no
    /// gradient crosses the boundary), so training sees long histories as evaluation and generation do. The order of
    /// the sequences is still shuffled every epoch; the chunks of one sequence stay consecutive.
    /// </summary>
    public bool CarryState { get; init; }

    /// <summary>
    /// Transposition augmentation: each sequence of an epoch is shifted by a number of semitones drawn uniformly, from
    /// the trainer's seeded stream, among the shifts in [−Transpose, Transpose] that keep every sounding note inside the
    /// pitch range (the draw is made among the valid shifts only, so no shift is favoured by clipping). 0 = off (the seed).
    /// </summary>
    public int Transpose { get; init; }

    /// <summary>
    /// RBM pretraining, the paper's initialisation (0 = off, the seed): before epoch 1, W, bv and bh learn as one plain
    /// RBM from the training frames, shuffled across all sequences, in minibatches of <see cref="BatchSize"/> frames with
    /// CD-<see cref="CdK"/> and plain SGD at <see cref="PretrainLearningRate"/>, for this many epochs.
    /// </summary>
    public int RbmPretrainEpochs { get; init; }

    /// <summary>
    /// RNN pretraining, the paper's (0 = off, the seed): after any RBM pretraining and before epoch 1, the RNN (Wvu, Wuu,
    /// bu, Wuv, bv, and u0 with <see cref="LearnU0"/>) learns to predict each frame with independent logistic units,
    /// p_t = σ(bv + u_{t−1} Wuv), by cross-entropy and BPTT over the same chunks as training, for this many epochs.
    /// </summary>
    public int RnnPretrainEpochs { get; init; }

    /// <summary>
    /// Parameter averaging (0 = off, the seed): after every update the trainer moves an exponential moving average of
    /// the parameters towards them, a ← a + (1 − decay)·(θ − a), over about 1/(1 − decay) updates. Validation, early
    /// stopping and the saved model then use the average, which does not swing with the last updates' noise; training
    /// goes on from θ. The average starts at θ when training starts (after any pretraining).
    /// </summary>
    public float AverageDecay { get; init; }

    /// <summary>
    /// Parameter averaging over about this many epochs (0 = off): as <see cref="AverageDecay"/>, with the decay per
    /// update set from the training data, 1 − 1/(<see cref="AverageEpochs"/> × updates per epoch), so that the average
    /// spans the same share of training on a corpus of any size (a fixed decay of 0.9999 spans 5 epochs of Nottingham,
    /// 12.5 of Piano-midi.de and about 100 of a 40-tune corpus, where it lagged so far behind θ that the model was ruined:
    /// docs/results.md). Not with <see cref="AverageDecay"/>.
    /// </summary>
    public float AverageEpochs { get; init; }

    /// <summary>
    /// These options with the averaging a user gave, if any: either setting replaces both of these options' (a recipe's
    /// <see cref="AverageEpochs"/> gives way to a given <see cref="AverageDecay"/> and the other way round); both given
    /// are kept, for <see cref="Problems"/> to refuse. The CLI and the API resolve a request's averaging through it.
    /// </summary>
    public TrainingOptions WithAveraging(float? decay, float? epochs) => decay is null && epochs is null
        ? this
        : this with { AverageDecay = decay ?? 0, AverageEpochs = epochs ?? 0 };

    /// <summary>Whether the trainer keeps a moving average of θ (<see cref="AverageDecay"/> or <see cref="AverageEpochs"/>).</summary>
    public bool Averages => AverageDecay > 0 || AverageEpochs > 0;

    /// <summary>The average's step towards θ after each update: 1 − <see cref="AverageDecay"/>, or 1/(<see cref="AverageEpochs"/> × <paramref name="updatesPerEpoch"/>).</summary>
    public float AverageRate(long updatesPerEpoch) => AverageEpochs > 0
        ? (float)(1.0 / (AverageEpochs * Math.Max(1, updatesPerEpoch)))
        : 1f - AverageDecay;

    /// <summary>SGD step size of both pretrainings (default 0.01).</summary>
    public float PretrainLearningRate { get; init; } = 0.01f;

    /// <summary>Seeds the initialisation, the shuffles and every Gibbs sample.</summary>
    public ulong Seed { get; init; } = 1234;

    /// <summary>
    /// Bounds every field may take; <see cref="Validate"/> enforces them, and <c>Training.TrainingLimits</c> carries them
    /// to the service, the CLI and the pages. Written as decimals (double) so that clients see 0.999, not 0.99900001;
    /// a float field is compared with the bound cast to float.
    /// </summary>
    public static class Limits
    {
        public const double MinLearningRate = 1e-7;
        public const double MaxLearningRate = 1;
        public const int MaxBatchSize = 10_000;
        public const int MaxCdK = 1_000;
        public const int MaxEpochs = 100_000;
        public const double MaxMomentum = 0.999;
        public const double MinLearningRateDecay = 0.5;
        public const double MaxClipNorm = 1e6;
        public const int MaxTranspose = 24;
        public const int MaxPretrainEpochs = 10_000;
        public const double MaxAverageDecay = 0.99999;
        public const double MaxAverageEpochs = 1_000;
    }

    /// <summary>Every problem with these options, one sentence each; empty when they are valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!float.IsFinite(LearningRate) || LearningRate < (float)Limits.MinLearningRate || LearningRate > (float)Limits.MaxLearningRate)
        {
            problems.Add($"learningRate must lie in [{Limits.MinLearningRate}, {Limits.MaxLearningRate}]; got {LearningRate}.");
        }
        if (BatchSize < 1 || BatchSize > Limits.MaxBatchSize)
        {
            problems.Add($"batchSize must lie in [1, {Limits.MaxBatchSize}]; got {BatchSize}.");
        }
        if (CdK < 1 || CdK > Limits.MaxCdK)
        {
            problems.Add($"cdK must lie in [1, {Limits.MaxCdK}]; got {CdK}.");
        }
        if (!float.IsFinite(LearningRateDecay) || LearningRateDecay < (float)Limits.MinLearningRateDecay || LearningRateDecay > 1)
        {
            problems.Add($"learningRateDecay must lie in [{Limits.MinLearningRateDecay}, 1] (1 = constant rate); got {LearningRateDecay}.");
        }
        if (!float.IsFinite(Momentum) || Momentum < 0 || Momentum > (float)Limits.MaxMomentum)
        {
            problems.Add($"momentum must lie in [0, {Limits.MaxMomentum}]; got {Momentum}.");
        }
        if (!float.IsFinite(ClipNorm) || ClipNorm < 0 || ClipNorm > (float)Limits.MaxClipNorm)
        {
            problems.Add($"clipNorm must be 0 (off) or a norm up to {Limits.MaxClipNorm}; got {ClipNorm}.");
        }
        if (Transpose < 0 || Transpose > Limits.MaxTranspose)
        {
            problems.Add($"transpose must be 0 (off) or a number of semitones up to {Limits.MaxTranspose}; got {Transpose}.");
        }
        if (!float.IsFinite(AverageDecay) || AverageDecay < 0 || AverageDecay > (float)Limits.MaxAverageDecay)
        {
            problems.Add($"averageDecay must be 0 (off) or lie in (0, {Limits.MaxAverageDecay}]; got {AverageDecay}.");
        }
        if (!float.IsFinite(AverageEpochs) || AverageEpochs < 0 || AverageEpochs > (float)Limits.MaxAverageEpochs)
        {
            problems.Add($"averageEpochs must be 0 (off) or lie in (0, {Limits.MaxAverageEpochs}]; got {AverageEpochs}.");
        }
        else if (AverageEpochs > 0 && AverageDecay > 0)
        {
            problems.Add($"averageEpochs and averageDecay are two ways to set one average: give one of them (got {AverageEpochs} and {AverageDecay}).");
        }
        if (RbmPretrainEpochs < 0 || RbmPretrainEpochs > Limits.MaxPretrainEpochs)
        {
            problems.Add($"rbmPretrainEpochs must be 0 (off) or a number of epochs up to {Limits.MaxPretrainEpochs}; got {RbmPretrainEpochs}.");
        }
        if (RnnPretrainEpochs < 0 || RnnPretrainEpochs > Limits.MaxPretrainEpochs)
        {
            problems.Add($"rnnPretrainEpochs must be 0 (off) or a number of epochs up to {Limits.MaxPretrainEpochs}; got {RnnPretrainEpochs}.");
        }
        if (!float.IsFinite(PretrainLearningRate) || PretrainLearningRate < (float)Limits.MinLearningRate || PretrainLearningRate > (float)Limits.MaxLearningRate)
        {
            problems.Add($"pretrainLearningRate must lie in [{Limits.MinLearningRate}, {Limits.MaxLearningRate}]; got {PretrainLearningRate}.");
        }
        if (Epochs < 1 || Epochs > Limits.MaxEpochs)
        {
            problems.Add($"epochs must lie in [1, {Limits.MaxEpochs}]; got {Epochs}.");
        }
        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem, if any.</summary>
    public void Validate()
    {
        IReadOnlyList<string> problems = Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }
    }
}
