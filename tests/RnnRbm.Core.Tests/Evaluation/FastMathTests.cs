using System.Runtime.Intrinsics;
using RnnRbm.Core.Evaluation;

namespace RnnRbm.Core.Tests.Evaluation;

public class FastMathTests
{
    [Fact]
    public void Exp_IsWithinAFewUlp_OverTheRangeAnnealingUses()
    {
        double worst = 0;
        for (float x = -87f; x <= 88f; x += 0.0137f)
        {
            var lanes = new float[16];
            FastMath.Exp(Vector512.Create(x)).CopyTo(lanes);
            worst = Math.Max(worst, Math.Abs((lanes[0] / Math.Exp(x)) - 1));
        }
        Assert.True(worst < 4e-7, $"worst relative error {worst}"); // float ulp is 6e-8 to 1.2e-7
    }

    [Fact]
    public void SigmoidWithBias_MatchesTheFormula_IncludingARaggedEnd()
    {
        var random = new Random(2);
        float[] pre = ExactRbm.Gaussian(random, 21, 10), bias = ExactRbm.Gaussian(random, 21, 3);
        var result = new float[21];
        FastMath.SigmoidWithBias(pre, bias, result);
        for (int i = 0; i < 21; i++)
        {
            Assert.Equal(1 / (1 + Math.Exp(-((double)pre[i] + bias[i]))), result[i], 6);
        }
    }
}
