using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Evaluation;

public class PieceScorerTests
{
    private static readonly NumericsBackend Blas = NumericsBackend.Select(null);

    [Fact]
    public void Surprise_IsMinusTheExactLogProbabilityOfEachStep_WithinTheAisError()
    {
        RnnRbmParameters p = RnnRbmEvaluatorTests.RandomParameters(new ModelShape(8, 5, 4), seed: 21, scale: 1.0);
        PianoRoll piece = RnnRbmEvaluatorTests.RandomRoll(12, 8, seed: 3);

        PieceScore score = PieceScorer.Score(p, piece, null, seed: 7, Blas);

        double[] exact = RnnRbmEvaluatorTests.ExactStepLogLikelihoods(p, piece);
        Assert.Equal(12, score.Steps);
        Assert.Equal(12, score.Surprise.Count);
        for (int t = 0; t < exact.Length; t++)
        {
            double se = score.SurpriseStandardError[t];
            Assert.True(Math.Abs(score.Surprise[t] + exact[t]) <= (4 * se) + 0.02, $"step {t}: surprise {score.Surprise[t]:F4} ± {se:F4}, exact {-exact[t]:F4}");
        }
        Assert.Equal(-score.Surprise.Average(), score.LogLikelihood, 10);
        Assert.True(score.AisConverged);
    }

    [Fact]
    public void Score_IsTheEvaluationOfThePieceAlone_WithTheScoreSettings()
    {
        RnnRbmParameters p = RnnRbmEvaluatorTests.RandomParameters(new ModelShape(8, 5, 4), seed: 4, scale: 1.0);
        PianoRoll piece = RnnRbmEvaluatorTests.RandomRoll(20, 8, seed: 9);
        PianoRoll[] training = [RnnRbmEvaluatorTests.RandomRoll(30, 8, seed: 10), RnnRbmEvaluatorTests.RandomRoll(15, 8, seed: 11)];
        double[] floor = Baselines.FitIndependentBernoullis(training);

        PieceScore score = PieceScorer.Score(p, piece, floor, seed: 99, Blas);
        EvaluationResult evaluation = new RnnRbmEvaluator(p, Blas).Evaluate([piece], ScoreLimits.Options(99) with { TrainingSequences = training });

        Assert.Equal(evaluation.LogLikelihood, score.LogLikelihood);
        Assert.Equal(evaluation.StepLogLikelihoods.Select(l => -l), score.Surprise);
        Assert.Equal(evaluation.Accuracy, score.Accuracy);
        Assert.Equal(evaluation.BaselineAccuracy, score.BaselineAccuracy);
        Assert.Equal(evaluation.BaselineLogLikelihood!.Value, score.BaselineLogLikelihood!.Value, 12);
        Assert.Equal(-score.BaselineLogLikelihood!.Value, score.BaselineSurprise!.Average(), 12);
        // Another seed, other AIS draws: the same piece, a (slightly) different estimate.
        Assert.NotEqual(score.Surprise, PieceScorer.Score(p, piece, floor, seed: 100, Blas).Surprise);
    }

    [Fact]
    public void Progress_NeverGoesBack_AndEndsAtOne()
    {
        RnnRbmParameters p = RnnRbmEvaluatorTests.RandomParameters(new ModelShape(8, 5, 4), seed: 4, scale: 1.0);
        var seen = new List<double>();
        PieceScorer.Score(p, RnnRbmEvaluatorTests.RandomRoll(40, 8, seed: 9), null, 1, Blas, f => { lock (seen) { seen.Add(f); } });
        Assert.True(seen.Count > 3, $"{seen.Count} reports");
        for (int i = 1; i < seen.Count; i++)
        {
            Assert.True(seen[i] >= seen[i - 1], $"report {i}: {seen[i]} after {seen[i - 1]}");
        }
        Assert.Equal(1, seen[^1]);
    }

    [Fact]
    public void Score_RefusesAnEmptyOrTooLongPiece()
    {
        RnnRbmParameters p = RnnRbmEvaluatorTests.RandomParameters(new ModelShape(8, 5, 4), seed: 4, scale: 1.0);
        var range = new PitchRange(60, 68);
        Assert.Contains("1 to 1000 steps; this one has 0", Assert.Throws<ArgumentException>(() => PieceScorer.Score(p, new PianoRoll(0, range), null, 1, Blas)).Message, StringComparison.Ordinal);
        Assert.Contains("this one has 1001", Assert.Throws<ArgumentException>(() => PieceScorer.Score(p, new PianoRoll(ScoreLimits.MaxSteps + 1, range), null, 1, Blas)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Baselines_StepLogLikelihoods_AverageToTheSplitFigure()
    {
        PianoRoll roll = RnnRbmEvaluatorTests.RandomRoll(25, 8, seed: 5);
        double[] p = Baselines.FitIndependentBernoullis([RnnRbmEvaluatorTests.RandomRoll(40, 8, seed: 6)]);
        double[] steps = Baselines.IndependentBernoulliStepLogLikelihoods(p, roll);
        Assert.Equal(25, steps.Length);
        Assert.Equal(Baselines.IndependentBernoulliLogLikelihood(p, [roll]), steps.Average(), 12);
        // By hand, step 0.
        double first = 0;
        for (int i = 0; i < 8; i++)
        {
            first += roll.Row(0)[i] != 0 ? Math.Log(p[i]) : Math.Log(1 - p[i]);
        }
        Assert.Equal(first, steps[0], 12);
    }

    [Theory]
    [InlineData(-3.50, "about as likely as the test music", "typical of what it learned")]
    [InlineData(-3.00, "more likely than the test music", "more typical")]
    [InlineData(-4.20, "less likely than the test music", "less typical")]
    public void Words_PlaceThePieceAgainstTheCorpusFigure(double logLikelihood, string where, string verdict)
    {
        var score = new PieceScore(3, logLikelihood, 0.01, true, 0.001, "sm", 200, [1.0, 9.0, 2.0], [0, 0, 0], 0.5, 0.4, -10, [10, 10, 10], 1);
        string words = ScoreWords.Describe(score, "test", -3.45);
        Assert.Contains(where, words, StringComparison.Ordinal);
        Assert.Contains(verdict, words, StringComparison.Ordinal);
        Assert.Contains("more likely than notes drawn independently", words, StringComparison.Ordinal);
        Assert.Contains("most surprising step is step 2 (9.0 nats)", words, StringComparison.Ordinal);
        Assert.DoesNotContain("not converged", words, StringComparison.Ordinal);
        Assert.Contains("has not converged", ScoreWords.Describe(score with { AisConverged = false }, null, null), StringComparison.Ordinal);
        Assert.Contains("no evaluation of the model", ScoreWords.Describe(score, null, null), StringComparison.Ordinal);
    }
}
