using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnRbm.Core.Numerics;

/// <summary>
/// Single-row kernels in C# SIMD for the recurrence and generation, where one vector meets one matrix: a P/Invoke
/// costs about 20 ns and BLAS's set-up more, so these beat MKL and OpenBLAS at the model's sizes (docs/numerics.md, "The model's shapes").
/// </summary>
/// <remarks>
/// Dimension legend: M rows, N columns; every matrix is row-major M×N with row stride N. Each kernel has a
/// Vector512 path (AVX-512), a Vector256 path, and a scalar tail for the last columns.
/// </remarks>
public static class Kernels
{
    /// <summary>y (N) = x (M) · matrix (M×N), or y += x · matrix when <paramref name="accumulate"/>.</summary>
    /// <param name="x">Row vector, length at least <paramref name="rows"/>.</param>
    /// <param name="matrix">Row-major rows×cols, at least rows·cols elements.</param>
    /// <param name="rows">M.</param>
    /// <param name="cols">N.</param>
    /// <param name="y">Result, length at least <paramref name="cols"/>.</param>
    /// <param name="accumulate">Add to y instead of overwriting it.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void VecMat(ReadOnlySpan<float> x, ReadOnlySpan<float> matrix, int rows, int cols, Span<float> y, bool accumulate)
    {
        CheckMatrix(matrix, rows, cols);
        ArgumentOutOfRangeException.ThrowIfLessThan(x.Length, rows, nameof(x));
        ArgumentOutOfRangeException.ThrowIfLessThan(y.Length, cols, nameof(y));
        ref float mr = ref MemoryMarshal.GetReference(matrix);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int j = 0;

        if (Vector512.IsHardwareAccelerated && cols >= 16)
        {
            // A ragged end (cols not a multiple of 16) is one more full vector over the last 16 columns,
            // overlapping the block before it. It starts from the original y, loaded before any block stores,
            // and runs the same FMA sequence as the block it overlaps, so it rewrites those columns with
            // bit-identical values. This replaces a scalar walk down the rows per leftover column, whose
            // serial FMA chain cost more than all the vector blocks together at the model's sizes.
            int last = cols - 16;
            var tail = accumulate ? Vector512.LoadUnsafe(ref yr, (nuint)last) : default;

            // Column blocks of 64: four zmm accumulators walk down the rows, each step one broadcast of x[i].
            for (; j + 64 <= cols; j += 64)
            {
                var acc0 = accumulate ? Vector512.LoadUnsafe(ref yr, (nuint)j) : default;
                var acc1 = accumulate ? Vector512.LoadUnsafe(ref yr, (nuint)(j + 16)) : default;
                var acc2 = accumulate ? Vector512.LoadUnsafe(ref yr, (nuint)(j + 32)) : default;
                var acc3 = accumulate ? Vector512.LoadUnsafe(ref yr, (nuint)(j + 48)) : default;
                for (int i = 0; i < rows; i++)
                {
                    var xi = Vector512.Create(Unsafe.Add(ref xr, i));
                    nuint row = (nuint)((i * cols) + j);
                    acc0 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref mr, row), acc0);
                    acc1 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref mr, row + 16), acc1);
                    acc2 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref mr, row + 32), acc2);
                    acc3 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref mr, row + 48), acc3);
                }

                acc0.StoreUnsafe(ref yr, (nuint)j);
                acc1.StoreUnsafe(ref yr, (nuint)(j + 16));
                acc2.StoreUnsafe(ref yr, (nuint)(j + 32));
                acc3.StoreUnsafe(ref yr, (nuint)(j + 48));
            }

            // The remaining 0-3 full vectors and the overlapping tail, in one pass down the rows so their
            // FMA chains interleave (one chain alone is bound by FMA latency, not throughput).
            int full = (cols - j) / 16;
            bool ragged = cols % 16 != 0;
            if (full > 0 || ragged)
            {
                var acc0 = accumulate && full > 0 ? Vector512.LoadUnsafe(ref yr, (nuint)j) : default;
                var acc1 = accumulate && full > 1 ? Vector512.LoadUnsafe(ref yr, (nuint)(j + 16)) : default;
                var acc2 = accumulate && full > 2 ? Vector512.LoadUnsafe(ref yr, (nuint)(j + 32)) : default;

                // Reading columns past a short block stays inside the matrix row (j + 48 <= cols when full == 3,
                // and loads beyond `full` are clamped to `last`), so every load is in bounds.
                nuint o1 = (nuint)Math.Min(j + 16, last), o2 = (nuint)Math.Min(j + 32, last), o0 = (nuint)Math.Min(j, last);
                for (int i = 0; i < rows; i++)
                {
                    var xi = Vector512.Create(Unsafe.Add(ref xr, i));
                    nuint row = (nuint)(i * cols);
                    acc0 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref mr, row + o0), acc0);
                    acc1 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref mr, row + o1), acc1);
                    acc2 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref mr, row + o2), acc2);
                    tail = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref mr, row + (nuint)last), tail);
                }

                if (full > 0)
                {
                    acc0.StoreUnsafe(ref yr, (nuint)j);
                }

                if (full > 1)
                {
                    acc1.StoreUnsafe(ref yr, (nuint)(j + 16));
                }

                if (full > 2)
                {
                    acc2.StoreUnsafe(ref yr, (nuint)(j + 32));
                }

                tail.StoreUnsafe(ref yr, (nuint)last);
            }

            return;
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; j + 8 <= cols; j += 8)
            {
                var acc = accumulate ? Vector256.LoadUnsafe(ref yr, (nuint)j) : default;
                for (int i = 0; i < rows; i++)
                {
                    acc = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref xr, i)), Vector256.LoadUnsafe(ref mr, (nuint)((i * cols) + j)), acc);
                }

                acc.StoreUnsafe(ref yr, (nuint)j);
            }
        }

        // Last columns (fewer than one vector): walk each column down the rows.
        for (; j < cols; j++)
        {
            float sum = accumulate ? Unsafe.Add(ref yr, j) : 0f;
            for (int i = 0; i < rows; i++)
            {
                sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref xr, i), Unsafe.Add(ref mr, (i * cols) + j), sum);
            }

            Unsafe.Add(ref yr, j) = sum;
        }
    }

    /// <summary>y (M) = matrix (M×N) · x (N), i.e. the row vector x·matrixᵀ; or y += that when <paramref name="accumulate"/>.</summary>
    /// <param name="matrix">Row-major rows×cols, at least rows·cols elements.</param>
    /// <param name="rows">M.</param>
    /// <param name="cols">N.</param>
    /// <param name="x">Vector, length at least <paramref name="cols"/>.</param>
    /// <param name="y">Result, length at least <paramref name="rows"/>.</param>
    /// <param name="accumulate">Add to y instead of overwriting it.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatVec(ReadOnlySpan<float> matrix, int rows, int cols, ReadOnlySpan<float> x, Span<float> y, bool accumulate)
    {
        CheckMatrix(matrix, rows, cols);
        ArgumentOutOfRangeException.ThrowIfLessThan(x.Length, cols, nameof(x));
        ArgumentOutOfRangeException.ThrowIfLessThan(y.Length, rows, nameof(y));
        ref float mr = ref MemoryMarshal.GetReference(matrix);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;

        // Four rows at a time share each load of x; one dot product per row, reduced horizontally at the end.
        for (; i + 4 <= rows; i += 4)
        {
            ref float r0 = ref Unsafe.Add(ref mr, i * cols);
            ref float r1 = ref Unsafe.Add(ref r0, cols);
            ref float r2 = ref Unsafe.Add(ref r1, cols);
            ref float r3 = ref Unsafe.Add(ref r2, cols);
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (; j + 16 <= cols; j += 16)
                {
                    var xv = Vector512.LoadUnsafe(ref xr, (nuint)j);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r0, (nuint)j), xv, a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r1, (nuint)j), xv, a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r2, (nuint)j), xv, a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r3, (nuint)j), xv, a3);
                }

                s0 = Vector512.Sum(a0);
                s1 = Vector512.Sum(a1);
                s2 = Vector512.Sum(a2);
                s3 = Vector512.Sum(a3);
            }

            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (; j + 8 <= cols; j += 8)
                {
                    var xv = Vector256.LoadUnsafe(ref xr, (nuint)j);
                    a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r0, (nuint)j), xv, a0);
                    a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r1, (nuint)j), xv, a1);
                    a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r2, (nuint)j), xv, a2);
                    a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref r3, (nuint)j), xv, a3);
                }

                s0 += Vector256.Sum(a0);
                s1 += Vector256.Sum(a1);
                s2 += Vector256.Sum(a2);
                s3 += Vector256.Sum(a3);
            }

            for (; j < cols; j++)
            {
                float xj = Unsafe.Add(ref xr, j);
                s0 = MathF.FusedMultiplyAdd(Unsafe.Add(ref r0, j), xj, s0);
                s1 = MathF.FusedMultiplyAdd(Unsafe.Add(ref r1, j), xj, s1);
                s2 = MathF.FusedMultiplyAdd(Unsafe.Add(ref r2, j), xj, s2);
                s3 = MathF.FusedMultiplyAdd(Unsafe.Add(ref r3, j), xj, s3);
            }

            Store(ref Unsafe.Add(ref yr, i), s0, accumulate);
            Store(ref Unsafe.Add(ref yr, i + 1), s1, accumulate);
            Store(ref Unsafe.Add(ref yr, i + 2), s2, accumulate);
            Store(ref Unsafe.Add(ref yr, i + 3), s3, accumulate);
        }

        for (; i < rows; i++)
        {
            float dot = TensorPrimitives.Dot(matrix.Slice(i * cols, cols), x[..cols]);
            Store(ref Unsafe.Add(ref yr, i), dot, accumulate);
        }
    }

    /// <summary>matrix (M×N) += alpha · xᵀ y: the rank-1 update with x of length M and y of length N.</summary>
    /// <param name="alpha">Scale of the outer product.</param>
    /// <param name="x">Column factor, length at least <paramref name="rows"/>.</param>
    /// <param name="y">Row factor, length at least <paramref name="cols"/>.</param>
    /// <param name="matrix">Row-major rows×cols, updated in place.</param>
    /// <param name="rows">M.</param>
    /// <param name="cols">N.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddOuter(float alpha, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> matrix, int rows, int cols)
    {
        CheckMatrix(matrix, rows, cols);
        ArgumentOutOfRangeException.ThrowIfLessThan(x.Length, rows, nameof(x));
        ArgumentOutOfRangeException.ThrowIfLessThan(y.Length, cols, nameof(y));
        ref float mr = ref MemoryMarshal.GetReference(matrix);
        ref float yr = ref MemoryMarshal.GetReference(y);

        // Row i (N) += (alpha·x[i]) · y: one broadcast per row, y stays in L1 across rows.
        for (int i = 0; i < rows; i++)
        {
            float s = alpha * x[i];
            ref float row = ref Unsafe.Add(ref mr, i * cols);
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var sv = Vector512.Create(s);
                for (; j + 16 <= cols; j += 16)
                {
                    Vector512.FusedMultiplyAdd(sv, Vector512.LoadUnsafe(ref yr, (nuint)j), Vector512.LoadUnsafe(ref row, (nuint)j)).StoreUnsafe(ref row, (nuint)j);
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                var sv = Vector256.Create(s);
                for (; j + 8 <= cols; j += 8)
                {
                    Vector256.FusedMultiplyAdd(sv, Vector256.LoadUnsafe(ref yr, (nuint)j), Vector256.LoadUnsafe(ref row, (nuint)j)).StoreUnsafe(ref row, (nuint)j);
                }
            }

            for (; j < cols; j++)
            {
                Unsafe.Add(ref row, j) = MathF.FusedMultiplyAdd(s, Unsafe.Add(ref yr, j), Unsafe.Add(ref row, j));
            }
        }
    }

    /// <summary>y = 1 / (1 + e^−x) elementwise (<see cref="TensorPrimitives.Sigmoid{T}(ReadOnlySpan{T}, Span{T})"/>; x and y may be the same span).</summary>
    /// <param name="x">Input.</param>
    /// <param name="y">Output, length at least that of x.</param>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y[..x.Length]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float target, float value, bool accumulate) => target = accumulate ? target + value : value;

    private static void CheckMatrix(ReadOnlySpan<float> matrix, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if ((long)rows * cols > matrix.Length)
        {
            throw new ArgumentException($"Matrix span has {matrix.Length} elements, fewer than {rows}×{cols}.", nameof(matrix));
        }
    }
}
