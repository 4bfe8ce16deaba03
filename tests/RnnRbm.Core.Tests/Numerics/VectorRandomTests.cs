using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Tests.Numerics;

public class VectorRandomTests
{
    // Lengths around the 16-lane block: the consumption rule matters at the edges.
    private static readonly int[] Lengths = [1, 15, 16, 17, 33, 150, 100 * 150, 7];

    [Fact]
    public void SameSeed_GivesSameStream()
    {
        var a = new VectorRandom(42, 3);
        var b = new VectorRandom(42, 3);
        foreach (var n in Lengths)
        {
            var x = new float[n];
            var y = new float[n];
            a.NextUniform(x);
            b.NextUniform(y);
            Assert.Equal(x, y);
        }
    }

    [Fact]
    public void DifferentStreamsAndSeeds_Differ()
    {
        var first = Draw(new VectorRandom(42, 0), 64);
        Assert.NotEqual(first, Draw(new VectorRandom(42, 1), 64));
        Assert.NotEqual(first, Draw(new VectorRandom(43, 0), 64));
        Assert.NotEqual(Draw(new VectorRandom(0, 1), 64), Draw(new VectorRandom(1, 0), 64));

        // Independent-looking: neighbouring streams agree on about as many lanes as chance allows.
        var s0 = Draw(new VectorRandom(7, 0), 10_000);
        var s1 = Draw(new VectorRandom(7, 1), 10_000);
        double correlation = Correlation(s0, s1);
        Assert.InRange(correlation, -0.05, 0.05);
    }

    [Fact]
    public void Vector512_Vector256_AndScalarPaths_GiveIdenticalBits()
    {
        var levels = SimdSupport.Supported().ToArray();
        Assert.Contains(SimdLevel.Scalar, levels);
        var generators = levels.Select(l => new VectorRandom(2024, 5) { Level = l }).ToArray();
        var probabilities = GemmTests.RandomArray(new Random(3), 100 * 150).Select(Math.Abs).ToArray();
        foreach (var n in Lengths)
        {
            var outputs = generators.Select(g => { var d = new float[n]; g.NextUniform(d); return d; }).ToArray();
            var samples = generators.Select(g => { var d = new float[n]; g.SampleBernoulli(probabilities, d); return d; }).ToArray();
            for (int i = 1; i < generators.Length; i++)
            {
                Assert.Equal(Bits(outputs[0]), Bits(outputs[i]));
                Assert.Equal(samples[0], samples[i]);
                Assert.Equal(generators[0].GetState(), generators[i].GetState());
            }
        }
    }

    [Fact]
    public void AllPaths_MatchThePublishedXoshiro128PlusStep()
    {
        // Lane 0 of the generator against an independent scalar xoshiro128+ from the same lane state.
        var random = new VectorRandom(9);
        var state = random.GetState();
        uint s0 = state[0], s1 = state[16], s2 = state[32], s3 = state[48];
        var u = new float[16 * 20];
        random.NextUniform(u);
        for (int step = 0; step < 20; step++)
        {
            uint result = s0 + s3;
            uint t = s1 << 9;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = (s3 << 11) | (s3 >> 21);
            Assert.Equal((result >> 8) / 16777216f, u[step * 16]);
        }
    }

    [Fact]
    public void Consumption_DependsOnlyOnLengthsAsked()
    {
        // 17 values take two steps, so the next value is lane 0 of step 3 either way.
        var a = new VectorRandom(5);
        var b = new VectorRandom(5);
        a.NextUniform(new float[17]);
        b.NextUniform(new float[32]);
        Assert.Equal(Draw(a, 20), Draw(b, 20));

        // Bernoulli sampling consumes exactly like uniforms and thresholds the same values.
        var c = new VectorRandom(6);
        var d = new VectorRandom(6);
        var p = Enumerable.Repeat(0.5f, 37).ToArray();
        var bits = new float[37];
        c.SampleBernoulli(p, bits);
        var uniforms = Draw(d, 37);
        Assert.Equal(uniforms.Select(x => x < 0.5f ? 1f : 0f).ToArray(), bits);
        Assert.Equal(c.GetState(), d.GetState());
    }

