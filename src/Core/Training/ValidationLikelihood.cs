using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Training;

/// <summary>
/// The validation log-likelihood per step during training: the evaluator (<see cref="RnnRbmEvaluator"/>, log-likelihood
/// only, by the bracket with its doubling check or by AIS's converged search) on a fixed, seeded subset of whole
/// validation sequences, or on a fixed, seeded sample of the steps of all of them (<see cref="EarlyStoppingOptions.SampleSteps"/>).
/// </summary>
/// <remarks>
/// The same subset and seed every time: two epochs' estimates differ because the parameters differ, not the draws.
/// Both estimators read the log-likelihood too high when they have not converged (they underestimate log Z), more so for
/// sharper models; the doubling check is what keeps a sharper (possibly worse) model from looking better.
/// </remarks>
internal sealed class ValidationLikelihood : IValidationEstimator
{
    private const ulong SubsetStream = 7;

    private readonly EarlyStoppingOptions _options;
    private readonly NumericsBackend _backend;
    private readonly int _threads;

    public ValidationLikelihood(IReadOnlyList<PianoRoll> valid, EarlyStoppingOptions options, NumericsBackend backend, int threads)
    {
        _options = options;
        _backend = backend;
        _threads = threads;
        Subset = options.SampleSteps ? [.. valid.Where(s => s.Steps > 0)] : ChooseSubset(valid, options.ValidationSteps, options.Seed);
        int total = Subset.Sum(s => s.Steps);
        Steps = options.SampleSteps ? Math.Min(options.ValidationSteps, total) : total;
    }

    /// <summary>The validation sequences measured, in their original order (every one, when steps are sampled).</summary>
    public IReadOnlyList<PianoRoll> Subset { get; }

    /// <summary>Steps measured: those of <see cref="Subset"/>, or the sample drawn from them (<see cref="EarlyStoppingOptions.SampleSteps"/>).</summary>
    public int Steps { get; }

    /// <inheritdoc />
    public int Sequences => Subset.Count;

    /// <summary>
    /// Measures <paramref name="parameters"/> with the options' estimator: the bracket at C = <paramref name="chains"/>
    /// (M and S in the defaults' proportion to C; doubled once as the check unless its CSL gap is already below the tolerance, or unless
    /// <paramref name="check"/> is false), or AIS's
    /// converged search (<see cref="AisConvergence"/>: sm K from <paramref name="aisSteps"/> up, doubled per step until
    /// doubling moves the mean by less than the tolerance, with the marginals base from chains started at the previous
    /// frame, <see cref="EvaluationOptions.Converged"/>; always checked).
    /// </summary>
    /// <returns>
    /// The estimate at the last round, its last doubling's move, and whether that move was below the tolerance; without
    /// the check, the bracket's first pass as it reads (<see cref="ValidationEstimate.Checked"/> false).
    /// </returns>
    public ValidationEstimate Measure(RnnRbmParameters parameters, int aisSteps, bool check = true,
        int chains = EarlyStoppingOptions.MostBracketChains, CancellationToken cancellation = default)
    {
        var evaluator = new RnnRbmEvaluator(parameters, _backend);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        EvaluationOptions options = _options.Estimator == LikelihoodEstimator.Bracket
            ? new EvaluationOptions
            {
                Estimator = LikelihoodEstimator.Bracket,
                Bracket = new BracketOptions { Tolerance = _options.ConvergenceTolerance, MaxDoublings = check ? 1 : 0 }.Scaled(chains),
            }
            : EvaluationOptions.Converged with
            {
                AisRuns = _options.AisRuns,
                AisConvergence = new AisConvergence
                {
                    Tolerance = _options.ConvergenceTolerance,
                    StepTolerance = _options.ConvergenceTolerance,
                    InitialTransitions = aisSteps,
                    MaxTransitions = Math.Max(2 * aisSteps, _options.MaxAisSteps),
                },
            };
        options = options with
        {
            Accuracy = false, Seed = _options.Seed, Threads = _threads, MeasuredSteps = _options.SampleSteps ? _options.ValidationSteps : 0,
        };
        EvaluationResult result = evaluator.Evaluate(Subset, options, cancellation: cancellation);
        double seconds = clock.Elapsed.TotalSeconds;
        double logLikelihood = result.LogLikelihood ?? double.NaN;
        return _options.Estimator == LikelihoodEstimator.Bracket
            // A first pass whose CSL gap closed is as good as a checked one.
            ? new ValidationEstimate(logLikelihood, result.BracketShift ?? 0, result.BracketConverged == true, null, seconds,
                check || result.BracketConverged == true, Doubled: result.BracketShift is not null)
            : new ValidationEstimate(logLikelihood, result.AisShift ?? double.NaN, result.AisConverged == true, result.AisTransitions, seconds);
    }

