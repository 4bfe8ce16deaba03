using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Evaluation;

public class BracketEstimatorTests
{
    private static readonly NumericsBackend Blas = NumericsBackend.Select(null);

    // A family of random RBMs, data rows sampled as sparse binary frames, all of one sequence.
    private static (RbmFamily Family, float[] Truth, int[] History, double[] NegativeF) RandomFamily(int v, int h, int rbms, double scale, int seed)
    {
        var random = new Random(seed);
        var family = new RbmFamily(v, h, ExactRbm.Gaussian(random, v * h, scale), ExactRbm.Gaussian(random, rbms * v, 1.5),
            ExactRbm.Gaussian(random, rbms * h, 1.0));
        var truth = new float[rbms * v];
        for (int i = 0; i < truth.Length; i++)
        {
            truth[i] = random.NextDouble() < 0.3 ? 1 : 0;
        }
        int[] history = [.. Enumerable.Range(0, rbms)]; // one sequence
        double[] negativeF = [.. Enumerable.Range(0, rbms).Select(n => family.LogUnnormalized(n, truth.AsSpan(n * v, v)))];
        return (family, truth, history, negativeF);
    }

    private static double Exact(RbmFamily family, float[] truth, double[] negativeF, int n)
    {
        int v = family.Visible, h = family.Hidden;
        return negativeF[n] - ExactRbm.LogZ(v, h, family.Weights, family.VisibleBiases.AsSpan(n * v, v), family.HiddenBiases.AsSpan(n * h, h));
    }

    [Fact]
    public void Scaled_KeepsTheSamplesInProportionToTheChains()
    {
        var defaults = new BracketOptions();
        BracketOptions fewer = defaults.Scaled(25);
        Assert.Equal((25, 50, 100), (fewer.Chains, fewer.Samples, fewer.ImportanceSamples));
        BracketOptions doubled = defaults.Scaled(2 * defaults.Chains);
        Assert.Equal((200, 400, 800), (doubled.Chains, doubled.Samples, doubled.ImportanceSamples));
        Assert.Equal((defaults.BurnIn, defaults.Tolerance, defaults.MaxDoublings), (doubled.BurnIn, doubled.Tolerance, doubled.MaxDoublings));
        Assert.Empty(fewer.Problems());
    }

    [Fact]
    public void Bracket_ContainsTheExactValue_EstimateClose_LowerBoundBelow()
    {
        const int v = 10, h = 37, rbms = 12; // H = 37: the vector softplus and its scalar tail
        (RbmFamily family, float[] truth, int[] history, double[] negativeF) = RandomFamily(v, h, rbms, 1.5, seed: 41);
        var options = new BracketOptions { Chains = 10, BurnIn = 50, Samples = 200, ImportanceSamples = 2000, MaxDoublings = 0 };

        BracketEstimate estimate = BracketEstimator.Estimate(family, truth, history, negativeF, options, seed: 7, streams: 0, threads: 0, Blas);

        double[] exact = [.. Enumerable.Range(0, rbms).Select(n => Exact(family, truth, negativeF, n))];
        for (int n = 0; n < rbms; n++)
        {
            double se = estimate.StandardError[n];
            Assert.True(Math.Abs(estimate.Upper[n] - exact[n]) <= (4 * se) + 0.02,
                $"RBM {n}: estimate {estimate.Upper[n]:F4} ± {se:F4}, exact {exact[n]:F4}");
            Assert.True(estimate.Lower[n] <= exact[n] + 0.05, $"RBM {n}: lower bound {estimate.Lower[n]:F4}, exact {exact[n]:F4}");
            double seReverse = estimate.ReverseStandardError[n];
            Assert.True(estimate.Reverse[n] <= exact[n] + (4 * seReverse) + 0.01,
                $"RBM {n}: reverse bound {estimate.Reverse[n]:F4} ± {seReverse:F4}, exact {exact[n]:F4}");
        }
        double seMean = Math.Sqrt(estimate.StandardError.Sum(e => e * e)) / rbms;
        Assert.True(Math.Abs(estimate.Upper.Average() - exact.Average()) <= (4 * seMean) + 0.005);
        Assert.True(estimate.Lower.Average() <= exact.Average() + 0.01);
        double seReverseMean = Math.Sqrt(estimate.ReverseStandardError.Sum(e => e * e)) / rbms;
        Assert.True(estimate.Reverse.Average() <= exact.Average() + (4 * seReverseMean) + 0.005,
            $"reverse {estimate.Reverse.Average():F4} ± {seReverseMean:F4}, exact {exact.Average():F4}");
        Assert.Single(estimate.Rounds);
        Assert.Null(estimate.Shift);
        Assert.Equal(estimate.Rounds[0].Gap < options.Tolerance, estimate.Converged);
    }

