namespace RnnRbm.Core.Evaluation;

/// <summary>Where the Gibbs chain that samples a prediction of step t starts.</summary>
public enum PredictionStart
{
    /// <summary>The zero vector, as generation does (docs/model.md, "Generation"): a sample of the model's own conditional.</summary>
    Zeros,

    /// <summary>The true previous frame v_{t-1} (zeros at t = 1): faster mixing toward sustained notes, but the sample then depends on the start.</summary>
    PreviousFrame,
}

/// <summary>The base distribution AIS starts each step's RBM from (always independent visible units, W = 0).</summary>
public enum AisBase
{
    /// <summary>
    /// Visible biases logit(μ_t), μ_t the step's visible marginals estimated by 10 Gibbs chains of 25 steps from
    /// zeros (the mean of their last visible probabilities, clamped to [0.001, 0.999]): Salakhutdinov &amp; Murray's
    /// "base-rate" idea, per conditional RBM. The default: it starts AIS near the target.
    /// </summary>
    Marginals,

    /// <summary>The RBM's own visible biases bv_t: simplest, but far from a trained RBM, whose hidden units shape v.</summary>
    VisibleBiases,
}

/// <summary>How <see cref="RnnRbmEvaluator"/> measures a model.</summary>
public sealed record EvaluationOptions
{
    /// <summary>
    /// The converged search as the command line and the service run it by default (issue 10): 10 AIS runs per step,
    /// <see cref="Evaluation.AisConvergence"/>'s defaults (tolerance 0.01 nats), and the marginals base from chains of
    /// 100 Gibbs steps started at the previous frame (docs/evaluation.md, "The converged schedule"). Change what else
    /// you need with <c>with</c>, e.g. <c>EvaluationOptions.Converged with { Accuracy = false }</c>.
    /// </summary>
    public static EvaluationOptions Converged => new()
    {
        AisRuns = 10,
        AisConvergence = new AisConvergence(),
        AisBaseChainStart = PredictionStart.PreviousFrame,
        AisBaseChainSteps = 100,
    };

    /// <summary>Estimate the log-likelihood by AIS.</summary>
    public bool LogLikelihood { get; init; } = true;

    /// <summary>
    /// How log P(v_t | v_&lt;t) is estimated: by AIS (the default, with <see cref="AisConvergence"/> or
    /// <see cref="Schedule"/>), or by the Gibbs-sample bracket of <see cref="BracketEstimator"/> (settings in
    /// <see cref="Bracket"/>; the AIS settings are then unused).
    /// </summary>
    public LikelihoodEstimator Estimator { get; init; } = LikelihoodEstimator.Ais;

    /// <summary>The bracket's settings, used when <see cref="Estimator"/> is <see cref="LikelihoodEstimator.Bracket"/>.</summary>
    public BracketOptions Bracket { get; init; } = new();

    /// <summary>AIS runs per time step (the paper: 100).</summary>
    public int AisRuns { get; init; } = 100;

    /// <summary>AIS inverse temperatures (used when <see cref="AisConvergence"/> is null).</summary>
    public AisSchedule Schedule { get; init; } = AisSchedule.Default;

    /// <summary>
    /// When set, <see cref="Schedule"/> is ignored and AIS searches for a converged schedule (<see cref="ConvergedAis"/>):
    /// sm K doubled per step until doubling moves the mean log-likelihood by less than the tolerance. The result then
    /// says whether it converged (<see cref="EvaluationResult.AisConverged"/>) and the last doubling's move
    /// (<see cref="EvaluationResult.AisShift"/>). Null: the explicit <see cref="Schedule"/>, as before.
    /// </summary>
    public AisConvergence? AisConvergence { get; init; }

    /// <summary>
    /// The training split, optional: when given, the result carries <see cref="EvaluationResult.BaselineLogLikelihood"/>,
    /// the log-likelihood of independent per-pitch Bernoullis fitted on it (add-one smoothing).
    /// </summary>
    public IReadOnlyList<PianoRolls.PianoRoll>? TrainingSequences { get; init; }

