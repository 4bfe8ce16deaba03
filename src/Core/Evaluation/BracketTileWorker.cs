using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Evaluation;

// Dimension legend:
//   V visible   H hidden   C chains per RBM   M kept samples per RBM   S importance samples per RBM
//   T RBMs of the tile   R = T·C chain rows, RBM-major (row = local RBM · C + chain)

/// <summary>
/// One thread's workspace for <see cref="BracketEstimator"/>: the Gibbs chains of a tile of RBMs, their kept visible
/// conditionals, and the lower bound and importance sampling of each RBM. Allocated once per thread and pass.
/// </summary>
internal sealed class BracketTileWorker
{
    private readonly NumericsBackend _blas;
    private readonly int _v, _h, _c, _b, _m, _s;
    private readonly float[] _vis;     // R×V  chains' visible state
    private readonly float[] _z;       // R×V  visible logits z = a + h Wᵀ, then probabilities σ(z)
    private readonly float[] _hid;     // R×H  hidden input, probabilities, then the sample
    private readonly float[] _probs;   // T×M×V  kept p_m = σ(z_m) per RBM
    private readonly float[] _logitsT; // T×V×M  kept z_m transposed: row i of RBM t holds z_mi for every m
    private readonly float[] _cm;      // T×M   c_m = Σ_i log(1 - p_mi)
    private readonly float[] _states;  // T×M×V  the chains' visible states v_k at the kept steps (samples of p(v))
    private readonly double[] _stateF; // T×M   -F(v_k)
    private readonly double[] _logR;   // M     log [q'(v_k) / exp(-F(v_k))] of one RBM
    private readonly float[] _draw;    // S×V  probabilities of the chosen components, then the samples v_s
    private readonly float[] _x;       // H    b + v W of one sample
    private readonly float[] _mix;     // M    log p(v | h_m) of one v
    private readonly double[] _logW;   // S    log importance weights
    private readonly int[] _active;    // max(V, H)

    // A sharp model's samples repeat (the same few chords), and within one RBM a repeated v gives the same log-weight
    // and the same mixture: each distinct v is computed once per RBM, keyed by its set bits (V ≤ 128). The values are
    // those the loop would compute again, so the results do not change (BracketEstimatorTests holds it).
    private readonly bool _keyed;
    private readonly Dictionary<(ulong Low, ulong High), double> _knownWeights = [];
    private readonly Dictionary<(ulong Low, ulong High, bool OtherHalf), double> _knownOthers = [];

    public BracketTileWorker(NumericsBackend blas, int visible, int hidden, int rbms, BracketOptions options)
    {
        _blas = blas;
        (_v, _h, _c, _b, _m, _s) = (visible, hidden, options.Chains, options.BurnIn, options.Samples, options.ImportanceSamples);
        int rows = rbms * _c;
        _vis = new float[rows * visible];
        _z = new float[rows * visible];
        _hid = new float[rows * hidden];
        _probs = new float[rbms * _m * visible];
        _logitsT = new float[rbms * visible * _m];
        _cm = new float[rbms * _m];
        _states = new float[rbms * _m * visible];
        _stateF = new double[rbms * _m];
        _logR = new double[_m];
        _draw = new float[_s * visible];
        _x = new float[hidden];
        _mix = new float[_m];
        _logW = new double[_s];
        _active = new int[Math.Max(visible, hidden)];
        _keyed = visible <= 128 && options.ReuseRepeatedSamples;
    }

