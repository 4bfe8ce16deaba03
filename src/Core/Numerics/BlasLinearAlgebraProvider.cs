using System.Numerics;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra.Factorization;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace RnnRbm.Core.Numerics;

/// <summary>
/// MathNet linear-algebra provider that sends dense real matrix products to one of our backends and forwards
/// every other member to <see cref="ManagedLinearAlgebraProvider.Instance"/>.
/// </summary>
/// <remarks>
/// MathNet's managed products are 20-45× slower than cblas at the model's shapes, and MathNet's own native
/// providers need wrapper libraries our registry does not serve (docs/numerics.md, "What the code does about it"); products are all the model needs
/// to be fast. MathNet is column-major: a is rowsA×columnsA column-major, op(a) is M×K, C is M×N with ldc = M.
/// Arrays may be longer than their matrices: only the leading elements are read or written.
/// </remarks>
internal sealed unsafe class BlasLinearAlgebraProvider : ILinearAlgebraProvider
{
    private static readonly ManagedLinearAlgebraProvider Managed = ManagedLinearAlgebraProvider.Instance;

    // Null for the Simd backend: float products then run SimdGemm at _level, double products stay managed.
    private readonly NativeBlas? _blas;
    private readonly SimdLevel _level;
    private readonly string _name;

    public BlasLinearAlgebraProvider(NativeBlas blas)
    {
        _blas = blas;
        _name = blas.Version;
    }

    public BlasLinearAlgebraProvider(SimdLevel level)
    {
        _level = level;
        _name = "C# " + SimdSupport.Describe(level);
    }

    public bool IsAvailable() => true;

    public void InitializeVerify()
    {
    }

    public void FreeResources()
    {
    }

    public override string ToString() => $"RnnRbm provider ({_name}; other members: {ManagedLinearAlgebraProvider.Instance})";

    // ---- the products ----