    [Fact]
    public void Results_DoNotDependOnTheThreads()
    {
        (RbmFamily family, float[] truth, int[] history, double[] negativeF) = RandomFamily(9, 20, 40, 1.0, seed: 3);
        var options = new BracketOptions { Chains = 4, BurnIn = 10, Samples = 16, ImportanceSamples = 30 };

        BracketEstimate one = BracketEstimator.Estimate(family, truth, history, negativeF, options, 11, 0, threads: 1, Blas);
        BracketEstimate two = BracketEstimator.Estimate(family, truth, history, negativeF, options, 11, 0, threads: 2, Blas);

        Assert.Equal(one.Upper, two.Upper);
        Assert.Equal(one.Lower, two.Lower);
        Assert.Equal(one.StandardError, two.StandardError);
    }

    [Theory]
    [InlineData(70, 4.0)]  // sharp: the samples repeat, and units 64-69 sit in the key's second word
    [InlineData(12, 0.5)]  // flat and small
    [InlineData(130, 1.0)] // wider than a key: nothing is reused
    public void ReusingRepeatedSamples_ChangesNothing(int v, double scale)
    {
        (RbmFamily family, float[] truth, int[] history, double[] negativeF) = RandomFamily(v, 16, 20, scale, seed: 5);
        var options = new BracketOptions { Chains = 4, BurnIn = 5, Samples = 40, ImportanceSamples = 200, MaxDoublings = 1, Tolerance = 1e-9 };

        BracketEstimate reused = BracketEstimator.Estimate(family, truth, history, negativeF, options, 13, 0, threads: 2, Blas);
        BracketEstimate recomputed = BracketEstimator.Estimate(family, truth, history, negativeF,
            options with { ReuseRepeatedSamples = false }, 13, 0, threads: 2, Blas);

        Assert.Equal(recomputed.Upper, reused.Upper);
        Assert.Equal(recomputed.Lower, reused.Lower);
        Assert.Equal(recomputed.Reverse, reused.Reverse);
        Assert.Equal(recomputed.StandardError, reused.StandardError);
        Assert.Equal(recomputed.ReverseStandardError, reused.ReverseStandardError);
    }

    [Fact]
    public void WideGap_DoublesChainsAndSamples_UpToTheLimit_AndSaysNotConverged()
    {
        (RbmFamily family, float[] truth, int[] history, double[] negativeF) = RandomFamily(8, 12, 5, 1.0, seed: 9);
        var options = new BracketOptions { Chains = 2, BurnIn = 3, Samples = 4, ImportanceSamples = 5, Tolerance = 1e-9, MaxDoublings = 2 };

        BracketEstimate estimate = BracketEstimator.Estimate(family, truth, history, negativeF, options, 1, 0, 0, Blas);

        Assert.False(estimate.Converged);
        Assert.Equal([2, 4, 8], estimate.Rounds.Select(r => r.Chains));
        Assert.Equal([3, 3, 3], estimate.Rounds.Select(r => r.BurnIn));
        Assert.Equal(estimate.Rounds[2].Estimate - estimate.Rounds[1].Estimate, estimate.Shift);
        Assert.Equal([4, 8, 16], estimate.Rounds.Select(r => r.Samples));
        Assert.Equal([5, 10, 20], estimate.Rounds.Select(r => r.ImportanceSamples));
        Assert.Equal(estimate.Upper.Average(), estimate.Rounds[^1].Estimate, 12);
        Assert.Equal(estimate.Lower.Average(), estimate.Rounds[^1].LowerBound, 12);
        Assert.Equal(estimate.Reverse.Average(), estimate.Rounds[^1].ReverseBound, 12);
    }

