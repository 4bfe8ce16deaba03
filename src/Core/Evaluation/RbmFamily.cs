namespace RnnRbm.Core.Evaluation;

/// <summary>
/// N binary RBMs that share the weights W (V×H) and differ in their biases: row n of <see cref="VisibleBiases"/>
/// (N×V) and of <see cref="HiddenBiases"/> (N×H) belong to RBM n. These are the conditional RBMs of an RNN-RBM,
/// one per time step (bv_t, bh_t from the recurrence), whose partition functions the evaluation estimates.
/// </summary>
/// <remarks>
/// RBM n: energy E(v, h) = -v·a_n - h·b_n - v W hᵀ; with the hidden units summed out its unnormalised
/// marginal is p*(v) = exp(a_n·v) Π_j (1 + exp(b_nj + (v W)_j)), i.e. log p*(v) = -F(v), F the free energy.
/// Arrays are row-major float32 and are not copied: do not change them while an estimate runs.
/// </remarks>
public sealed class RbmFamily
{
    /// <summary>Wraps the arrays; their lengths must be V·H, N·V and N·H for the same N ≥ 0.</summary>
    public RbmFamily(int visible, int hidden, float[] weights, float[] visibleBiases, float[] hiddenBiases)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(visible, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        if (weights.Length != visible * hidden)
        {
            throw new ArgumentException($"W needs {visible}×{hidden} values, not {weights.Length}.", nameof(weights));
        }
        if (visibleBiases.Length % visible != 0 || hiddenBiases.Length % hidden != 0
            || visibleBiases.Length / visible != hiddenBiases.Length / hidden)
        {
            throw new ArgumentException("The visible (N×V) and hidden (N×H) biases must hold the same number N of rows.", nameof(hiddenBiases));
        }
        Visible = visible;
        Hidden = hidden;
        Weights = weights;
        VisibleBiases = visibleBiases;
        HiddenBiases = hiddenBiases;
        Count = visibleBiases.Length / visible;
    }

    /// <summary>V.</summary>
    public int Visible { get; }

    /// <summary>H.</summary>
    public int Hidden { get; }

    /// <summary>N, the number of RBMs.</summary>
    public int Count { get; }

    /// <summary>W, V×H row-major.</summary>
    public float[] Weights { get; }

    /// <summary>a, N×V.</summary>
    public float[] VisibleBiases { get; }

    /// <summary>b, N×H.</summary>
    public float[] HiddenBiases { get; }

    /// <summary>
    /// Visible biases a_A (N×V) of each RBM's base distribution for annealed importance sampling: the independent
    /// units P(v_i = 1) = σ(a_A,i). Null: a_A = a. Any base gives an unbiased Ẑ; one close to the RBM's own visible
    /// marginals (Salakhutdinov &amp; Murray's "base-rate" model) gives one with far less variance.
    /// </summary>
    public float[]? BaseVisibleBiases
    {
        get => _baseVisibleBiases;
        init
        {
            if (value is not null && value.Length != VisibleBiases.Length)
            {
                throw new ArgumentException("The base visible biases must be N×V like the visible biases.", nameof(value));
            }
            _baseVisibleBiases = value;
        }
    }

    private readonly float[]? _baseVisibleBiases;

    /// <summary>The RBMs <paramref name="rows"/> of this family, in that order (their biases copied; W shared; no base).</summary>
    public RbmFamily Rows(IReadOnlyList<int> rows)
    {
        var a = new float[rows.Count * Visible];
        var b = new float[rows.Count * Hidden];
        for (int k = 0; k < rows.Count; k++)
        {
            VisibleBiases.AsSpan(rows[k] * Visible, Visible).CopyTo(a.AsSpan(k * Visible));
            HiddenBiases.AsSpan(rows[k] * Hidden, Hidden).CopyTo(b.AsSpan(k * Hidden));
        }
        return new RbmFamily(Visible, Hidden, Weights, a, b);
    }

    /// <summary>log p*(v) = -F(v) = a_n·v + Σ_j softplus(b_nj + (v W)_j) of RBM <paramref name="n"/>, in double precision.</summary>
    public double LogUnnormalized(int n, ReadOnlySpan<float> v)
    {
        int vis = Visible, hid = Hidden;
        ReadOnlySpan<float> a = VisibleBiases.AsSpan(n * vis, vis);
        ReadOnlySpan<float> b = HiddenBiases.AsSpan(n * hid, hid);
        double sum = 0;
        for (int i = 0; i < vis; i++)
        {
            sum += (double)a[i] * v[i];
        }
        for (int j = 0; j < hid; j++)
        {
            double x = b[j];
            for (int i = 0; i < vis; i++)
            {
                if (v[i] != 0)
                {
                    x += (double)v[i] * Weights[(i * hid) + j];
                }
            }
            sum += LogMath.Softplus(x);
        }
        return sum;
    }
}