    /// <summary>
    /// Brackets RBMs [first, first + count): U_t, the CSL L_t, the reverse bound R_t and the standard error of log Ẑ_t
    /// into the spans (count long). RBM n's frame is row <paramref name="rows"/>[n] of <paramref name="truth"/> (row n
    /// when <paramref name="rows"/> is empty).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(RbmFamily family, int first, int count, ReadOnlySpan<float> truth, ReadOnlySpan<int> rows, ReadOnlySpan<int> history,
        ReadOnlySpan<double> negativeFreeEnergy, VectorRandom random, Span<double> upper, Span<double> lower, Span<double> reverse, Span<double> reverseError, Span<double> error,
        CancellationToken cancellation)
    {
        int v = _v, h = _h, chains = _c, m = _m, r = count * chains;
        float[] w = family.Weights;
        ReadOnlySpan<float> a = family.VisibleBiases.AsSpan(first * v, count * v);
        ReadOnlySpan<float> b = family.HiddenBiases.AsSpan(first * h, count * h);
        Span<float> vis = _vis.AsSpan(0, r * v);
        Span<float> z = _z.AsSpan(0, r * v);
        Span<float> hid = _hid.AsSpan(0, r * h);
        for (int row = 0; row < r; row++)
        {
            // Even chain 2j from v_{t-1-j} when the sequence reaches that far back, else (and odd chains) from zeros.
            Span<float> target = vis.Slice(row * v, v);
            int at = first + (row / chains), back = (row % chains / 2) + 1;
            if (history.IsEmpty || row % chains % 2 == 1 || back > history[at])
            {
                target.Clear();
            }
            else
            {
                truth.Slice(((rows.IsEmpty ? at : rows[at]) - back) * v, v).CopyTo(target);
            }
        }

        // Gibbs: h ~ Bernoulli(σ(b + v W)) (v W as row sums: v is sparse); z = a + h Wᵀ : (R×H)·(H×V); v ~ Bernoulli(σ(z)).
        // Sample index m = chain · (M/C) + kept: chain-major, so the first half of the chains owns samples [0, M_A).
        int perChain = m / chains, total = _b + perChain;
        for (int step = 1; step <= total; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            int kept = step - _b - 1; // this step's sample index within each chain, when ≥ 0
            for (int row = 0; row < r; row++)
            {
                int on = SparseKernels.CollectNonZero(vis.Slice(row * v, v), _active);
                Span<float> x = hid.Slice(row * h, h);
                SparseKernels.AddRows(b.Slice(row / chains * h, h), w, h, _active.AsSpan(0, on), x);
                if (kept >= 0)
                {
                    // v_k, the state entering a kept step (sampled after ≥ B steps), and -F(v_k) = a·v_k + Σ_j softplus(x_j).
                    int t = row / chains, sample = ((row % chains) * perChain) + kept;
                    double negativeF = LogMath.SoftplusSum(x);
                    for (int k = 0; k < on; k++)
                    {
                        negativeF += a[(t * v) + _active[k]];
                    }
                    _stateF[(t * m) + sample] = negativeF;
                    vis.Slice(row * v, v).CopyTo(_states.AsSpan(((t * m) + sample) * v, v));
                }
            }
            Kernels.Sigmoid(hid, hid);
            random.SampleBernoulli(hid, hid);
            _blas.Gemm(false, true, r, v, h, 1f, _hid, w, 0f, _z);
            for (int row = 0; row < r; row++)
            {
                Span<float> pre = z.Slice(row * v, v);
                TensorPrimitives.Add(pre, a.Slice(row / chains * v, v), pre);
            }
            if (kept >= 0)
            {
                for (int row = 0; row < r; row++)
                {
                    int t = row / chains, sample = ((row % chains) * perChain) + kept;
                    ReadOnlySpan<float> logits = z.Slice(row * v, v);
                    Span<float> transposed = _logitsT.AsSpan(t * v * m, v * m);
                    for (int i = 0; i < v; i++)
                    {
                        transposed[(i * m) + sample] = logits[i];
                    }
                    _cm[(t * m) + sample] = (float)-LogMath.SoftplusSum(logits);
                }
            }
            Kernels.Sigmoid(z, z);
            if (kept >= 0)
            {
                for (int row = 0; row < r; row++)
                {
                    int t = row / chains, sample = ((row % chains) * perChain) + kept;
                    z.Slice(row * v, v).CopyTo(_probs.AsSpan(((t * m) + sample) * v, v));
                }
            }
            if (step < total)
            {
                random.SampleBernoulli(z, vis);
            }
        }

        double logM = Math.Log(m);
        int half = chains / 2 * perChain; // M_A: samples of chains [0, C/2); the rest, M_B, of chains [C/2, C)
        for (int t = 0; t < count; t++)
        {
            cancellation.ThrowIfCancellationRequested();
            int at = first + t;
            ReadOnlySpan<float> cs = _cm.AsSpan(t * m, m);
            ReadOnlySpan<float> logitsT = _logitsT.AsSpan(t * v * m, v * m);
            ReadOnlySpan<float> at_ = a.Slice(t * v, v), bt = b.Slice(t * h, h);

            // L_t = log (1/M) Σ_m exp(c_m + Σ_{i: v_i=1} z_mi).
            lower[t] = LogMixture(SparseKernels.CollectNonZero(truth.Slice((rows.IsEmpty ? at : rows[at]) * v, v), _active), cs, logitsT) - logM;

            // Reverse: 1/Z = E_{v~p}[q'(v) / p*(v)] for any normalised q' independent of v. v_k from a chain of one half is
            // weighed by the mixture q' of the other half's components, so q' does not depend on v_k's own chain.
            _knownOthers.Clear();
            for (int k = 0; k < m; k++)
            {
                int on = SparseKernels.CollectNonZero(_states.AsSpan(((t * m) + k) * v, v), _active);
                bool inFirstHalf = k < half;
                (ulong, ulong, bool) key = default;
                if (_keyed)
                {
                    (ulong low, ulong high) = Key(on);
                    key = (low, high, inFirstHalf);
                }
                if (!_keyed || !_knownOthers.TryGetValue(key, out double logOther))
                {
                    LogMixture(on, cs, logitsT);
                    logOther = inFirstHalf
                        ? LogSumExp(_mix.AsSpan(half)) - Math.Log(m - half)
                        : LogSumExp(_mix.AsSpan(0, half)) - Math.Log(half);
                    if (_keyed)
                    {
                        _knownOthers[key] = logOther;
                    }
                }
                _logR[k] = logOther - _stateF[(t * m) + k];
            }
            (double logY, double seY) = LogMath.LogMeanExp(_logR.AsSpan(0, m));
            reverse[t] = negativeFreeEnergy[at] + logY;
            reverseError[t] = seY;

            // v_s ~ q: a uniform component m, then v ~ Bernoulli(p_m).
            Span<float> draw = _draw.AsSpan(0, _s * v);
            for (int s = 0; s < _s; s++)
            {
                int component = random.NextInt(m);
                _probs.AsSpan(((t * m) + component) * v, v).CopyTo(draw.Slice(s * v, v));
            }
            random.SampleBernoulli(draw, draw);
            _knownWeights.Clear();
            for (int s = 0; s < _s; s++)
            {
                int on = SparseKernels.CollectNonZero(draw.Slice(s * v, v), _active);
                (ulong, ulong) key = _keyed ? Key(on) : default;
                if (_keyed && _knownWeights.TryGetValue(key, out double known))
                {
                    _logW[s] = known;
                    continue;
                }
                double negativeF = 0;
                for (int k = 0; k < on; k++)
                {
                    negativeF += at_[_active[k]];
                }
                SparseKernels.AddRows(bt, w, h, _active.AsSpan(0, on), _x);
                negativeF += LogMath.SoftplusSum(_x);
                _logW[s] = negativeF - (LogMixture(on, cs, logitsT) - logM); // log [exp(-F(v_s)) / q(v_s)]
                if (_keyed)
                {
                    _knownWeights[key] = _logW[s];
                }
            }
            (double logZ, double se) = LogMath.LogMeanExp(_logW.AsSpan(0, _s));
            upper[t] = negativeFreeEnergy[at] - logZ;
            error[t] = se;
        }
    }

    // The set bits of a binary v (V ≤ 128) as two words, from its first `on` indices in _active.
    private (ulong Low, ulong High) Key(int on)
    {
        ulong low = 0, high = 0;
        for (int k = 0; k < on; k++)
        {
            int i = _active[k];
            if (i < 64)
            {
                low |= 1UL << i;
            }
            else
            {
                high |= 1UL << (i - 64);
            }
        }
        return (low, high);
    }

    // log Σ_m exp(c_m + Σ_{i: v_i = 1} z_mi) for one binary v whose `on` set indices are in _active: the rows of zᵀ
    // that v selects, summed onto c.
    private double LogMixture(int on, ReadOnlySpan<float> c, ReadOnlySpan<float> logitsT)
    {
        SparseKernels.AddRows(c, logitsT, _m, _active.AsSpan(0, on), _mix);
        return LogSumExp(_mix);
    }

    /// <summary>log Σ_i e^{x_i} (the largest term factored out; each e^{x_i - max} to float accuracy).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double LogSumExp(ReadOnlySpan<float> x)
    {
        float max = TensorPrimitives.Max(x);
        int n = x.Length, i = 0;
        double sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            var shift = Vector512.Create(max);
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                acc += FastMath.Exp(Vector512.LoadUnsafe(ref xr, (nuint)i) - shift);
            }
            sum = Vector512.Sum(Vector512.WidenLower(acc)) + Vector512.Sum(Vector512.WidenUpper(acc));
        }
        for (; i < n; i++)
        {
            sum += Math.Exp((double)x[i] - max);
        }
        return max + Math.Log(sum);
    }
}