    [Fact]
    public void MissedMode_ShowsAsAWideCslGap_ThatStillContainsTheExactValue_WhileTheReverseBoundIsFooled()
    {
        // Two modes, all off and all on, of equal mass, with no path between them for a Gibbs chain: a_i = -4,
        // one hidden unit with W_i1 = 8 and b = -40. Chains from zeros never see the all-on mode, where the datum is.
        const int v = 10;
        float[] w = [.. Enumerable.Repeat(8f, v)];
        float[] a = [.. Enumerable.Repeat(-4f, v)];
        // Three steps of one sequence, all on: step 2's history starts its two even chains in the all-on mode and
        // its two odd chains at zeros, as the two modes' equal masses.
        var family = new RbmFamily(v, 1, w, [.. a, .. a, .. a], [-40f, -40f, -40f]);
        float[] truth = [.. Enumerable.Repeat(1f, 3 * v)];
        double[] negativeF = [.. Enumerable.Range(0, 3).Select(n => family.LogUnnormalized(n, truth.AsSpan(n * v, v)))];
        double exact = Exact(family, truth, negativeF, 2);
        var options = new BracketOptions { Chains = 4, BurnIn = 20, Samples = 40, ImportanceSamples = 200, MaxDoublings = 0 };

        BracketEstimate zeros = BracketEstimator.Estimate(family, truth, [], negativeF, options, 5, 0, 0, Blas);
        BracketEstimate both = BracketEstimator.Estimate(family, truth, [0, 1, 2], negativeF, options, 5, 0, 0, Blas);

        Assert.True(zeros.Lower[2] < exact - 1 && zeros.Upper[2] > exact + 0.5,
            $"from zeros: [{zeros.Lower[2]:F3}, {zeros.Upper[2]:F3}], exact {exact:F3}");
        Assert.False(zeros.Converged);
        // The reverse bound sees only the chains' own mode: it agrees with the estimate on log Z of that mode alone.
        Assert.True(zeros.Reverse[2] > exact + 0.5 && Math.Abs(zeros.Reverse[2] - zeros.Upper[2]) < 0.05,
            $"reverse from zeros {zeros.Reverse[2]:F3}, estimate {zeros.Upper[2]:F3}, exact {exact:F3}");
        Assert.True(Math.Abs(both.Upper[2] - exact) < 0.05 && Math.Abs(both.Lower[2] - exact) < 0.05 && Math.Abs(both.Reverse[2] - exact) < 0.05,
            $"from both starts: CSL {both.Lower[2]:F3}, reverse {both.Reverse[2]:F3}, estimate {both.Upper[2]:F3}, exact {exact:F3}");
    }

    // A model small enough to enumerate (V 8, H 5), two sequences of the given lengths, the bracket with one check.
    private static (RnnRbmParameters Parameters, PianoRoll[] Sequences, EvaluationOptions Options) SmallModelCase(int first, int second) =>
        (RnnRbmEvaluatorTests.RandomParameters(new ModelShape(8, 5, 4), seed: 21, scale: 1.0),
            [RnnRbmEvaluatorTests.RandomRoll(first, 8, seed: 1), RnnRbmEvaluatorTests.RandomRoll(second, 8, seed: 2)],
            new EvaluationOptions
            {
                Estimator = LikelihoodEstimator.Bracket,
                Bracket = new BracketOptions { Chains = 10, BurnIn = 50, Samples = 200, ImportanceSamples = 1000, MaxDoublings = 1 },
                Accuracy = false,
                Seed = 5,
            });