    [Fact]
    public void Uniform_HasMeanAndVarianceOfU01()
    {
        var x = Draw(new VectorRandom(77), 1_000_000);
        double mean = x.Average(v => (double)v);
        double variance = x.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, 0.5 - 0.002, 0.5 + 0.002);          // sd of mean ≈ 0.00029
        Assert.InRange(variance, (1.0 / 12) - 0.001, (1.0 / 12) + 0.001);
        Assert.All(x, v => Assert.InRange(v, 0f, 0.99999995f));
    }

    [Fact]
    public void Bernoulli_FrequenciesFollowProbabilities()
    {
        var random = new VectorRandom(8);
        foreach (var p in new[] { 0f, 0.03f, 0.5f, 0.9f, 1f })
        {
            var probabilities = Enumerable.Repeat(p, 200_000).ToArray();
            var samples = new float[probabilities.Length];
            random.SampleBernoulli(probabilities, samples);
            Assert.All(samples, s => Assert.True(s is 0f or 1f));
            double frequency = samples.Average(s => (double)s);
            Assert.InRange(frequency, p - 0.005, p + 0.005);
        }
    }

    [Fact]
    public void Gaussian_IsDeterministic_WithRequestedSpread()
    {
        var x = new float[200_001];
        new VectorRandom(10).NextGaussian(x, 0.01f);
        var y = new float[x.Length];
        new VectorRandom(10).NextGaussian(y, 0.01f);
        Assert.Equal(x, y);
        double mean = x.Average(v => (double)v);
        double sd = Math.Sqrt(x.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, -0.0002, 0.0002);
        Assert.InRange(sd, 0.0099, 0.0101);
        Assert.All(x, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void NextInt_IsInRangeAndUniform()
    {
        var random = new VectorRandom(12);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++)
        {
            counts[random.NextInt(7)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        Assert.Equal(0, random.NextInt(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextInt(0));
    }

    [Fact]
    public void GetStateSetState_RoundTrip_ContinuesIdentically()
    {
        var original = new VectorRandom(13, 2);
        original.NextUniform(new float[50]);
        var state = original.GetState();
        Assert.Equal(64, state.Length);
        var expected = Draw(original, 100);
        int expectedInt = original.NextInt(1000);

        var restored = new VectorRandom(999);
        restored.SetState(state);
        Assert.Equal(expected, Draw(restored, 100));
        Assert.Equal(expectedInt, restored.NextInt(1000));

        // GetState hands out a copy: mutating it does not touch the generator.
        state[0] ^= 1;
        Assert.Equal(original.GetState(), restored.GetState());
    }

    [Fact]
    public void SetState_RejectsWrongLengthAndZeroLanes()
    {
        var random = new VectorRandom(1);
        var before = random.GetState();
        Assert.Throws<ArgumentException>(() => random.SetState(new uint[63]));
        Assert.Throws<ArgumentException>(() => random.SetState(new uint[65]));
        var zeroLane = random.GetState();
        foreach (int word in new[] { 0, 16, 32, 48 })
        {
            zeroLane[word + 5] = 0;
        }

        var error = Assert.Throws<ArgumentException>(() => random.SetState(zeroLane));
        Assert.Contains("Lane 5", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, random.GetState());
    }

    [Fact]
    public void SampleBernoulli_AllocatesNothing()
    {
        var random = new VectorRandom(3);
        var p = new float[100 * 150];
        var d = new float[p.Length];
        random.SampleBernoulli(p, d);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            random.SampleBernoulli(p, d);
            random.NextUniform(d.AsSpan(0, 37));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static float[] Draw(VectorRandom random, int n)
    {
        var x = new float[n];
        random.NextUniform(x);
        return x;
    }

    private static int[] Bits(float[] x) => x.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static double Correlation(float[] a, float[] b)
    {
        double ma = a.Average(v => (double)v), mb = b.Average(v => (double)v);
        double cov = 0, va = 0, vb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            cov += (a[i] - ma) * (b[i] - mb);
            va += (a[i] - ma) * (a[i] - ma);
            vb += (b[i] - mb) * (b[i] - mb);
        }

        return cov / Math.Sqrt(va * vb);
    }
}
