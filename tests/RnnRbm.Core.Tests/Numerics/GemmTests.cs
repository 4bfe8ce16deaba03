using MathNet.Numerics.Providers.LinearAlgebra;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Tests.Numerics;

public class GemmTests
{
    // (m, n, k): degenerate, odd, the model's shapes and their transposes.
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (3, 5, 7), (7, 3, 5), (1, 150, 88), (150, 1, 88), (100, 150, 88), (100, 88, 150),
        (88, 150, 100), (17, 150, 88), (33, 31, 1), (5, 65, 129), (4, 32, 16), (9, 17, 3),
    ];

    [Theory]
    [BackendData("simd")]
    [BackendData("mkl")]
    [BackendData("openblas")]
    public void Gemm_MatchesDoubleReference_ForAllTransposesAndShapes(string name)
    {
        var backend = NumericsBackend.Select(name);
        var random = new Random(1234);
        foreach (var (m, n, k) in Shapes)
        {
            foreach (bool transA in new[] { false, true })
            {
                foreach (bool transB in new[] { false, true })
                {
                    foreach (var (alpha, beta) in new[] { (1f, 0f), (0.5f, 1f), (-1.5f, 0.25f) })
                    {
                        var a = RandomArray(random, m * k);
                        var b = RandomArray(random, k * n);
                        var c = RandomArray(random, m * n);
                        var expected = Reference(transA, transB, m, n, k, alpha, a, b, beta, c);
                        backend.Gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
                        AssertClose(expected, c, $"{name} {m}x{n}x{k} tA={transA} tB={transB} a={alpha} b={beta}");
                    }
                }
            }
        }
    }

    [Theory]
    [BackendData("simd")]
    [BackendData("mkl")]
    [BackendData("openblas")]
    public void Gemm_UsesOnlyLeadingElements_OfLongerArrays(string name)
    {
        var backend = NumericsBackend.Select(name);
        var random = new Random(7);
        const int m = 13, n = 19, k = 11;
        foreach (bool transA in new[] { false, true })
        {
            foreach (bool transB in new[] { false, true })
            {
                // Workspaces sized for a bigger chunk, filled past the end with values that would show up.
                var a = RandomArray(random, 500);
                var b = RandomArray(random, 500);
                var c = RandomArray(random, 500);
                var expected = Reference(transA, transB, m, n, k, 1f, a, b, 0f, c);
                var tailBefore = c[(m * n)..].ToArray();
                backend.Gemm(transA, transB, m, n, k, 1f, a, b, 0f, c);
                AssertClose(expected, c.AsSpan(0, m * n).ToArray(), $"{name} tA={transA} tB={transB}");
                Assert.Equal(tailBefore, c[(m * n)..]);
            }
        }
    }

    [Theory]
    [BackendData("simd")]
    [BackendData("mkl")]
    [BackendData("openblas")]
    public void Gemm_BetaZero_OverwritesNaN(string name)
    {
        var backend = NumericsBackend.Select(name);
        var a = new float[] { 1, 2, 3, 4, 5, 6 };  // 2×3
        var b = new float[] { 1, 0, 0, 1, 1, 1 };  // 3×2
        var c = new float[] { float.NaN, float.NaN, float.NaN, float.NaN };
        backend.Gemm(false, false, 2, 2, 3, 1f, a, b, 0f, c);
        Assert.Equal(new float[] { 4, 5, 10, 11 }, c);
    }

    [Theory]
    [BackendData("simd")]
    [BackendData("mkl")]
    [BackendData("openblas")]
    public void Gemm_RejectsTooShortArrays(string name)
    {
        var backend = NumericsBackend.Select(name);
        Assert.Throws<ArgumentException>(() => backend.Gemm(false, false, 4, 4, 4, 1f, new float[15], new float[16], 0f, new float[16]));
        Assert.Throws<ArgumentException>(() => backend.Gemm(false, false, 4, 4, 4, 1f, new float[16], new float[16], 0f, new float[15]));
    }

    [Theory]
    [BackendData("simd")]
    [BackendData("mkl")]
    [BackendData("openblas")]
    public void Gemm_AllocatesNothing_AfterWarmUp(string name)
    {
        var backend = NumericsBackend.Select(name);
        var a = new float[150 * 150];
        var b = new float[150 * 150];
        var c = new float[150 * 150];
        void Round()
        {
            backend.Gemm(false, false, 100, 150, 88, 1f, a, b, 0f, c);
            backend.Gemm(false, true, 100, 88, 150, 1f, a, b, 1f, c);
            backend.Gemm(true, false, 88, 150, 100, 1f, a, b, 0f, c);
            backend.Gemm(false, false, 1, 150, 88, 1f, a, b, 0f, c);
            backend.Gemm(false, false, 17, 150, 88, 1f, a, b, 0f, c);
        }

        Round();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            Round();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public unsafe void SimdGemm_EveryLevel_MatchesReference()
    {
        var random = new Random(99);
        foreach (var level in SimdSupport.Supported())
        {
            foreach (var (m, n, k) in Shapes)
            {
                foreach (bool transA in new[] { false, true })
                {
                    foreach (bool transB in new[] { false, true })
                    {
                        var a = RandomArray(random, m * k);
                        var b = RandomArray(random, k * n);
                        var c = RandomArray(random, m * n);
                        var expected = Reference(transA, transB, m, n, k, 0.75f, a, b, 0.5f, c);
                        fixed (float* pa = a, pb = b, pc = c)
                        {
                            SimdGemm.Multiply(level, transA, transB, m, n, k, 0.75f, pa, pb, 0.5f, pc);
                        }

                        AssertClose(expected, c, $"{level} {m}x{n}x{k} tA={transA} tB={transB}");
                    }
                }
            }
        }
    }

    [Theory]
    [BackendData("simd")]
    [BackendData("mkl")]
    [BackendData("openblas")]
    public void Provider_DrivesMathNetProducts_ForFloatAndDouble(string name)
    {
        var provider = NumericsBackend.Select(name).Provider;
        var random = new Random(5);

        // Column-major MathNet matrices through the provider (as LinearAlgebraControl would call it) versus
        // MathNet's managed provider on the same data, all transpose combinations and a matrix·vector product.
        foreach (var (m, n, k) in new[] { (6, 9, 4), (1, 7, 5), (8, 1, 3), (30, 20, 10) })
        {
            foreach (var ta in new[] { Transpose.DontTranspose, Transpose.Transpose })
            {
                foreach (var tb in new[] { Transpose.DontTranspose, Transpose.Transpose })
                {
                    int rowsA = ta == Transpose.Transpose ? k : m, columnsA = ta == Transpose.Transpose ? m : k;
                    int rowsB = tb == Transpose.Transpose ? n : k, columnsB = tb == Transpose.Transpose ? k : n;
                    var a = RandomArray(random, m * k);
                    var b = RandomArray(random, k * n);
                    var c = RandomArray(random, m * n);
                    var expected = (float[])c.Clone();
                    ManagedLinearAlgebraProvider.Instance.MatrixMultiplyWithUpdate(ta, tb, 2f, a, rowsA, columnsA, b, rowsB, columnsB, 0.5f, expected);
                    provider.MatrixMultiplyWithUpdate(ta, tb, 2f, a, rowsA, columnsA, b, rowsB, columnsB, 0.5f, c);
                    AssertClose(expected.Select(x => (double)x).ToArray(), c, $"float {m}x{n}x{k} {ta} {tb}");

                    var ad = a.Select(x => (double)x).ToArray();
                    var bd = b.Select(x => (double)x).ToArray();
                    var cd = c.Select(x => (double)x).ToArray();
                    var expectedD = (double[])cd.Clone();
                    ManagedLinearAlgebraProvider.Instance.MatrixMultiplyWithUpdate(ta, tb, 2d, ad, rowsA, columnsA, bd, rowsB, columnsB, 0.5d, expectedD);
                    provider.MatrixMultiplyWithUpdate(ta, tb, 2d, ad, rowsA, columnsA, bd, rowsB, columnsB, 0.5d, cd);
                    for (int i = 0; i < cd.Length; i++)
                    {
                        Assert.True(Math.Abs(cd[i] - expectedD[i]) <= 1e-12 * (1 + Math.Abs(expectedD[i])), $"double {m}x{n}x{k} {ta} {tb} at {i}");
                    }
                }
            }
        }

        // A non-product member is forwarded to the managed provider.
        var x = new float[] { 1, 2, 3 };
        Assert.Equal(14f, provider.DotProduct(x, x));
    }

    internal static float[] RandomArray(Random random, int length)
    {
        var array = new float[length];
        for (int i = 0; i < length; i++)
        {
            array[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return array;
    }

    // The obviously-correct row-major product in double precision.
    private static double[] Reference(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c)
    {
        var result = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = transA ? a[(p * m) + i] : a[(i * k) + p];
                    double y = transB ? b[(j * k) + p] : b[(p * n) + j];
                    sum += x * y;
                }

                result[(i * n) + j] = (alpha * sum) + (beta == 0 ? 0 : beta * (double)c[(i * n) + j]);
            }
        }

        return result;
    }

    // Relative to the size of the terms: cancellation can make an entry tiny while its rounding error is not.
    internal static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1;
        foreach (var e in expected)
        {
            scale = Math.Max(scale, Math.Abs(e));
        }

        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(error <= 1e-4 * Math.Max(Math.Abs(expected[i]), scale * 0.1) + 1e-6,
                $"{what}: element {i} is {actual[i]}, expected {expected[i]} (error {error:E2})");
        }
    }
}
