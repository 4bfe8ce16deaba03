using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Model;

/// <summary>RBM and RNN pretraining, the paper's initialisation (issue 10, items 4.4 and 4.5).</summary>
public class PretrainingTests
{
    private static readonly ModelShape Shape = new(TrainerTests.Range.Count, 12, 10);

    // Tensor numbers of RnnRbmParameters.Tensors / ReferenceRnnRbm.
    private const int W = 0, Bv = 1, Bh = 2, Wuh = 3, Wuv = 4, Wvu = 5, Wuu = 6, Bu = 7, U0 = 8;
    private static readonly int[] RnnTensors = [Bv, Wuv, Wvu, Wuu, Bu, U0];

    [Fact]
    public void Reference_CrossEntropyGradient_MatchesCentralFiniteDifferences()
    {
        var rng = new Random(29);
        ReferenceRnnRbm reference = GradientTests.RandomReference(rng, v: 7, h: 5, u: 4, scale: 0.5);
        double[,] x = GradientTests.RandomBinary(rng, 6, 7, 0.4);
        ReferenceRnnRbm gradient = reference.CrossEntropyGradient(x);
        const double eps = 1e-5;
        for (int tensor = 0; tensor <= U0; tensor++)
        {
            double diff = 0, norm = 0;
            for (int i = 0; i < reference.TensorLength(tensor); i++)
            {
                reference.Add(tensor, i, eps);
                double up = reference.CrossEntropy(x);
                reference.Add(tensor, i, -2 * eps);
                double down = reference.CrossEntropy(x);
                reference.Add(tensor, i, eps);
                double numeric = (up - down) / (2 * eps);
                double analytic = gradient.Get(tensor, i);
                diff += (numeric - analytic) * (numeric - analytic);
                norm += analytic * analytic;
                if (!RnnTensors.Contains(tensor))
                {
                    Assert.Equal(0, analytic);
                    Assert.True(Math.Abs(numeric) < 1e-9, $"tensor {tensor} moves the cross-entropy ({numeric:E2}) but has no gradient");
                }
            }
            if (RnnTensors.Contains(tensor))
            {
                Assert.True(norm > 0, $"tensor {tensor} has a zero gradient: the check would be vacuous");
                Assert.True(Math.Sqrt(diff / norm) < 1e-6, $"tensor {tensor}: finite differences differ by {Math.Sqrt(diff / norm):E2} relative");
            }
        }
    }

