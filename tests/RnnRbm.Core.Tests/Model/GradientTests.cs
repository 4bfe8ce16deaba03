using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Tests.Model;

public class GradientTests
{
    [Fact]
    public void Reference_MatchesCentralFiniteDifferences_OnEveryParameter()
    {
        var rng = new Random(7);
        var reference = RandomReference(rng, v: 7, h: 5, u: 4, scale: 0.5);
        double[,] x = RandomBinary(rng, 6, 7, 0.4);
        double[,] vNeg = RandomBinary(rng, 6, 7, 0.4);
        ReferenceRnnRbm gradient = reference.Gradient(x, vNeg);
        const double eps = 1e-5;
        for (int tensor = 0; tensor < 8; tensor++)
        {
            double diff = 0, norm = 0;
            for (int i = 0; i < reference.TensorLength(tensor); i++)
            {
                reference.Add(tensor, i, eps);
                double up = reference.Cost(x, vNeg);
                reference.Add(tensor, i, -2 * eps);
                double down = reference.Cost(x, vNeg);
                reference.Add(tensor, i, eps);
                double numeric = (up - down) / (2 * eps);
                double analytic = gradient.Get(tensor, i);
                diff += (numeric - analytic) * (numeric - analytic);
                norm += analytic * analytic;
            }
            Assert.True(norm > 0, $"tensor {tensor} has a zero gradient: the check would be vacuous");
            double relative = Math.Sqrt(diff / norm);
            Assert.True(relative < 1e-6, $"tensor {tensor}: finite differences differ by {relative:E2} relative");
        }
    }

    public static TheoryData<string> Backends() => [.. NumericsBackend.Available.Select(b => b.Name)];

    [Theory]
    [MemberData(nameof(Backends))]
    public void FastCore_MatchesReference_AtFullSize(string backendName)
    {
        NumericsBackend backend = NumericsBackend.Select(backendName);
        var shape = ModelShape.Seed;
        const int steps = 100;
        var rng = new Random(11);
        var parameters = RandomParameters(rng, shape, scale: 0.1);
        float[] x = RandomBinaryFloats(rng, steps, shape.Visible, 0.05);
        float[] vNeg = RandomBinaryFloats(rng, steps, shape.Visible, 0.1);

        var gradient = new RnnRbmParameters(shape);
        using (var core = new ChunkGradient(shape, steps, backend, [new VectorRandom(1, 2), new VectorRandom(1, 3)], threads: 2))
        {
            core.Compute(x, steps, parameters, gradient, k: 1, frozenNegative: vNeg);
        }

        ReferenceRnnRbm expected = ReferenceRnnRbm.From(parameters).Gradient(ToMatrix(x, steps, shape.Visible), ToMatrix(vNeg, steps, shape.Visible));
        for (int tensor = 0; tensor < 8; tensor++)
        {
            float[] fast = gradient.Tensors[tensor].Values;
            double diff = 0, norm = 0;
            for (int i = 0; i < fast.Length; i++)
            {
                double e = expected.Get(tensor, i);
                diff += (fast[i] - e) * (fast[i] - e);
                norm += e * e;
            }
            Assert.True(norm > 0, $"{gradient.Tensors[tensor].Name}: zero reference gradient");
            double relative = Math.Sqrt(diff / norm);
            Assert.True(relative < 1e-4, $"{backendName} {gradient.Tensors[tensor].Name}: {relative:E2} relative to the reference");
        }
    }

    [Fact]
    public void FastCore_CountsNoAllocation_AfterWarmUp()
    {
        var shape = ModelShape.Seed;
        var rng = new Random(3);
        var parameters = RandomParameters(rng, shape, scale: 0.01);
        float[] x = RandomBinaryFloats(rng, 100, shape.Visible, 0.05);
        var gradient = new RnnRbmParameters(shape);
        using var core = new ChunkGradient(shape, 100, NumericsBackend.Select(null), [new VectorRandom(1, 2), new VectorRandom(1, 3)], threads: 1);
        for (int i = 0; i < 20; i++)
        {
            core.Compute(x, 100 - i, parameters, gradient, k: 3);
            parameters.AddScaled(gradient, -0.001f);
        }
        // One thread, measured on this thread: other tests running in parallel cannot disturb the count.
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            core.Compute(x, 100 - i, parameters, gradient, k: 3);
            parameters.AddScaled(gradient, -0.001f);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    internal static RnnRbmParameters RandomParameters(Random rng, ModelShape shape, double scale)
    {
        var p = new RnnRbmParameters(shape);
        foreach (NamedTensor tensor in p.Tensors)
        {
            for (int i = 0; i < tensor.Values.Length; i++)
            {
                tensor.Values[i] = (float)(scale * Gaussian(rng));
            }
        }
        return p;
    }

    internal static float[] RandomBinaryFloats(Random rng, int rows, int cols, double p)
    {
        var values = new float[rows * cols];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = rng.NextDouble() < p ? 1f : 0f;
        }
        return values;
    }

    internal static double[,] ToMatrix(float[] values, int rows, int cols)
    {
        var m = new double[rows, cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                m[r, c] = values[(r * cols) + c];
            }
        }
        return m;
    }

    internal static ReferenceRnnRbm RandomReference(Random rng, int v, int h, int u, double scale)
    {
        var r = new ReferenceRnnRbm(v, h, u);
        r.ForEachScalar((_, _) => scale * Gaussian(rng), set: true);
        return r;
    }

    internal static double[,] RandomBinary(Random rng, int rows, int cols, double p)
    {
        var m = new double[rows, cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                m[r, c] = rng.NextDouble() < p ? 1 : 0;
            }
        }
        return m;
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
