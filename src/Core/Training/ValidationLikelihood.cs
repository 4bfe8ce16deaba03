using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Training;

/// <summary>
/// The validation log-likelihood per step during training: AIS (<see cref="RnnRbmEvaluator"/>, log-likelihood only) on a
/// fixed, seeded subset of whole validation sequences, measured at K and at 2K transitions with the same random streams
/// so that the move of the doubling says whether K suffices (<see cref="EarlyStoppingOptions"/>).
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

    /// <summary>Measures <paramref name="parameters"/> at <paramref name="aisSteps"/> and twice as many transitions.</summary>
    /// <returns>The 2K estimate, and whether it moved by less than the tolerance from the K one.</returns>
    public ValidationEstimate Measure(RnnRbmParameters parameters, int aisSteps, CancellationToken cancellation = default)
    {
        var evaluator = new RnnRbmEvaluator(parameters, _backend);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        double coarse = Estimate(evaluator, aisSteps, cancellation);
        double fine = Estimate(evaluator, 2 * aisSteps, cancellation);
        double change = fine - coarse;
        bool converged = double.IsFinite(change) && Math.Abs(change) < _options.ConvergenceTolerance;
        return new ValidationEstimate(fine, change, converged, 2 * aisSteps, clock.Elapsed.TotalSeconds);
    }

    private double Estimate(RnnRbmEvaluator evaluator, int aisSteps, CancellationToken cancellation)
    {
        var options = new EvaluationOptions
        {
            Accuracy = false,
            AisRuns = _options.AisRuns,
            Schedule = AisSchedule.SalakhutdinovMurray(aisSteps),
            Seed = _options.Seed,
            Threads = _threads,
        };
        return evaluator.Evaluate(Subset, options, cancellation: cancellation).LogLikelihood ?? double.NaN;
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

    /// <summary>The log-likelihood per step of <paramref name="parameters"/> at 2·<paramref name="aisSteps"/> transitions, checked against <paramref name="aisSteps"/>.</summary>
    ValidationEstimate Measure(RnnRbmParameters parameters, int aisSteps, CancellationToken cancellation = default);
}

/// <summary>One validation measurement.</summary>
/// <param name="LogLikelihood">Mean log-likelihood per step at <paramref name="AisSteps"/> transitions.</param>
/// <param name="Change">How much halving the schedule would change it (the 2K minus the K estimate).</param>
/// <param name="Converged">|<paramref name="Change"/>| is below the tolerance.</param>
/// <param name="AisSteps">Transitions of the reported estimate (2K).</param>
/// <param name="Seconds">Wall time of both estimates.</param>
public sealed record ValidationEstimate(double LogLikelihood, double Change, bool Converged, int AisSteps, double Seconds);