    [Fact]
    public void Evaluator_WithTheBracket_AgreesWithEnumeration_AndReportsTheBounds()
    {
        (RnnRbmParameters p, PianoRoll[] sequences, EvaluationOptions options) = SmallModelCase(6, 4);

        EvaluationResult result = new RnnRbmEvaluator(p, Blas).Evaluate(sequences, options);

        double[] exact = [.. sequences.SelectMany(s => RnnRbmEvaluatorTests.ExactStepLogLikelihoods(p, s))];
        Assert.Equal(LikelihoodEstimator.Bracket, result.Estimator);
        Assert.Equal(exact.Length, result.StepLowerBounds.Count);
        Assert.True(Math.Abs(result.LogLikelihood!.Value - exact.Average()) <= (4 * result.StandardError!.Value) + 0.005,
            $"estimate {result.LogLikelihood:F4} ± {result.StandardError:F4}, exact {exact.Average():F4}");
        // Both lower bounds hold in expectation only: one draw may lie a little above (0.033 seen with the OpenBLAS
        // backend's rounding), so the margin is a few hundredths, well below the bounds' typical gaps.
        Assert.True(result.LowerBound!.Value <= exact.Average() + 0.05, $"lower bound {result.LowerBound:F4}, exact {exact.Average():F4}");
        Assert.True(result.ReverseBound!.Value <= exact.Average() + 0.05, $"reverse bound {result.ReverseBound:F4}, exact {exact.Average():F4}");
        Assert.Equal(result.LogLikelihood - result.LowerBound, result.BracketGap);
        bool settled = result.BracketGap < options.Bracket.Tolerance || Math.Abs(result.BracketShift ?? double.PositiveInfinity) < options.Bracket.Tolerance;
        Assert.Equal(settled, result.BracketConverged);
        Assert.Equal(result.BracketRounds.Count == 2, result.BracketShift is not null);
    }

    [Fact]
    public void Evaluator_MeasuringASampleOfTheSteps_AgreesWithEnumerationAtTheStepsDrawn()
    {
        (RnnRbmParameters p, PianoRoll[] sequences, EvaluationOptions small) = SmallModelCase(9, 7);
        EvaluationOptions options = small with { Bracket = small.Bracket with { MaxDoublings = 0 }, MeasuredSteps = 6 };

        EvaluationResult result = new RnnRbmEvaluator(p, Blas).Evaluate(sequences, options);

        // The steps drawn, each with its exact log-likelihood given its whole history (steps 9-15 are the second
        // sequence's 0-6): the estimate per step, not merely their mean, so a step measured with another step's biases
        // fails (the frames the bracket reads through its rows are checked exactly below).
        double[] exact = [.. sequences.SelectMany(s => RnnRbmEvaluatorTests.ExactStepLogLikelihoods(p, s))];
        int[] rows = RnnRbmEvaluator.MeasuredRows(exact.Length, 6, 5);
        Assert.Equal(6, rows.Distinct().Count());
        Assert.Equal((6L, 16L, 2), (result.Steps, result.SampledFrom!.Value, result.Sequences));
        Assert.Equal(6, result.StepLogLikelihoods.Count);
        for (int k = 0; k < rows.Length; k++)
        {
            double truth = exact[rows[k]];
            Assert.True(Math.Abs(result.StepLogLikelihoods[k] - truth) <= (4 * result.StepStandardErrors[k]) + 0.02,
                $"step {rows[k]}: estimate {result.StepLogLikelihoods[k]:F4} ± {result.StepStandardErrors[k]:F4}, exact {truth:F4}");
            Assert.True(result.StepLowerBounds[k] <= truth + 0.05, $"step {rows[k]}: CSL {result.StepLowerBounds[k]:F4}, exact {truth:F4}");
        }
        Assert.Equal(result.StepLogLikelihoods.Average(), result.LogLikelihood!.Value, 12);
        Assert.Null(result.SequenceStandardError);

        // As many steps as there are, or more: every step, as without a sample.
        EvaluationResult all = new RnnRbmEvaluator(p, Blas).Evaluate(sequences, options with { MeasuredSteps = 16 });
        Assert.Equal((16L, (long?)null), (all.Steps, all.SampledFrom));
    }

