using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Tests.Evaluation;

public class AnnealedImportanceSamplerTests
{
    private static readonly NumericsBackend Blas = NumericsBackend.Select(null);

    // Several families of tiny RBMs, weak to strong weights; H = 6 runs the scalar kernel, H = 37 the vector one and its tail.
    [Theory]
    [InlineData(8, 6, 0.3, 1)]
    [InlineData(10, 6, 1.0, 2)]
    [InlineData(10, 8, 2.0, 3)]
    [InlineData(9, 37, 0.5, 4)]
    [InlineData(10, 37, 1.5, 5)]
    public void LogZ_AgreesWithEnumeration_WithinAFewStandardErrors(int visible, int hidden, double weightScale, int seed)
    {
        var random = new Random(seed);
        const int rbms = 6;
        float[] w = ExactRbm.Gaussian(random, visible * hidden, weightScale);
        float[] a = ExactRbm.Gaussian(random, rbms * visible, 1.5);
        float[] b = ExactRbm.Gaussian(random, rbms * hidden, 1.0);
        var family = new RbmFamily(visible, hidden, w, a, b);

        AisEstimate estimate = AnnealedImportanceSampler.Estimate(family,
            new AisOptions { Runs = 200, Schedule = AisSchedule.SalakhutdinovMurray(2000), Seed = (ulong)seed }, Blas);

        for (int n = 0; n < rbms; n++)
        {
            double exact = ExactRbm.LogZ(visible, hidden, w, a.AsSpan(n * visible, visible), b.AsSpan(n * hidden, hidden));
            double error = estimate.LogPartition[n] - exact;
            double se = estimate.StandardError[n];
            Assert.True(Math.Abs(error) <= (4 * se) + 0.01, $"RBM {n}: AIS {estimate.LogPartition[n]:F4} ± {se:F4}, exact {exact:F4}");
            Assert.True(se < 0.2, $"RBM {n}: standard error {se} too large to test anything");
        }
        Assert.True(estimate.Flops > 0 && estimate.GflopPerSecond > 0);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void AnyBaseDistribution_GivesTheSameLogZ(double weightScale)
    {
        // The base's visible biases change only the variance: a random base must still agree with enumeration.
        var random = new Random(17);
        const int v = 10, h = 12, rbms = 4;
        float[] w = ExactRbm.Gaussian(random, v * h, weightScale);
        float[] a = ExactRbm.Gaussian(random, rbms * v, 1.5), b = ExactRbm.Gaussian(random, rbms * h, 1.0);
        float[] aBase = ExactRbm.Gaussian(random, rbms * v, 2.0);
        var family = new RbmFamily(v, h, w, a, b) { BaseVisibleBiases = aBase };
        AisEstimate estimate = AnnealedImportanceSampler.Estimate(family,
            new AisOptions { Runs = 200, Schedule = AisSchedule.SalakhutdinovMurray(2000), Seed = 2 }, Blas);
        for (int n = 0; n < rbms; n++)
        {
            double exact = ExactRbm.LogZ(v, h, w, a.AsSpan(n * v, v), b.AsSpan(n * h, h));
            double se = estimate.StandardError[n];
            Assert.True(Math.Abs(estimate.LogPartition[n] - exact) <= (4 * se) + 0.01, $"RBM {n}: AIS {estimate.LogPartition[n]:F4} ± {se:F4}, exact {exact:F4}");
        }
    }

    [Fact]
    public void ZeroWeights_GiveTheExactLogZ_WithNoSpread()
    {
        // W = 0: p*_β(v) ∝ exp(a·v) Π_j (1 + e^{β b_j}), every run gets the same weight and log Ẑ is exact.
        var random = new Random(7);
        float[] a = ExactRbm.Gaussian(random, 3 * 12, 2), b = ExactRbm.Gaussian(random, 3 * 20, 2);
        var family = new RbmFamily(12, 20, new float[12 * 20], a, b);
        AisEstimate estimate = AnnealedImportanceSampler.Estimate(family, new AisOptions { Runs = 5, Schedule = AisSchedule.Linear(10) }, Blas);
        for (int n = 0; n < 3; n++)
        {
            double exact = ExactRbm.LogZ(12, 20, new float[12 * 20], a.AsSpan(n * 12, 12), b.AsSpan(n * 20, 20));
            Assert.Equal(exact, estimate.LogPartition[n], 4);
            Assert.True(estimate.StandardError[n] < 1e-5);
        }
    }

    [Fact]
    public void SameSeed_SameNumbers_WhateverTheThreads_OtherSeed_OtherNumbers()
    {
        var random = new Random(11);
        float[] w = ExactRbm.Gaussian(random, 20 * 30, 1), a = ExactRbm.Gaussian(random, 9 * 20, 1), b = ExactRbm.Gaussian(random, 9 * 30, 1);
        var family = new RbmFamily(20, 30, w, a, b);
        var options = new AisOptions { Runs = 64, Schedule = AisSchedule.Linear(50), Seed = 3 };
        AisEstimate one = AnnealedImportanceSampler.Estimate(family, options with { Threads = 1 }, Blas);
        AisEstimate two = AnnealedImportanceSampler.Estimate(family, options with { Threads = 2 }, Blas);
        AisEstimate again = AnnealedImportanceSampler.Estimate(family, options with { Threads = 2 }, Blas);
        AisEstimate other = AnnealedImportanceSampler.Estimate(family, options with { Seed = 4 }, Blas);
        Assert.Equal(one.LogPartition, two.LogPartition);
        Assert.Equal(two.LogPartition, again.LogPartition);
        Assert.Equal(one.StandardError, two.StandardError);
        Assert.NotEqual(one.LogPartition, other.LogPartition);
    }

    [Fact]
    public void Cancellation_StopsPromptly()
    {
        var random = new Random(5);
        const int v = 88, h = 150, n = 2000;
        var family = new RbmFamily(v, h, ExactRbm.Gaussian(random, v * h, 0.1), ExactRbm.Gaussian(random, n * v, 1), ExactRbm.Gaussian(random, n * h, 1));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        // Uncancelled this is hours of work; the token is checked at every transition of every tile (well under a
        // millisecond apart). The wait only bounds a hang; the assertion is that this token is what stopped the work.
        OperationCanceledException stopped = Assert.ThrowsAny<OperationCanceledException>(() =>
            Task.Run(() => AnnealedImportanceSampler.Estimate(family,
                new AisOptions { Runs = 100, Schedule = AisSchedule.Paper }, Blas, cancellation: cancellation.Token))
                .WaitAsync(TimeSpan.FromMinutes(2)).GetAwaiter().GetResult());
        Assert.Equal(cancellation.Token, stopped.CancellationToken);
    }

    [Fact]
    public void HiddenStep_VectorAndScalarPaths_AgreeWithDoublePrecision()
    {
        var random = new Random(9);
        const int h = 45; // two vectors of 16 and a tail of 13
        float[] xw = ExactRbm.Gaussian(random, h, 8), bias = ExactRbm.Gaussian(random, h, 3);
        var p = new float[h];
        const float beta = 0.75f, previous = 0.7f;
        double fast = RbmTileWorker.HiddenStep(xw, bias, beta, previous, p, writeProbabilities: true);
        double exact = 0;
        for (int j = 0; j < h; j++)
        {
            double x = (double)xw[j] + bias[j];
            exact += Softplus(beta * x) - Softplus(previous * x);
            Assert.Equal(1 / (1 + Math.Exp(-beta * x)), p[j], 6);
        }
        Assert.Equal(exact, fast, 5);
    }

    private static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
}
