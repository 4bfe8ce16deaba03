using System.Diagnostics;
using System.Globalization;

namespace RnnRbm.Core.Numerics;

/// <summary>
/// Micro-benchmarks of the model's hot shapes on every available backend (the CLI's <c>bench</c> command).
/// </summary>
/// <remarks>
/// Each cell is the median over interleaved rounds of the mean time per call in a batch of about 1 ms: rounds
/// cycle through every (shape, implementation) pair so noise from the other core hits them all alike, and the
/// warm-up lets tiered JIT finish before anything is timed (docs/numerics.md, "The machine the measurements come from": trust ratios over absolute times).
/// </remarks>
public static class NumericsBenchmarks
{
    private const int Rounds = 15;
    private static readonly TimeSpan BatchTarget = TimeSpan.FromMilliseconds(1);

    public static void Run(TextWriter output)
    {
        var backends = NumericsBackend.Available;
        var a = Filled(150 * 150, 3);
        var b = Filled(150 * 150, 5);
        var c = new float[150 * 150];
        var y = new float[150 * 150];

        // (label, column, action): rows of the table are labels, columns are implementations.
        var cases = new List<(string Label, string Column, Action Call)>();
        foreach (var (label, transA, transB, m, n, k) in GemmShapes)
        {
            foreach (var backend in backends)
            {
                cases.Add((label, backend.Name, () => backend.Gemm(transA, transB, m, n, k, 1f, a, b, 0f, c)));
            }

            if (m == 1)
            {
                // The recurrence calls the C# kernel directly: no provider, no P/Invoke.
                cases.Add((label, "Kernels", () => Kernels.VecMat(a.AsSpan(0, k), b, k, n, y, accumulate: false)));
            }
        }

        var random = new VectorRandom(1);
        var probabilities = Filled(100 * 150, 7);
        cases.Add(("Sigmoid 100×150", "Kernels", () => Kernels.Sigmoid(a.AsSpan(0, 100 * 150), y)));
        cases.Add(("Bernoulli 100×150", "Kernels", () => random.SampleBernoulli(probabilities, y.AsSpan(0, 100 * 150))));

        // Warm-up, and the batch size that makes one sample about BatchTarget long.
        var batch = new int[cases.Count];
        for (int i = 0; i < cases.Count; i++)
        {
            for (int r = 0; r < 200; r++)
            {
                cases[i].Call();
            }

            var watch = Stopwatch.StartNew();
            int calls = 0;
            while (watch.Elapsed < BatchTarget)
            {
                cases[i].Call();
                calls++;
            }

            batch[i] = Math.Max(1, calls);
        }

        var samples = new double[cases.Count][];
        for (int i = 0; i < cases.Count; i++)
        {
            samples[i] = new double[Rounds];
        }

        for (int round = 0; round < Rounds; round++)
        {
            for (int i = 0; i < cases.Count; i++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int r = 0; r < batch[i]; r++)
                {
                    cases[i].Call();
                }

                samples[i][round] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / batch[i];
            }
        }

        var columns = backends.Select(x => x.Name).Append("Kernels").ToList();
        output.WriteLine($"µs per call, one thread: median of {Rounds} interleaved rounds (fastest round in brackets;");
        output.WriteLine("on a shared, noisy machine the fastest round is the steadier figure)");
        foreach (var backend in backends)
        {
            output.WriteLine($"  {backend.Name,-8} {backend.Description}");
        }

        output.WriteLine();
        output.Write($"{"operation",-24}");
        foreach (var column in columns)
        {
            output.Write($"{column,16}");
        }

        output.WriteLine();
        foreach (var label in cases.Select(x => x.Label).Distinct())
        {
            output.Write($"{label,-24}");
            foreach (var column in columns)
            {
                int i = cases.FindIndex(x => x.Label == label && x.Column == column);
                output.Write(i < 0 ? $"{"-",16}" : string.Create(CultureInfo.InvariantCulture, $"{Median(samples[i]),8:F2} ({samples[i].Min(),5:F2})"));
            }

            output.WriteLine();
        }
    }

    // The shapes of docs/numerics.md, "The model's shapes": three batched products, three single-row products of the recurrence.
    private static readonly (string Label, bool TransA, bool TransB, int M, int N, int K)[] GemmShapes =
    [
        ("(100×88)·(88×150)", false, false, 100, 150, 88),
        ("(100×150)·(88×150)ᵀ", false, true, 100, 88, 150),
        ("(100×88)ᵀ·(100×150)", true, false, 88, 150, 100),
        ("(1×100)·(100×100)", false, false, 1, 100, 100),
        ("(1×88)·(88×150)", false, false, 1, 150, 88),
        ("(1×150)·(150×88)", false, false, 1, 88, 150),
    ];

    private static float[] Filled(int length, int salt)
    {
        var array = new float[length];
        for (int i = 0; i < length; i++)
        {
            array[i] = (((i * salt) % 17) + 1) / 18f;
        }

        return array;
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
