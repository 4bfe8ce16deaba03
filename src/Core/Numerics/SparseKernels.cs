using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnRbm.Core.Numerics;

/// <summary>
/// Kernels for products with a binary vector: x·M where x is 0/1 is the sum of the rows of M that x selects.
/// With a few dozen of 150 units on, that is several times cheaper than a dense product.
/// </summary>
public static class SparseKernels
{
    /// <summary>
    /// destination (n) = bias (n) + Σ_{r ∈ rows} matrix[r, :], with matrix row-major of <paramref name="columns"/>
    /// columns. The sum runs in registers, 64 columns at a time, so each row costs a few vector loads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddRows(ReadOnlySpan<float> bias, ReadOnlySpan<float> matrix, int columns, ReadOnlySpan<int> rows, Span<float> destination)
    {
        if (bias.Length < columns || destination.Length < columns)
        {
            throw new ArgumentException("bias and destination need at least 'columns' elements.");
        }
        uint matrixRows = (uint)(matrix.Length / Math.Max(columns, 1));
        foreach (int r in rows)
        {
            if ((uint)r >= matrixRows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), r, "A row index lies outside the matrix.");
            }
        }
        ref float m = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(matrix);
        ref float b = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(bias);
        ref float d = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(destination);
        int c = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // 64 columns per pass in 8 accumulators: 8 independent add chains hide the add latency, so the
            // pass runs at the speed of the loads.
            for (; c + 64 <= columns; c += 64)
            {
                Vector256<float> a0 = Vector256.LoadUnsafe(ref b, (nuint)c);
                Vector256<float> a1 = Vector256.LoadUnsafe(ref b, (nuint)(c + 8));
                Vector256<float> a2 = Vector256.LoadUnsafe(ref b, (nuint)(c + 16));
                Vector256<float> a3 = Vector256.LoadUnsafe(ref b, (nuint)(c + 24));
                Vector256<float> a4 = Vector256.LoadUnsafe(ref b, (nuint)(c + 32));
                Vector256<float> a5 = Vector256.LoadUnsafe(ref b, (nuint)(c + 40));
                Vector256<float> a6 = Vector256.LoadUnsafe(ref b, (nuint)(c + 48));
                Vector256<float> a7 = Vector256.LoadUnsafe(ref b, (nuint)(c + 56));
                foreach (int r in rows)
                {
                    ref float row = ref Unsafe.Add(ref m, (r * columns) + c);
                    a0 += Vector256.LoadUnsafe(ref row);
                    a1 += Vector256.LoadUnsafe(ref row, 8);
                    a2 += Vector256.LoadUnsafe(ref row, 16);
                    a3 += Vector256.LoadUnsafe(ref row, 24);
                    a4 += Vector256.LoadUnsafe(ref row, 32);
                    a5 += Vector256.LoadUnsafe(ref row, 40);
                    a6 += Vector256.LoadUnsafe(ref row, 48);
                    a7 += Vector256.LoadUnsafe(ref row, 56);
                }
                ref float target = ref Unsafe.Add(ref d, c);
                a0.StoreUnsafe(ref target);
                a1.StoreUnsafe(ref target, 8);
                a2.StoreUnsafe(ref target, 16);
                a3.StoreUnsafe(ref target, 24);
                a4.StoreUnsafe(ref target, 32);
                a5.StoreUnsafe(ref target, 40);
                a6.StoreUnsafe(ref target, 48);
                a7.StoreUnsafe(ref target, 56);
            }
            // 8 columns at a time, four rows per step in four accumulators (again: independent chains).
            for (; c + 8 <= columns; c += 8)
            {
                Vector256<float> a0 = Vector256.LoadUnsafe(ref b, (nuint)c);
                Vector256<float> a1 = Vector256<float>.Zero, a2 = Vector256<float>.Zero, a3 = Vector256<float>.Zero;
                int i = 0;
                for (; i + 4 <= rows.Length; i += 4)
                {
                    a0 += Vector256.LoadUnsafe(ref m, (nuint)((rows[i] * columns) + c));
                    a1 += Vector256.LoadUnsafe(ref m, (nuint)((rows[i + 1] * columns) + c));
                    a2 += Vector256.LoadUnsafe(ref m, (nuint)((rows[i + 2] * columns) + c));
                    a3 += Vector256.LoadUnsafe(ref m, (nuint)((rows[i + 3] * columns) + c));
                }
                for (; i < rows.Length; i++)
                {
                    a0 += Vector256.LoadUnsafe(ref m, (nuint)((rows[i] * columns) + c));
                }
                ((a0 + a1) + (a2 + a3)).StoreUnsafe(ref d, (nuint)c);
            }
        }
        for (; c < columns; c++)
        {
            float s = Unsafe.Add(ref b, c);
            foreach (int r in rows)
            {
                s += Unsafe.Add(ref m, (r * columns) + c);
            }
            Unsafe.Add(ref d, c) = s;
        }
    }

    /// <summary>Writes the indices of the non-zero entries of <paramref name="units"/> into <paramref name="indices"/>; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int CollectNonZero(ReadOnlySpan<float> units, Span<int> indices)
    {
        if (indices.Length < units.Length)
        {
            throw new ArgumentException("indices must be as long as units.", nameof(indices));
        }
        int count = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Eight units per compare; the set bits of the mask are the indices.
            ref float u = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(units);
            for (; i + 8 <= units.Length; i += 8)
            {
                uint mask = ~Vector256.Equals(Vector256.LoadUnsafe(ref u, (nuint)i), Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFFu;
                while (mask != 0)
                {
                    indices[count++] = i + System.Numerics.BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                }
            }
        }
        for (; i < units.Length; i++)
        {
            // Branch-free: the units are random bits, a branch would mispredict half the time.
            indices[count] = i;
            count += units[i] != 0 ? 1 : 0;
        }
        return count;
    }
}
