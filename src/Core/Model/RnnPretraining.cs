using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Model;

// Dimension legend: T steps in the chunk (T ≤ capacity), V visible, H hidden, U recurrent. Row-major; the states
// buffer holds u_0 .. u_T in rows 0 .. T, row t-1 of the others holds step t.

/// <summary>
/// The paper's RNN pretraining (Boulanger-Lewandowski et al. 2012, section 5; the tutorial's "auxiliary cross-entropy
/// objective"): the RNN alone predicts each frame with independent logistic units,
/// <code>
/// p_t = σ(z_t),  z_t = bv + u_{t-1} Wuv        u_t = tanh(bu + v_t Wvu + u_{t-1} Wuu)      u_0 = u0 (or a carried state)
/// L   = (1/T) Σ_t Σ_i [softplus(z_ti) − v_ti z_ti]     (= −(1/T) Σ_t Σ_i [v log p + (1−v) log(1−p)])
/// </code>
/// and its exact gradient by BPTT: ∂L/∂z_t = (p_t − v_t)/T, then as in <see cref="ChunkGradient"/> with ∂L/∂z_t in the
/// place of ∂C/∂bv_t and nothing through bh_t. Only bv, Wuv, Wvu, Wuu, bu and u0 get a gradient; W, bh and Wuh get 0.
/// All workspace is allocated here, once.
/// </summary>
internal sealed class RnnPretraining
{
    private readonly ModelShape _shape;
    private readonly NumericsBackend _blas;
    private readonly int _capacity;
    private readonly float[] _x;       // T×V
    private readonly float[] _states;  // (T+1)×U
    private readonly float[] _z;       // T×V   z_t, then ∂L/∂z_t
    private readonly float[] _bht;     // T×H   computed by the shared recurrence, unused here
    private readonly float[] _g;       // T×U   scratch of the recurrence, then the BPTT rows (δa_t)
    private readonly float[] _gNext;   // U
    private readonly GruRecurrence? _gru;

    public RnnPretraining(ModelShape shape, int capacity, NumericsBackend blas)
    {
        _shape = shape;
        _blas = blas;
        _capacity = capacity;
        int v = shape.Visible, h = shape.Hidden, u = shape.Recurrent;
        _x = new float[capacity * v];
        _states = new float[(capacity + 1) * u];
        _z = new float[capacity * v];
        _bht = new float[capacity * h];
        _g = new float[capacity * u];
        _gNext = new float[u];
        _gru = shape.Kind == RecurrenceKind.Gru ? new GruRecurrence(shape, capacity) : null;
    }

    /// <summary>u_T of the last call (U).</summary>
    public ReadOnlySpan<float> FinalState => _states.AsSpan(_steps * _shape.Recurrent, _shape.Recurrent);

    private int _steps;

    /// <summary>
    /// L of <paramref name="chunk"/> (T×V of 0/1), in nats per step, and ∂L/∂θ into <paramref name="gradient"/>
    /// (every tensor overwritten). With <paramref name="initialState"/> the chunk starts there and ∂L/∂u0 is 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Compute(ReadOnlySpan<float> chunk, int steps, RnnRbmParameters p, RnnRbmParameters gradient,
        ReadOnlySpan<float> initialState = default)
    {
        if (steps < 1 || steps > _capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"A chunk holds 1 to {_capacity} steps.");
        }
        int v = _shape.Visible, u = _shape.Recurrent;
        _steps = steps;
        chunk[..(steps * v)].CopyTo(_x);
        bool fromU0 = initialState.IsEmpty;
        Recurrence.Run(_blas, p, _x, steps, _g, _states, _z, _bht, fromU0 ? p.U0 : initialState, _gru); // z_t = bv_t

        // L and ∂L/∂z_t = (σ(z_t) − v_t)/T, in place.
        float invT = 1f / steps;
        double loss = 0;
        Span<float> z = _z.AsSpan(0, steps * v);
        ReadOnlySpan<float> x = _x.AsSpan(0, steps * v);
        for (int i = 0; i < z.Length; i++)
        {
            float a = z[i];
            // softplus(a) − v a, stably: max(a, 0) + log(1 + e^−|a|) − v a
            loss += Math.Max(a, 0f) + Math.Log(1 + Math.Exp(-Math.Abs(a))) - (x[i] * a);
            z[i] = ((1f / (1f + MathF.Exp(-a))) - x[i]) * invT;
        }

        Array.Clear(gradient.W);
        Array.Clear(gradient.Bh);
        Array.Clear(gradient.Wuh);
        // ∂L/∂bv = Σ_t ∂L/∂z_t ; ∂L/∂Wuv = Uprevᵀ (U×T) · ∂Z (T×V)
        z[..v].CopyTo(gradient.Bv);
        for (int t = 1; t < steps; t++)
        {
            TensorPrimitives.Add(gradient.Bv, z.Slice(t * v, v), gradient.Bv);
        }
        _blas.Gemm(true, false, u, v, steps, 1f, _states, _z, 0f, gradient.Wuv);

        // BPTT: row t-1 of _g = ∂Z_t Wuvᵀ, then t = T..1 with g_T = 0: δa_t = g_t ⊙ (1 − u_t²), g_{t-1} = row + δa_t Wuuᵀ.
        _blas.Gemm(false, true, steps, u, v, 1f, _z, p.Wuv, 0f, _g);
        Span<float> gNext = _gNext;
        if (_gru is not null)
        {
            _gru.Backward(_blas, p, _x, steps, _states, _g, gradient, gNext);
            FinishU0(gradient, gNext, fromU0);
            return loss / steps;
        }
        gNext.Clear();
        for (int t = steps; t >= 1; t--)
        {
            Span<float> row = _g.AsSpan((t - 1) * u, u);
            ReadOnlySpan<float> ut = _states.AsSpan(t * u, u);
            for (int j = 0; j < u; j++)
            {
                float delta = gNext[j] * (1f - (ut[j] * ut[j]));
                gNext[j] = row[j];
                row[j] = delta;
            }
            Kernels.MatVec(p.Wuu, u, u, row, gNext, accumulate: true);
        }
        _blas.Gemm(true, false, v, u, steps, 1f, _x, _g, 0f, gradient.Wvu);
        _blas.Gemm(true, false, u, u, steps, 1f, _states, _g, 0f, gradient.Wuu);
        _g.AsSpan(0, u).CopyTo(gradient.Bu);
        for (int t = 1; t < steps; t++)
        {
            TensorPrimitives.Add(gradient.Bu, _g.AsSpan(t * u, u), gradient.Bu);
        }
        FinishU0(gradient, gNext, fromU0);
        return loss / steps;
    }

    private static void FinishU0(RnnRbmParameters gradient, ReadOnlySpan<float> g0, bool fromU0)
    {
        if (fromU0)
        {
            g0.CopyTo(gradient.U0); // ∂L/∂u0 = g_0
        }
        else
        {
            Array.Clear(gradient.U0);
        }
    }
}
