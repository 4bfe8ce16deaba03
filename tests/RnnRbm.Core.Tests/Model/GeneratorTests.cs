using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Model;

public class GeneratorTests
{
    [Fact]
    public void SameSeed_SameRoll_OtherSeed_OtherRoll()
    {
        RnnRbmModel model = Biased();
        PianoRoll a = new RnnRbmGenerator(model).Generate(50, 5, seed: 1);
        PianoRoll b = new RnnRbmGenerator(model).Generate(50, 5, seed: 1);
        PianoRoll c = new RnnRbmGenerator(model).Generate(50, 5, seed: 2);
        Assert.Equal(50, a.Steps);
        Assert.Equal(model.Range, a.Range);
        Assert.True(a.ContentEquals(b));
        Assert.False(a.ContentEquals(c));
    }

    [Fact]
    public void Progress_IsReportedAfterEveryStep_AndLeavesThePieceAsItWas()
    {
        RnnRbmModel model = Biased();
        var seen = new List<double>();
        PianoRoll followed = new RnnRbmGenerator(model) { Progress = seen.Add }.Generate(40, 5, seed: 3);
        PianoRoll plain = new RnnRbmGenerator(model).Generate(40, 5, seed: 3);

        Assert.Equal(Enumerable.Range(1, 40).Select(t => t / 40.0), seen);
        Assert.True(plain.ContentEquals(followed));
    }

    [Fact]
    public void Generate_FollowsTheVisibleBiases()
    {
        // With W = 0 the RBM is independent units: P(v_i = 1) = σ(bv_i). bv = +6 on one note, -6 elsewhere.
        RnnRbmModel model = Biased();
        PianoRoll roll = new RnnRbmGenerator(model).Generate(400, 3, seed: 9);
        int favoured = 0, others = 0;
        for (int t = 0; t < roll.Steps; t++)
        {
            favoured += roll[t, 64] ? 1 : 0;
            others += roll.NotesAt(t).Count(n => n != 64);
        }
        Assert.InRange(favoured, 380, 400);                        // σ(6) ≈ 0.9975
        Assert.InRange(others, 0, 400 * (model.Range.Count - 1) / 50); // σ(-6) ≈ 0.0025
    }

    [Fact]
    public void Primer_ChangesWhatFollows()
    {
        RnnRbmModel model = ModelFileTests.SmallModel(3);
        var rng = new Random(1);
        foreach (NamedTensor t in model.Parameters.Tensors)
        {
            for (int i = 0; i < t.Values.Length; i++)
            {
                t.Values[i] = (float)((rng.NextDouble() - 0.5) * 4);
            }
        }
        var primer = new PianoRoll(8, model.Range);
        for (int t = 0; t < 8; t++)
        {
            primer[t, 60 + (t % 12)] = true;
        }
        PianoRoll plain = new RnnRbmGenerator(model).Generate(40, 5, seed: 4);
        PianoRoll primed = new RnnRbmGenerator(model).Generate(40, 5, seed: 4, primer);
        Assert.False(plain.ContentEquals(primed));
    }

    [Fact]
    public void Primer_OverAnotherRange_IsRefused()
    {
        RnnRbmModel model = Biased();
        var ex = Assert.Throws<ArgumentException>(() => new RnnRbmGenerator(model).Generate(5, 1, 1, new PianoRoll(3, PitchRange.Piano)));
        Assert.Contains("primer", ex.Message, StringComparison.Ordinal);
    }

    internal static RnnRbmModel Biased()
    {
        RnnRbmModel model = ModelFileTests.SmallModel();
        Array.Clear(model.Parameters.W);
        Array.Fill(model.Parameters.Bv, -6f);
        model.Parameters.Bv[64 - model.Range.Lowest] = 6f;
        return model;
    }
}
