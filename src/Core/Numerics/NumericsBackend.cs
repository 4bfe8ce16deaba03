using System.Diagnostics;
using System.Globalization;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace RnnRbm.Core.Numerics;

/// <summary>
/// A loaded implementation of the dense products (MKL, OpenBLAS or our C# SIMD kernels), exposed as a row-major
/// <see cref="Gemm"/> and as a MathNet <see cref="ILinearAlgebraProvider"/>.
/// </summary>
/// <remarks>
/// Native libraries run one thread per call: at the model's sizes a second thread gains at most 1.1-1.3× on a
/// quiet machine and loses 2-8× when the other core is busy (docs/numerics.md, "What the code does about it"). Results of different backends differ
/// in the last bits; reproducing a run means the same backend, thread count and seed.
/// </remarks>
public sealed class NumericsBackend
{
    private static readonly Lazy<IReadOnlyList<NumericsBackend>> LazyAvailable = new(LoadAll);
    private static readonly Lazy<NumericsChoice> LazyFastest = new(() => MeasureFastest(Available));

    // Why native backends are missing, for the exception message of Select; written once by LoadAll.
    private static string s_unavailable = "";

    private NumericsBackend(BackendKind kind, string name, string description, ILinearAlgebraProvider provider)
    {
        Kind = kind;
        Name = name;
        Description = description;
        Provider = provider;
    }

    /// <summary>Which implementation this is.</summary>
    public BackendKind Kind { get; }

    /// <summary>Short name accepted by <see cref="Select"/>: "mkl", "openblas" or "simd".</summary>
    public string Name { get; }

    /// <summary>Human-readable description including the library version and threading, for logs and reports.</summary>
    public string Description { get; }

    /// <summary>
    /// A MathNet provider whose dense float and double products run on this backend (float only for
    /// <see cref="BackendKind.Simd"/>); every other member is MathNet's managed provider.
    /// </summary>
    public ILinearAlgebraProvider Provider { get; }

    /// <summary>Every backend that loads on this host, native ones first; <see cref="BackendKind.Simd"/> is always present.</summary>
    public static IReadOnlyList<NumericsBackend> Available => LazyAvailable.Value;

    /// <summary>
    /// Row-major GEMM: C (m×n) = alpha·op(A)·op(B) + beta·C, with op(A) m×k and op(B) k×n.
    /// </summary>
    /// <param name="transA">A is stored k×m (row-major) and used transposed; otherwise stored m×k.</param>
    /// <param name="transB">B is stored n×k and used transposed; otherwise stored k×n.</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A, at least m·k elements; only the leading ones are read.</param>
    /// <param name="b">B, at least k·n elements; only the leading ones are read.</param>
    /// <param name="beta">Scale of the previous C; 0 overwrites C without reading it.</param>
    /// <param name="c">C, at least m·n elements; only the leading m·n are written.</param>
    /// <remarks>
    /// Goes through <see cref="Provider"/> so MathNet and direct callers share one code path. MathNet is
    /// column-major and a row-major X is a column-major Xᵀ, so C = op(A)·op(B) is computed as the column-major
    /// Cᵀ = op(B)ᵀ·op(A)ᵀ: operands swapped, flags kept. Allocates nothing.
    /// </remarks>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c)
    {
        // Column-major view of row-major storage: B (k×n, or n×k when transB) reads as n×k (or k×n).
        int rowsB = transB ? k : n;
        int columnsB = transB ? n : k;
        int rowsA = transA ? m : k;
        int columnsA = transA ? k : m;
        Provider.MatrixMultiplyWithUpdate(
            transB ? Transpose.Transpose : Transpose.DontTranspose,
            transA ? Transpose.Transpose : Transpose.DontTranspose,
            alpha, b, rowsB, columnsB, a, rowsA, columnsA, beta, c);
    }

    /// <summary>
    /// Picks a backend by name ("mkl", "openblas", "simd", case-insensitive), or with null/"auto" the fastest on
    /// this host by a short measurement of the model's product shapes (cached for the process).
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown or that backend did not load here; the message lists the available ones.</exception>
    public static NumericsBackend Select(string? name) => Choose(name).Backend;

    /// <summary>
    /// As <see cref="Select"/>, and says why: asked for by name, the only one that loads here, or measured fastest
    /// (with each candidate's time), for a start-up line that an operator can check.
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown or that backend did not load here; the message lists the available ones.</exception>
    public static NumericsChoice Choose(string? name)
    {
        if (name is null || name.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return LazyFastest.Value;
        }

        foreach (var backend in Available)
        {
            if (backend.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return new NumericsChoice(backend, $"chosen by name; available here: {string.Join(", ", Available.Select(b => b.Name))}", []);
            }
        }

        var available = string.Join(", ", Available.Select(b => b.Name));
        var known = Enum.GetNames<BackendKind>().Any(k => k.Equals(name, StringComparison.OrdinalIgnoreCase));
        var why = known ? $"Numerics backend '{name}' is not available on this host ({s_unavailable})."
                        : $"Unknown numerics backend '{name}'.";
        throw new ArgumentException($"{why} Available: {available} (or 'auto').", nameof(name));
    }

