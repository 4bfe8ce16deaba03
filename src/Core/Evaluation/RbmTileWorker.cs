using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Evaluation;

// Dimension legend:
//   V visible units   H hidden units   N RBMs of the family (one per time step)
//   M runs (AIS) or samples (accuracy) per RBM   R = (RBMs in the tile) × M rows of one tile
// Rows are RBM-major: row = (local RBM) · M + run, so one RBM's runs are contiguous.

/// <summary>
/// One thread's workspace for a tile of rows: batched annealed importance sampling and batched Gibbs chains over
/// several RBMs of a family at once. Each annealing or Gibbs step is one (R×V)·(V×H) and one (R×H)·(H×V)
/// product through <see cref="NumericsBackend.Gemm"/>, with the elementwise work in SIMD kernels.
/// Allocated once per thread; a tile allocates nothing.
/// </summary>
internal sealed class RbmTileWorker
{
    private readonly NumericsBackend _blas;
    private readonly int _v;
    private readonly int _h;
    private readonly float[] _vis;   // R×V  the chains' visible state
    private readonly float[] _vPre;  // R×V  visible pre-activations, then probabilities
    private readonly float[] _x;     // R×H  v W (hidden input without bias)
    private readonly float[] _hid;   // R×H  hidden probabilities, then the sample (in place)
    private readonly double[] _logW; // R    log importance weights
    private readonly float[] _blend; // (R/M)×V  a_A + β (a - a_A) of the tile's RBMs
    private readonly float[] _delta; // (R/M)×V  a - a_A
    private readonly int[] _active;  // max(V, H)  indices of the units on in one row (sparse products)
    private readonly float[] _zeros; // max(V, H)  the zero bias of the sparse row sums

    public RbmTileWorker(NumericsBackend blas, int visible, int hidden, int capacity)
    {
        _blas = blas;
        _v = visible;
        _h = hidden;
        _vis = new float[capacity * visible];
        _vPre = new float[capacity * visible];
        _x = new float[capacity * hidden];
        _hid = new float[capacity * hidden];
        _logW = new double[capacity];
        _blend = new float[capacity * visible];
        _delta = new float[capacity * visible];
        _active = new int[Math.Max(visible, hidden)];
        _zeros = new float[Math.Max(visible, hidden)];
        Capacity = capacity;
    }

    /// <summary>Most rows one tile may hold.</summary>
    public int Capacity { get; }

    /// <summary>Floating-point operations of the matrix products run so far (2·m·n·k per product).</summary>
    public long Flops { get; private set; }