    // C (M×N, column-major) = alpha · op(A) (M×K) · op(B) (K×N) + beta · C.
    void ILinearAlgebraProvider<float>.MatrixMultiplyWithUpdate(Transpose transposeA, Transpose transposeB, float alpha, float[] a, int rowsA, int columnsA, float[] b, int rowsB, int columnsB, float beta, float[] c)
    {
        var (m, n, k) = CheckShapes(transposeA, transposeB, a.Length, rowsA, columnsA, b.Length, rowsB, columnsB, c.Length);
        if (m == 0 || n == 0)
        {
            return;
        }

        bool ta = transposeA != Transpose.DontTranspose;
        bool tb = transposeB != Transpose.DontTranspose;
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (_blas is null)
            {
                // A column-major C is the row-major Cᵀ = op(B)ᵀ · op(A)ᵀ: swap the operands, keep their flags.
                SimdGemm.Multiply(_level, tb, ta, n, m, k, alpha, pb, pa, beta, pc);
            }
            else if (k == 0)
            {
                ScaleLeading(c.AsSpan(0, m * n), beta);
            }
            else if (n == 1)
            {
                // Matrix·vector: gemv skips gemm's packing (docs/numerics.md, "The model's shapes", the (1×k)·(k×n) rows).
                _blas.Sgemv(NativeBlas.ColMajor, Flag(ta), rowsA, columnsA, alpha, pa, Math.Max(1, rowsA), pb, 1, beta, pc, 1);
            }
            else if (m == 1)
            {
                // Row vector·matrix: Cᵀ (N) = op(B)ᵀ · op(A)ᵀ, and a 1×K or K×1 A is contiguous either way.
                _blas.Sgemv(NativeBlas.ColMajor, Flag(!tb), rowsB, columnsB, alpha, pb, Math.Max(1, rowsB), pa, 1, beta, pc, 1);
            }
            else
            {
                _blas.Sgemm(NativeBlas.ColMajor, Flag(ta), Flag(tb), m, n, k, alpha, pa, Math.Max(1, rowsA), pb, Math.Max(1, rowsB), beta, pc, Math.Max(1, m));
            }
        }
    }

    void ILinearAlgebraProvider<double>.MatrixMultiplyWithUpdate(Transpose transposeA, Transpose transposeB, double alpha, double[] a, int rowsA, int columnsA, double[] b, int rowsB, int columnsB, double beta, double[] c)
    {
        var (m, n, k) = CheckShapes(transposeA, transposeB, a.Length, rowsA, columnsA, b.Length, rowsB, columnsB, c.Length);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (_blas is null)
        {
            // The model runs in float; double products are rare enough that the managed code serves.
            ((ILinearAlgebraProvider<double>)Managed).MatrixMultiplyWithUpdate(transposeA, transposeB, alpha, a, rowsA, columnsA, b, rowsB, columnsB, beta, c);
            return;
        }

        bool ta = transposeA != Transpose.DontTranspose;
        bool tb = transposeB != Transpose.DontTranspose;
        fixed (double* pa = a, pb = b, pc = c)
        {
            if (k == 0)
            {
                ScaleLeading(c.AsSpan(0, m * n), beta);
            }
            else if (n == 1)
            {
                _blas.Dgemv(NativeBlas.ColMajor, Flag(ta), rowsA, columnsA, alpha, pa, Math.Max(1, rowsA), pb, 1, beta, pc, 1);
            }
            else if (m == 1)
            {
                _blas.Dgemv(NativeBlas.ColMajor, Flag(!tb), rowsB, columnsB, alpha, pb, Math.Max(1, rowsB), pa, 1, beta, pc, 1);
            }
            else
            {
                _blas.Dgemm(NativeBlas.ColMajor, Flag(ta), Flag(tb), m, n, k, alpha, pa, Math.Max(1, rowsA), pb, Math.Max(1, rowsB), beta, pc, Math.Max(1, m));
            }
        }
    }

    void ILinearAlgebraProvider<float>.MatrixMultiply(float[] x, int rowsX, int columnsX, float[] y, int rowsY, int columnsY, float[] result) =>
        ((ILinearAlgebraProvider<float>)this).MatrixMultiplyWithUpdate(Transpose.DontTranspose, Transpose.DontTranspose, 1f, x, rowsX, columnsX, y, rowsY, columnsY, 0f, result);

    void ILinearAlgebraProvider<double>.MatrixMultiply(double[] x, int rowsX, int columnsX, double[] y, int rowsY, int columnsY, double[] result) =>
        ((ILinearAlgebraProvider<double>)this).MatrixMultiplyWithUpdate(Transpose.DontTranspose, Transpose.DontTranspose, 1d, x, rowsX, columnsX, y, rowsY, columnsY, 0d, result);

    private static int Flag(bool transpose) => transpose ? NativeBlas.Trans : NativeBlas.NoTrans;

    // BLAS semantics for K == 0: C = beta·C, and beta == 0 overwrites (never propagates NaN from C).
    private static void ScaleLeading<T>(Span<T> c, T beta)
        where T : INumber<T>
    {
        if (T.IsZero(beta))
        {
            c.Clear();
            return;
        }

        for (int i = 0; i < c.Length; i++)
        {
            c[i] *= beta;
        }
    }

    // Validates a column-major product and returns op(A) M×K, op(B) K×N. Arrays may be longer than needed.
    private static (int M, int N, int K) CheckShapes(Transpose transposeA, Transpose transposeB, int aLength, int rowsA, int columnsA, int bLength, int rowsB, int columnsB, int cLength)
    {
        if (rowsA < 0 || columnsA < 0 || rowsB < 0 || columnsB < 0)
        {
            throw new ArgumentException($"Negative matrix dimension: A {rowsA}×{columnsA}, B {rowsB}×{columnsB}.");
        }

        bool ta = transposeA != Transpose.DontTranspose;
        bool tb = transposeB != Transpose.DontTranspose;
        int m = ta ? columnsA : rowsA;
        int k = ta ? rowsA : columnsA;
        int kb = tb ? columnsB : rowsB;
        int n = tb ? rowsB : columnsB;
        if (k != kb)
        {
            throw new ArgumentException($"Inner dimensions differ: op(A) is {m}×{k}, op(B) is {kb}×{n}.");
        }

        if ((long)rowsA * columnsA > aLength || (long)rowsB * columnsB > bLength || (long)m * n > cLength)
        {
            throw new ArgumentException(
                $"Array too short: A needs {(long)rowsA * columnsA} (has {aLength}), B needs {(long)rowsB * columnsB} (has {bLength}), C needs {(long)m * n} (has {cLength}).");
        }

        return (m, n, k);
    }

    // ---- everything else: MathNet's managed provider ----

    // ---- float: everything except the products goes to the managed provider ----
    void ILinearAlgebraProvider<float>.AddVectorToScaledVector(float[] y, float alpha, float[] x, float[] result) => Managed.AddVectorToScaledVector(y, alpha, x, result);
    void ILinearAlgebraProvider<float>.ScaleArray(float alpha, float[] x, float[] result) => Managed.ScaleArray(alpha, x, result);
    void ILinearAlgebraProvider<float>.ConjugateArray(float[] x, float[] result) => Managed.ConjugateArray(x, result);
    float ILinearAlgebraProvider<float>.DotProduct(float[] x, float[] y) => Managed.DotProduct(x, y);
    void ILinearAlgebraProvider<float>.AddArrays(float[] x, float[] y, float[] result) => Managed.AddArrays(x, y, result);
    void ILinearAlgebraProvider<float>.SubtractArrays(float[] x, float[] y, float[] result) => Managed.SubtractArrays(x, y, result);
    void ILinearAlgebraProvider<float>.PointWiseMultiplyArrays(float[] x, float[] y, float[] result) => Managed.PointWiseMultiplyArrays(x, y, result);
    void ILinearAlgebraProvider<float>.PointWiseDivideArrays(float[] x, float[] y, float[] result) => Managed.PointWiseDivideArrays(x, y, result);
    void ILinearAlgebraProvider<float>.PointWisePowerArrays(float[] x, float[] y, float[] result) => Managed.PointWisePowerArrays(x, y, result);
    double ILinearAlgebraProvider<float>.MatrixNorm(Norm norm, int rows, int columns, float[] matrix) => Managed.MatrixNorm(norm, rows, columns, matrix);
    void ILinearAlgebraProvider<float>.LUFactor(float[] data, int order, int[] ipiv) => Managed.LUFactor(data, order, ipiv);
    void ILinearAlgebraProvider<float>.LUInverse(float[] a, int order) => Managed.LUInverse(a, order);
    void ILinearAlgebraProvider<float>.LUInverseFactored(float[] a, int order, int[] ipiv) => Managed.LUInverseFactored(a, order, ipiv);
    void ILinearAlgebraProvider<float>.LUSolve(int columnsOfB, float[] a, int order, float[] b) => Managed.LUSolve(columnsOfB, a, order, b);
    void ILinearAlgebraProvider<float>.LUSolveFactored(int columnsOfB, float[] a, int order, int[] ipiv, float[] b) => Managed.LUSolveFactored(columnsOfB, a, order, ipiv, b);
    void ILinearAlgebraProvider<float>.CholeskyFactor(float[] a, int order) => Managed.CholeskyFactor(a, order);
    void ILinearAlgebraProvider<float>.CholeskySolve(float[] a, int orderA, float[] b, int columnsB) => Managed.CholeskySolve(a, orderA, b, columnsB);
    void ILinearAlgebraProvider<float>.CholeskySolveFactored(float[] a, int orderA, float[] b, int columnsB) => Managed.CholeskySolveFactored(a, orderA, b, columnsB);
    void ILinearAlgebraProvider<float>.QRFactor(float[] a, int rowsA, int columnsA, float[] q, float[] tau) => Managed.QRFactor(a, rowsA, columnsA, q, tau);
    void ILinearAlgebraProvider<float>.ThinQRFactor(float[] a, int rowsA, int columnsA, float[] r, float[] tau) => Managed.ThinQRFactor(a, rowsA, columnsA, r, tau);
    void ILinearAlgebraProvider<float>.QRSolve(float[] a, int rows, int columns, float[] b, int columnsB, float[] x, QRMethod method) => Managed.QRSolve(a, rows, columns, b, columnsB, x, method);
    void ILinearAlgebraProvider<float>.QRSolveFactored(float[] q, float[] r, int rowsA, int columnsA, float[] tau, float[] b, int columnsB, float[] x, QRMethod method) => Managed.QRSolveFactored(q, r, rowsA, columnsA, tau, b, columnsB, x, method);
    void ILinearAlgebraProvider<float>.SingularValueDecomposition(bool computeVectors, float[] a, int rowsA, int columnsA, float[] s, float[] u, float[] vt) => Managed.SingularValueDecomposition(computeVectors, a, rowsA, columnsA, s, u, vt);
    void ILinearAlgebraProvider<float>.SvdSolve(float[] a, int rowsA, int columnsA, float[] b, int columnsB, float[] x) => Managed.SvdSolve(a, rowsA, columnsA, b, columnsB, x);
    void ILinearAlgebraProvider<float>.SvdSolveFactored(int rowsA, int columnsA, float[] s, float[] u, float[] vt, float[] b, int columnsB, float[] x) => Managed.SvdSolveFactored(rowsA, columnsA, s, u, vt, b, columnsB, x);
    void ILinearAlgebraProvider<float>.EigenDecomp(bool isSymmetric, int order, float[] matrix, float[] matrixEv, Complex[] vectorEv, float[] matrixD) => Managed.EigenDecomp(isSymmetric, order, matrix, matrixEv, vectorEv, matrixD);

    // ---- double ----
    void ILinearAlgebraProvider<double>.AddVectorToScaledVector(double[] y, double alpha, double[] x, double[] result) => Managed.AddVectorToScaledVector(y, alpha, x, result);
    void ILinearAlgebraProvider<double>.ScaleArray(double alpha, double[] x, double[] result) => Managed.ScaleArray(alpha, x, result);
    void ILinearAlgebraProvider<double>.ConjugateArray(double[] x, double[] result) => Managed.ConjugateArray(x, result);
    double ILinearAlgebraProvider<double>.DotProduct(double[] x, double[] y) => Managed.DotProduct(x, y);
    void ILinearAlgebraProvider<double>.AddArrays(double[] x, double[] y, double[] result) => Managed.AddArrays(x, y, result);
    void ILinearAlgebraProvider<double>.SubtractArrays(double[] x, double[] y, double[] result) => Managed.SubtractArrays(x, y, result);
    void ILinearAlgebraProvider<double>.PointWiseMultiplyArrays(double[] x, double[] y, double[] result) => Managed.PointWiseMultiplyArrays(x, y, result);
    void ILinearAlgebraProvider<double>.PointWiseDivideArrays(double[] x, double[] y, double[] result) => Managed.PointWiseDivideArrays(x, y, result);
    void ILinearAlgebraProvider<double>.PointWisePowerArrays(double[] x, double[] y, double[] result) => Managed.PointWisePowerArrays(x, y, result);
    double ILinearAlgebraProvider<double>.MatrixNorm(Norm norm, int rows, int columns, double[] matrix) => Managed.MatrixNorm(norm, rows, columns, matrix);
    void ILinearAlgebraProvider<double>.LUFactor(double[] data, int order, int[] ipiv) => Managed.LUFactor(data, order, ipiv);
    void ILinearAlgebraProvider<double>.LUInverse(double[] a, int order) => Managed.LUInverse(a, order);
    void ILinearAlgebraProvider<double>.LUInverseFactored(double[] a, int order, int[] ipiv) => Managed.LUInverseFactored(a, order, ipiv);
    void ILinearAlgebraProvider<double>.LUSolve(int columnsOfB, double[] a, int order, double[] b) => Managed.LUSolve(columnsOfB, a, order, b);
    void ILinearAlgebraProvider<double>.LUSolveFactored(int columnsOfB, double[] a, int order, int[] ipiv, double[] b) => Managed.LUSolveFactored(columnsOfB, a, order, ipiv, b);
    void ILinearAlgebraProvider<double>.CholeskyFactor(double[] a, int order) => Managed.CholeskyFactor(a, order);
    void ILinearAlgebraProvider<double>.CholeskySolve(double[] a, int orderA, double[] b, int columnsB) => Managed.CholeskySolve(a, orderA, b, columnsB);
    void ILinearAlgebraProvider<double>.CholeskySolveFactored(double[] a, int orderA, double[] b, int columnsB) => Managed.CholeskySolveFactored(a, orderA, b, columnsB);
    void ILinearAlgebraProvider<double>.QRFactor(double[] a, int rowsA, int columnsA, double[] q, double[] tau) => Managed.QRFactor(a, rowsA, columnsA, q, tau);
    void ILinearAlgebraProvider<double>.ThinQRFactor(double[] a, int rowsA, int columnsA, double[] r, double[] tau) => Managed.ThinQRFactor(a, rowsA, columnsA, r, tau);
    void ILinearAlgebraProvider<double>.QRSolve(double[] a, int rows, int columns, double[] b, int columnsB, double[] x, QRMethod method) => Managed.QRSolve(a, rows, columns, b, columnsB, x, method);
    void ILinearAlgebraProvider<double>.QRSolveFactored(double[] q, double[] r, int rowsA, int columnsA, double[] tau, double[] b, int columnsB, double[] x, QRMethod method) => Managed.QRSolveFactored(q, r, rowsA, columnsA, tau, b, columnsB, x, method);
    void ILinearAlgebraProvider<double>.SingularValueDecomposition(bool computeVectors, double[] a, int rowsA, int columnsA, double[] s, double[] u, double[] vt) => Managed.SingularValueDecomposition(computeVectors, a, rowsA, columnsA, s, u, vt);
    void ILinearAlgebraProvider<double>.SvdSolve(double[] a, int rowsA, int columnsA, double[] b, int columnsB, double[] x) => Managed.SvdSolve(a, rowsA, columnsA, b, columnsB, x);
    void ILinearAlgebraProvider<double>.SvdSolveFactored(int rowsA, int columnsA, double[] s, double[] u, double[] vt, double[] b, int columnsB, double[] x) => Managed.SvdSolveFactored(rowsA, columnsA, s, u, vt, b, columnsB, x);
    void ILinearAlgebraProvider<double>.EigenDecomp(bool isSymmetric, int order, double[] matrix, double[] matrixEv, Complex[] vectorEv, double[] matrixD) => Managed.EigenDecomp(isSymmetric, order, matrix, matrixEv, vectorEv, matrixD);

    // ---- Complex: no products of ours; all managed ----
    void ILinearAlgebraProvider<Complex>.MatrixMultiply(Complex[] x, int rowsX, int columnsX, Complex[] y, int rowsY, int columnsY, Complex[] result) => Managed.MatrixMultiply(x, rowsX, columnsX, y, rowsY, columnsY, result);
    void ILinearAlgebraProvider<Complex>.MatrixMultiplyWithUpdate(Transpose transposeA, Transpose transposeB, Complex alpha, Complex[] a, int rowsA, int columnsA, Complex[] b, int rowsB, int columnsB, Complex beta, Complex[] c) => Managed.MatrixMultiplyWithUpdate(transposeA, transposeB, alpha, a, rowsA, columnsA, b, rowsB, columnsB, beta, c);
    void ILinearAlgebraProvider<Complex>.AddVectorToScaledVector(Complex[] y, Complex alpha, Complex[] x, Complex[] result) => Managed.AddVectorToScaledVector(y, alpha, x, result);
    void ILinearAlgebraProvider<Complex>.ScaleArray(Complex alpha, Complex[] x, Complex[] result) => Managed.ScaleArray(alpha, x, result);
    void ILinearAlgebraProvider<Complex>.ConjugateArray(Complex[] x, Complex[] result) => Managed.ConjugateArray(x, result);
    Complex ILinearAlgebraProvider<Complex>.DotProduct(Complex[] x, Complex[] y) => Managed.DotProduct(x, y);
    void ILinearAlgebraProvider<Complex>.AddArrays(Complex[] x, Complex[] y, Complex[] result) => Managed.AddArrays(x, y, result);
    void ILinearAlgebraProvider<Complex>.SubtractArrays(Complex[] x, Complex[] y, Complex[] result) => Managed.SubtractArrays(x, y, result);
    void ILinearAlgebraProvider<Complex>.PointWiseMultiplyArrays(Complex[] x, Complex[] y, Complex[] result) => Managed.PointWiseMultiplyArrays(x, y, result);
    void ILinearAlgebraProvider<Complex>.PointWiseDivideArrays(Complex[] x, Complex[] y, Complex[] result) => Managed.PointWiseDivideArrays(x, y, result);
    void ILinearAlgebraProvider<Complex>.PointWisePowerArrays(Complex[] x, Complex[] y, Complex[] result) => Managed.PointWisePowerArrays(x, y, result);
    double ILinearAlgebraProvider<Complex>.MatrixNorm(Norm norm, int rows, int columns, Complex[] matrix) => Managed.MatrixNorm(norm, rows, columns, matrix);
    void ILinearAlgebraProvider<Complex>.LUFactor(Complex[] data, int order, int[] ipiv) => Managed.LUFactor(data, order, ipiv);
    void ILinearAlgebraProvider<Complex>.LUInverse(Complex[] a, int order) => Managed.LUInverse(a, order);
    void ILinearAlgebraProvider<Complex>.LUInverseFactored(Complex[] a, int order, int[] ipiv) => Managed.LUInverseFactored(a, order, ipiv);
    void ILinearAlgebraProvider<Complex>.LUSolve(int columnsOfB, Complex[] a, int order, Complex[] b) => Managed.LUSolve(columnsOfB, a, order, b);
    void ILinearAlgebraProvider<Complex>.LUSolveFactored(int columnsOfB, Complex[] a, int order, int[] ipiv, Complex[] b) => Managed.LUSolveFactored(columnsOfB, a, order, ipiv, b);
    void ILinearAlgebraProvider<Complex>.CholeskyFactor(Complex[] a, int order) => Managed.CholeskyFactor(a, order);
    void ILinearAlgebraProvider<Complex>.CholeskySolve(Complex[] a, int orderA, Complex[] b, int columnsB) => Managed.CholeskySolve(a, orderA, b, columnsB);
    void ILinearAlgebraProvider<Complex>.CholeskySolveFactored(Complex[] a, int orderA, Complex[] b, int columnsB) => Managed.CholeskySolveFactored(a, orderA, b, columnsB);
    void ILinearAlgebraProvider<Complex>.QRFactor(Complex[] a, int rowsA, int columnsA, Complex[] q, Complex[] tau) => Managed.QRFactor(a, rowsA, columnsA, q, tau);
    void ILinearAlgebraProvider<Complex>.ThinQRFactor(Complex[] a, int rowsA, int columnsA, Complex[] r, Complex[] tau) => Managed.ThinQRFactor(a, rowsA, columnsA, r, tau);
    void ILinearAlgebraProvider<Complex>.QRSolve(Complex[] a, int rows, int columns, Complex[] b, int columnsB, Complex[] x, QRMethod method) => Managed.QRSolve(a, rows, columns, b, columnsB, x, method);
    void ILinearAlgebraProvider<Complex>.QRSolveFactored(Complex[] q, Complex[] r, int rowsA, int columnsA, Complex[] tau, Complex[] b, int columnsB, Complex[] x, QRMethod method) => Managed.QRSolveFactored(q, r, rowsA, columnsA, tau, b, columnsB, x, method);
    void ILinearAlgebraProvider<Complex>.SingularValueDecomposition(bool computeVectors, Complex[] a, int rowsA, int columnsA, Complex[] s, Complex[] u, Complex[] vt) => Managed.SingularValueDecomposition(computeVectors, a, rowsA, columnsA, s, u, vt);
    void ILinearAlgebraProvider<Complex>.SvdSolve(Complex[] a, int rowsA, int columnsA, Complex[] b, int columnsB, Complex[] x) => Managed.SvdSolve(a, rowsA, columnsA, b, columnsB, x);
    void ILinearAlgebraProvider<Complex>.SvdSolveFactored(int rowsA, int columnsA, Complex[] s, Complex[] u, Complex[] vt, Complex[] b, int columnsB, Complex[] x) => Managed.SvdSolveFactored(rowsA, columnsA, s, u, vt, b, columnsB, x);
    void ILinearAlgebraProvider<Complex>.EigenDecomp(bool isSymmetric, int order, Complex[] matrix, Complex[] matrixEv, Complex[] vectorEv, Complex[] matrixD) => Managed.EigenDecomp(isSymmetric, order, matrix, matrixEv, vectorEv, matrixD);

    // ---- Complex32 ----
    void ILinearAlgebraProvider<Complex32>.MatrixMultiply(Complex32[] x, int rowsX, int columnsX, Complex32[] y, int rowsY, int columnsY, Complex32[] result) => Managed.MatrixMultiply(x, rowsX, columnsX, y, rowsY, columnsY, result);
    void ILinearAlgebraProvider<Complex32>.MatrixMultiplyWithUpdate(Transpose transposeA, Transpose transposeB, Complex32 alpha, Complex32[] a, int rowsA, int columnsA, Complex32[] b, int rowsB, int columnsB, Complex32 beta, Complex32[] c) => Managed.MatrixMultiplyWithUpdate(transposeA, transposeB, alpha, a, rowsA, columnsA, b, rowsB, columnsB, beta, c);
    void ILinearAlgebraProvider<Complex32>.AddVectorToScaledVector(Complex32[] y, Complex32 alpha, Complex32[] x, Complex32[] result) => Managed.AddVectorToScaledVector(y, alpha, x, result);
    void ILinearAlgebraProvider<Complex32>.ScaleArray(Complex32 alpha, Complex32[] x, Complex32[] result) => Managed.ScaleArray(alpha, x, result);
    void ILinearAlgebraProvider<Complex32>.ConjugateArray(Complex32[] x, Complex32[] result) => Managed.ConjugateArray(x, result);
    Complex32 ILinearAlgebraProvider<Complex32>.DotProduct(Complex32[] x, Complex32[] y) => Managed.DotProduct(x, y);
    void ILinearAlgebraProvider<Complex32>.AddArrays(Complex32[] x, Complex32[] y, Complex32[] result) => Managed.AddArrays(x, y, result);
    void ILinearAlgebraProvider<Complex32>.SubtractArrays(Complex32[] x, Complex32[] y, Complex32[] result) => Managed.SubtractArrays(x, y, result);
    void ILinearAlgebraProvider<Complex32>.PointWiseMultiplyArrays(Complex32[] x, Complex32[] y, Complex32[] result) => Managed.PointWiseMultiplyArrays(x, y, result);
    void ILinearAlgebraProvider<Complex32>.PointWiseDivideArrays(Complex32[] x, Complex32[] y, Complex32[] result) => Managed.PointWiseDivideArrays(x, y, result);
    void ILinearAlgebraProvider<Complex32>.PointWisePowerArrays(Complex32[] x, Complex32[] y, Complex32[] result) => Managed.PointWisePowerArrays(x, y, result);
    double ILinearAlgebraProvider<Complex32>.MatrixNorm(Norm norm, int rows, int columns, Complex32[] matrix) => Managed.MatrixNorm(norm, rows, columns, matrix);
    void ILinearAlgebraProvider<Complex32>.LUFactor(Complex32[] data, int order, int[] ipiv) => Managed.LUFactor(data, order, ipiv);
    void ILinearAlgebraProvider<Complex32>.LUInverse(Complex32[] a, int order) => Managed.LUInverse(a, order);
    void ILinearAlgebraProvider<Complex32>.LUInverseFactored(Complex32[] a, int order, int[] ipiv) => Managed.LUInverseFactored(a, order, ipiv);
    void ILinearAlgebraProvider<Complex32>.LUSolve(int columnsOfB, Complex32[] a, int order, Complex32[] b) => Managed.LUSolve(columnsOfB, a, order, b);
    void ILinearAlgebraProvider<Complex32>.LUSolveFactored(int columnsOfB, Complex32[] a, int order, int[] ipiv, Complex32[] b) => Managed.LUSolveFactored(columnsOfB, a, order, ipiv, b);
    void ILinearAlgebraProvider<Complex32>.CholeskyFactor(Complex32[] a, int order) => Managed.CholeskyFactor(a, order);
    void ILinearAlgebraProvider<Complex32>.CholeskySolve(Complex32[] a, int orderA, Complex32[] b, int columnsB) => Managed.CholeskySolve(a, orderA, b, columnsB);
    void ILinearAlgebraProvider<Complex32>.CholeskySolveFactored(Complex32[] a, int orderA, Complex32[] b, int columnsB) => Managed.CholeskySolveFactored(a, orderA, b, columnsB);
    void ILinearAlgebraProvider<Complex32>.QRFactor(Complex32[] a, int rowsA, int columnsA, Complex32[] q, Complex32[] tau) => Managed.QRFactor(a, rowsA, columnsA, q, tau);
    void ILinearAlgebraProvider<Complex32>.ThinQRFactor(Complex32[] a, int rowsA, int columnsA, Complex32[] r, Complex32[] tau) => Managed.ThinQRFactor(a, rowsA, columnsA, r, tau);
    void ILinearAlgebraProvider<Complex32>.QRSolve(Complex32[] a, int rows, int columns, Complex32[] b, int columnsB, Complex32[] x, QRMethod method) => Managed.QRSolve(a, rows, columns, b, columnsB, x, method);
    void ILinearAlgebraProvider<Complex32>.QRSolveFactored(Complex32[] q, Complex32[] r, int rowsA, int columnsA, Complex32[] tau, Complex32[] b, int columnsB, Complex32[] x, QRMethod method) => Managed.QRSolveFactored(q, r, rowsA, columnsA, tau, b, columnsB, x, method);
    void ILinearAlgebraProvider<Complex32>.SingularValueDecomposition(bool computeVectors, Complex32[] a, int rowsA, int columnsA, Complex32[] s, Complex32[] u, Complex32[] vt) => Managed.SingularValueDecomposition(computeVectors, a, rowsA, columnsA, s, u, vt);
    void ILinearAlgebraProvider<Complex32>.SvdSolve(Complex32[] a, int rowsA, int columnsA, Complex32[] b, int columnsB, Complex32[] x) => Managed.SvdSolve(a, rowsA, columnsA, b, columnsB, x);
    void ILinearAlgebraProvider<Complex32>.SvdSolveFactored(int rowsA, int columnsA, Complex32[] s, Complex32[] u, Complex32[] vt, Complex32[] b, int columnsB, Complex32[] x) => Managed.SvdSolveFactored(rowsA, columnsA, s, u, vt, b, columnsB, x);
    void ILinearAlgebraProvider<Complex32>.EigenDecomp(bool isSymmetric, int order, Complex32[] matrix, Complex32[] matrixEv, Complex[] vectorEv, Complex32[] matrixD) => Managed.EigenDecomp(isSymmetric, order, matrix, matrixEv, vectorEv, matrixD);
}
