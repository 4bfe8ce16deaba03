using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Training;

namespace RnnRbm.Core.Tests.Model;

/// <summary>
/// Parameter averaging (<see cref="TrainingOptions.AverageDecay"/>): a moving average of θ that validation and the saved
/// model use, which starts as the plain mean of the iterates, never changes what θ learns, and which a checkpoint
/// carries so a resumed run continues exactly.
/// </summary>
public class AveragingTests
{
    private static readonly ModelShape Shape = new(TrainerTests.Range.Count, 12, 10);
    private static readonly TrainingOptions Options = new() { Seed = 21, BatchSize = 16, CdK = 2, Epochs = 3, Momentum = 0.9f, LearningRate = 0.01f };

    [Fact]
    public void Averaging_LeavesThetaUnchanged_AndTheAverageLagsBehindIt()
    {
        PianoRoll[] data = TrainerTests.SmallCorpus(new Random(8));
        NumericsBackend backend = NumericsBackend.Select(null);
        float[] plain = TrainerTests.Train(data, Options, threads: 0);

        RnnRbmParameters start = RnnRbmTrainer.InitialParameters(Shape, Options.Seed);
        using var trainer = new RnnRbmTrainer(start.Clone(), Options with { AverageDecay = 0.9f }, backend);
        for (int epoch = 0; epoch < Options.Epochs; epoch++)
        {
            trainer.TrainEpoch(data);
        }

        Assert.Equal(plain, TrainerTests.Flatten(trainer.Parameters));
        float[] average = TrainerTests.Flatten(trainer.Average!);
        float[] theta = TrainerTests.Flatten(trainer.Parameters);
        float[] initial = TrainerTests.Flatten(start);
        Assert.NotEqual(theta, average);
        // A convex mix of the iterates: nearer θ than the starting point is, yet not on it.
        Assert.True(Distance(average, theta) < Distance(initial, theta), "the average should have followed θ");
        Assert.Same(trainer.Average, trainer.Estimate);
    }

    [Fact]
    public void AveragingOverEpochs_IsTheDecayOfOneOverEpochsTimesUpdatesPerEpoch()
    {
        // The same average as a decay per update of 1 − 1/(E × N), N the updates (chunks of BatchSize steps) per epoch:
        // so E epochs of any corpus, however many updates an epoch has.
        PianoRoll[] data = TrainerTests.SmallCorpus(new Random(8));
        long updates = data.Sum(r => ((long)r.Steps + Options.BatchSize - 1) / Options.BatchSize);
        const float epochs = 2.5f;
        Assert.Equal((float)(1.0 / (epochs * updates)), (Options with { AverageEpochs = epochs }).AverageRate(updates));
        NumericsBackend backend = NumericsBackend.Select(null);
        float[] byEpochs = AverageAfterTraining(Options with { AverageEpochs = epochs });
        float[] byDecay = AverageAfterTraining(Options with { AverageDecay = (float)(1 - 1.0 / (epochs * updates)) });
        float[] byFrames = AverageAfterTraining(Options with { AverageDecay = (float)(1 - 1.0 / (epochs * data.Sum(r => r.Steps))) });
        Assert.True(Distance(byEpochs, byDecay) < 1e-4 * Distance(byEpochs, byFrames), $"{Distance(byEpochs, byDecay)} vs {Distance(byEpochs, byFrames)}");

        float[] AverageAfterTraining(TrainingOptions options)
        {
            using var trainer = new RnnRbmTrainer(RnnRbmTrainer.InitialParameters(Shape, options.Seed), options, backend);
            for (int epoch = 0; epoch < options.Epochs; epoch++)
            {
                trainer.TrainEpoch(data);
            }
            return TrainerTests.Flatten(trainer.Average!);
        }
    }

