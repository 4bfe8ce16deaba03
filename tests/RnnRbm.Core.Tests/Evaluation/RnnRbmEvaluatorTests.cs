using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Tests.Model;

namespace RnnRbm.Core.Tests.Evaluation;

public class RnnRbmEvaluatorTests
{
    private static readonly NumericsBackend Blas = NumericsBackend.Select(null);

    [Theory]
    [InlineData(AisBase.Marginals)]
    [InlineData(AisBase.VisibleBiases)]
    public void LogLikelihood_OfATinyModel_AgreesWithEnumeration_StepByStep(AisBase start)
    {
        RnnRbmParameters p = RandomParameters(new ModelShape(8, 5, 4), seed: 21, scale: 1.0);
        PianoRoll[] sequences = [RandomRoll(6, 8, seed: 1), RandomRoll(4, 8, seed: 2)];
        var options = new EvaluationOptions { AisRuns = 200, Schedule = AisSchedule.SalakhutdinovMurray(1000), AisBase = start, Accuracy = false, Seed = 5 };

        EvaluationResult result = new RnnRbmEvaluator(p, Blas).Evaluate(sequences, options);

        double[] exact = [.. sequences.SelectMany(s => ExactStepLogLikelihoods(p, s))];
        Assert.Equal(10, result.Steps);
        Assert.Equal(exact.Length, result.StepLogLikelihoods.Count);
        for (int t = 0; t < exact.Length; t++)
        {
            double se = result.StepStandardErrors[t];
            Assert.True(Math.Abs(result.StepLogLikelihoods[t] - exact[t]) <= (4 * se) + 0.01,
                $"step {t}: AIS {result.StepLogLikelihoods[t]:F4} ± {se:F4}, exact {exact[t]:F4}");
        }
        Assert.True(Math.Abs(result.LogLikelihood!.Value - exact.Average()) <= (4 * result.StandardError!.Value) + 0.005);
        Assert.True(result.AisGflopPerSecond > 0);
    }

    [Fact]
    public void IndependentUnits_GiveTheExactLikelihood_AndTheHandComputedAccuracy()
    {
        // W = 0, Wuv = 0: each step's RBM is the independent units P(v_i = 1) = σ(bv_i), whatever the history.
        var shape = new ModelShape(4, 3, 2);
        var p = RandomParameters(shape, seed: 3, scale: 0.5);
        Array.Clear(p.W);
        Array.Clear(p.Wuv);
        float[] bv = [2f, -1f, 0f, -3f];
        bv.CopyTo(p.Bv, 0);
        var range = new PitchRange(60, 64);
        PianoRoll roll = PianoRoll.FromNoteLists([[60, 62], [61], [], [60]], range);

        EvaluationResult result = new RnnRbmEvaluator(p, Blas).Evaluate([roll],
            new EvaluationOptions { AisRuns = 3, Schedule = AisSchedule.Linear(5), AccuracySamples = 2, AccuracyGibbsSteps = 3 });

        double ll = 0, tp = 0, fp = 0, fn = 0;
        for (int t = 0; t < roll.Steps; t++)
        {
            for (int i = 0; i < 4; i++)
            {
                double q = 1 / (1 + Math.Exp(-bv[i]));
                bool on = roll.Row(t)[i] != 0;
                ll += Math.Log(on ? q : 1 - q);
                tp += on ? q : 0;
                fn += on ? 1 - q : 0;
                fp += on ? 0 : q;
            }
        }
        Assert.Equal(ll / roll.Steps, result.LogLikelihood!.Value, 4);
        Assert.Equal(tp / (tp + fp + fn), result.Accuracy!.Value, 5);
        Assert.Equal(tp, result.AccuracyCounts!.TruePositives, 4);
    }

    [Fact]
    public void FrameAccuracy_OfHandMadePredictions_IsTheHandComputation()
    {
        var acc = new FrameAccuracy();
        // Frame 1: truth {0, 2}, predicted {0, 1}: TP 1, FP 1, FN 1. Frame 2: truth {1}, predicted {1, 3}: TP 1, FP 1.
        acc.AddExpected([1, 0, 1, 0], [1, 1, 0, 0]);
        acc.AddExpected([0, 1, 0, 0], [0, 1, 0, 1]);
        Assert.Equal((2.0, 2.0, 1.0), (acc.TruePositives, acc.FalsePositives, acc.FalseNegatives));
        Assert.Equal(2.0 / 5, acc.Value, 12);

        // Probabilities stand for samples: truth {0}, q = (0.5, 0.25): E[TP] 0.5, E[FN] 0.5, E[FP] 0.25, weight 2.
        var expected = new FrameAccuracy();
        expected.AddExpected([1, 0], [0.5f, 0.25f], weight: 2);
        Assert.Equal((1.0, 0.5, 1.0), (expected.TruePositives, expected.FalsePositives, expected.FalseNegatives));
        acc.Add(expected);
        Assert.Equal(3.0 / (3 + 2.5 + 2), acc.Value, 12);
        Assert.Equal(0, new FrameAccuracy().Value);
    }

