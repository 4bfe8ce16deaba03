using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Model;

// Dimension legend (docs/model.md, "Sizes and parameters"):
//   T  steps in the chunk (T ≤ capacity = the batch size)
//   V  visible units (pitches)   H  hidden units of the RBM   U  recurrent units
// Every matrix is row-major; "T×V" means T rows of V floats. Row t-1 holds step t (steps are 1-based in
// docs/model.md, 0-based here); the recurrent states buffer holds u_0 .. u_T in rows 0 .. T.

/// <summary>
/// The fast float32 core of one update: the recurrence, CD-k batched over the chunk, the monitor, and the
/// exact gradient of C = (1/T) Σ_t [F_t(v_t) - F_t(v*_t)] with v* held constant, by back-propagation
/// through time (docs/model.md, "Cost and gradient"). All workspace is allocated here, once; a call allocates nothing.
/// </summary>
/// <remarks>
/// The Gibbs chains of the chunk's rows are independent, so they run in <see cref="Blocks"/> fixed row blocks,
/// each with its own random stream. The blocks are the same whatever the number of threads, so one seed gives
/// the same parameters on one thread or two (for a given numerics backend).
/// </remarks>
internal sealed class ChunkGradient : IDisposable
{
    /// <summary>Row blocks of the Gibbs chain, each with its own random stream.</summary>
    public const int Blocks = 2;

    private readonly ModelShape _shape;
    private readonly NumericsBackend _blas;
    private readonly int _capacity;
    private readonly GibbsBlock[] _blocks;
    private readonly BlockRunner? _runner;

    // Whole-chunk buffers.
    private readonly float[] _x;        // T×V   the chunk v_1..v_T
    private readonly float[] _states;   // (T+1)×U   u_0 (u0 or a carried state), u_1 .. u_T
    private readonly float[] _bvt;      // T×V   bv_t = bv + u_{t-1} Wuv
    private readonly float[] _bht;      // T×H   bh_t = bh + u_{t-1} Wuh
    private readonly float[] _vNeg;     // T×V   v*_t, the chain's end
    private readonly float[] _hPos;     // T×H   ĥ_t  = σ(v_t W + bh_t)
    private readonly float[] _hNeg;     // T×H   ĥ*_t = σ(v*_t W + bh_t)
    private readonly float[] _dBvt;     // T×V   ∂C/∂bv_t
    private readonly float[] _dBht;     // T×H   ∂C/∂bh_t
    private readonly float[] _g;        // T×U   row t-1: ∂C/∂u_{t-1} contributions from bv_t, bh_t, then δa_t
    private readonly float[] _gNext;    // U     g_t = ∂C/∂u_t during BPTT
    private readonly GruRecurrence? _gru; // the gates of a GRU model
    private RnnRbmParameters? _parameters;
    private int _steps;

    public ChunkGradient(ModelShape shape, int capacity, NumericsBackend blas, VectorRandom[] streams, int threads)
    {
        if (streams.Length != Blocks)
        {
            throw new ArgumentException($"Need {Blocks} random streams.", nameof(streams));
        }
        _shape = shape;
        _blas = blas;
        _capacity = capacity;
        int v = shape.Visible, h = shape.Hidden, u = shape.Recurrent;
        _x = new float[capacity * v];
        _states = new float[(capacity + 1) * u];
        _bvt = new float[capacity * v];
        _bht = new float[capacity * h];
        _vNeg = new float[capacity * v];
        _hPos = new float[capacity * h];
        _hNeg = new float[capacity * h];
        _dBvt = new float[capacity * v];
        _dBht = new float[capacity * h];
        _g = new float[capacity * u];
        _gNext = new float[u];
        _gru = shape.Kind == RecurrenceKind.Gru ? new GruRecurrence(shape, capacity) : null;
        int blockCapacity = (capacity + Blocks - 1) / Blocks;
        _blocks = new GibbsBlock[Blocks];
        for (int b = 0; b < Blocks; b++)
        {
            _blocks[b] = new GibbsBlock(shape, blockCapacity, streams[b]);
        }
        _runner = threads > 1 ? new BlockRunner(RunBlock) : null;
    }

    /// <summary>Longest chunk this instance accepts.</summary>
    public int Capacity => _capacity;

    /// <summary>v*_t of the last call, T×V (rows beyond T are stale).</summary>
    public ReadOnlySpan<float> NegativeSample => _vNeg.AsSpan(0, _steps * _shape.Visible);