    [Fact]
    public void AveragingOverEpochs_AndADecay_AreOneAverage_GivenOnce()
    {
        Assert.Contains((Options with { AverageEpochs = 5, AverageDecay = 0.999f }).Problems(),
            p => p.StartsWith("averageEpochs and averageDecay", StringComparison.Ordinal));
        Assert.Contains((Options with { AverageEpochs = -1 }).Problems(), p => p.StartsWith("averageEpochs must", StringComparison.Ordinal));
        Assert.Empty((Options with { AverageEpochs = 5 }).Problems());

        // A given setting replaces the recipe's other one; none given keeps the recipe's; both given stay for Problems.
        TrainingOptions recipe = Options with { AverageEpochs = 5 };
        Assert.Same(recipe, recipe.WithAveraging(null, null));
        Assert.Equal((0.999f, 0f), Averaging(recipe.WithAveraging(0.999f, null)));
        Assert.Equal((0f, 3f), Averaging((Options with { AverageDecay = 0.999f }).WithAveraging(null, 3)));
        Assert.Equal((0f, 0f), Averaging(recipe.WithAveraging(0, null)));
        Assert.NotEmpty(recipe.WithAveraging(0.999f, 3).Problems());

        static (float Decay, float Epochs) Averaging(TrainingOptions o) => (o.AverageDecay, o.AverageEpochs);
    }

    [Fact]
    public void WithoutAveraging_ThereIsNoAverage_AndTheEstimateIsTheta()
    {
        using var trainer = new RnnRbmTrainer(RnnRbmTrainer.InitialParameters(Shape, 1), Options, NumericsBackend.Select(null));

        Assert.Null(trainer.Average);
        Assert.Same(trainer.Parameters, trainer.Estimate);
        Assert.Null(trainer.Checkpoint().Average);
    }

    [Fact]
    public void TheAverage_StartsAsThePlainMeanOfTheIterates_AndAgainAfterAReset()
    {
        // One sequence of one chunk: one update per epoch, so θ after each epoch is every iterate. A span of 1,000
        // updates is never reached here, so the average is the mean of the iterates since it started or was reset
        // (a moving average from θ0 would still sit next to θ0).
        var roll = new PianoRoll(Options.BatchSize, TrainerTests.Range);
        var rng = new Random(3);
        for (int t = 0; t < roll.Steps; t++)
        {
            for (int n = TrainerTests.Range.Lowest; n < TrainerTests.Range.End; n++)
            {
                roll[t, n] = rng.NextDouble() < 0.2;
            }
        }
        using var trainer = new RnnRbmTrainer(RnnRbmTrainer.InitialParameters(Shape, Options.Seed), Options with { AverageDecay = 0.999f },
            NumericsBackend.Select(null));
        var iterates = new List<float[]> { TrainerTests.Flatten(trainer.Parameters) };
        for (int epoch = 0; epoch < 6; epoch++)
        {
            Assert.Equal(1, trainer.TrainEpoch([roll]).Updates);
            iterates.Add(TrainerTests.Flatten(trainer.Parameters));
        }
        AssertMean(iterates, TrainerTests.Flatten(trainer.Average!));

        // A roll-back sets θ and the average to one point, which the next mean starts from.
        RnnRbmParameters back = trainer.Average!.Clone();
        trainer.ResetTo(back);
        iterates = [TrainerTests.Flatten(back)];
        for (int epoch = 0; epoch < 3; epoch++)
        {
            trainer.TrainEpoch([roll]);
            iterates.Add(TrainerTests.Flatten(trainer.Parameters));
        }
        AssertMean(iterates, TrainerTests.Flatten(trainer.Average!));

        static void AssertMean(List<float[]> iterates, float[] average)
        {
            float[] mean = [.. Enumerable.Range(0, average.Length).Select(i => (float)iterates.Average(p => p[i]))];
            double spread = Distance(iterates[0], iterates[^1]);
            Assert.True(spread > 0, "training should have moved θ");
            Assert.True(Distance(mean, average) < 1e-4 * spread, $"{Distance(mean, average)} from the mean; θ moved {spread}");
        }
    }

