using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnRbm.Core.Numerics;

/// <summary>
/// Register-blocked single-precision GEMM in C# (the <see cref="BackendKind.Simd"/> backend).
/// </summary>
/// <remarks>
/// Shapes, all row-major with natural leading dimensions:
/// <code>
///   C (M×N) = alpha · op(A) (M×K) · op(B) (K×N) + beta · C
///   A stored M×K, or K×M when transA;  B stored K×N, or N×K when transB
/// </code>
/// C is computed in tiles of <c>Rows</c> rows × one panel of W columns (W = 32 with Vector512: two vectors,
/// W = 16 with Vector256). The tile's accumulators live in registers for the whole K loop: each step broadcasts
/// one element of op(A) per row and multiplies it into the W-wide row of op(B). op(B) panels are read in place
/// when they are full-width rows of a non-transposed B; otherwise (transB, or the ragged last panel) they are
/// packed once into a K×W thread-local buffer, zero-padded, so the kernel never needs a column tail. Ragged
/// tiles (last rows or columns) compute into a stack scratch tile that is copied back, so C is never touched
/// outside its M×N block. op(A) needs no packing: transA only changes the two strides of the broadcast.
/// </remarks>
internal static unsafe class SimdGemm
{
    private const int Rows = 4;

    // Packed op(B) panel, K×W. Thread-local so concurrent jobs on two cores never share it; it grows to the
    // largest K seen and is then reused, so steady-state calls allocate nothing.
    [ThreadStatic]
    private static float[]? t_pack;

    /// <summary>Row-major GEMM at the host's best SIMD level.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha, float* a, float* b, float beta, float* c) =>
        Multiply(SimdSupport.Best, transA, transB, m, n, k, alpha, a, b, beta, c);

    /// <summary>Row-major GEMM at a chosen SIMD level (tests force each one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(SimdLevel level, bool transA, bool transB, int m, int n, int k, float alpha, float* a, float* b, float beta, float* c)
    {
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0 || alpha == 0f)
        {
            ScaleC(m * n, beta, c);
            return;
        }

        if (level == SimdSupport.Best && level != SimdLevel.Scalar && alpha == 1f && (beta == 0f || beta == 1f) && (m == 1 || n == 1))
        {
            VectorProduct(transA, transB, m, n, k, a, b, beta == 1f, c);
            return;
        }

