using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Model;

/// <summary>The tutorial's optimisation improvements: Nesterov momentum and gradient clipping.</summary>
public class OptimizerTests
{
    [Fact]
    public void Nesterov_MatchesTheFormula_ByHand()
    {
        var shape = new ModelShape(1, 1, 1);
        var theta = new RnnRbmParameters(shape);
        var velocity = new RnnRbmParameters(shape);
        var gradient = new RnnRbmParameters(shape);
        theta.W[0] = 1f;
        gradient.W[0] = 2f;
        // Step 1 (v = 0): v = 0.5·0 − 0.1·2 = −0.2; θ = 1 + 0.5·(−0.2) − 0.1·2 = 0.7.
        theta.AddNesterov(gradient, velocity, momentum: 0.5f, learningRate: 0.1f);
        Assert.Equal(-0.2f, velocity.W[0], 6);
        Assert.Equal(0.7f, theta.W[0], 6);
        // Step 2, g = −1: v = 0.5·(−0.2) + 0.1 = 0; θ = 0.7 + 0 + 0.1 = 0.8.
        gradient.W[0] = -1f;
        theta.AddNesterov(gradient, velocity, momentum: 0.5f, learningRate: 0.1f);
        Assert.Equal(0f, velocity.W[0], 6);
        Assert.Equal(0.8f, theta.W[0], 6);
        Assert.Equal(0f, theta.Bv[0]); // a zero gradient with zero velocity moves nothing
    }

    [Fact]
    public void NormAndScale_WorkOverEveryTensor()
    {
        var p = new RnnRbmParameters(new ModelShape(2, 2, 2));
        p.W[3] = 3f;
        p.Bu[1] = 4f;
        Assert.Equal(5.0, p.Norm(), 6);
        p.Scale(0.5f);
        Assert.Equal(1.5f, p.W[3]);
        Assert.Equal(2.5, p.Norm(), 6);
    }

    [Fact]
    public void Clipping_BoundsEveryUpdate_AndOffItDoesNot()
    {
        PianoRoll[] data = TrainerTests.SmallCorpus(new Random(11));
        var options = new TrainingOptions { Seed = 4, BatchSize = 16, CdK = 2, LearningRate = 0.5f };
        const float clip = 1e-3f;
        (double clippedStep, int updates) = OneEpochStep(data, options with { ClipNorm = clip });
        (double freeStep, _) = OneEpochStep(data, options);
        // Each update moves θ by lr·‖g‖ ≤ lr·clip; the epoch by at most the sum of them.
        Assert.True(clippedStep <= updates * options.LearningRate * clip * 1.0001, $"clipped epoch moved θ by {clippedStep}");
        Assert.True(clippedStep > 0);
        Assert.True(freeStep > 10 * updates * options.LearningRate * clip, $"unclipped epoch moved θ by only {freeStep}");
    }

    [Fact]
    public void Momentum_ResumesBitForBit_ThroughAModelFile()
    {
        PianoRoll[] data = TrainerTests.SmallCorpus(new Random(8));
        var options = new TrainingOptions { Seed = 9, BatchSize = 16, CdK = 2, Epochs = 3, Momentum = 0.9f, LearningRate = 0.01f, ClipNorm = 5f };
        var shape = new ModelShape(TrainerTests.Range.Count, 12, 10);
        NumericsBackend backend = NumericsBackend.Select(null);

        float[] straight = TrainerTests.Train(data, options, threads: 0);

        RnnRbmParameters interrupted = RnnRbmTrainer.InitialParameters(shape, options.Seed);
        byte[] file;
        using (var first = new RnnRbmTrainer(interrupted, options, backend))
        {
            first.TrainEpoch(data);
            TrainerCheckpoint state = first.Checkpoint();
            Assert.NotNull(state.Velocity);
            RnnRbmModel small = ModelFileTests.SmallModel();
            ModelManifest manifest = small.Manifest with
            {
                Shape = ShapeInfo.From(shape),
                PitchRange = PitchRangeInfo.From(TrainerTests.Range),
                Training = TrainingInfo.From(options, 1),
                Checkpoint = CheckpointInfo.From(state),
            };
            file = ModelFile.Write(new RnnRbmModel(interrupted, manifest, state.Velocity));
        }
        RnnRbmModel read = ModelFile.Read(file);
        Assert.True(read.Manifest.Checkpoint!.Velocity);
        Assert.Equal(options, read.Manifest.Training.ToOptions());
        TrainerCheckpoint resume = read.Manifest.Checkpoint.ToTrainerCheckpoint(1, read.Velocity);
        using (var second = new RnnRbmTrainer(read.Parameters, options, backend, resume: resume))
        {
            second.TrainEpoch(data);
            second.TrainEpoch(data);
        }
        Assert.Equal(straight, TrainerTests.Flatten(read.Parameters));

        // Without its velocity, a momentum run cannot resume exactly: refused, not silently restarted.
        TrainerCheckpoint noVelocity = resume with { Velocity = null };
        Assert.Throws<ArgumentException>(() => new RnnRbmTrainer(read.Parameters.Clone(), options, backend, resume: noVelocity));
    }