    /// <summary>Where AIS starts.</summary>
    public AisBase AisBase { get; init; } = AisBase.Marginals;

    /// <summary>
    /// Gibbs steps of the 10 chains per step whose mean last visible probabilities are the <see cref="AisBase.Marginals"/>
    /// base (25 by default, the setting every figure before issue 10 used).
    /// </summary>
    public int AisBaseChainSteps { get; init; } = 25;

    /// <summary>Where the base chains start (zeros by default, as before issue 10).</summary>
    public PredictionStart AisBaseChainStart { get; init; } = PredictionStart.Zeros;

    /// <summary>Measure the frame-level accuracy.</summary>
    public bool Accuracy { get; init; } = true;

    /// <summary>S, predictions sampled per time step; the accuracy uses their mean expected counts.</summary>
    public int AccuracySamples { get; init; } = 10;

    /// <summary>
    /// k, Gibbs steps of the chain that samples one prediction. 100 by default: generation's 25 are far from mixed
    /// on a trained model (docs/evaluation.md: Nottingham ACC 40% at k 25 from zeros, 51-53% at k 400 from either start).
    /// </summary>
    public int AccuracyGibbsSteps { get; init; } = 100;

    /// <summary>Where each prediction's chain starts (the previous frame by default: it mixes faster than zeros).</summary>
    public PredictionStart AccuracyStart { get; init; } = PredictionStart.PreviousFrame;

    /// <summary>Seed of every random choice (AIS and predictions use separate streams of it).</summary>
    public ulong Seed { get; init; } = 1234;

    /// <summary>
    /// 0 (the default): the log-likelihood of every step. N &gt; 0: of N steps drawn uniformly without replacement by
    /// <see cref="Seed"/> from all the sequences' steps (all of them when there are no more), each conditioned on its
    /// whole true history as always; their mean is an unbiased estimate of the whole split's at about N / steps of the
    /// cost (the recurrence, which is cheap, still runs over every step). The bracket estimator only, without the
    /// accuracy; <see cref="EvaluationResult.Steps"/> is then the steps measured.
    /// </summary>
    public int MeasuredSteps { get; init; }

    /// <summary>Threads (0 = as many as help, at most 2). Results do not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>What is wrong with these options, if anything, in words a user can act on.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (AisRuns < 1 || AisRuns > AisOptions.MaxRuns)
        {
            problems.Add($"AIS runs must lie in [1, {AisOptions.MaxRuns}].");
        }
        if (AisBaseChainSteps < 1 || AisBaseChainSteps > 10_000)
        {
            problems.Add("AIS base chain steps must lie in [1, 10000].");
        }
        if (AccuracySamples < 1 || AccuracySamples > 10_000)
        {
            problems.Add("Accuracy samples must lie in [1, 10000].");
        }
        if (AccuracyGibbsSteps < 1 || AccuracyGibbsSteps > 10_000)
        {
            problems.Add("Accuracy Gibbs steps must lie in [1, 10000].");
        }
        if (Estimator == LikelihoodEstimator.Bracket)
        {
            problems.AddRange(Bracket.Problems());
        }
        if (AisConvergence is not null)
        {
            problems.AddRange(AisConvergence.Problems());
        }
        if (Threads < 0 || Threads > 64)
        {
            problems.Add("Threads must lie in [0, 64].");
        }
        if (MeasuredSteps < 0)
        {
            problems.Add($"Measured steps must be 0 (every step) or a number of steps; got {MeasuredSteps}.");
        }
        else if (MeasuredSteps > 0 && (Estimator != LikelihoodEstimator.Bracket || Accuracy))
        {
            problems.Add("A sample of the steps is measured by the bracket estimator, for the log-likelihood only (the accuracy off).");
        }
        return problems;
    }
}

/// <summary>Where an evaluation is: <paramref name="Phase"/> "base" (AIS's base chains), "accuracy" or "likelihood", time steps done of the total.</summary>
public sealed record EvaluationProgress(string Phase, long Done, long Total);
