using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Model;

// Dimension legend: R rows of this block (R ≤ capacity), V visible, H hidden. Row-major.

/// <summary>
/// One fixed block of a chunk's rows: its positive phase, its CD-k chain, ĥ* and its share of the monitor.
/// Chains of different rows never interact, so blocks can run on different threads; each block owns its
/// random stream and its buffers, so the result does not depend on how many threads ran the blocks.
/// </summary>
internal sealed class GibbsBlock
{
    private readonly int _v;
    private readonly int _h;
    private readonly VectorRandom _random;
    private readonly float[] _x;       // R×V   data rows v_t
    private readonly float[] _bvt;     // R×V
    private readonly float[] _bht;     // R×H
    private readonly float[] _vCur;    // R×V   chain state, v* at the end
    private readonly float[] _vPre;    // R×V   h Wᵀ + bv_t
    private readonly float[] _vProb;   // R×V
    private readonly float[] _hPre;    // R×H   v W + bh_t
    private readonly float[] _hSample; // R×H
    private readonly float[] _hPos;    // R×H   ĥ   = σ(v W + bh_t)
    private readonly float[] _hNeg;    // R×H   ĥ*  = σ(v* W + bh_t)
    private int _offset;

    public GibbsBlock(ModelShape shape, int capacity, VectorRandom random)
    {
        _v = shape.Visible;
        _h = shape.Hidden;
        _random = random;
        _x = new float[capacity * _v];
        _bvt = new float[capacity * _v];
        _bht = new float[capacity * _h];
        _vCur = new float[capacity * _v];
        _vPre = new float[capacity * _v];
        _vProb = new float[capacity * _v];
        _hPre = new float[capacity * _h];
        _hSample = new float[capacity * _h];
        _hPos = new float[capacity * _h];
        _hNeg = new float[capacity * _h];
    }

    /// <summary>R, the rows loaded by the last <see cref="Load"/>.</summary>
    public int Rows { get; private set; }

    /// <summary>Σ over this block's rows of Σ_i [v log p + (1-v) log(1-p)], from the last <see cref="Run"/>.</summary>
    public double MonitorSum { get; private set; }

    /// <summary>Copies rows [offset, offset + rows) of the chunk's matrices into this block.</summary>
    public void Load(int offset, int rows, ReadOnlySpan<float> x, ReadOnlySpan<float> bvt, ReadOnlySpan<float> bht,
        ReadOnlySpan<float> frozenNegative)
    {
        _offset = offset;
        Rows = rows;
        MonitorSum = 0;
        x.Slice(offset * _v, rows * _v).CopyTo(_x);
        bvt.Slice(offset * _v, rows * _v).CopyTo(_bvt);
        bht.Slice(offset * _h, rows * _h).CopyTo(_bht);
        ReadOnlySpan<float> start = frozenNegative.IsEmpty ? x : frozenNegative;
        start.Slice(offset * _v, rows * _v).CopyTo(_vCur); // the chain starts at v_t (docs/model.md, "The conditional RBM and CD-k")
    }

    /// <summary>Writes v*, ĥ and ĥ* of this block back into the chunk's T-row matrices.</summary>
    public void Store(Span<float> vNeg, Span<float> hPos, Span<float> hNeg)
    {
        _vCur.AsSpan(0, Rows * _v).CopyTo(vNeg[(_offset * _v)..]);
        _hPos.AsSpan(0, Rows * _h).CopyTo(hPos[(_offset * _h)..]);
        _hNeg.AsSpan(0, Rows * _h).CopyTo(hNeg[(_offset * _h)..]);
    }

    /// <summary>Positive phase, k Gibbs steps (skipped when v* is frozen), ĥ*, and the monitor's half-step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: skip tiering so timings are steady from the first call
    public void Run(NumericsBackend blas, RnnRbmParameters p, int k, bool frozen)
    {
        int r = Rows;
        // ĥ = σ(v W + bh_t)
        HiddenPreActivation(blas, p, _x, r);
        Kernels.Sigmoid(_hPre.AsSpan(0, r * _h), _hPos);
        if (!frozen)
        {
            for (int step = 0; step < k; step++)
            {
                // h ~ Bernoulli(σ(v W + bh_t)), then v ~ Bernoulli(σ(h Wᵀ + bv_t))
                HiddenPreActivation(blas, p, _vCur, r);
                Span<float> hProb = _hPre.AsSpan(0, r * _h);
                Kernels.Sigmoid(hProb, hProb);
                _random.SampleBernoulli(hProb, _hSample.AsSpan(0, r * _h));
                VisiblePreActivation(blas, p, r);
                Span<float> vProb = _vProb.AsSpan(0, r * _v);
                Kernels.Sigmoid(_vPre.AsSpan(0, r * _v), vProb);
                _random.SampleBernoulli(vProb, _vCur.AsSpan(0, r * _v));
            }
        }
        // ĥ* = σ(v* W + bh_t), then the monitor's half-step: h ~ Bernoulli(ĥ*), z = h Wᵀ + bv_t.
        HiddenPreActivation(blas, p, _vCur, r);
        Kernels.Sigmoid(_hPre.AsSpan(0, r * _h), _hNeg);
        _random.SampleBernoulli(_hNeg.AsSpan(0, r * _h), _hSample.AsSpan(0, r * _h));
        VisiblePreActivation(blas, p, r);
        MonitorSum = LogLikelihoodOfData(r);
    }

    // _hPre (R×H) = bh_t + visible (R×V) · W (V×H)
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void HiddenPreActivation(NumericsBackend blas, RnnRbmParameters p, float[] visible, int r)
    {
        _bht.AsSpan(0, r * _h).CopyTo(_hPre);
        blas.Gemm(false, false, r, _h, _v, 1f, visible, p.W, 1f, _hPre);
    }

    // _vPre (R×V) = bv_t + h (R×H) · Wᵀ (H×V)
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void VisiblePreActivation(NumericsBackend blas, RnnRbmParameters p, int r)
    {
        _bvt.AsSpan(0, r * _v).CopyTo(_vPre);
        blas.Gemm(false, true, r, _v, _h, 1f, _hSample, p.W, 1f, _vPre);
    }

    // Σ [v log σ(z) + (1-v) log(1-σ(z))] = -Σ softplus(s) with s = z (1 - 2v), computed from the
    // pre-activation z so that it is finite whatever z is (the seed took log σ(z) and printed -inf once).
    // softplus(s) = max(s, 0) + log(1 + e^{-|s|}).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double LogLikelihoodOfData(int r)
    {
        Span<float> s = _vProb.AsSpan(0, r * _v); // scratch
        Span<float> z = _vPre.AsSpan(0, r * _v);
        TensorPrimitives.Multiply(_x.AsSpan(0, r * _v), -2f, s);
        TensorPrimitives.Add(s, 1f, s);                                  // 1 - 2v
        TensorPrimitives.Multiply(z, s, s);                              // s = z (1 - 2v)
        TensorPrimitives.Max(s, 0f, z);
        double positivePart = TensorPrimitives.Sum<float>(z);
        TensorPrimitives.Abs(s, s);
        TensorPrimitives.Negate(s, s);
        TensorPrimitives.Exp(s, s);
        TensorPrimitives.Add(s, 1f, s);
        TensorPrimitives.Log(s, s);
        double logPart = TensorPrimitives.Sum<float>(s);
        return -(positivePart + logPart);
    }
}