    [Fact]
    public void ModelFile_RefusesAVelocityTheManifestDoesNotDeclare()
    {
        RnnRbmModel model = ModelFileTests.SmallModel();
        Assert.Throws<ArgumentException>(() => new RnnRbmModel(model.Parameters, model.Manifest, model.Parameters.Clone()));
        // A file whose manifest declares a velocity but holds only the weights is refused with a reason.
        ModelManifest declares = model.Manifest with { Checkpoint = new CheckpointInfo(new uint[4], [new uint[4]], Velocity: false) };
        byte[] bytes = ModelFile.Write(new RnnRbmModel(model.Parameters, declares));
        var ex = Assert.Throws<InvalidModelFileException>(() => ModelFile.Read(Resign(Patch(bytes, "\"velocity\": false", "\"velocity\": true "))));
        Assert.Contains("momentum velocity", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void LearningRateSchedule_DecaysGeometrically_PerEpoch()
    {
        var constant = new TrainingOptions { LearningRate = 0.01f };
        Assert.Equal(0.01f, constant.LearningRateAt(1));
        Assert.Equal(0.01f, constant.LearningRateAt(200));
        var decaying = constant with { LearningRateDecay = 0.5f };
        Assert.Equal(0.01f, decaying.LearningRateAt(1));
        Assert.Equal(0.0025f, decaying.LearningRateAt(3), 7);
        Assert.StartsWith("learningRateDecay", (constant with { LearningRateDecay = 1.5f }).Problems().Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Decay_HalvesTheSecondEpochsSteps()
    {
        // Both runs share epoch 1 exactly; at decay 0.5 epoch 2 steps at half the rate, so it moves θ about half as far.
        PianoRoll[] data = TrainerTests.SmallCorpus(new Random(3));
        var options = new TrainingOptions { Seed = 2, BatchSize = 16, CdK = 2, LearningRate = 0.01f };
        double constant = SecondEpochStep(data, options);
        double halved = SecondEpochStep(data, options with { LearningRateDecay = 0.5f });
        Assert.InRange(halved / constant, 0.4, 0.6);
    }

    [Theory]
    [InlineData(1f, 0f, "momentum")]
    [InlineData(-0.1f, 0f, "momentum")]
    [InlineData(0.9f, -1f, "clipNorm")]
    [InlineData(0.9f, float.NaN, "clipNorm")]
    public void Options_RefuseBadMomentumOrClipping(float momentum, float clip, string field)
    {
        IReadOnlyList<string> problems = new TrainingOptions { Momentum = momentum, ClipNorm = clip }.Problems();
        Assert.Single(problems);
        Assert.StartsWith(field, problems[0], StringComparison.Ordinal);
    }

    private static (double Step, int Updates) OneEpochStep(PianoRoll[] data, TrainingOptions options)
    {
        var shape = new ModelShape(TrainerTests.Range.Count, 12, 10);
        RnnRbmParameters parameters = RnnRbmTrainer.InitialParameters(shape, options.Seed);
        RnnRbmParameters before = parameters.Clone();
        using var trainer = new RnnRbmTrainer(parameters, options, NumericsBackend.Select(null));
        EpochResult result = trainer.TrainEpoch(data);
        before.AddScaled(parameters, -1f); // before − after
        return (before.Norm(), result.Updates);
    }

    private static double SecondEpochStep(PianoRoll[] data, TrainingOptions options)
    {
        var shape = new ModelShape(TrainerTests.Range.Count, 12, 10);
        RnnRbmParameters parameters = RnnRbmTrainer.InitialParameters(shape, options.Seed);
        using var trainer = new RnnRbmTrainer(parameters, options, NumericsBackend.Select(null));
        trainer.TrainEpoch(data);
        RnnRbmParameters afterOne = parameters.Clone();
        trainer.TrainEpoch(data);
        afterOne.AddScaled(parameters, -1f);
        return afterOne.Norm();
    }

    private static byte[] Patch(byte[] bytes, string from, string to)
    {
        byte[] a = System.Text.Encoding.UTF8.GetBytes(from), b = System.Text.Encoding.UTF8.GetBytes(to);
        int at = bytes.AsSpan().IndexOf(a);
        Assert.True(at >= 0 && a.Length == b.Length);
        byte[] copy = (byte[])bytes.Clone();
        b.CopyTo(copy, at);
        return copy;
    }

    /// <summary>Recomputes the trailing SHA-256 so that only the manifest's claim is wrong.</summary>
    private static byte[] Resign(byte[] bytes)
    {
        System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        return bytes;
    }
}
