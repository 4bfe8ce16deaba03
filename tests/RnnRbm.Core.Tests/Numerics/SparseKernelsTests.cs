using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Tests.Numerics;

public class SparseKernelsTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(88, 150, 75)]
    [InlineData(150, 88, 4)]
    [InlineData(100, 100, 0)]
    [InlineData(7, 200, 37)]
    [InlineData(130, 65, 64)]
    public void AddRows_EqualsBiasPlusTheSelectedRows(int columns, int matrixRows, int picked)
    {
        var rng = new Random(columns * 1000 + matrixRows);
        float[] matrix = [.. Enumerable.Range(0, columns * matrixRows).Select(_ => (float)(rng.NextDouble() - 0.5))];
        float[] bias = [.. Enumerable.Range(0, columns).Select(_ => (float)rng.NextDouble())];
        int[] rows = [.. Enumerable.Range(0, picked).Select(_ => rng.Next(matrixRows))];
        var actual = new float[columns + 3];
        actual[columns] = 42f; // beyond the output: must stay untouched
        SparseKernels.AddRows(bias, matrix, columns, rows, actual);
        for (int c = 0; c < columns; c++)
        {
            double expected = bias[c] + rows.Sum(r => (double)matrix[(r * columns) + c]);
            Assert.True(Math.Abs(actual[c] - expected) < 1e-4, $"column {c}: {actual[c]} vs {expected}");
        }
        Assert.Equal(42f, actual[columns]);
    }

    [Fact]
    public void AddRows_RefusesARowOutsideTheMatrix()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SparseKernels.AddRows(new float[4], new float[8], 4, [2], new float[4]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(88)]
    [InlineData(150)]
    public void CollectNonZero_ListsTheIndicesOfTheUnitsThatAreOn(int length)
    {
        var rng = new Random(length);
        float[] units = [.. Enumerable.Range(0, length).Select(_ => rng.NextDouble() < 0.4 ? 1f : 0f)];
        var indices = new int[length];
        int count = SparseKernels.CollectNonZero(units, indices);
        int[] expected = [.. Enumerable.Range(0, length).Where(i => units[i] != 0)];
        Assert.Equal(expected, indices[..count]);
    }
}
