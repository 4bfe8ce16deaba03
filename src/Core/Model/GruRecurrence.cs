using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Model;

// Dimension legend: T steps, V visible, U recurrent; row-major. Row t-1 holds step t; states hold u_0 .. u_T.

/// <summary>
/// The GRU recurrence (<see cref="RecurrenceKind.Gru"/>), forward and back-propagation through time:
/// <code>
/// z_t = σ(bz + v_t Wvz + u_{t-1} Wuz)          r_t = σ(br + v_t Wvr + u_{t-1} Wur)
/// c_t = tanh(bu + v_t Wvu + (r_t ⊙ u_{t-1}) Wuu)
/// u_t = u_{t-1} + z_t ⊙ (c_t − u_{t-1})
/// </code>
/// BPTT, t = T down to 1, from g_t = ∂C/∂u_t and e_t, the part of g_{t-1} that flows through bv_t and bh_t:
/// <code>
/// δc_t = g_t ⊙ z_t ⊙ (1 − c_t²)                 δz_t = g_t ⊙ (c_t − u_{t-1}) ⊙ z_t ⊙ (1 − z_t)
/// ρ_t  = δc_t Wuuᵀ                               δr_t = ρ_t ⊙ u_{t-1} ⊙ r_t ⊙ (1 − r_t)
/// g_{t-1} = e_t + g_t ⊙ (1 − z_t) + ρ_t ⊙ r_t + δz_t Wuzᵀ + δr_t Wurᵀ
/// ∂Wvu = Σ v_tᵀ δc_t   ∂Wuu = Σ (r_t ⊙ u_{t-1})ᵀ δc_t   ∂bu = Σ δc_t   (likewise z with u_{t-1}, r with u_{t-1})
/// </code>
/// The buffers are allocated once per instance (capacity T).
/// </summary>
internal sealed class GruRecurrence
{
    private readonly int _u;
    private readonly float[] _xz;   // T×U  v_t Wvz, then δz_t
    private readonly float[] _xr;   // T×U  v_t Wvr, then δr_t
    private readonly float[] _z;    // T×U  z_t
    private readonly float[] _r;    // T×U  r_t
    private readonly float[] _c;    // T×U  c_t
    private readonly float[] _ru;   // T×U  r_t ⊙ u_{t-1}
    private readonly float[] _rho;  // U

    public GruRecurrence(ModelShape shape, int capacity)
    {
        _u = shape.Recurrent;
        _xz = new float[capacity * _u];
        _xr = new float[capacity * _u];
        _z = new float[capacity * _u];
        _r = new float[capacity * _u];
        _c = new float[capacity * _u];
        _ru = new float[capacity * _u];
        _rho = new float[_u];
    }

    /// <summary>Fills states rows 1..T from row 0 (u_0) and <paramref name="xc"/> = X Wvu (T×U), keeping the gates for <see cref="Backward"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(NumericsBackend blas, RnnRbmParameters p, float[] x, int steps, ReadOnlySpan<float> xc, Span<float> states)
    {
        int v = p.Shape.Visible, u = _u;
        blas.Gemm(false, false, steps, u, v, 1f, x, p.Wvz, 0f, _xz); // T×U = X · Wvz
        blas.Gemm(false, false, steps, u, v, 1f, x, p.Wvr, 0f, _xr); // T×U = X · Wvr
        for (int t = 1; t <= steps; t++)
        {
            int row = (t - 1) * u;
            ReadOnlySpan<float> previous = states.Slice(row, u);
            Span<float> z = _z.AsSpan(row, u), r = _r.AsSpan(row, u), c = _c.AsSpan(row, u), ru = _ru.AsSpan(row, u);
            TensorPrimitives.Add(_xz.AsSpan(row, u), p.Bz, z);
            Kernels.VecMat(previous, p.Wuz, u, u, z, accumulate: true);
            Kernels.Sigmoid(z, z);
            TensorPrimitives.Add(_xr.AsSpan(row, u), p.Br, r);
            Kernels.VecMat(previous, p.Wur, u, u, r, accumulate: true);
            Kernels.Sigmoid(r, r);
            TensorPrimitives.Multiply(r, previous, ru);
            TensorPrimitives.Add(xc.Slice(row, u), p.Bu, c);
            Kernels.VecMat(ru, p.Wuu, u, u, c, accumulate: true);
            TensorPrimitives.Tanh(c, c);
            Span<float> next = states.Slice(t * u, u);
            for (int j = 0; j < u; j++)
            {
                next[j] = previous[j] + (z[j] * (c[j] - previous[j]));
            }
        }
    }

