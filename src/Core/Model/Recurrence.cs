using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Model;

// Dimension legend: T steps, V visible, H hidden, U recurrent; row-major.

/// <summary>
/// The deterministic recurrence over a given sequence (docs/model.md, "Recurrence"), shared by training and evaluation:
/// <code>
/// u_t  = tanh(bu + v_t Wvu + u_{t-1} Wuu)      u_0 = u0 (0 in the seed), or a state carried from an earlier chunk
/// bv_t = bv + u_{t-1} Wuv                        bh_t = bh + u_{t-1} Wuh
/// </code>
/// v_t Wvu for all t is one product; only u_{t-1} Wuu is sequential. A GRU model (<see cref="RecurrenceKind.Gru"/>)
/// replaces the tanh line by <see cref="GruRecurrence"/>; bv_t and bh_t are formed the same way.
/// </summary>
internal static class Recurrence
{
    /// <summary>
    /// Fills <paramref name="states"/> ((T+1)×U: u_0 .. u_T), <paramref name="bvt"/> (T×V) and <paramref name="bht"/>
    /// (T×H) from <paramref name="x"/> (T×V), starting from the model's u0. <paramref name="scratch"/> (T×U) is
    /// overwritten. Allocates nothing for a tanh model.
    /// </summary>
    public static void Run(NumericsBackend blas, RnnRbmParameters p, float[] x, int steps, float[] scratch, float[] states, float[] bvt, float[] bht) =>
        Run(blas, p, x, steps, scratch, states, bvt, bht, p.U0);

    /// <summary>
    /// As the other overload, but starting from <paramref name="initialState"/> (U) instead of u0. For a GRU model,
    /// <paramref name="gru"/> keeps the gates for back-propagation (capacity ≥ T); null makes a temporary one (the
    /// evaluator's case: one allocation per call). Tanh models ignore it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(NumericsBackend blas, RnnRbmParameters p, float[] x, int steps, float[] scratch, float[] states, float[] bvt, float[] bht,
        ReadOnlySpan<float> initialState, GruRecurrence? gru = null)
    {
        int v = p.Shape.Visible, h = p.Shape.Hidden, u = p.Shape.Recurrent;
        blas.Gemm(false, false, steps, u, v, 1f, x, p.Wvu, 0f, scratch); // T×U = X (T×V) · Wvu (V×U)
        Span<float> all = states;
        initialState[..u].CopyTo(all); // u_0
        if (p.Shape.Kind == RecurrenceKind.Gru)
        {
            (gru ?? new GruRecurrence(p.Shape, steps)).Forward(blas, p, x, steps, scratch, all);
        }
        else
        {
            for (int t = 1; t <= steps; t++)
            {
                Span<float> ut = all.Slice(t * u, u);
                TensorPrimitives.Add(scratch.AsSpan((t - 1) * u, u), p.Bu, ut);
                Kernels.VecMat(all.Slice((t - 1) * u, u), p.Wuu, u, u, ut, accumulate: true); // a_t += u_{t-1} Wuu
                TensorPrimitives.Tanh(ut, ut);
            }
        }
        // bv_t and bh_t from u_0 .. u_{T-1}: the first T rows of states.
        for (int t = 0; t < steps; t++)
        {
            p.Bv.CopyTo(bvt.AsSpan(t * v, v));
            p.Bh.CopyTo(bht.AsSpan(t * h, h));
        }
        blas.Gemm(false, false, steps, v, u, 1f, states, p.Wuv, 1f, bvt); // T×V += Uprev (T×U) · Wuv (U×V)
        blas.Gemm(false, false, steps, h, u, 1f, states, p.Wuh, 1f, bht); // T×H += Uprev (T×U) · Wuh (U×H)
    }
}
