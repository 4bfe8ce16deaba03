using System.Text.Json;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Model;

/// <summary>What the trainer feeds each update (issue 10, items 4.2 and 4.3): a carried RNN state, transposed sequences.</summary>
public class ChunkingTests
{
    private static readonly ModelShape Shape = new(TrainerTests.Range.Count, 12, 10);

    [Fact]
    public void CarryState_StartsEachChunkFromTheLastStateOfTheOneBefore()
    {
        // One sequence of 3 chunks, one thread: the trainer must do exactly what this loop does by hand.
        PianoRoll roll = TrainerTests.SmallCorpus(new Random(12))[0];
        const int batch = 12;
        Assert.True(roll.Steps > 2 * batch, "the sequence must span at least three chunks");
        var options = new TrainingOptions { Seed = 3, BatchSize = batch, CdK = 2, LearningRate = 0.05f, CarryState = true };

        RnnRbmParameters trained = RnnRbmTrainer.InitialParameters(Shape, options.Seed);
        using (var trainer = new RnnRbmTrainer(trained, options, NumericsBackend.Select(null), threads: 1))
        {
            trainer.TrainEpoch([roll]);
        }

        RnnRbmParameters byHand = RnnRbmTrainer.InitialParameters(Shape, options.Seed);
        var gradient = new RnnRbmParameters(Shape);
        float[] carried = new float[Shape.Recurrent];
        int v = Shape.Visible;
        using (var core = new ChunkGradient(Shape, batch, NumericsBackend.Select(null), [new VectorRandom(3, 2), new VectorRandom(3, 3)], threads: 1))
        {
            for (int start = 0; start < roll.Steps; start += batch)
            {
                int steps = Math.Min(batch, roll.Steps - start);
                float[] chunk = [.. roll.Cells.Slice(start * v, steps * v).ToArray().Select(b => (float)b)];
                core.Compute(chunk, steps, byHand, gradient, options.CdK, initialState: start == 0 ? default : carried);
                core.FinalState.CopyTo(carried);
                Array.Clear(gradient.U0);
                byHand.AddScaled(gradient, -options.LearningRate);
            }
        }
        Assert.Equal(TrainerTests.Flatten(byHand), TrainerTests.Flatten(trained));

        RnnRbmParameters restarting = RnnRbmTrainer.InitialParameters(Shape, options.Seed);
        using (var trainer = new RnnRbmTrainer(restarting, options with { CarryState = false }, NumericsBackend.Select(null), threads: 1))
        {
            trainer.TrainEpoch([roll]);
        }
        Assert.NotEqual(TrainerTests.Flatten(restarting), TrainerTests.Flatten(trained));
    }

    [Fact]
    public void CarryState_ChangesNothing_WhenEverySequenceFitsOneChunk()
    {
        PianoRoll[] data = TrainerTests.SmallCorpus(new Random(5));
        var options = new TrainingOptions { Seed = 42, BatchSize = 100, CdK = 3, Epochs = 2 };
        Assert.All(data, roll => Assert.True(roll.Steps <= options.BatchSize));
        Assert.Equal(TrainerTests.Train(data, options, threads: 1), TrainerTests.Train(data, options with { CarryState = true }, threads: 1));
    }

    [Fact]
    public void DrawShift_IsUniformOverTheShiftsThatKeepEveryNoteInRange()
    {
        var range = new PitchRange(60, 72); // V = 12
        var roll = new PianoRoll(4, range);
        roll[0, 62] = true; // column 2: at most 2 down
        roll[3, 68] = true; // column 8: at most 3 up
        var random = new VectorRandom(1, 4);
        int[] counts = new int[13];
        for (int i = 0; i < 6000; i++)
        {
            counts[RnnRbmTrainer.DrawShift(roll, 6, random) + 6]++;
        }
        for (int shift = -6; shift <= 6; shift++)
        {
            if (shift is >= -2 and <= 3)
            {
                Assert.InRange(counts[shift + 6], 850, 1150); // 1000 expected of each of the 6 valid shifts
            }
            else
            {
                Assert.Equal(0, counts[shift + 6]);
            }
        }
        var silent = new PianoRoll(3, range);
        var seen = new HashSet<int>();
        for (int i = 0; i < 500; i++)
        {
            seen.Add(RnnRbmTrainer.DrawShift(silent, 2, random));
        }
        Assert.Equal([-2, -1, 0, 1, 2], seen.Order());
    }

