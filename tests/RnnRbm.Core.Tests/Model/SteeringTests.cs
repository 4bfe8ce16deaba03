using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Model;

public class SteeringTests
{
    [Fact]
    public void TemperatureOne_AndNoMelody_IsThePlainSample_BitForBit()
    {
        RnnRbmModel model = Random(7);
        PianoRoll plain = new RnnRbmGenerator(model).Generate(60, 5, seed: 3);
        PianoRoll steered = new RnnRbmGenerator(model).Generate(60, 5, seed: 3, controls: new GenerationControls { Temperature = 1 });
        Assert.True(plain.ContentEquals(steered));
    }

    [Fact]
    public void Temperature_DividesTheEnergies()
    {
        // W = 0: each key is on with probability σ(bv / T); bv = +6 on one key, -6 elsewhere (11 other keys).
        RnnRbmModel model = GeneratorTests.Biased();
        (int favoured, int others) Count(double temperature)
        {
            PianoRoll roll = new RnnRbmGenerator(model).Generate(400, 3, seed: 9, controls: new GenerationControls { Temperature = temperature });
            int favoured = 0, others = 0;
            for (int t = 0; t < roll.Steps; t++)
            {
                favoured += roll[t, 64] ? 1 : 0;
                others += roll.NotesAt(t).Count(n => n != 64);
            }
            return (favoured, others);
        }
        (int hotFavoured, int hotOthers) = Count(4);   // σ(1.5) ≈ 0.82 on the favoured key, σ(-1.5) ≈ 0.18 on each other
        Assert.InRange(hotFavoured, 400 * 0.72, 400 * 0.92);
        Assert.InRange(hotOthers, 400 * 11 * 0.14, 400 * 11 * 0.22);
        (int coldFavoured, int coldOthers) = Count(0.5); // σ(±12): all but certain
        Assert.Equal(400, coldFavoured);
        Assert.Equal(0, coldOthers);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    [InlineData(21.0)]
    [InlineData(double.NaN)]
    public void Temperature_OutsideItsLimits_IsRefused_NamingIt(double temperature)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RnnRbmGenerator(Random(1)).Generate(5, 2, 1, controls: new GenerationControls { Temperature = temperature }));
        Assert.Contains("temperature must lie in [0.05, 20]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Melody_IsKeptExactly_AndOnTop_WhenAsked()
    {
        RnnRbmModel model = Random(11);
        PianoRoll melody = Tune(model.Range, 80, seed: 5);
        foreach (bool onTop in new[] { false, true })
        {
            PianoRoll piece = new RnnRbmGenerator(model).Generate(80, 10, seed: 2, controls: new GenerationControls { Melody = melody, MelodyOnTop = onTop });
            bool anyAbove = false, anyBelow = false;
            for (int t = 0; t < piece.Steps; t++)
            {
                IReadOnlyList<int> tune = melody.NotesAt(t);
                IReadOnlyList<int> notes = piece.NotesAt(t);
                Assert.All(tune, n => Assert.Contains(n, notes));
                if (tune.Count > 0)
                {
                    anyAbove |= notes.Any(n => n > tune[^1]);
                    anyBelow |= notes.Any(n => n < tune[0]);
                }
            }
            Assert.Equal(!onTop, anyAbove); // a random model sounds keys above the tune unless they are clamped off
            Assert.True(anyBelow);           // and writes something under it
        }
    }

    [Fact]
    public void Melody_ShorterThanThePiece_IsRefused()
    {
        RnnRbmModel model = Random(1);
        var ex = Assert.Throws<ArgumentException>(() =>
            new RnnRbmGenerator(model).Generate(20, 2, 1, controls: new GenerationControls { Melody = Tune(model.Range, 10, 1) }));
        Assert.Contains("at least the 20 steps", ex.Message, StringComparison.Ordinal);
    }

    // A tune of one note per step, with rests, in the upper half of the range.
    private static PianoRoll Tune(PitchRange range, int steps, int seed)
    {
        var random = new Random(seed);
        var roll = new PianoRoll(steps, range);
        for (int t = 0; t < steps; t++)
        {
            if (random.Next(5) != 0)
            {
                roll[t, range.Lowest + (range.Count / 2) + random.Next(range.Count / 2 - 1)] = true;
            }
        }
        return roll;
    }

    /// <summary>A small model with every parameter drawn uniformly in [−1, 1) (seeded): sharp enough to differ between seeds.</summary>
    internal static RnnRbmModel Random(ulong seed)
    {
        RnnRbmModel model = ModelFileTests.SmallModel(seed);
        var rng = new Random((int)seed);
        foreach (NamedTensor t in model.Parameters.Tensors)
        {
            for (int i = 0; i < t.Values.Length; i++)
            {
                t.Values[i] = (float)((rng.NextDouble() - 0.5) * 2);
            }
        }
        return model;
    }
}
