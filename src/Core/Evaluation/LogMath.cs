namespace RnnRbm.Core.Evaluation;

/// <summary>Stable scalar helpers in double precision.</summary>
internal static class LogMath
{
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
