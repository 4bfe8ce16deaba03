namespace RnnRbm.Core.Tests.Evaluation;

/// <summary>Exact log Z of a small RBM by enumerating every visible state, hidden units summed out, in double precision.</summary>
internal static class ExactRbm
{
    /// <summary>log Σ_v exp(a·v + Σ_j softplus(b_j + (v W)_j)), W V×H row-major; V ≤ 16.</summary>
    public static double LogZ(int visible, int hidden, ReadOnlySpan<float> w, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var terms = new double[1 << visible];
        for (int state = 0; state < terms.Length; state++)
        {
            double sum = 0;
            for (int i = 0; i < visible; i++)
            {
                if ((state >> i & 1) != 0)
                {
                    sum += a[i];
                }
            }
            for (int j = 0; j < hidden; j++)
            {
                double x = b[j];
                for (int i = 0; i < visible; i++)
                {
                    if ((state >> i & 1) != 0)
                    {
                        x += w[(i * hidden) + j];
                    }
                }
                sum += Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
            }
            terms[state] = sum;
        }
        double max = terms.Max();
        return max + Math.Log(terms.Sum(t => Math.Exp(t - max)));
    }

    /// <summary>Values drawn from N(0, scale²) by a seeded <see cref="Random"/>.</summary>
    public static float[] Gaussian(Random random, int count, double scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            values[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return values;
    }
}
