using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Evaluation;

public class BaselinesTests
{
    private static readonly PitchRange Range = new(60, 64);

    [Fact]
    public void PreviousFrame_PredictsEachStepByTheOneBefore_AndNothingAtTheStart()
    {
        // Sequence 1: {60,62} {60} {61}; sequence 2: {63} {63}.
        // Step predictions: {} vs {60,62}: FN 2 | {60,62} vs {60}: TP 1, FP 1 | {60} vs {61}: FP 1, FN 1
        //                   {} vs {63}: FN 1     | {63} vs {63}: TP 1.  TP 2, FP 2, FN 4: ACC 2/8.
        PianoRoll one = PianoRoll.FromNoteLists([[60, 62], [60], [61]], Range);
        PianoRoll two = PianoRoll.FromNoteLists([[63], [63]], Range);

        FrameAccuracy counts = Baselines.PreviousFrameAccuracy([one, two]);

        Assert.Equal((2.0, 2.0, 4.0), (counts.TruePositives, counts.FalsePositives, counts.FalseNegatives));
        Assert.Equal(0.25, counts.Value, 12);
    }

    [Fact]
    public void IndependentBernoullis_AreFittedWithAddOneSmoothing_AndScoreByHand()
    {
        // Training: 3 steps; pitch 60 on twice, 61 once, 62 and 63 never: p = (2+1)/5, (1+1)/5, 1/5, 1/5.
        PianoRoll train = PianoRoll.FromNoteLists([[60], [60, 61], []], Range);
        double[] p = Baselines.FitIndependentBernoullis([train]);
        Assert.Equal([0.6, 0.4, 0.2, 0.2], p.Select(x => Math.Round(x, 12)));

        // Evaluated: {63} then {}: (log(1-.6) + log(1-.4) + log(1-.2) + log .2 + log .4 + log .6 + log .8 + log .8) / 2.
        PianoRoll test = PianoRoll.FromNoteLists([[63], []], Range);
        double expected = (Math.Log(0.4) + Math.Log(0.6) + Math.Log(0.8) + Math.Log(0.2) + Math.Log(0.4) + Math.Log(0.6) + Math.Log(0.8) + Math.Log(0.8)) / 2;
        Assert.Equal(expected, Baselines.IndependentBernoulliLogLikelihood(p, [test]), 12);
    }

    [Fact]
    public void BadInput_IsRefused_InWords()
    {
        Assert.Contains("no sequence", Assert.Throws<ArgumentException>(() => Baselines.FitIndependentBernoullis([])).Message, StringComparison.Ordinal);
        PianoRoll other = PianoRoll.FromNoteLists([[60]], new PitchRange(60, 70));
        Assert.Contains("pitches", Assert.Throws<ArgumentException>(() =>
            Baselines.IndependentBernoulliLogLikelihood([0.5, 0.5, 0.5, 0.5], [other])).Message, StringComparison.Ordinal);
        Assert.Contains("strictly between", Assert.Throws<ArgumentException>(() =>
            Baselines.IndependentBernoulliLogLikelihood([0, 0.5, 0.5, 0.5], [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluator_ReportsTheFloors_AndTheDeterministicAccuracy_OfIndependentUnits()
    {
        // W = 0, Wuv = 0: every chain's last visible probabilities are σ(bv) exactly, so their mean is σ(bv) and the
        // deterministic prediction is {bv_i > 0} = {60} at every step.
        var p = RnnRbmEvaluatorTests.RandomParameters(new ModelShape(4, 3, 2), seed: 3, scale: 0.5);
        Array.Clear(p.W);
        Array.Clear(p.Wuv);
        float[] bv = [2f, -1f, -0.5f, -3f];
        bv.CopyTo(p.Bv, 0);
        PianoRoll roll = PianoRoll.FromNoteLists([[60, 62], [61], [], [60]], Range);
        PianoRoll train = PianoRoll.FromNoteLists([[60], [60, 61], []], Range);

        EvaluationResult result = new RnnRbmEvaluator(p, NumericsBackend.Select(null)).Evaluate([roll],
            new EvaluationOptions { AisRuns = 3, Schedule = AisSchedule.Linear(5), AccuracySamples = 2, AccuracyGibbsSteps = 3, TrainingSequences = [train] });

        // Predicted {60} each step against {60,62} {61} {} {60}: TP 2, FP 2, FN 2.
        Assert.Equal((2.0, 2.0, 2.0), (result.AccuracyDeterministicCounts!.TruePositives, result.AccuracyDeterministicCounts.FalsePositives,
            result.AccuracyDeterministicCounts.FalseNegatives));
        Assert.Equal(2.0 / 6, result.AccuracyDeterministic!.Value, 12);
        Assert.Equal(Baselines.PreviousFrameAccuracy([roll]).Value, result.BaselineAccuracy!.Value, 12);
        Assert.Equal(Baselines.IndependentBernoulliLogLikelihood(Baselines.FitIndependentBernoullis([train]), [roll]), result.BaselineLogLikelihood!.Value, 12);
    }

    [Fact]
    public void Evaluator_WithoutATrainingSplit_HasNoBaselineLikelihood_AndRefusesOneOfOtherPitches()
    {
        var p = RnnRbmEvaluatorTests.RandomParameters(new ModelShape(4, 3, 2), seed: 3, scale: 0.5);
        PianoRoll roll = PianoRoll.FromNoteLists([[60], [61]], Range);
        var evaluator = new RnnRbmEvaluator(p, NumericsBackend.Select(null));
        var options = new EvaluationOptions { AisRuns = 2, Schedule = AisSchedule.Linear(3), Accuracy = false };

        Assert.Null(evaluator.Evaluate([roll], options).BaselineLogLikelihood);
        PianoRoll wide = PianoRoll.FromNoteLists([[60]], new PitchRange(60, 70));
        Assert.Contains("training sequence", Assert.Throws<ArgumentException>(() =>
            evaluator.Evaluate([roll], options with { TrainingSequences = [wide] })).Message, StringComparison.Ordinal);
    }
}