    [Fact]
    public void FastCrossEntropy_MatchesReference_FromU0_AndFromACarriedState()
    {
        var shape = new ModelShape(30, 8, 12);
        const int steps = 25;
        var rng = new Random(37);
        RnnRbmParameters p = GradientTests.RandomParameters(rng, shape, scale: 0.3);
        float[] x = GradientTests.RandomBinaryFloats(rng, steps, shape.Visible, 0.2);
        double[,] xm = GradientTests.ToMatrix(x, steps, shape.Visible);
        var core = new RnnPretraining(shape, steps, NumericsBackend.Select(null));

        var gradient = new RnnRbmParameters(shape);
        Array.Fill(gradient.W, 5f); // must be overwritten with 0
        double loss = core.Compute(x, steps, p, gradient);
        ReferenceRnnRbm reference = ReferenceRnnRbm.From(p);
        Assert.Equal(reference.CrossEntropy(xm), loss, 1e-4);
        AssertMatches(reference.CrossEntropyGradient(xm), gradient, RnnTensors);
        Assert.All(gradient.W, g => Assert.Equal(0f, g));
        Assert.All(gradient.Wuh, g => Assert.Equal(0f, g));

        float[] carried = [.. core.FinalState];
        core.Compute(x, steps, p, gradient, carried);
        for (int j = 0; j < shape.Recurrent; j++)
        {
            reference.U0[j] = carried[j];
        }
        AssertMatches(reference.CrossEntropyGradient(xm), gradient, [Bv, Wuv, Wvu, Wuu, Bu]);
        Assert.All(gradient.U0, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void RbmPretraining_LearnsOnlyTheRbm_AndLowersItsCrossEntropy()
    {
        PianoRoll[] data = [Chords(300)];
        var options = new TrainingOptions { Seed = 2, BatchSize = 20, CdK = 3, RbmPretrainEpochs = 12, PretrainLearningRate = 0.1f };
        RnnRbmParameters p = RnnRbmTrainer.InitialParameters(Shape, options.Seed);
        RnnRbmParameters initial = p.Clone();
        var reports = new List<PretrainResult>();
        using var trainer = new RnnRbmTrainer(p, options, NumericsBackend.Select(null)) { PretrainProgress = reports.Add };
        Assert.False(trainer.Pretrained);
        Assert.True(trainer.Pretrain(data));
        Assert.True(trainer.Pretrained);

        Assert.Equal(Enumerable.Range(1, 12), reports.Select(r => r.Epoch));
        Assert.All(reports, r => Assert.Equal(("rbm", 12, 300L), (r.Stage, r.Epochs, r.Frames)));
        Assert.True(reports[^1].CrossEntropy < reports[0].CrossEntropy - 1, $"cross-entropy went from {reports[0].CrossEntropy} to {reports[^1].CrossEntropy}");
        foreach (int t in new[] { W, Bv, Bh })
        {
            Assert.NotEqual(initial.Tensors[t].Values, p.Tensors[t].Values);
        }
        foreach (int t in new[] { Wuh, Wuv, Wvu, Wuu, Bu, U0 })
        {
            Assert.Equal(initial.Tensors[t].Values, p.Tensors[t].Values);
        }
    }

    [Fact]
    public void RnnPretraining_LearnsOnlyTheRnn_AndLowersItsCrossEntropy()
    {
        PianoRoll[] data = [Chords(300)];
        var options = new TrainingOptions { Seed = 2, BatchSize = 50, RnnPretrainEpochs = 30, PretrainLearningRate = 0.5f, LearnU0 = true };
        RnnRbmParameters p = RnnRbmTrainer.InitialParameters(Shape, options.Seed);
        RnnRbmParameters initial = p.Clone();
        var reports = new List<PretrainResult>();
        using var trainer = new RnnRbmTrainer(p, options, NumericsBackend.Select(null)) { PretrainProgress = reports.Add };
        EpochResult first = trainer.TrainEpoch(data); // pretrains first

        Assert.Equal(30, reports.Count);
        Assert.All(reports, r => Assert.Equal("rnn", r.Stage));
        // The alternating chords are predictable from the previous frame: far below the first epoch's (≈ V·log 2 ≈ 16.6).
        Assert.True(reports[^1].CrossEntropy < 0.5 * reports[0].CrossEntropy, $"cross-entropy went from {reports[0].CrossEntropy} to {reports[^1].CrossEntropy}");
        Assert.Equal(1, first.Epoch);
        Assert.False(first.Cancelled);

        // Pretraining alone moved only the RNN's tensors: compare with a run that stops right after it.
        RnnRbmParameters q = RnnRbmTrainer.InitialParameters(Shape, options.Seed);
        using (var alone = new RnnRbmTrainer(q, options, NumericsBackend.Select(null)))
        {
            alone.Pretrain(data);
        }
        foreach (int t in RnnTensors)
        {
            Assert.NotEqual(initial.Tensors[t].Values, q.Tensors[t].Values);
        }
        foreach (int t in new[] { W, Bh, Wuh })
        {
            Assert.Equal(initial.Tensors[t].Values, q.Tensors[t].Values);
        }
    }

    [Fact]
    public void Pretraining_IsDeterministic_AndSkippedWhenResumingAfterEpochOne()
    {
        PianoRoll[] data = TrainerTests.SmallCorpus(new Random(3));
        var options = new TrainingOptions { Seed = 4, BatchSize = 16, CdK = 2, Epochs = 2, RbmPretrainEpochs = 2, RnnPretrainEpochs = 2 };
        float[] once = TrainerTests.Train(data, options, threads: 1);
        Assert.Equal(once, TrainerTests.Train(data, options, threads: 2));
        Assert.NotEqual(once, TrainerTests.Train(data, options with { RbmPretrainEpochs = 0, RnnPretrainEpochs = 0 }, threads: 1));

        RnnRbmParameters p = RnnRbmTrainer.InitialParameters(Shape, options.Seed);
        TrainerCheckpoint checkpoint;
        using (var first = new RnnRbmTrainer(p, options, NumericsBackend.Select(null)))
        {
            first.TrainEpoch(data);
            checkpoint = first.Checkpoint();
        }
        var reports = new List<PretrainResult>();
        using (var second = new RnnRbmTrainer(p, options, NumericsBackend.Select(null), resume: checkpoint) { PretrainProgress = reports.Add })
        {
            Assert.True(second.Pretrained);
            second.TrainEpoch(data);
        }
        Assert.Empty(reports);
        Assert.Equal(once, TrainerTests.Flatten(p));
    }

    [Fact]
    public void Cancellation_DuringPretraining_CancelsTheEpoch()
    {
        PianoRoll[] data = TrainerTests.SmallCorpus(new Random(3));
        using var cancellation = new CancellationTokenSource();
        var options = new TrainingOptions { BatchSize = 8, CdK = 1, RbmPretrainEpochs = 3 };
        using var trainer = new RnnRbmTrainer(RnnRbmTrainer.InitialParameters(Shape, 1), options, NumericsBackend.Select(null))
        {
            PretrainProgress = _ => cancellation.Cancel(),
        };
        EpochResult result = trainer.TrainEpoch(data, cancellation: cancellation.Token);
        Assert.True(result.Cancelled);
        Assert.Equal(0, result.Updates);
        Assert.False(trainer.Pretrained);
        Assert.Equal(0, trainer.EpochsCompleted);
    }

    [Fact]
    public void Options_RefusePretrainingBeyondTheLimits()
    {
        Assert.Contains(new TrainingOptions { RbmPretrainEpochs = -1 }.Problems(), p => p.StartsWith("rbmPretrainEpochs", StringComparison.Ordinal));
        Assert.Contains(new TrainingOptions { RnnPretrainEpochs = TrainingOptions.Limits.MaxPretrainEpochs + 1 }.Problems(), p => p.StartsWith("rnnPretrainEpochs", StringComparison.Ordinal));
        Assert.Contains(new TrainingOptions { PretrainLearningRate = 0 }.Problems(), p => p.StartsWith("pretrainLearningRate", StringComparison.Ordinal));
    }

    private static PianoRoll Chords(int steps)
    {
        var roll = new PianoRoll(steps, TrainerTests.Range);
        for (int t = 0; t < steps; t++)
        {
            foreach (int note in t % 2 == 0 ? new[] { 48, 52, 55 } : new[] { 50, 53, 57 })
            {
                roll[t, note] = true;
            }
        }
        return roll;
    }

    private static void AssertMatches(ReferenceRnnRbm expected, RnnRbmParameters actual, int[] tensors)
    {
        foreach (int tensor in tensors)
        {
            float[] fast = actual.Tensors[tensor].Values;
            double diff = 0, norm = 0;
            for (int i = 0; i < fast.Length; i++)
            {
                double e = expected.Get(tensor, i);
                diff += (fast[i] - e) * (fast[i] - e);
                norm += e * e;
            }
            Assert.True(norm > 0, $"{actual.Tensors[tensor].Name}: zero reference gradient");
            Assert.True(Math.Sqrt(diff / norm) < 1e-4, $"{actual.Tensors[tensor].Name}: {Math.Sqrt(diff / norm):E2} relative to the reference");
        }
    }
}
