using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RnnRbm.Core.Evaluation;

/// <summary>Stable scalar helpers in double precision.</summary>
internal static class LogMath
{
    /// <summary>Σ_i softplus(x_i) = Σ_i max(x_i, 0) + log(1 + e^{-|x_i|}), float terms summed in double per vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double SoftplusSum(ReadOnlySpan<float> x)
    {
        int n = x.Length, i = 0;
        double sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            ref float xr = ref MemoryMarshal.GetReference(x);
            var acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                var value = Vector512.LoadUnsafe(ref xr, (nuint)i);
                acc += Vector512.Max(value, Vector512<float>.Zero)
                    + Vector512.Log(Vector512<float>.One + FastMath.Exp(-Vector512.Abs(value)));
            }
            sum = Vector512.Sum(Vector512.WidenLower(acc)) + Vector512.Sum(Vector512.WidenUpper(acc));
        }
        for (; i < n; i++)
        {
            sum += Softplus(x[i]);
        }
        return sum;
    }

    /// <summary>log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}), finite for every finite x.</summary>
    public static double Softplus(double x) => Math.Max(x, 0) + LogOnePlus(Math.Exp(-Math.Abs(x)));

    /// <summary>log(1 + y) for y in [0, 1], accurate when y is tiny.</summary>
    public static double LogOnePlus(double y) => y < 1e-5 ? y - (0.5 * y * y) : Math.Log(1 + y);

    /// <summary>
    /// log mean_m exp(x_m) and, by the delta method, the standard error of that estimate of log E[exp(x)]:
    /// with w_m = exp(x_m - max x), SE ≈ sd(w) / (√M · mean(w)) (zero when M = 1: no spread to measure).
    /// </summary>
    public static (double LogMean, double StandardError) LogMeanExp(ReadOnlySpan<double> x)
    {
        double max = double.NegativeInfinity;
        foreach (double value in x)
        {
            max = Math.Max(max, value);
        }
        double sum = 0, sumSquares = 0;
        foreach (double value in x)
        {
            double w = Math.Exp(value - max);
            sum += w;
            sumSquares += w * w;
        }
        int m = x.Length;
        double mean = sum / m;
        double logMean = max + Math.Log(mean);
        if (m < 2)
        {
            return (logMean, 0);
        }
        double variance = Math.Max(0, (sumSquares - (sum * mean)) / (m - 1));
        return (logMean, Math.Sqrt(variance / m) / mean);
    }
}
