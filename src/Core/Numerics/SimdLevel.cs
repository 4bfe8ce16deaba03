using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnRbm.Core.Numerics;

/// <summary>Which vector width a C# kernel runs with; tests force each level to compare paths.</summary>
internal enum SimdLevel
{
    Scalar,
    Vector256,
    Vector512,
}

internal static class SimdSupport
{
    /// <summary>The widest level this host accelerates (Vector256 also needs FMA to be worth it).</summary>
    public static SimdLevel Best { get; } =
        Vector512.IsHardwareAccelerated ? SimdLevel.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? SimdLevel.Vector256
        : SimdLevel.Scalar;

    /// <summary>Levels this host can run (a level runs if it is no wider than <see cref="Best"/>).</summary>
    public static IEnumerable<SimdLevel> Supported()
    {
        for (var level = SimdLevel.Scalar; level <= Best; level++)
        {
            yield return level;
        }
    }

    public static string Describe(SimdLevel level) => level switch
    {
        SimdLevel.Vector512 => "AVX-512 (Vector512, FMA)",
        SimdLevel.Vector256 => "AVX2 (Vector256, FMA)",
        _ => "scalar",
    };
}
