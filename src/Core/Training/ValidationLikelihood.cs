using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Training;

/// <summary>
/// The validation log-likelihood per step during training: AIS (<see cref="RnnRbmEvaluator"/>, log-likelihood only, its
/// converged search) on a fixed, seeded subset of whole validation sequences (<see cref="EarlyStoppingOptions"/>).
/// </summary>
/// <remarks>
/// The same subset and seed every time: two epochs' estimates differ because the parameters differ, not the draws.
/// Unconverged AIS underestimates log Z and so reads the log-likelihood too high, more so for sharper models; the
/// doubling check is what keeps a sharper (possibly worse) model from looking better.
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
        Subset = ChooseSubset(valid, options.ValidationSteps, options.Seed);
        Steps = Subset.Sum(s => s.Steps);
    }

    /// <summary>The validation sequences measured, in their original order.</summary>
    public IReadOnlyList<PianoRoll> Subset { get; }

    /// <summary>Steps of <see cref="Subset"/>.</summary>
    public int Steps { get; }

    /// <inheritdoc />
    public int Sequences => Subset.Count;

    /// <summary>
    /// Measures <paramref name="parameters"/> by the evaluator's converged search (<see cref="AisConvergence"/>): sm K from
    /// <paramref name="aisSteps"/> up, doubled per step until doubling moves the mean by less than the tolerance, with the
    /// marginals base from chains started at the previous frame (<see cref="EvaluationOptions.Converged"/>).
    /// </summary>
    /// <returns>The estimate at the last schedule, its last doubling's move, and whether that move was below the tolerance.</returns>
    public ValidationEstimate Measure(RnnRbmParameters parameters, int aisSteps, CancellationToken cancellation = default)
    {
        var evaluator = new RnnRbmEvaluator(parameters, _backend);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        EvaluationOptions options = EvaluationOptions.Converged with
        {
            Accuracy = false,
            AisRuns = _options.AisRuns,
            AisConvergence = new AisConvergence
            {
                Tolerance = _options.ConvergenceTolerance,
                StepTolerance = _options.ConvergenceTolerance,
                InitialTransitions = aisSteps,
                MaxTransitions = Math.Max(2 * aisSteps, _options.MaxAisSteps),
            },
            Seed = _options.Seed,
            Threads = _threads,
        };
        EvaluationResult result = evaluator.Evaluate(Subset, options, cancellation: cancellation);
        return new ValidationEstimate(result.LogLikelihood ?? double.NaN, result.AisShift ?? double.NaN, result.AisConverged == true,
            result.AisTransitions, clock.Elapsed.TotalSeconds);
    }

    // Whole sequences in a seeded random order until at least `steps` steps, then back in their given order.
    private static List<PianoRoll> ChooseSubset(IReadOnlyList<PianoRoll> valid, int steps, ulong seed)
    {
        int[] order = TrainingSplit.SeededOrder(valid.Count, seed, SubsetStream);
        var chosen = new List<int>();
        long total = 0;
        foreach (int index in order)
        {
            if (total >= steps)
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

    /// <summary>The log-likelihood per step of <paramref name="parameters"/>, by a search for a converged schedule that starts at <paramref name="aisSteps"/> transitions.</summary>
    ValidationEstimate Measure(RnnRbmParameters parameters, int aisSteps, CancellationToken cancellation = default);
}

/// <summary>One validation measurement.</summary>
/// <param name="LogLikelihood">Mean log-likelihood per step at the last schedule.</param>
/// <param name="Change">How much the last doubling of the schedule moved it.</param>
/// <param name="Converged">|<paramref name="Change"/>| is below the tolerance.</param>
/// <param name="AisSteps">Transitions of the last schedule.</param>
/// <param name="Seconds">Wall time of the search.</param>
public sealed record ValidationEstimate(double LogLikelihood, double Change, bool Converged, int AisSteps, double Seconds);
