using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Evaluation;

public class ConvergedAisTests
{
    private static readonly NumericsBackend Blas = NumericsBackend.Select(null);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ConvergedSearch_AgreesWithEnumeration_AndSaysItConverged(bool sparse)
    {
        var random = new Random(31);
        const int v = 10, h = 37, rbms = 12; // H = 37: the vector hidden kernel and its tail
        float[] w = ExactRbm.Gaussian(random, v * h, 1.5);
        float[] a = ExactRbm.Gaussian(random, rbms * v, 1.5), b = ExactRbm.Gaussian(random, rbms * h, 1.0);
        var family = new RbmFamily(v, h, w, a, b);
        var convergence = new AisConvergence { InitialTransitions = 50, MaxTransitions = 6400, SparseProducts = sparse };

        ConvergedAisEstimate estimate = ConvergedAis.Estimate(family, new AisOptions { Runs = 100, Seed = 8 }, convergence, Blas);

        Assert.True(estimate.Converged, $"shift {estimate.Shift} after {estimate.Rounds.Count} rounds");
        Assert.True(Math.Abs(estimate.Shift) < convergence.Tolerance);
        Assert.True(estimate.Rounds.Count >= 2);
        Assert.Equal(rbms, estimate.Rounds[1].Steps); // the first check doubles every RBM
        for (int n = 0; n < rbms; n++)
        {
            double exact = ExactRbm.LogZ(v, h, w, a.AsSpan(n * v, v), b.AsSpan(n * h, h));
            double se = estimate.StandardError[n];
            Assert.True(Math.Abs(estimate.LogPartition[n] - exact) <= (4 * se) + 0.02,
                $"RBM {n} (K {estimate.Transitions[n]}): AIS {estimate.LogPartition[n]:F4} ± {se:F4}, exact {exact:F4}");
            Assert.Contains(estimate.Transitions[n], estimate.Rounds.Select(r => r.Transitions));
        }
    }

    [Fact]
    public void ShiftIsTheMeanOfEachStepsLastDoubling_AndOnlyUnsettledStepsGoOn()
    {
        // Strong weights: some RBMs settle early, others go on; the reported move must be the mean of every RBM's
        // own last doubling, which the rounds' step counts and the transitions per RBM let us recompute.
        var random = new Random(5);
        const int v = 10, h = 20, rbms = 16;
        float[] w = ExactRbm.Gaussian(random, v * h, 2.5);
        float[] a = ExactRbm.Gaussian(random, rbms * v, 1.5), b = ExactRbm.Gaussian(random, rbms * h, 1.0);
        var family = new RbmFamily(v, h, w, a, b);
        var convergence = new AisConvergence { Tolerance = 0.001, StepTolerance = 0.001, InitialTransitions = 10, MaxTransitions = 640 };

        ConvergedAisEstimate estimate = ConvergedAis.Estimate(family, new AisOptions { Runs = 50, Seed = 3 }, convergence, Blas);

        // Steps per round never grow, and each RBM's K is one of the rounds'; as many RBMs reached a K as ran its round
        // (beyond the first round, which every RBM runs and doubles).
        for (int r = 1; r < estimate.Rounds.Count; r++)
        {
            Assert.True(estimate.Rounds[r].Steps <= estimate.Rounds[r - 1].Steps);
            int reached = estimate.Transitions.Count(k => k >= estimate.Rounds[r].Transitions);
            Assert.Equal(estimate.Rounds[r].Steps, reached);
        }
        Assert.Equal(estimate.Rounds[^1].Shift, estimate.Shift);
        Assert.Equal(estimate.Converged, Math.Abs(estimate.Shift) < convergence.Tolerance);
    }

    [Fact]
    public void UnreachableTolerance_StopsAtTheLargestSchedule_NotConverged()
    {
        var random = new Random(2);
        const int v = 8, h = 12, rbms = 5;
        var family = new RbmFamily(v, h, ExactRbm.Gaussian(random, v * h, 2), ExactRbm.Gaussian(random, rbms * v, 1), ExactRbm.Gaussian(random, rbms * h, 1));
        var convergence = new AisConvergence { Tolerance = 1e-12, StepTolerance = 1e-12, InitialTransitions = 10, MaxTransitions = 40 };

        ConvergedAisEstimate estimate = ConvergedAis.Estimate(family, new AisOptions { Runs = 4, Seed = 1 }, convergence, Blas);

        Assert.False(estimate.Converged);
        Assert.Equal([10, 20, 40], estimate.Rounds.Select(r => r.Transitions));
        Assert.Equal(40, estimate.MaxTransitions);
    }

    [Fact]
    public void BadSettings_AreRejected_InWords()
    {
        var family = new RbmFamily(2, 2, new float[4], new float[2], new float[2]);
        ArgumentException error = Assert.Throws<ArgumentException>(() => ConvergedAis.Estimate(family, new AisOptions(),
            new AisConvergence { InitialTransitions = 100, MaxTransitions = 150 }, Blas));
        Assert.Contains("largest schedule", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(new EvaluationOptions { AisConvergence = new AisConvergence { Tolerance = -1 } }.Problems());
    }

    [Fact]
    public void Evaluator_WithConvergence_AgreesWithEnumeration_AndReportsTheSearch()
    {
        RnnRbmParameters p = RnnRbmEvaluatorTests.RandomParameters(new ModelShape(8, 5, 4), seed: 21, scale: 1.0);
        PianoRoll[] sequences = [RnnRbmEvaluatorTests.RandomRoll(6, 8, seed: 1), RnnRbmEvaluatorTests.RandomRoll(4, 8, seed: 2)];
        // The front doors' preset (previous-frame base chains of 100 steps), with more runs for a tight check.
        EvaluationOptions options = EvaluationOptions.Converged with
        {
            AisRuns = 100,
            AisConvergence = new AisConvergence { InitialTransitions = 50, MaxTransitions = 3200 },
            Accuracy = false,
            Seed = 5,
        };

        EvaluationResult result = new RnnRbmEvaluator(p, Blas).Evaluate(sequences, options);

        double[] exact = [.. sequences.SelectMany(s => RnnRbmEvaluatorTests.ExactStepLogLikelihoods(p, s))];
        Assert.True(Math.Abs(result.LogLikelihood!.Value - exact.Average()) <= (4 * result.StandardError!.Value) + 0.01,
            $"AIS {result.LogLikelihood:F4} ± {result.StandardError:F4}, exact {exact.Average():F4}");
        Assert.True(result.AisConverged);
        Assert.True(Math.Abs(result.AisShift!.Value) < 0.01);
        Assert.Equal(exact.Length, result.StepTransitions.Count);
        Assert.Equal(result.StepTransitions.Max(), result.AisTransitions);
        Assert.StartsWith("sm 50→", result.AisSchedule, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluator_WithAnExplicitSchedule_SaysNothingOfConvergence()
    {
        RnnRbmParameters p = RnnRbmEvaluatorTests.RandomParameters(new ModelShape(8, 5, 4), seed: 4, scale: 1.0);
        EvaluationResult result = new RnnRbmEvaluator(p, Blas).Evaluate([RnnRbmEvaluatorTests.RandomRoll(5, 8, seed: 3)],
            new EvaluationOptions { AisRuns = 5, Schedule = AisSchedule.Linear(7), Accuracy = false });
        Assert.Null(result.AisConverged);
        Assert.Null(result.AisShift);
        Assert.Empty(result.AisRounds);
        Assert.All(result.StepTransitions, k => Assert.Equal(7, k));
    }
}