    [Fact]
    public void Rows_ReadEachRbmsFrameAndHistoryWhereTheySay()
    {
        // The same RBMs with their frames moved 7 rows down in a longer truth (junk above): through rows, the bracket
        // must read the very same frames (chain starts from the history, and the data for the CSL), so the same numbers.
        (RbmFamily family, float[] truth, int[] history, double[] negativeF) = RandomFamily(9, 20, 24, 1.0, seed: 8);
        const int v = 9, junk = 7;
        var moved = new float[(junk * v) + truth.Length];
        var random = new Random(2);
        for (int i = 0; i < junk * v; i++)
        {
            moved[i] = random.NextDouble() < 0.5 ? 1 : 0;
        }
        truth.CopyTo(moved, junk * v);
        var options = new BracketOptions { Chains = 6, BurnIn = 5, Samples = 12, ImportanceSamples = 30, MaxDoublings = 0 };

        BracketEstimate direct = BracketEstimator.Estimate(family, truth, history, negativeF, options, seed: 4, streams: 0, threads: 1, Blas);
        BracketEstimate throughRows = BracketEstimator.Estimate(family, moved, history, negativeF, options, seed: 4, streams: 0, threads: 1, Blas,
            rows: [.. Enumerable.Range(junk, 24)]);

        Assert.Equal(direct.Upper, throughRows.Upper);
        Assert.Equal(direct.Lower, throughRows.Lower);
        Assert.Equal(direct.Reverse, throughRows.Reverse);
        Assert.Throws<ArgumentException>(() => BracketEstimator.Estimate(family, moved, history, negativeF, options, 4, 0, 1, Blas,
            rows: [.. Enumerable.Range(junk + 1, 24)])); // the last row past the end
    }

    [Fact]
    public void TheStepsDrawn_AreDistinct_Ascending_AndFixedByTheSeed()
    {
        int[] rows = RnnRbmEvaluator.MeasuredRows(1000, 300, 1234);
        Assert.Equal(300, rows.Distinct().Count());
        Assert.True(rows.All(r => r is >= 0 and < 1000));
        Assert.Equal([.. rows.Order()], rows);
        Assert.Equal(rows, RnnRbmEvaluator.MeasuredRows(1000, 300, 1234));
        Assert.NotEqual(rows, RnnRbmEvaluator.MeasuredRows(1000, 300, 1235));
        // Spread over the whole range, not a run of it: both halves hold about half the sample.
        Assert.InRange(rows.Count(r => r < 500), 110, 190);
    }

    [Theory]
    [InlineData(-1, LikelihoodEstimator.Bracket, false)]
    [InlineData(100, LikelihoodEstimator.Ais, false)]
    [InlineData(100, LikelihoodEstimator.Bracket, true)]
    public void ASampleOfTheSteps_IsForTheBracketsLikelihoodOnly(int steps, LikelihoodEstimator estimator, bool accuracy)
    {
        var options = new EvaluationOptions { Estimator = estimator, Accuracy = accuracy, MeasuredSteps = steps };
        Assert.Contains(options.Problems(), p => p.Contains("steps", StringComparison.OrdinalIgnoreCase));
        Assert.Empty((options with { Estimator = LikelihoodEstimator.Bracket, Accuracy = false, MeasuredSteps = 100 }).Problems());
    }

    [Theory]
    [InlineData(1, 10, 10, 10)] // one chain: no other half for the reverse bound
    [InlineData(4, 0, 12, 10)]
    [InlineData(4, 10, 12, 0)]
    [InlineData(4, -1, 12, 10)]
    [InlineData(3, 10, 10, 10)] // M not a multiple of C
    public void BadSettings_AreNamed(int chains, int burnIn, int samples, int importance)
    {
        var options = new BracketOptions { Chains = chains, BurnIn = burnIn, Samples = samples, ImportanceSamples = importance };

        Assert.NotEmpty(options.Problems());
        Assert.NotEmpty(new EvaluationOptions { Estimator = LikelihoodEstimator.Bracket, Bracket = options }.Problems());
        Assert.Empty(new EvaluationOptions { Bracket = options }.Problems()); // unused by AIS
    }
}