        switch (level)
        {
            case SimdLevel.Vector512:
                Blocked(512, transA, transB, m, n, k, alpha, a, b, beta, c);
                break;
            case SimdLevel.Vector256:
                Blocked(256, transA, transB, m, n, k, alpha, a, b, beta, c);
                break;
            default:
                Naive(transA, transB, m, n, k, alpha, a, b, beta, c);
                break;
        }
    }

    // A row or column vector times a matrix (the recurrence and generation): the single-row Kernels keep the
    // whole output in registers and skip packing, about twice as fast as a 1-row tile. A vector operand is
    // contiguous whether or not it is flagged transposed, so only the matrix's flag matters.
    private static void VectorProduct(bool transA, bool transB, int m, int n, int k, float* a, float* b, bool accumulate, float* c)
    {
        if (m == 1)
        {
            var x = new ReadOnlySpan<float>(a, k);
            var y = new Span<float>(c, n);
            if (transB)
            {
                Kernels.MatVec(new ReadOnlySpan<float>(b, n * k), n, k, x, y, accumulate);     // c (N) = B (N×K) · a
            }
            else
            {
                Kernels.VecMat(x, new ReadOnlySpan<float>(b, k * n), k, n, y, accumulate);     // c (N) = a · B (K×N)
            }
        }
        else
        {
            var x = new ReadOnlySpan<float>(b, k);
            var y = new Span<float>(c, m);
            if (transA)
            {
                Kernels.VecMat(x, new ReadOnlySpan<float>(a, k * m), k, m, y, accumulate);     // c (M) = bᵀ · A (K×M)
            }
            else
            {
                Kernels.MatVec(new ReadOnlySpan<float>(a, m * k), m, k, x, y, accumulate);     // c (M) = A (M×K) · b
            }
        }
    }

    // C (M×N) = beta·C, with beta == 0 writing zeros so NaNs in an uninitialised C do not survive (BLAS rule).
    private static void ScaleC(int count, float beta, float* c)
    {
        var span = new Span<float>(c, count);
        if (beta == 0f)
        {
            span.Clear();
        }
        else if (beta != 1f)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(span, beta, span);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocked(int bits, bool transA, bool transB, int m, int n, int k, float alpha, float* a, float* b, float beta, float* c)
    {
        int width = bits == 512 ? 32 : 16;

        // op(A)(i, p) = a[i * aRow + p * aStep].
        int aRow = transA ? 1 : k;
        int aStep = transA ? m : 1;

        var pack = t_pack;
        if (pack is null || pack.Length < k * width)
        {
            pack = new float[k * width];
            t_pack = pack;
        }

        float* tile = stackalloc float[Rows * width];
        fixed (float* packed = pack)
        {
            for (int j0 = 0; j0 < n; j0 += width)
            {
                int w = Math.Min(width, n - j0);

                // op(B) panel K×w at columns j0.., read with row stride ldb.
                float* panel;
                int ldb;
                if (!transB && w == width)
                {
                    panel = b + j0;
                    ldb = n;
                }
                else
                {
                    PackPanel(transB, n, k, b, j0, w, width, packed);
                    panel = packed;
                    ldb = width;
                }

                for (int i0 = 0; i0 < m; i0 += Rows)
                {
                    int h = Math.Min(Rows, m - i0);

                    // Rows past M repeat the last valid row of A: their results land in the scratch tile only.
                    float* a0 = a + (i0 * aRow);
                    float* a1 = a + ((i0 + Math.Min(1, h - 1)) * aRow);
                    float* a2 = a + ((i0 + Math.Min(2, h - 1)) * aRow);
                    float* a3 = a + ((i0 + Math.Min(3, h - 1)) * aRow);
                    float* cTile = c + (i0 * n) + j0;

                    if (h == Rows && w == width)
                    {
                        Tile(bits, a0, a1, a2, a3, aStep, panel, ldb, k, alpha, beta, cTile, n);
                        continue;
                    }

                    // Ragged tile: bring the valid part of C into scratch (only when beta reads it), compute, copy back.
                    if (beta != 0f)
                    {
                        for (int r = 0; r < h; r++)
                        {
                            new ReadOnlySpan<float>(cTile + (r * n), w).CopyTo(new Span<float>(tile + (r * width), w));
                        }
                    }

                    Tile(bits, a0, a1, a2, a3, aStep, panel, ldb, k, alpha, beta, tile, width);
                    for (int r = 0; r < h; r++)
                    {
                        new ReadOnlySpan<float>(tile + (r * width), w).CopyTo(new Span<float>(cTile + (r * n), w));
                    }
                }
            }
        }
    }

    // packed (K×width) = op(B)[:, j0 .. j0+w), zero beyond w.
    private static void PackPanel(bool transB, int n, int k, float* b, int j0, int w, int width, float* packed)
    {
        if (w < width)
        {
            new Span<float>(packed, k * width).Clear();
        }

        if (!transB)
        {
            // B is K×N: each panel row is a contiguous slice.
            for (int p = 0; p < k; p++)
            {
                new ReadOnlySpan<float>(b + (p * n) + j0, w).CopyTo(new Span<float>(packed + (p * width), w));
            }
        }
        else
        {
            // B is N×K: read four B rows contiguously and write each step's four values side by side, so every
            // packed row gets one 16-byte write per pass instead of four scattered 4-byte ones.
            int jj = 0;
            for (; jj + 4 <= w; jj += 4)
            {
                float* s0 = b + ((j0 + jj) * k);
                float* s1 = s0 + k;
                float* s2 = s1 + k;
                float* s3 = s2 + k;
                float* dst = packed + jj;
                for (int p = 0; p < k; p++)
                {
                    float* d = dst + (p * width);
                    d[0] = s0[p];
                    d[1] = s1[p];
                    d[2] = s2[p];
                    d[3] = s3[p];
                }
            }

            for (; jj < w; jj++)
            {
                float* src = b + ((j0 + jj) * k);
                float* dst = packed + jj;
                for (int p = 0; p < k; p++)
                {
                    dst[p * width] = src[p];
                }
            }
        }
    }

    private static void Tile(int bits, float* a0, float* a1, float* a2, float* a3, int aStep, float* panel, int ldb, int k, float alpha, float beta, float* c, int ldc)
    {
        if (bits == 512)
        {
            Tile512(a0, a1, a2, a3, aStep, panel, ldb, k, alpha, beta, c, ldc);
        }
        else
        {
            Tile256(a0, a1, a2, a3, aStep, panel, ldb, k, alpha, beta, c, ldc);
        }
    }

    // C tile (4×32) = alpha · A rows (4×K) · panel (K×32) + beta · C tile; 8 zmm accumulators.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile512(float* a0, float* a1, float* a2, float* a3, int aStep, float* panel, int ldb, int k, float alpha, float beta, float* c, int ldc)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        float* pb = panel;
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(pb);
            var b1 = Vector512.Load(pb + 16);
            var x0 = Vector512.Create(*a0);
            c00 = Vector512.FusedMultiplyAdd(x0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(x0, b1, c01);
            var x1 = Vector512.Create(*a1);
            c10 = Vector512.FusedMultiplyAdd(x1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(x1, b1, c11);
            var x2 = Vector512.Create(*a2);
            c20 = Vector512.FusedMultiplyAdd(x2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(x2, b1, c21);
            var x3 = Vector512.Create(*a3);
            c30 = Vector512.FusedMultiplyAdd(x3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(x3, b1, c31);
            a0 += aStep;
            a1 += aStep;
            a2 += aStep;
            a3 += aStep;
            pb += ldb;
        }

        Store512(c, c00, c01, alpha, beta);
        Store512(c + ldc, c10, c11, alpha, beta);
        Store512(c + (2 * ldc), c20, c21, alpha, beta);
        Store512(c + (3 * ldc), c30, c31, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> v0, Vector512<float> v1, float alpha, float beta)
    {
        var va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            (v0 * va).Store(c);
            (v1 * va).Store(c + 16);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Vector512.FusedMultiplyAdd(v0, va, Vector512.Load(c) * vb).Store(c);
            Vector512.FusedMultiplyAdd(v1, va, Vector512.Load(c + 16) * vb).Store(c + 16);
        }
    }

    // C tile (4×16) = alpha · A rows (4×K) · panel (K×16) + beta · C tile; 8 ymm accumulators (AVX2 has 16).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile256(float* a0, float* a1, float* a2, float* a3, int aStep, float* panel, int ldb, int k, float alpha, float beta, float* c, int ldc)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        float* pb = panel;
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector256.Load(pb);
            var b1 = Vector256.Load(pb + 8);
            var x0 = Vector256.Create(*a0);
            c00 = Vector256.FusedMultiplyAdd(x0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(x0, b1, c01);
            var x1 = Vector256.Create(*a1);
            c10 = Vector256.FusedMultiplyAdd(x1, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(x1, b1, c11);
            var x2 = Vector256.Create(*a2);
            c20 = Vector256.FusedMultiplyAdd(x2, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(x2, b1, c21);
            var x3 = Vector256.Create(*a3);
            c30 = Vector256.FusedMultiplyAdd(x3, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(x3, b1, c31);
            a0 += aStep;
            a1 += aStep;
            a2 += aStep;
            a3 += aStep;
            pb += ldb;
        }

        Store256(c, c00, c01, alpha, beta);
        Store256(c + ldc, c10, c11, alpha, beta);
        Store256(c + (2 * ldc), c20, c21, alpha, beta);
        Store256(c + (3 * ldc), c30, c31, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> v0, Vector256<float> v1, float alpha, float beta)
    {
        var va = Vector256.Create(alpha);
        if (beta == 0f)
        {
            (v0 * va).Store(c);
            (v1 * va).Store(c + 8);
        }
        else
        {
            var vb = Vector256.Create(beta);
            Vector256.FusedMultiplyAdd(v0, va, Vector256.Load(c) * vb).Store(c);
            Vector256.FusedMultiplyAdd(v1, va, Vector256.Load(c + 8) * vb).Store(c + 8);
        }
    }

    // Plain loops for hosts without SIMD acceleration; also the reference the vector paths are tested against.
    private static void Naive(bool transA, bool transB, int m, int n, int k, float alpha, float* a, float* b, float beta, float* c)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    float x = transA ? a[(p * m) + i] : a[(i * k) + p];
                    float y = transB ? b[(j * k) + p] : b[(p * n) + j];
                    sum += x * y;
                }

                float* cij = c + (i * n) + j;
                *cij = beta == 0f ? alpha * sum : (alpha * sum) + (beta * *cij);
            }
        }
    }
}
