using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Model;

public class TrainerTests
{
    internal static readonly PitchRange Range = new(48, 72);

    [Fact]
    public void SameSeed_GivesBitIdenticalParameters_OnOneThreadOrTwo()
    {
        PianoRoll[] data = SmallCorpus(new Random(5));
        var options = new TrainingOptions { Seed = 42, BatchSize = 20, CdK = 3, Epochs = 2 };
        float[] oneThread = Train(data, options, threads: 1);
        float[] twoThreads = Train(data, options, threads: 2);
        float[] again = Train(data, options, threads: 2);
        Assert.Equal(oneThread, twoThreads);
        Assert.Equal(twoThreads, again);
        float[] otherSeed = Train(data, options with { Seed = 43 }, threads: 2);
        Assert.NotEqual(oneThread, otherSeed);
    }

    [Fact]
    public void Resume_FromCheckpoint_ContinuesBitForBit()
    {
        PianoRoll[] data = SmallCorpus(new Random(8));
        var options = new TrainingOptions { Seed = 9, BatchSize = 16, CdK = 2, Epochs = 3 };
        var shape = new ModelShape(Range.Count, 12, 10);
        NumericsBackend backend = NumericsBackend.Select(null);

        float[] straight = Train(data, options, threads: 0);

        RnnRbmParameters interrupted = RnnRbmTrainer.InitialParameters(shape, options.Seed);
        TrainerCheckpoint checkpoint;
        using (var first = new RnnRbmTrainer(interrupted, options, backend))
        {
            first.TrainEpoch(data);
            checkpoint = first.Checkpoint();
        }
        RnnRbmParameters resumed = interrupted.Clone(); // what a checkpoint file would hold
        using (var second = new RnnRbmTrainer(resumed, options, backend, resume: checkpoint))
        {
            Assert.Equal(1, second.EpochsCompleted);
            second.TrainEpoch(data);
            second.TrainEpoch(data);
            Assert.Equal(3, second.EpochsCompleted);
        }
        Assert.Equal(straight, Flatten(resumed));
    }

    [Fact]
    public void Cancellation_StopsBetweenUpdates_AndKeepsWhatWasLearned()
    {
        var rng = new Random(2);
        PianoRoll[] data = [.. SmallCorpus(rng), .. SmallCorpus(rng), .. SmallCorpus(rng)];
        var shape = new ModelShape(Range.Count, 12, 10);
        RnnRbmParameters parameters = RnnRbmTrainer.InitialParameters(shape, 1);
        float[] initial = Flatten(parameters);
        using var cancellation = new CancellationTokenSource();
        using var trainer = new RnnRbmTrainer(parameters, new TrainingOptions { BatchSize = 2, CdK = 1 }, NumericsBackend.Select(null));
        Assert.True(data.Sum(d => d.Steps) > 3 * 2, "the corpus must outlast the first progress report");
        // Progress is reported after every update (issue 13: every 64 was minutes for a large model): cancel at the first report.
        EpochResult result = trainer.TrainEpoch(data, _ => cancellation.Cancel(), cancellation.Token);
        Assert.True(result.Cancelled);
        Assert.Equal(0, trainer.EpochsCompleted);
        Assert.InRange(result.Updates, 1, 1);
        Assert.True(result.Frames < data.Sum(d => d.Steps));
        Assert.NotEqual(initial, Flatten(parameters));
    }

    [Fact]
    public void NonFiniteParameters_StopTraining_WithAClearError()
    {
        PianoRoll[] data = SmallCorpus(new Random(4));
        var shape = new ModelShape(Range.Count, 12, 10);
        RnnRbmParameters parameters = RnnRbmTrainer.InitialParameters(shape, 1);
        parameters.W[3] = float.NaN;
        using var trainer = new RnnRbmTrainer(parameters, new TrainingOptions { BatchSize = 10, CdK = 1 }, NumericsBackend.Select(null));
        var ex = Assert.Throws<TrainingDivergedException>(() => trainer.TrainEpoch(data));
        Assert.Contains("non-finite", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, trainer.EpochsCompleted);
    }

    [Fact]
    public void Monitor_StaysFinite_WhenProbabilitiesSaturate()
    {
        // bv = +60 drives σ to exactly 1 in float32, so the seed's log(1 - p) on silent pitches is log 0 = -inf.
        PianoRoll[] data = SmallCorpus(new Random(6));
        var shape = new ModelShape(Range.Count, 12, 10);
        RnnRbmParameters parameters = RnnRbmTrainer.InitialParameters(shape, 1);
        Array.Fill(parameters.Bv, 60f);
        using var trainer = new RnnRbmTrainer(parameters, new TrainingOptions { BatchSize = 10, CdK = 1, LearningRate = 1e-7f }, NumericsBackend.Select(null));
        double monitor = trainer.MeasureMonitor(data);
        Assert.True(double.IsFinite(monitor), $"monitor {monitor}");
        Assert.True(monitor < -100, $"a saturated wrong model must score badly, got {monitor}");
    }

    [Fact]
    public void Training_RaisesTheMonitor_OnARepeatingPattern()
    {
        // Alternating chords: easy to learn; the monitor must rise well above its first value.
        var roll = new PianoRoll(400, Range);
        for (int t = 0; t < roll.Steps; t++)
        {
            foreach (int note in t % 2 == 0 ? new[] { 48, 52, 55 } : new[] { 50, 53, 57 })
            {
                roll[t, note] = true;
            }
        }
        var shape = new ModelShape(Range.Count, 20, 15);
        RnnRbmParameters parameters = RnnRbmTrainer.InitialParameters(shape, 3);
        using var trainer = new RnnRbmTrainer(parameters, new TrainingOptions { BatchSize = 50, CdK = 5, LearningRate = 0.05f }, NumericsBackend.Select(null));
        double first = trainer.TrainEpoch([roll]).Monitor;
        double last = first;
        for (int e = 0; e < 30; e++)
        {
            last = trainer.TrainEpoch([roll]).Monitor;
        }
        Assert.True(last > first + 3, $"monitor went from {first} to {last}");
    }

    internal static PianoRoll[] SmallCorpus(Random rng)
    {
        var rolls = new PianoRoll[5];
        for (int s = 0; s < rolls.Length; s++)
        {
            var roll = new PianoRoll(30 + rng.Next(60), Range);
            for (int t = 0; t < roll.Steps; t++)
            {
                for (int n = Range.Lowest; n < Range.End; n++)
                {
                    roll[t, n] = rng.NextDouble() < 0.15;
                }
            }
            rolls[s] = roll;
        }
        return rolls;
    }

    internal static float[] Train(PianoRoll[] data, TrainingOptions options, int threads)
    {
        var shape = new ModelShape(Range.Count, 12, 10);
        RnnRbmParameters parameters = RnnRbmTrainer.InitialParameters(shape, options.Seed);
        using var trainer = new RnnRbmTrainer(parameters, options, NumericsBackend.Select(null), threads);
        for (int e = 0; e < options.Epochs; e++)
        {
            trainer.TrainEpoch(data);
        }
        return Flatten(parameters);
    }

    internal static float[] Flatten(RnnRbmParameters p) => [.. p.Tensors.SelectMany(t => t.Values)];
}
