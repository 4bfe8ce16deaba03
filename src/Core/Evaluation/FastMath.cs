using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnRbm.Core.Evaluation;

/// <summary>
/// Float exponentials and sigmoids for the annealing kernels, in single precision throughout. .NET's
/// <c>Vector512.Exp</c> and <c>TensorPrimitives.Exp</c> of float evaluate in double for their last half-ulp, which
/// costs more than the matrix products of an AIS step; AIS needs only float accuracy (a few ulp).
/// </summary>
internal static class FastMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;       // ln 2 split in two so that n·ln2 is exact (Cephes expf)
    private const float Ln2Low = -2.12194440e-4f;

    /// <summary>
    /// e^x for x in [-87.3, 88.7] to about 2 ulp (Cephes expf: x = n ln2 + r, |r| ≤ ln2/2, a degree-5 minimax
    /// polynomial for (e^r - 1 - r)/r², then 2^n through the exponent bits). Smaller x give ~1e-38 instead of 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-87.3f)), Vector512.Create(88.7f));
        Vector512<float> n = Vector512.Floor(Vector512.FusedMultiplyAdd(x, Vector512.Create(Log2E), Vector512.Create(0.5f)));
        Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), r);
        Vector512<float> p = Vector512.Create(1.9875691500e-4f);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        p = Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512<float>.One;
        Vector512<int> scale = (Vector512.ConvertToInt32(n) + Vector512.Create(127)) << 23;
        return p * scale.AsSingle();
    }

    /// <summary>destination[i] = σ(pre[i] + bias[i]) for one row (all three spans the same length; destination distinct from pre).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SigmoidWithBias(ReadOnlySpan<float> pre, ReadOnlySpan<float> bias, Span<float> destination)
    {
        int n = pre.Length;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            ref float pr = ref MemoryMarshal.GetReference(pre);
            ref float br = ref MemoryMarshal.GetReference(bias);
            ref float dr = ref MemoryMarshal.GetReference(destination);
            for (; ; i += 16)
            {
                // A ragged end is one more vector over the last 16 elements: it recomputes some with the same
                // inputs, so it rewrites them with the same values.
                int at = Math.Min(i, n - 16);
                Vector512<float> z = Vector512.LoadUnsafe(ref pr, (nuint)at) + Vector512.LoadUnsafe(ref br, (nuint)at);
                (Vector512<float>.One / (Vector512<float>.One + Exp(-z))).StoreUnsafe(ref dr, (nuint)at);
                if (at + 16 >= n)
                {
                    return;
                }
            }
        }
        for (; i < n; i++)
        {
            destination[i] = 1 / (1 + MathF.Exp(-(pre[i] + bias[i])));
        }
    }
}