    [Fact]
    public void SameSeed_SameResult_WhateverTheThreads()
    {
        RnnRbmParameters p = RandomParameters(new ModelShape(12, 20, 10), seed: 8, scale: 0.5);
        PianoRoll[] sequences = [RandomRoll(30, 12, seed: 3), RandomRoll(17, 12, seed: 4)];
        var options = new EvaluationOptions { AisRuns = 20, Schedule = AisSchedule.Linear(40), AccuracySamples = 3, AccuracyGibbsSteps = 4, Seed = 9 };
        var evaluator = new RnnRbmEvaluator(p, Blas);
        EvaluationResult a = evaluator.Evaluate(sequences, options with { Threads = 1 });
        EvaluationResult b = evaluator.Evaluate(sequences, options with { Threads = 2 });
        EvaluationResult c = evaluator.Evaluate(sequences, options with { Seed = 10 });
        Assert.Equal(a.LogLikelihood, b.LogLikelihood);
        Assert.Equal(a.Accuracy, b.Accuracy);
        Assert.Equal(a.StepLogLikelihoods, b.StepLogLikelihoods);
        Assert.NotEqual(a.LogLikelihood, c.LogLikelihood);
        Assert.NotEqual(a.Accuracy, c.Accuracy);
    }

    [Fact]
    public void Progress_CountsEveryStep_InBothPhases()
    {
        RnnRbmParameters p = RandomParameters(ModelShape.Seed, seed: 1, scale: 0.05);
        PianoRoll[] sequences = [RandomRoll(150, 88, seed: 1), RandomRoll(250, 88, seed: 2)];
        var reports = new List<EvaluationProgress>(); // the callback is called one at a time
        new RnnRbmEvaluator(p, Blas).Evaluate(sequences,
            new EvaluationOptions { AisRuns = 10, Schedule = AisSchedule.Linear(3), AccuracySamples = 2, AccuracyGibbsSteps = 2, Threads = 2 },
            reports.Add);
        foreach (string phase in new[] { "likelihood", "accuracy" })
        {
            long[] done = [.. reports.Where(r => r.Phase == phase).Select(r => r.Done)];
            Assert.True(done.Length > 1);
            Assert.Equal(done.Order(), done);
            Assert.Equal(400, done[^1]);
            Assert.All(reports.Where(r => r.Phase == phase), r => Assert.Equal(400, r.Total));
        }
    }

    [Fact]
    public void Cancellation_StopsPromptly()
    {
        RnnRbmParameters p = RandomParameters(ModelShape.Seed, seed: 1, scale: 0.05);
        PianoRoll[] sequences = [.. Enumerable.Range(0, 10).Select(i => RandomRoll(200, 88, seed: i))];
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        // Uncancelled this is hours of work; the token is checked at every transition of every tile (well under a
        // millisecond apart). The wait only bounds a hang; the assertion is that this token is what stopped the work.
        OperationCanceledException stopped = Assert.ThrowsAny<OperationCanceledException>(() =>
            Task.Run(() => new RnnRbmEvaluator(p, Blas).Evaluate(sequences,
                new EvaluationOptions { Schedule = AisSchedule.Paper }, cancellation: cancellation.Token))
                .WaitAsync(TimeSpan.FromMinutes(2)).GetAwaiter().GetResult());
        Assert.Equal(cancellation.Token, stopped.CancellationToken);
    }

    /// <summary>log P(v_t | v_&lt;t) by the double-precision recurrence and enumeration of every visible state.</summary>
    internal static double[] ExactStepLogLikelihoods(RnnRbmParameters parameters, PianoRoll roll)
    {
        var reference = ReferenceRnnRbm.From(parameters);
        int v = parameters.Shape.Visible, h = parameters.Shape.Hidden;
        var x = new double[roll.Steps, v];
        for (int t = 0; t < roll.Steps; t++)
        {
            for (int i = 0; i < v; i++)
            {
                x[t, i] = roll.Row(t)[i];
            }
        }
        (double[,] bvt, double[,] bht, _) = reference.Recur(x);
        var w = new float[v * h];
        for (int i = 0; i < v; i++)
        {
            for (int j = 0; j < h; j++)
            {
                w[(i * h) + j] = (float)reference.W[i, j];
            }
        }
        var result = new double[roll.Steps];
        for (int t = 0; t < roll.Steps; t++)
        {
            var a = new float[v];
            var b = new float[h];
            double negF = 0;
            for (int i = 0; i < v; i++)
            {
                a[i] = (float)bvt[t, i];
                negF += x[t, i] * bvt[t, i];
            }
            for (int j = 0; j < h; j++)
            {
                b[j] = (float)bht[t, j];
                double s = bht[t, j];
                for (int i = 0; i < v; i++)
                {
                    s += x[t, i] * reference.W[i, j];
                }
                negF += Math.Max(s, 0) + Math.Log(1 + Math.Exp(-Math.Abs(s)));
            }
            result[t] = negF - ExactRbm.LogZ(v, h, w, a, b);
        }
        return result;
    }

    internal static RnnRbmParameters RandomParameters(ModelShape shape, int seed, double scale)
    {
        var p = new RnnRbmParameters(shape);
        var random = new Random(seed);
        foreach (NamedTensor tensor in p.Tensors)
        {
            ExactRbm.Gaussian(random, tensor.Values.Length, scale).CopyTo(tensor.Values, 0);
        }
        return p;
    }

    internal static PianoRoll RandomRoll(int steps, int visible, int seed)
    {
        var random = new Random(seed);
        int lowest = Math.Min(60, 128 - visible);
        var roll = new PianoRoll(steps, new PitchRange(lowest, lowest + visible));
        for (int t = 0; t < steps; t++)
        {
            Span<byte> row = roll.MutableRow(t);
            for (int i = 0; i < visible; i++)
            {
                row[i] = random.NextDouble() < 0.3 ? (byte)1 : (byte)0;
            }
        }
        return roll;
    }
}