    [Fact]
    public void Shift_MovesEveryRowAndFillsWithSilence()
    {
        float[] rows = [1, 0, 0, 1, 0, /**/ 0, 1, 1, 0, 1];
        RnnRbmTrainer.Shift(rows, 5, 1);
        Assert.Equal([0, 1, 0, 0, 1, /**/ 0, 0, 1, 1, 0], rows);
        RnnRbmTrainer.Shift(rows, 5, -2);
        Assert.Equal([0, 0, 1, 0, 0, /**/ 1, 1, 0, 0, 0], rows);
    }

    [Fact]
    public void Transpose_ChangesTraining_AndResumesBitForBit_ThroughTheManifestCheckpoint()
    {
        // Notes only in [54, 66) of [48, 72): room to move up to 6 semitones either way (a full-range corpus could not move).
        PianoRoll[] data = TrainerTests.SmallCorpus(new Random(8));
        foreach (PianoRoll roll in data)
        {
            for (int t = 0; t < roll.Steps; t++)
            {
                for (int n = TrainerTests.Range.Lowest; n < TrainerTests.Range.End; n++)
                {
                    roll[t, n] &= n is >= 54 and < 66;
                }
            }
        }
        var options = new TrainingOptions { Seed = 9, BatchSize = 16, CdK = 2, Epochs = 3, Transpose = 4, CarryState = true, LearnU0 = true };
        NumericsBackend backend = NumericsBackend.Select(null);
        float[] straight = TrainerTests.Train(data, options, threads: 0);
        Assert.NotEqual(TrainerTests.Train(data, options with { Transpose = 0 }, threads: 0), straight);

        RnnRbmParameters interrupted = RnnRbmTrainer.InitialParameters(Shape, options.Seed);
        CheckpointInfo saved;
        using (var first = new RnnRbmTrainer(interrupted, options, backend))
        {
            first.TrainEpoch(data);
            saved = CheckpointInfo.From(first.Checkpoint());
        }
        Assert.NotNull(saved.TransposeRandomState);
        CheckpointInfo read = JsonSerializer.Deserialize<CheckpointInfo>(JsonSerializer.Serialize(saved, ModelFile.JsonOptions), ModelFile.JsonOptions)!;
        RnnRbmParameters resumed = interrupted.Clone();
        using (var second = new RnnRbmTrainer(resumed, options, backend, resume: read.ToTrainerCheckpoint(1, null)))
        {
            second.TrainEpoch(data);
            second.TrainEpoch(data);
        }
        Assert.Equal(straight, TrainerTests.Flatten(resumed));
    }

    [Fact]
    public void Resume_RefusesACheckpointWithoutTheTranspositionState()
    {
        var options = new TrainingOptions { Transpose = 2 };
        TrainerCheckpoint plain;
        using (var trainer = new RnnRbmTrainer(new RnnRbmParameters(Shape), options with { Transpose = 0 }, NumericsBackend.Select(null)))
        {
            plain = trainer.Checkpoint();
        }
        var ex = Assert.Throws<ArgumentException>(() => new RnnRbmTrainer(new RnnRbmParameters(Shape), options, NumericsBackend.Select(null), resume: plain));
        Assert.Contains("transposition", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_RefuseATranspositionBeyondTheLimit()
    {
        Assert.Contains((new TrainingOptions { Transpose = TrainingOptions.Limits.MaxTranspose + 1 }).Problems(), p => p.StartsWith("transpose", StringComparison.Ordinal));
        Assert.Contains((new TrainingOptions { Transpose = -1 }).Problems(), p => p.StartsWith("transpose", StringComparison.Ordinal));
        Assert.Empty((new TrainingOptions { Transpose = 6, CarryState = true, LearnU0 = true }).Problems());
    }
}
