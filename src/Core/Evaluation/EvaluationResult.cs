namespace RnnRbm.Core.Evaluation;

/// <summary>What <see cref="RnnRbmEvaluator.Evaluate"/> measured. Log-likelihoods are in nats per time step.</summary>
public sealed record EvaluationResult
{
    /// <summary>Sequences evaluated.</summary>
    public required int Sequences { get; init; }

    /// <summary>ΣT, time steps evaluated (the sample's size when <see cref="SampledFrom"/> is set).</summary>
    public required long Steps { get; init; }

    /// <summary>Null, or the steps of all the sequences when the log-likelihood measured a sample of them (<see cref="EvaluationOptions.MeasuredSteps"/>).</summary>
    public long? SampledFrom { get; init; }

    /// <summary>(1/ΣT) Σ_t log P(v_t | v_&lt;t), with each log Z_t estimated by AIS; null when not measured.</summary>
    public double? LogLikelihood { get; init; }

    /// <summary>
    /// Standard error of <see cref="LogLikelihood"/> due to AIS: √(Σ_t SE_t²)/ΣT with SE_t the delta-method error of
    /// log Ẑ_t over its runs (runs of different steps are independent).
    /// </summary>
    public double? StandardError { get; init; }

    /// <summary>
    /// Standard error of <see cref="LogLikelihood"/> as a sample of sequences (the spread of the test set, not of AIS):
    /// the ratio-estimator error √(S/(S-1) Σ_s (L_s - ℓ̄ T_s)²)/ΣT, L_s the sequence's summed log-likelihood.
    /// </summary>
    public double? SequenceStandardError { get; init; }

    /// <summary>The estimator behind <see cref="LogLikelihood"/>.</summary>
    public LikelihoodEstimator Estimator { get; init; }

    /// <summary>
    /// With the bracket: the mean of L_t, the conservative sampling-based lower bound (<see cref="BracketEstimator"/>);
    /// null with AIS or when not measured.
    /// </summary>
    public double? LowerBound { get; init; }

    /// <summary>
    /// With the bracket: the mean of R_t, the reverse importance-sampling bound (<see cref="BracketEstimate.Reverse"/>);
    /// null with AIS or when not measured.
    /// </summary>
    public double? ReverseBound { get; init; }

    /// <summary>With the bracket: <see cref="LogLikelihood"/> − <see cref="LowerBound"/>, nats per step.</summary>
    public double? BracketGap => LogLikelihood - LowerBound;

    /// <summary>With the bracket: whether its CSL gap, or its last doubling's move, is below the tolerance.</summary>
    public bool? BracketConverged { get; init; }

    /// <summary>With the bracket: the last doubling's move of <see cref="LogLikelihood"/> (null without a doubling).</summary>
    public double? BracketShift { get; init; }

    /// <summary>With the bracket: each pass (the first, then C, M and S doubled while not converged).</summary>
    public IReadOnlyList<BracketRound> BracketRounds { get; init; } = [];

    /// <summary>With the bracket: R_t of every step (empty otherwise).</summary>
    public IReadOnlyList<double> StepReverseBounds { get; init; } = [];

    /// <summary>With the bracket: L_t of every step (empty otherwise).</summary>
    public IReadOnlyList<double> StepLowerBounds { get; init; } = [];

    /// <summary>Wall time of the bracket (all rounds).</summary>
    public double BracketSeconds { get; init; }

    /// <summary>AIS runs per step.</summary>
    public int AisRuns { get; init; }

    /// <summary>K, transitions of the AIS schedule (with a converged search: the largest K any step reached).</summary>
    public int AisTransitions { get; init; }

    /// <summary>The AIS schedule's description (with a converged search: how many steps ended at each K).</summary>
    public string AisSchedule { get; init; } = "";

    /// <summary>
    /// Whether the last doubling of the schedule moved <see cref="LogLikelihood"/> by less than the tolerance
    /// (<see cref="EvaluationOptions.AisConvergence"/>); null when the schedule was explicit (not checked) or the
    /// log-likelihood was not measured.
    /// </summary>
    public bool? AisConverged { get; init; }