    // Whole sequences in a seeded random order until at least `steps` steps and FewestValidationSequences sequences (the
    // latter only while under MostSubsetShare × `steps` steps), then back in their given order.
    internal static List<PianoRoll> ChooseSubset(IReadOnlyList<PianoRoll> valid, int steps, ulong seed)
    {
        int[] order = TrainingSplit.SeededOrder(valid.Count, seed, SubsetStream);
        var chosen = new List<int>();
        long total = 0;
        foreach (int index in order)
        {
            bool enoughSteps = total >= steps;
            bool enoughSequences = chosen.Count >= EarlyStoppingOptions.FewestValidationSequences
                || total >= (long)EarlyStoppingOptions.MostSubsetShare * steps;
            if (enoughSteps && enoughSequences)
            {
                break;
            }
            if (valid[index].Steps > 0)
            {
                chosen.Add(index);
                total += valid[index].Steps;
            }
        }
        chosen.Sort();
        return [.. chosen.Select(i => valid[i])];
    }
}

/// <summary>What <see cref="TrainingLoop"/> needs of a validation estimate (a seam for tests of its decisions).</summary>
internal interface IValidationEstimator
{
    /// <summary>Steps measured.</summary>
    int Steps { get; }

    /// <summary>Sequences measured.</summary>
    int Sequences { get; }

    /// <summary>
    /// The log-likelihood per step of <paramref name="parameters"/>, with a convergence check unless
    /// <paramref name="check"/> is false (an AIS search starts at <paramref name="aisSteps"/> transitions and is always checked;
    /// the bracket runs <paramref name="chains"/> chains).
    /// </summary>
    ValidationEstimate Measure(RnnRbmParameters parameters, int aisSteps, bool check = true,
        int chains = EarlyStoppingOptions.MostBracketChains, CancellationToken cancellation = default);
}

/// <summary>One validation measurement.</summary>
/// <param name="LogLikelihood">Mean log-likelihood per step at the last schedule.</param>
/// <param name="Change">How much the last doubling (of the AIS schedule, or of the bracket's chains and samples) moved it; 0 when the bracket closed without one.</param>
/// <param name="Converged">The check passed: |<paramref name="Change"/>| (or the bracket's width) is below the tolerance.</param>
/// <param name="AisSteps">Transitions of the last AIS schedule (null for the bracket).</param>
/// <param name="Seconds">Wall time of the measurement.</param>
/// <param name="Checked">
/// False when the check was skipped: <paramref name="LogLikelihood"/> is then the bracket's first pass as it reads (the
/// training loop adds the last check's move), <paramref name="Change"/> 0 and <paramref name="Converged"/> meaningless.
/// </param>
/// <param name="Doubled">
/// The bracket's doubling ran, so <paramref name="Change"/> is a measured move (false when its first pass closed its CSL
/// gap, as on a nearly untrained model, or when the check was skipped).
/// </param>
public sealed record ValidationEstimate(double LogLikelihood, double Change, bool Converged, int? AisSteps, double Seconds, bool Checked = true,
    bool Doubled = true);