    /// <summary>
    /// Makes this backend MathNet's process-wide linear-algebra provider
    /// (<see cref="LinearAlgebraControl.Provider"/>). Nothing else sets it.
    /// </summary>
    public void UseForMathNet() => LinearAlgebraControl.Provider = Provider;

    /// <summary>The backend's <see cref="Name"/>.</summary>
    public override string ToString() => Name;

    private static List<NumericsBackend> LoadAll()
    {
        var list = new List<NumericsBackend>();
        var reasons = new List<string>();

        var mkl = NativeBlas.TryLoadMkl(out var mklFailure);
        if (mkl is not null)
        {
            list.Add(new NumericsBackend(BackendKind.Mkl, "mkl", $"{mkl.Version} (libmkl_rt.so, sequential, 1 thread)", new BlasLinearAlgebraProvider(mkl)));
        }
        else
        {
            reasons.Add($"mkl: {mklFailure}");
        }

        var openBlas = NativeBlas.TryLoadOpenBlas(out var openBlasFailure);
        if (openBlas is not null)
        {
            list.Add(new NumericsBackend(BackendKind.OpenBlas, "openblas", $"{openBlas.Version} (libopenblas.so.0, 1 thread)", new BlasLinearAlgebraProvider(openBlas)));
        }
        else
        {
            reasons.Add($"openblas: {openBlasFailure}");
        }

        var level = SimdSupport.Best;
        list.Add(new NumericsBackend(BackendKind.Simd, "simd", $"C# kernels, {SimdSupport.Describe(level)}, 1 thread", new BlasLinearAlgebraProvider(level)));
        s_unavailable = reasons.Count == 0 ? "all loaded" : string.Join("; ", reasons);
        return list;
    }

    // The model's three batched shapes (docs/numerics.md, "The model's shapes"): (100×88)·(88×150), (100×150)·(88×150)ᵀ, (100×88)ᵀ·(100×150).
    internal static readonly (bool TransA, bool TransB, int M, int N, int K)[] ModelShapes =
    [
        (false, false, 100, 150, 88),
        (false, true, 100, 88, 150),
        (true, false, 88, 150, 100),
    ];

    // Interleaved rounds, each timing every backend on every shape, within a ~100 ms budget; the winner has the
    // smallest median time of one sample (all three shapes, a few calls each). Interleaving spreads noise from the
    // other core evenly.
    private static NumericsChoice MeasureFastest(IReadOnlyList<NumericsBackend> candidates)
    {
        if (candidates.Count == 1)
        {
            return new NumericsChoice(candidates[0], $"the only backend that loads here ({s_unavailable})", []);
        }

        var a = new float[150 * 150];
        var b = new float[150 * 150];
        var c = new float[150 * 150];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = ((i * 7) % 13) * 0.1f;
            b[i] = ((i * 5) % 11) * 0.1f;
        }

        const int callsPerSample = 4;
        var budget = Stopwatch.StartNew();
        var samples = new List<double>[candidates.Count];
        for (int i = 0; i < candidates.Count; i++)
        {
            samples[i] = [];

            // Warm-up: JIT and the libraries' first-call set-up must not count.
            foreach (var s in ModelShapes)
            {
                for (int r = 0; r < 3; r++)
                {
                    candidates[i].Gemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, b, 0f, c);
                }
            }
        }

        for (int round = 0; round < 40 && (round < 3 || budget.ElapsedMilliseconds < 100); round++)
        {
            for (int i = 0; i < candidates.Count; i++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int r = 0; r < callsPerSample; r++)
                {
                    foreach (var s in ModelShapes)
                    {
                        candidates[i].Gemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, b, 0f, c);
                    }
                }

                samples[i].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            }
        }

        var timings = new List<BackendTiming>();
        for (int i = 0; i < candidates.Count; i++)
        {
            samples[i].Sort();
            // Per call of the three products, so that the figure reads the same whatever callsPerSample is.
            timings.Add(new BackendTiming(candidates[i].Name, samples[i][samples[i].Count / 2] / callsPerSample));
        }
        timings = [.. timings.OrderBy(t => t.Microseconds)]; // stable: a tie goes to the earlier (native) candidate
        NumericsBackend fastest = candidates.First(x => x.Name == timings[0].Backend);
        string measured = string.Join(", ", timings.Select(t => $"{t.Backend} {t.Microseconds.ToString("0", CultureInfo.InvariantCulture)} µs"));
        return new NumericsChoice(fastest, $"measured fastest on the model's three products (median per call): {measured}", timings);
    }
}

/// <summary>The backend <see cref="NumericsBackend.Choose"/> picked, and why.</summary>
/// <param name="Backend">The backend picked.</param>
/// <param name="Reason">One phrase an operator can check: chosen by name, the only one that loads, or measured fastest with the times.</param>
/// <param name="Timings">For a measured choice, every candidate's median time, fastest first; empty otherwise.</param>
public sealed record NumericsChoice(NumericsBackend Backend, string Reason, IReadOnlyList<BackendTiming> Timings);

/// <summary>One backend's median time for one call of each of the model's three products.</summary>
/// <param name="Backend">The backend's short name.</param>
/// <param name="Microseconds">Median wall time, in µs.</param>
public sealed record BackendTiming(string Backend, double Microseconds);