    /// <summary>u_T of the last call (U): where the next chunk of the same sequence starts when the state is carried.</summary>
    public ReadOnlySpan<float> FinalState => _states.AsSpan(_steps * _shape.Recurrent, _shape.Recurrent);

    /// <summary>
    /// Runs the recurrence and CD-k on <paramref name="chunk"/> (T×V of 0/1), writes ∂C/∂θ into
    /// <paramref name="gradient"/> (every tensor overwritten) and returns the seed's monitor for the chunk:
    /// (1/T) Σ_t Σ_i [v log p + (1-v) log(1-p)] after one more half-step from v*.
    /// </summary>
    /// <param name="chunk">The chunk, T×V.</param>
    /// <param name="steps">T.</param>
    /// <param name="parameters">θ (read only).</param>
    /// <param name="gradient">Receives ∂C/∂θ; same shape as θ.</param>
    /// <param name="k">Gibbs steps.</param>
    /// <param name="frozenNegative">When given (T×V), v* is taken from here instead of sampled (tests).</param>
    /// <param name="initialState">
    /// When given (U), u_0 of the chunk: a state carried from the previous chunk of the sequence, held constant (truncated
    /// BPTT), and ∂C/∂u0 is 0. When empty, u_0 = u0 and ∂C/∂u0 = g_0 is written (the gradient reaching u_0).
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: skip tiering so timings are steady from the first call
    public double Compute(ReadOnlySpan<float> chunk, int steps, RnnRbmParameters parameters, RnnRbmParameters gradient, int k,
        ReadOnlySpan<float> frozenNegative = default, ReadOnlySpan<float> initialState = default)
    {
        if (steps < 1 || steps > _capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"A chunk holds 1 to {_capacity} steps.");
        }
        int v = _shape.Visible;
        _parameters = parameters;
        _steps = steps;
        chunk[..(steps * v)].CopyTo(_x);

        bool fromU0 = initialState.IsEmpty;
        Recurrence.Run(_blas, parameters, _x, steps, _g, _states, _bvt, _bht, fromU0 ? parameters.U0 : initialState, _gru); // _g is free until Backward

        // CD-k, the positive phase and the monitor, block by block (in parallel when allowed).
        int first = (steps + 1) / 2;
        _blocks[0].Load(0, first, _x, _bvt, _bht, frozenNegative);
        _blocks[1].Load(first, steps - first, _x, _bvt, _bht, frozenNegative);
        _k = k;
        _frozen = !frozenNegative.IsEmpty;
        if (_runner is not null && _blocks[1].Rows > 0)
        {
            _runner.Run();
        }
        else
        {
            RunBlock(0);
            RunBlock(1);
        }
        double monitorSum = 0;
        foreach (GibbsBlock block in _blocks)
        {
            block.Store(_vNeg, _hPos, _hNeg);
            monitorSum += block.MonitorSum;
        }