    /// <summary>
    /// BPTT after <see cref="Forward"/>. On entry row t-1 of <paramref name="g"/> holds e_t; on exit δc_t. Writes ∂ of
    /// Wvu, Wuu, bu and the gates into <paramref name="grad"/>, and g_0 into <paramref name="g0"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(NumericsBackend blas, RnnRbmParameters p, float[] x, int steps, float[] states, float[] g,
        RnnRbmParameters grad, Span<float> g0)
    {
        int v = p.Shape.Visible, u = _u;
        Span<float> gt = g0; // g_t, from g_T = 0 down to g_0
        gt.Clear();
        Span<float> rho = _rho;
        for (int t = steps; t >= 1; t--)
        {
            int row = (t - 1) * u;
            ReadOnlySpan<float> previous = states.AsSpan(row, u);
            Span<float> z = _z.AsSpan(row, u), r = _r.AsSpan(row, u), c = _c.AsSpan(row, u);
            Span<float> e = g.AsSpan(row, u), dz = _xz.AsSpan(row, u), dr = _xr.AsSpan(row, u);
            for (int j = 0; j < u; j++)
            {
                float gj = gt[j];
                float dc = gj * z[j] * (1f - (c[j] * c[j]));
                dz[j] = gj * (c[j] - previous[j]) * z[j] * (1f - z[j]);
                gt[j] = e[j] + (gj * (1f - z[j])); // g_{t-1}, first terms
                e[j] = dc;                          // row t-1 now holds δc_t
            }
            Kernels.MatVec(p.Wuu, u, u, e, rho, accumulate: false); // ρ_t = δc_t Wuuᵀ
            for (int j = 0; j < u; j++)
            {
                dr[j] = rho[j] * previous[j] * r[j] * (1f - r[j]);
                gt[j] += rho[j] * r[j];
            }
            Kernels.MatVec(p.Wuz, u, u, dz, gt, accumulate: true); // += δz_t Wuzᵀ
            Kernels.MatVec(p.Wur, u, u, dr, gt, accumulate: true); // += δr_t Wurᵀ
        }
        // Input weights: V×U = Xᵀ · Δ ; recurrent weights: U×U = (R⊙Uprev or Uprev)ᵀ · Δ ; biases: Σ_t Δ.
        blas.Gemm(true, false, v, u, steps, 1f, x, g, 0f, grad.Wvu);
        blas.Gemm(true, false, u, u, steps, 1f, _ru, g, 0f, grad.Wuu);
        SumRows(g, steps, u, grad.Bu);
        blas.Gemm(true, false, v, u, steps, 1f, x, _xz, 0f, grad.Wvz);
        blas.Gemm(true, false, u, u, steps, 1f, states, _xz, 0f, grad.Wuz);
        SumRows(_xz, steps, u, grad.Bz);
        blas.Gemm(true, false, v, u, steps, 1f, x, _xr, 0f, grad.Wvr);
        blas.Gemm(true, false, u, u, steps, 1f, states, _xr, 0f, grad.Wur);
        SumRows(_xr, steps, u, grad.Br);
    }

    private static void SumRows(ReadOnlySpan<float> matrix, int rows, int cols, Span<float> sums)
    {
        matrix[..cols].CopyTo(sums);
        for (int r = 1; r < rows; r++)
        {
            TensorPrimitives.Add(sums, matrix.Slice(r * cols, cols), sums);
        }
    }
}
