using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Tests.Numerics;

public class KernelsTests
{
    // (rows, cols): tails below one Vector256, between widths, and the model's shapes.
    private static readonly (int Rows, int Cols)[] Shapes =
        [(1, 1), (3, 5), (5, 3), (7, 9), (17, 33), (100, 100), (88, 150), (150, 88), (4, 64), (2, 200), (13, 71)];

    [Fact]
    public void VecMat_MatchesReference_WithAndWithoutAccumulate()
    {
        var random = new Random(11);
        foreach (var (rows, cols) in Shapes)
        {
            var x = GemmTests.RandomArray(random, rows);
            var matrix = GemmTests.RandomArray(random, rows * cols);
            foreach (bool accumulate in new[] { false, true })
            {
                var y = GemmTests.RandomArray(random, cols + 3);
                var sentinel = y[cols..].ToArray();
                var expected = new double[cols];
                for (int j = 0; j < cols; j++)
                {
                    double sum = accumulate ? y[j] : 0;
                    for (int i = 0; i < rows; i++)
                    {
                        sum += (double)x[i] * matrix[(i * cols) + j];
                    }

                    expected[j] = sum;
                }

                Kernels.VecMat(x, matrix, rows, cols, y, accumulate);
                GemmTests.AssertClose(expected, y[..cols], $"VecMat {rows}x{cols} acc={accumulate}");
                Assert.Equal(sentinel, y[cols..]);
            }
        }
    }

    [Fact]
    public void MatVec_MatchesReference_WithAndWithoutAccumulate()
    {
        var random = new Random(12);
        foreach (var (rows, cols) in Shapes)
        {
            var x = GemmTests.RandomArray(random, cols);
            var matrix = GemmTests.RandomArray(random, rows * cols);
            foreach (bool accumulate in new[] { false, true })
            {
                var y = GemmTests.RandomArray(random, rows + 3);
                var sentinel = y[rows..].ToArray();
                var expected = new double[rows];
                for (int i = 0; i < rows; i++)
                {
                    double sum = accumulate ? y[i] : 0;
                    for (int j = 0; j < cols; j++)
                    {
                        sum += (double)matrix[(i * cols) + j] * x[j];
                    }

                    expected[i] = sum;
                }

                Kernels.MatVec(matrix, rows, cols, x, y, accumulate);
                GemmTests.AssertClose(expected, y[..rows], $"MatVec {rows}x{cols} acc={accumulate}");
                Assert.Equal(sentinel, y[rows..]);
            }
        }
    }

    [Fact]
    public void AddOuter_MatchesReference()
    {
        var random = new Random(13);
        foreach (var (rows, cols) in Shapes)
        {
            var x = GemmTests.RandomArray(random, rows);
            var y = GemmTests.RandomArray(random, cols);
            var matrix = GemmTests.RandomArray(random, (rows * cols) + 5);
            var sentinel = matrix[(rows * cols)..].ToArray();
            var expected = new double[rows * cols];
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < cols; j++)
                {
                    expected[(i * cols) + j] = matrix[(i * cols) + j] + (-0.3 * x[i] * y[j]);
                }
            }

            Kernels.AddOuter(-0.3f, x, y, matrix, rows, cols);
            GemmTests.AssertClose(expected, matrix[..(rows * cols)], $"AddOuter {rows}x{cols}");
            Assert.Equal(sentinel, matrix[(rows * cols)..]);
        }
    }

    [Fact]
    public void Kernels_RejectSpansShorterThanTheShape()
    {
        Assert.ThrowsAny<ArgumentException>(() => Kernels.VecMat(new float[3], new float[11], 3, 4, new float[4], false));
        Assert.ThrowsAny<ArgumentException>(() => Kernels.MatVec(new float[12], 3, 4, new float[3], new float[3], false));
        Assert.ThrowsAny<ArgumentException>(() => Kernels.AddOuter(1f, new float[2], new float[4], new float[12], 3, 4));
    }

    [Fact]
    public void Sigmoid_MatchesDefinition_InPlaceToo()
    {
        var x = Enumerable.Range(-200, 401).Select(i => i * 0.1f).ToArray();
        var y = new float[x.Length];
        Kernels.Sigmoid(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double expected = 1 / (1 + Math.Exp(-x[i]));
            Assert.True(Math.Abs(y[i] - expected) <= 1e-6 + (1e-5 * expected), $"sigmoid({x[i]}) = {y[i]}, expected {expected}");
        }

        Kernels.Sigmoid(x, x);
        Assert.Equal(y, x);
    }
}