    [Theory]
    [InlineData(0.95f)] // a span of 20 updates, about one epoch: the checkpoint falls in the moving average
    [InlineData(0.99f)] // 100 updates: the checkpoint falls while the average is still the mean of the iterates
    public void ACheckpointWritten_AndRead_CarriesTheAverage_SoTheRunContinuesExactly(float decay)
    {
        PianoRoll[] data = TrainerTests.SmallCorpus(new Random(8));
        TrainingOptions options = Options with { AverageDecay = decay };
        NumericsBackend backend = NumericsBackend.Select(null);

        using var straight = new RnnRbmTrainer(RnnRbmTrainer.InitialParameters(Shape, options.Seed), options, backend);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            straight.TrainEpoch(data);
        }

        RnnRbmParameters interrupted = RnnRbmTrainer.InitialParameters(Shape, options.Seed);
        byte[] file;
        using (var first = new RnnRbmTrainer(interrupted, options, backend))
        {
            first.TrainEpoch(data);
            TrainerCheckpoint state = first.Checkpoint();
            ModelManifest manifest = ModelFileTests.SmallModel().Manifest with
            {
                Shape = ShapeInfo.From(Shape),
                PitchRange = PitchRangeInfo.From(TrainerTests.Range),
                Training = TrainingInfo.From(options, 1),
                Checkpoint = CheckpointInfo.From(state),
            };
            file = ModelFile.Write(new RnnRbmModel(interrupted, manifest, state.Velocity, average: state.Average));
        }
        RnnRbmModel read = ModelFile.Read(file);
        Assert.True(read.Manifest.Checkpoint!.Average);
        Assert.NotNull(read.Manifest.Checkpoint.AverageCount);
        Assert.Equal(options, read.Manifest.Training.ToOptions());
        TrainerCheckpoint resume = read.Manifest.Checkpoint.ToTrainerCheckpoint(1, read.Velocity, read.Average);
        using var second = new RnnRbmTrainer(read.Parameters, options, backend, resume: resume);
        second.TrainEpoch(data);
        second.TrainEpoch(data);

        Assert.Equal(TrainerTests.Flatten(straight.Parameters), TrainerTests.Flatten(second.Parameters));
        Assert.Equal(TrainerTests.Flatten(straight.Average!), TrainerTests.Flatten(second.Average!));
        // Without its average, an averaging run cannot resume exactly: refused, not silently restarted.
        Assert.Throws<ArgumentException>(() => new RnnRbmTrainer(read.Parameters.Clone(), options, backend, resume: resume with { Average = null }));
    }

    [Fact]
    public void TheLoop_ValidatesTheAverage_AndKeepsIt()
    {
        PianoRoll[] train = TrainerTests.SmallCorpus(new Random(4));
        var sets = new TrainingSets(train, TrainerTests.SmallCorpus(new Random(6)), TrainingSets.Split);
        var stopping = new EarlyStoppingOptions { ValidateEvery = 1, Patience = 0 };
        var validation = new RecordingValidation();

        using var loop = new TrainingLoop(RnnRbmTrainer.InitialParameters(Shape, Options.Seed), Options with { AverageDecay = 0.9f }, stopping,
            NumericsBackend.Select(null), sets, threads: 0, resume: null, validation);
        while (!loop.Finished)
        {
            loop.RunEpoch();
            Assert.Equal(TrainerTests.Flatten(loop.Trainer.Average!), validation.Measured[^1]);
            Assert.NotEqual(TrainerTests.Flatten(loop.Trainer.Parameters), validation.Measured[^1]);
        }

        // Every estimate is better than the last, so the model keeps the last epoch: its average, not θ.
        Assert.Equal(Options.Epochs, loop.State.BestEpoch);
        Assert.Equal(TrainerTests.Flatten(loop.Trainer.Average!), TrainerTests.Flatten(loop.ResultParameters()));
    }

    private sealed class RecordingValidation : IValidationEstimator
    {
        public List<float[]> Measured { get; } = [];

        public int Steps => 100;

        public int Sequences => 2;

        public ValidationEstimate Measure(RnnRbmParameters parameters, int aisSteps, bool check = true,
            int chains = EarlyStoppingOptions.MostBracketChains, CancellationToken cancellation = default)
        {
            Measured.Add(TrainerTests.Flatten(parameters));
            return new ValidationEstimate(-10.0 + Measured.Count, 0, true, null, 0.01);
        }
    }

    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());
}
