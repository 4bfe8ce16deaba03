namespace RnnRbm.Core.Numerics;

/// <summary>Which implementation runs the dense products.</summary>
public enum BackendKind
{
    /// <summary>Intel MKL through <c>libmkl_rt.so</c> (sequential, one thread).</summary>
    Mkl,

    /// <summary>OpenBLAS through <c>libopenblas.so.0</c> (one thread).</summary>
    OpenBlas,

    /// <summary>Our own C# SIMD kernels; needs no native library, so it is always available.</summary>
    Simd,
}