    /// <summary>
    /// Annealed importance sampling (Salakhutdinov &amp; Murray 2008, §4.1) of log Z for RBMs
    /// [<paramref name="first"/>, first + count) of <paramref name="family"/>, <paramref name="runs"/> runs each.
    /// Writes log Ẑ_n and its delta-method standard error for each RBM.
    /// </summary>
    /// <remarks>
    /// <para>Path. The base distribution p_0 is the RBM with visible biases a_A (<see cref="RbmFamily.BaseVisibleBiases"/>,
    /// by default a) and W = 0, whose hidden units are independent of v: p*_0(v) = exp(a_A·v)·2^H, so
    /// Z_0 = 2^H Π_i (1 + e^{a_A,i}) exactly and p_0 samples by independent Bernoulli(σ(a_A,i)). The intermediate
    /// distributions are Salakhutdinov &amp; Murray's (their §4.1 path with W_A = 0 and p_A's hidden biases 0, so the
    /// p_A hidden factor is a constant and drops out):</para>
    /// <code>
    ///   log p*_β(v) = (a_A + β (a - a_A))·v + Σ_j softplus(β·x_j),   x = b + v W     (hidden units summed out)
    /// </code>
    /// <para>a geometric average of p*_0 and p*_1 in the joint (v, h) space, not in v:
    /// p_β(v, h) ∝ exp((1-β) a_A·v + β (a·v + h·x)). Its Gibbs transition is h ~ Bernoulli(σ(β x)), then
    /// v ~ Bernoulli(σ(a_A + β (a - a_A) + β h Wᵀ)).</para>
    /// <para>Weights. From v_1 ~ p_0, for k = 1..K: log w += log p*_{β_k}(v_k) - log p*_{β_{k-1}}(v_k), then
    /// v_{k+1} ~ T_{β_k}(v_k, ·) (none after k = K); Ẑ = Z_0 · mean_runs w. Because β ≥ 0, each term is</para>
    /// <code>
    ///   (β - β')·(a - a_A)·v + Σ_j [softplus(β x_j) - softplus(β' x_j)]
    ///   softplus(β x) - softplus(β' x) = (β - β')·max(x, 0) + log[(1 + e^{-β|x|}) / (1 + e^{-β'|x|})]
    /// </code>
    /// <para>which has no cancellation between large numbers (the ratio lies in [1/2, 1]); the ratios are multiplied
    /// lane-wise and their logarithm taken every 16 vectors, which keeps the products far from underflow.
    /// σ(β x) reuses e^{-β|x|}. β enters as float everywhere (weights and transitions), so the estimate is exact AIS
    /// for the float-rounded schedule.</para>
    /// </remarks>
    /// <para>Products. With <paramref name="sparseVisible"/> v W uses that v is binary and sparse (a few notes of 88):
    /// it is the sum of the rows of W that v's units on select (<see cref="SparseKernels.AddRows"/>, as the generator
    /// does); the same values up to float summation order, and the FLOPs counted are then the additions done. h Wᵀ
    /// stays a dense product: about half the hidden units are on, and the row sums were slower there (measured,
    /// docs/benchmarks.md).</para>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Ais(RbmFamily family, int first, int count, int runs, IReadOnlyList<double> betas, VectorRandom random,
        Span<double> logZ, Span<double> standardError, CancellationToken cancellation, bool sparseVisible = false)
    {
        int v = _v, h = _h, r = count * runs;
        float[] w = family.Weights;
        ReadOnlySpan<float> a = family.VisibleBiases.AsSpan(first * v, count * v);
        ReadOnlySpan<float> aBase = (family.BaseVisibleBiases ?? family.VisibleBiases).AsSpan(first * v, count * v);
        ReadOnlySpan<float> b = family.HiddenBiases.AsSpan(first * h, count * h);
        Span<float> vPre = _vPre.AsSpan(0, r * v);
        Span<float> hid = _hid.AsSpan(0, r * h);
        Span<double> logW = _logW.AsSpan(0, r);
        Span<float> delta = _delta.AsSpan(0, count * v);
        Span<float> blend = _blend.AsSpan(0, count * v);
        bool sameBase = family.BaseVisibleBiases is null;
        TensorPrimitives.Subtract(a, aBase, delta); // a - a_A
        int transitions = betas.Count - 1;

        // v_1 ~ p_0: independent Bernoulli(σ(a_A)).
        for (int row = 0; row < r; row++)
        {
            aBase.Slice(row / runs * v, v).CopyTo(vPre.Slice(row * v, v));
        }
        Kernels.Sigmoid(vPre, vPre);
        random.SampleBernoulli(vPre, _vis.AsSpan(0, r * v));
        logW.Clear();

        float betaPrevious = (float)betas[0];
        for (int k = 1; k <= transitions; k++)
        {
            cancellation.ThrowIfCancellationRequested();
            float beta = (float)betas[k];
            bool last = k == transitions;
            // x = v W : (R×V)·(V×H)
            if (!sparseVisible)
            {
                _blas.Gemm(false, false, r, h, v, 1f, _vis, w, 0f, _x);
                Flops += 2L * r * h * v;
            }
            else
            {
                Flops += SparseRows(_vis, v, w, h, r, _x);
            }
            double step = (double)beta - betaPrevious;
            for (int row = 0; row < r; row++)
            {
                logW[row] += HiddenStep(_x.AsSpan(row * h, h), b.Slice(row / runs * h, h), beta, betaPrevious, hid.Slice(row * h, h), !last);
                if (!sameBase)
                {
                    logW[row] += step * TensorPrimitives.Dot(delta.Slice(row / runs * v, v), _vis.AsSpan(row * v, v)); // (β-β')(a - a_A)·v
                }
            }
            betaPrevious = beta;
            if (last)
            {
                break;
            }
            // h ~ Bernoulli(σ(β x)); v ~ Bernoulli(σ(a + β h Wᵀ)) : (R×H)·(H×V)
            random.SampleBernoulli(hid, hid);
            // About half the hidden units are on: a dense product is cheaper than the row sums here.
            _blas.Gemm(false, true, r, v, h, beta, _hid, w, 0f, _vPre);
            Flops += 2L * r * h * v;
            Span<float> vis = _vis.AsSpan(0, r * v);
            TensorPrimitives.MultiplyAdd(delta, beta, aBase, blend); // a_A + β (a - a_A)
            for (int row = 0; row < r; row++)
            {
                FastMath.SigmoidWithBias(vPre.Slice(row * v, v), blend.Slice(row / runs * v, v), vis.Slice(row * v, v));
            }
            random.SampleBernoulli(vis, vis);
        }

        // log Ẑ_n = log Z_0 + log mean_runs w; log Z_0 = Σ_i softplus(a_A,i) + H log 2.
        for (int n = 0; n < count; n++)
        {
            double logZ0 = h * Math.Log(2);
            foreach (float ai in aBase.Slice(n * v, v))
            {
                logZ0 += LogMath.Softplus(ai);
            }
            (double logMean, double se) = LogMath.LogMeanExp(logW.Slice(n * runs, runs));
            logZ[n] = logZ0 + logMean;
            standardError[n] = se;
        }
    }

    // output (R×columns) = units (R×inner, 0/1) · matrix (inner×columns), row by row as sums of the selected rows of
    // the matrix. Returns the additions done.
    private long SparseRows(float[] units, int inner, float[] matrix, int columns, int rows, float[] output)
    {
        long adds = 0;
        for (int row = 0; row < rows; row++)
        {
            int on = SparseKernels.CollectNonZero(units.AsSpan(row * inner, inner), _active);
            SparseKernels.AddRows(_zeros, matrix, columns, _active.AsSpan(0, on), output.AsSpan(row * columns, columns));
            adds += (long)on * columns;
        }
        return adds;
    }

    /// <summary>
    /// Gibbs chains at β = 1 for RBMs [<paramref name="first"/>, first + count), <paramref name="samples"/> chains each,
    /// of <paramref name="steps"/> steps from <paramref name="starts"/> (N×V; empty: the zero vector). After the last
    /// hidden sample, the visible probabilities σ(a + h Wᵀ) are the prediction: chain s of RBM n adds the expected
    /// TP/FP/FN of a sample from them against row n of <paramref name="truth"/>, weighted 1/samples, and their mean
    /// over the chains goes to row n - first of <paramref name="meanProbabilities"/> (count×V).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Predict(RbmFamily family, int first, int count, int samples, int steps, ReadOnlySpan<float> starts,
        ReadOnlySpan<float> truth, VectorRandom random, FrameAccuracy accuracy, Span<float> meanProbabilities, CancellationToken cancellation)
    {
        int v = _v, h = _h, r = count * samples;
        float[] w = family.Weights;
        ReadOnlySpan<float> a = family.VisibleBiases.AsSpan(first * v, count * v);
        ReadOnlySpan<float> b = family.HiddenBiases.AsSpan(first * h, count * h);
        Span<float> vis = _vis.AsSpan(0, r * v);
        Span<float> vPre = _vPre.AsSpan(0, r * v);
        Span<float> hid = _hid.AsSpan(0, r * h);
        for (int row = 0; row < r; row++)
        {
            Span<float> target = vis.Slice(row * v, v);
            if (starts.IsEmpty)
            {
                target.Clear();
            }
            else
            {
                starts.Slice((first + (row / samples)) * v, v).CopyTo(target);
            }
        }
        for (int step = 1; step <= steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            // h ~ Bernoulli(σ(b + v W)) ; p = σ(a + h Wᵀ) ; v ~ Bernoulli(p) except after the last step
            _blas.Gemm(false, false, r, h, v, 1f, _vis, w, 0f, _hid);
            for (int row = 0; row < r; row++)
            {
                Span<float> x = hid.Slice(row * h, h);
                TensorPrimitives.Add(x, b.Slice(row / samples * h, h), x);
            }
            Kernels.Sigmoid(hid, hid);
            random.SampleBernoulli(hid, hid);
            _blas.Gemm(false, true, r, v, h, 1f, _hid, w, 0f, _vPre);
            Flops += 4L * r * h * v;
            for (int row = 0; row < r; row++)
            {
                Span<float> pre = vPre.Slice(row * v, v);
                TensorPrimitives.Add(pre, a.Slice(row / samples * v, v), pre);
            }
            Kernels.Sigmoid(vPre, vPre);
            if (step < steps)
            {
                random.SampleBernoulli(vPre, vis);
            }
        }
        double weight = 1.0 / samples;
        meanProbabilities.Clear();
        for (int row = 0; row < r; row++)
        {
            ReadOnlySpan<float> q = vPre.Slice(row * v, v);
            accuracy.AddExpected(truth.Slice((first + (row / samples)) * v, v), q, weight);
            Span<float> mean = meanProbabilities.Slice(row / samples * v, v);
            TensorPrimitives.MultiplyAdd(q, (float)weight, mean, mean);
        }
    }

    /// <summary>
    /// One hidden layer's share of an annealing step for one row: with x = xw + bias, returns
    /// Σ_j [softplus(β x_j) - softplus(β' x_j)] and, when <paramref name="writeProbabilities"/>, writes σ(β x) into
    /// <paramref name="probabilities"/>. (Derivation in <see cref="Ais"/>'s remarks.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double HiddenStep(ReadOnlySpan<float> xw, ReadOnlySpan<float> bias, float beta, float betaPrevious,
        Span<float> probabilities, bool writeProbabilities)
    {
        int h = bias.Length;
        if (!Vector512.IsHardwareAccelerated || h < 16)
        {
            return HiddenStepScalar(xw, bias, beta, betaPrevious, probabilities, writeProbabilities);
        }
        ref float xr = ref MemoryMarshal.GetReference(xw);
        ref float br = ref MemoryMarshal.GetReference(bias);
        ref float pr = ref MemoryMarshal.GetReference(probabilities);
        var minusBeta = Vector512.Create(-beta);
        var minusBetaPrevious = Vector512.Create(-betaPrevious);
        var one = Vector512<float>.One;
        var zero = Vector512<float>.Zero;
        var lane = Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        var positiveSum = zero;
        var product = one;
        double logRatios = 0;
        int inProduct = 0;
        for (int j = 0; j < h; j += 16)
        {
            // A ragged end is one more vector over the last 16 units; the lanes done already are masked out of the
            // sums (their probabilities are rewritten with the same values).
            int at = Math.Min(j, h - 16);
            var fresh = Vector512.GreaterThanOrEqual(lane, Vector512.Create((float)(j - at)));
            var x = Vector512.LoadUnsafe(ref xr, (nuint)at) + Vector512.LoadUnsafe(ref br, (nuint)at);
            positiveSum += Vector512.ConditionalSelect(fresh, Vector512.Max(x, zero), zero);
            var magnitude = Vector512.Abs(x);
            var e1 = FastMath.Exp(magnitude * minusBeta);                 // e^{-β|x|}
            var d1 = one + e1;
            var d0 = one + FastMath.Exp(magnitude * minusBetaPrevious);  // 1 + e^{-β'|x|}
            var r = one / (d1 * d0);                                      // one division for both quotients
            product *= Vector512.ConditionalSelect(fresh, d1 * d1 * r, one); // d1/d0, each factor in [1/2, 1]
            if (writeProbabilities)
            {
                var inverse = d0 * r;                                     // σ(β|x|) = 1/d1
                var p = Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, zero), inverse, e1 * inverse);
                p.StoreUnsafe(ref pr, (nuint)at);
            }
            if (++inProduct == 16) // ≥ 2^-16 per lane: far from float underflow
            {
                logRatios += Vector512.Sum(Vector512.Log(product));
                product = one;
                inProduct = 0;
            }
        }
        logRatios += Vector512.Sum(Vector512.Log(product));
        return (((double)beta - betaPrevious) * Vector512.Sum(positiveSum)) + logRatios;
    }

    private static double HiddenStepScalar(ReadOnlySpan<float> xw, ReadOnlySpan<float> bias, float beta, float betaPrevious,
        Span<float> probabilities, bool writeProbabilities)
    {
        double logRatios = 0;
        float positive = 0;
        for (int j = 0; j < bias.Length; j++)
        {
            float x = xw[j] + bias[j];
            positive += MathF.Max(x, 0);
            float magnitude = MathF.Abs(x);
            float e1 = MathF.Exp(-beta * magnitude);
            float e0 = MathF.Exp(-betaPrevious * magnitude);
            logRatios += Math.Log((1 + e1) / (double)(1 + e0));
            if (writeProbabilities)
            {
                float inverse = 1 / (1 + e1);
                probabilities[j] = x >= 0 ? inverse : e1 * inverse;
            }
        }
        return (((double)beta - betaPrevious) * positive) + logRatios;
    }
}