    /// <summary>
    /// The move of <see cref="LogLikelihood"/> on the last doubling, in nats per step: (1/ΣT) Σ_t (log P_t at the
    /// step's final K_t − at K_t/2). Null when the schedule was explicit.
    /// </summary>
    public double? AisShift { get; init; }

    /// <summary>The rounds of the converged search (empty with an explicit schedule).</summary>
    public IReadOnlyList<AisRound> AisRounds { get; init; } = [];

    /// <summary>K_t, the schedule each step's log Z_t was estimated with (empty when not measured).</summary>
    public IReadOnlyList<int> StepTransitions { get; init; } = [];

    /// <summary>AIS's base distribution.</summary>
    public AisBase AisBase { get; init; }

    /// <summary>Wall time of AIS.</summary>
    public double AisSeconds { get; init; }

    /// <summary>10⁹ floating-point operations of the AIS matrix products.</summary>
    public double AisGflop { get; init; }

    /// <summary>Achieved AIS speed: <see cref="AisGflop"/> / <see cref="AisSeconds"/>.</summary>
    public double AisGflopPerSecond => AisSeconds > 0 ? AisGflop / AisSeconds : 0;

    /// <summary>Expected frame-level accuracy ΣTP/(ΣTP+ΣFP+ΣFN) of next-step predictions; null when not measured.</summary>
    public double? Accuracy { get; init; }

    /// <summary>The expected counts behind <see cref="Accuracy"/> (mean over the samples, summed over steps).</summary>
    public FrameAccuracy? AccuracyCounts { get; init; }

    /// <summary>
    /// Frame-level accuracy of one deterministic prediction per step: pitch i predicted on iff the mean over the S
    /// chains of their last visible probability q_i is &gt; 0.5; TP/FP/FN summed over all steps. Null when the
    /// accuracy was not measured.
    /// </summary>
    public double? AccuracyDeterministic { get; init; }

    /// <summary>The counts behind <see cref="AccuracyDeterministic"/>.</summary>
    public FrameAccuracy? AccuracyDeterministicCounts { get; init; }

    /// <summary>
    /// Frame-level accuracy of the previous-frame predictor (step t predicted by the true v_{t-1}, the empty frame at a
    /// sequence's first step): the floor beside <see cref="Accuracy"/>. Always measured (it needs no model).
    /// </summary>
    public double? BaselineAccuracy { get; init; }

    /// <summary>The counts behind <see cref="BaselineAccuracy"/>.</summary>
    public FrameAccuracy? BaselineAccuracyCounts { get; init; }

    /// <summary>
    /// Mean log-likelihood per step of independent per-pitch Bernoullis fitted on the training split with add-one
    /// smoothing (<see cref="Baselines"/>): the floor beside <see cref="LogLikelihood"/>. Null when no training split
    /// was given (<see cref="EvaluationOptions.TrainingSequences"/>).
    /// </summary>
    public double? BaselineLogLikelihood { get; init; }

    /// <summary>Predictions sampled per step.</summary>
    public int AccuracySamples { get; init; }

    /// <summary>Gibbs steps per prediction.</summary>
    public int AccuracyGibbsSteps { get; init; }

    /// <summary>Where prediction chains start.</summary>
    public PredictionStart AccuracyStart { get; init; }

    /// <summary>Wall time of the accuracy.</summary>
    public double AccuracySeconds { get; init; }

    /// <summary>Wall time of the whole evaluation.</summary>
    public double Seconds { get; init; }

    /// <summary>Threads used.</summary>
    public int Threads { get; init; }

    /// <summary>log P(v_t | v_&lt;t) of every step, sequences one after another (empty when not measured).</summary>
    public IReadOnlyList<double> StepLogLikelihoods { get; init; } = [];

    /// <summary>The AIS standard error of each entry of <see cref="StepLogLikelihoods"/>.</summary>
    public IReadOnlyList<double> StepStandardErrors { get; init; } = [];
}