        Backward(parameters, gradient, steps, fromU0);
        _parameters = null;
        return monitorSum / steps;
    }

    private int _k;
    private bool _frozen;

    private void RunBlock(int b)
    {
        GibbsBlock block = _blocks[b];
        if (block.Rows > 0)
        {
            block.Run(_blas, _parameters!, _k, _frozen);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Backward(RnnRbmParameters p, RnnRbmParameters grad, int steps, bool fromU0)
    {
        int v = _shape.Visible, h = _shape.Hidden, u = _shape.Recurrent;
        float invT = 1f / steps;
        Span<float> dBvt = _dBvt.AsSpan(0, steps * v);
        Span<float> dBht = _dBht.AsSpan(0, steps * h);

        // ∂C/∂bv_t = (v*_t - v_t)/T ;  ∂C/∂bh_t = (ĥ*_t - ĥ_t)/T
        TensorPrimitives.Subtract(_vNeg.AsSpan(0, steps * v), _x.AsSpan(0, steps * v), dBvt);
        TensorPrimitives.Multiply(dBvt, invT, dBvt);
        TensorPrimitives.Subtract(_hNeg.AsSpan(0, steps * h), _hPos.AsSpan(0, steps * h), dBht);
        TensorPrimitives.Multiply(dBht, invT, dBht);

        // ∂C/∂W = Σ_t (v*_tᵀ ĥ*_t - v_tᵀ ĥ_t)/T : V×H = V*ᵀ (V×T) · Ĥ* (T×H) - Xᵀ · Ĥ
        _blas.Gemm(true, false, v, h, steps, invT, _vNeg, _hNeg, 0f, grad.W);
        _blas.Gemm(true, false, v, h, steps, -invT, _x, _hPos, 1f, grad.W);

        // ∂C/∂bv = Σ_t ∂C/∂bv_t ;  ∂C/∂bh = Σ_t ∂C/∂bh_t
        SumRows(dBvt, steps, v, grad.Bv);
        SumRows(dBht, steps, h, grad.Bh);

        // ∂C/∂Wuv = Σ_t u_{t-1}ᵀ ∂C/∂bv_t : U×V = Uprevᵀ (U×T) · dBvt (T×V) ; likewise Wuh.
        _blas.Gemm(true, false, u, v, steps, 1f, _states, _dBvt, 0f, grad.Wuv);
        _blas.Gemm(true, false, u, h, steps, 1f, _states, _dBht, 0f, grad.Wuh);

        // BPTT. Row t-1 of _g first receives the part of g_{t-1} that flows through bv_t and bh_t:
        // dBvt_t Wuvᵀ + dBht_t Wuhᵀ  (T×U = dBvt (T×V) · Wuvᵀ (V×U) + dBht (T×H) · Wuhᵀ (H×U)).
        _blas.Gemm(false, true, steps, u, v, 1f, _dBvt, p.Wuv, 0f, _g);
        _blas.Gemm(false, true, steps, u, h, 1f, _dBht, p.Wuh, 1f, _g);
        Span<float> gNext = _gNext;
        if (_gru is not null)
        {
            _gru.Backward(_blas, p, _x, steps, _states, _g, grad, gNext);
            FinishU0(grad, gNext, fromU0);
            return;
        }
        // Then, t = T down to 1, with g_T = 0 (u_T feeds nothing inside the chunk):
        //   δa_t = g_t ⊙ (1 - u_t²) ;  g_{t-1} = (row t-1 of _g) + δa_t Wuuᵀ.
        // Row t-1 of _g is overwritten by δa_t once g_{t-1} is formed, so that afterwards _g holds δa (T×U).
        gNext.Clear();
        Span<float> states = _states;
        for (int t = steps; t >= 1; t--)
        {
            Span<float> row = _g.AsSpan((t - 1) * u, u);
            ReadOnlySpan<float> ut = states.Slice(t * u, u);
            // row ← δa_t = g_t ⊙ (1 - u_t²) ; gNext ← g_{t-1} = (old row) + Wuu · δa_t
            for (int j = 0; j < u; j++)
            {
                float delta = gNext[j] * (1f - (ut[j] * ut[j]));
                gNext[j] = row[j];
                row[j] = delta;
            }
            Kernels.MatVec(p.Wuu, u, u, row, gNext, accumulate: true); // g_{t-1} += δa_t Wuuᵀ (= Wuu · δa_tᵀ)
        }
        // ∂C/∂Wvu = Σ_t v_tᵀ δa_t : V×U = Xᵀ (V×T) · ΔA (T×U) ; ∂C/∂Wuu = Uprevᵀ · ΔA ; ∂C/∂bu = Σ_t δa_t
        _blas.Gemm(true, false, v, u, steps, 1f, _x, _g, 0f, grad.Wvu);
        _blas.Gemm(true, false, u, u, steps, 1f, _states, _g, 0f, grad.Wuu);
        SumRows(_g.AsSpan(0, steps * u), steps, u, grad.Bu);
        FinishU0(grad, gNext, fromU0);
    }

    // ∂C/∂u0 = g_0, what reached u_0; a carried state is a constant of this chunk (truncated BPTT).
    private static void FinishU0(RnnRbmParameters grad, ReadOnlySpan<float> g0, bool fromU0)
    {
        if (fromU0)
        {
            g0.CopyTo(grad.U0);
        }
        else
        {
            Array.Clear(grad.U0);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumRows(ReadOnlySpan<float> matrix, int rows, int cols, Span<float> sums)
    {
        matrix[..cols].CopyTo(sums);
        for (int r = 1; r < rows; r++)
        {
            TensorPrimitives.Add(sums, matrix.Slice(r * cols, cols), sums);
        }
    }

    public void Dispose() => _runner?.Dispose();
}
