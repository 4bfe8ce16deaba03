using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Model;

/// <summary>Filling a gap by importance resampling (issue 16, docs/generation.md "Filling a gap").</summary>
public class FillGapTests
{
    [Fact]
    public void OutsideTheGap_ThePieceIsUnchanged_ByteForByte_AndInsideIsTheChosenCandidate()
    {
        RnnRbmModel model = RandomModel(5);
        PianoRoll piece = RandomPiece(model.Range, 40, seed: 2);
        GapFill fill = new RnnRbmGenerator(model).FillGap(piece, 12, 21, candidates: 6, gibbsK: 4, seed: 9);
        Assert.Equal(piece.Steps, fill.Piece.Steps);
        for (int t = 0; t < piece.Steps; t++)
        {
            ReadOnlySpan<byte> expected = t is >= 12 and < 21 ? fill.Candidates[fill.Chosen].Row(t - 12) : piece.Row(t);
            Assert.True(expected.SequenceEqual(fill.Piece.Row(t)), $"step {t} differs");
        }
        Assert.Equal(6, fill.Candidates.Count);
        Assert.Equal(6, fill.Scores.Count);
        Assert.Equal(GenerationLimits.FillRightContextSteps < 19 ? GenerationLimits.FillRightContextSteps : 19, fill.ScoredSteps);
        // The candidates are distinct draws, not one filling six times.
        Assert.Contains(fill.Candidates, c => !c.ContentEquals(fill.Candidates[0]));
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(15, 1.0)]
    [InlineData(15, 0.7)]
    public void OneCandidate_IsThePlainContinuationOfTheLeftContext(int gapStart, double temperature)
    {
        RnnRbmModel model = RandomModel(8);
        PianoRoll piece = RandomPiece(model.Range, 30, seed: 4);
        var controls = new GenerationControls { Temperature = temperature };
        GapFill fill = new RnnRbmGenerator(model).FillGap(piece, gapStart, 24, candidates: 1, gibbsK: 5, seed: 77, controls);
        PianoRoll? left = gapStart == 0 ? null : Slice(piece, 0, gapStart);
        PianoRoll plain = new RnnRbmGenerator(model).Generate(24 - gapStart, 5, 77, left, controls);
        Assert.True(plain.ContentEquals(Slice(fill.Piece, gapStart, 24)));
        Assert.Equal(0, fill.Chosen);
    }

    [Fact]
    public void Scores_AreTheExactLogLikelihoodOfTheRightContext_WhenTheKeysAreIndependent()
    {
        // W = 0: each step's RBM is independent keys, p(v) = Π σ(±bv_t), and the pseudo-likelihood is the likelihood.
        RnnRbmModel model = RandomModel(3);
        Array.Clear(model.Parameters.W);
        PianoRoll piece = RandomPiece(model.Range, 36, seed: 6);
        GapFill fill = new RnnRbmGenerator(model).FillGap(piece, 10, 16, candidates: 4, gibbsK: 3, seed: 5, rightContextSteps: 12);
        Assert.Equal(12, fill.ScoredSteps);
        for (int k = 0; k < 4; k++)
        {
            double expected = ReferenceLogLikelihood(model, piece, 10, fill.Candidates[k], 16, 12);
            Assert.True(Math.Abs(expected - fill.Scores[k]) < 1e-3, $"candidate {k}: {fill.Scores[k]} vs the reference {expected}");
        }
        Assert.Contains(fill.Scores, s => Math.Abs(s - fill.Scores[0]) > 1e-3); // the candidates do change the score
    }

    [Fact]
    public void TheChoice_FollowsTheRightContext_WhenItStronglyPrefersOneKindOfCandidate()
    {
        // Key 5 right after the gap is likely (σ(8)) when key 0 sounds at the gap's last step, unlikely (σ(-8)) otherwise;
        // key 0 is a coin toss in the gap. With 8 candidates the chosen one ends on key 0 whenever one of them does.
        RnnRbmModel model = Signalling(bias: -8, pull: 16);
        PianoRoll piece = SignalPiece(model.Range);
        int endsOnKey0 = 0, plainEndsOnKey0 = 0;
        for (ulong seed = 0; seed < 20; seed++)
        {
            GapFill fill = new RnnRbmGenerator(model).FillGap(piece, 4, 8, candidates: 8, gibbsK: 2, seed: seed);
            bool any = fill.Candidates.Any(c => c[3, model.Range.Lowest]);
            bool chosen = fill.Piece[7, model.Range.Lowest];
            Assert.True(chosen || !any, $"seed {seed}: a candidate ending on key 0 was there but not chosen");
            endsOnKey0 += chosen ? 1 : 0;
            plainEndsOnKey0 += new RnnRbmGenerator(model).FillGap(piece, 4, 8, candidates: 1, gibbsK: 2, seed: seed).Piece[7, model.Range.Lowest] ? 1 : 0;
        }
        Assert.True(endsOnKey0 >= 19, $"{endsOnKey0} of 20");
        Assert.InRange(plainEndsOnKey0, 3, 17); // without the weighing, a coin toss
    }

    [Fact]
    public void TheChoice_IsInProportionToTheWeights()
    {
        // A mild preference (a likelihood ratio of e between the two kinds of candidate): over 400 seeds the number of
        // times a key-0 ending is chosen matches the sum of the probabilities the weights gave it, within 4 standard deviations.
        RnnRbmModel model = Signalling(bias: -0.5f, pull: 1);
        PianoRoll piece = SignalPiece(model.Range);
        double expected = 0, variance = 0;
        int observed = 0;
        for (ulong seed = 0; seed < 400; seed++)
        {
            GapFill fill = new RnnRbmGenerator(model).FillGap(piece, 4, 8, candidates: 3, gibbsK: 2, seed: seed);
            IReadOnlyList<double> weights = fill.Weights();
            double p = Enumerable.Range(0, 3).Where(k => fill.Candidates[k][3, model.Range.Lowest]).Sum(k => weights[k]);
            expected += p;
            variance += p * (1 - p);
            observed += fill.Piece[7, model.Range.Lowest] ? 1 : 0;
        }
        Assert.True(variance > 10, $"variance {variance}: the test needs mixed candidates");
        Assert.InRange(observed, expected - (4 * Math.Sqrt(variance)), expected + (4 * Math.Sqrt(variance)));
    }

    [Fact]
    public void NothingAfterTheGap_ScoresEveryCandidateZero()
    {
        RnnRbmModel model = RandomModel(2);
        PianoRoll piece = RandomPiece(model.Range, 20, seed: 1);
        GapFill fill = new RnnRbmGenerator(model).FillGap(piece, 14, 20, candidates: 3, gibbsK: 2, seed: 3);
        Assert.All(fill.Scores, s => Assert.Equal(0, s));
        Assert.Equal(0, fill.ScoredSteps);
    }

    [Theory]
    [InlineData(5, 5, 4)]
    [InlineData(-1, 5, 4)]
    [InlineData(3, 21, 4)]
    [InlineData(3, 8, 0)]
    [InlineData(3, 8, 33)]
    public void BadGapsAndCandidateCounts_AreRefused(int gapStart, int gapEnd, int candidates)
    {
        RnnRbmModel model = RandomModel(1);
        PianoRoll piece = RandomPiece(model.Range, 20, seed: 1);
        Assert.ThrowsAny<ArgumentException>(() => new RnnRbmGenerator(model).FillGap(piece, gapStart, gapEnd, candidates, 2, 1));
    }

    // log p(right context | left, candidate) for a W = 0 model, in double with plain loops: the reference.
    private static double ReferenceLogLikelihood(RnnRbmModel model, PianoRoll piece, int gapStart, PianoRoll candidate, int gapEnd, int scored)
    {
        RnnRbmParameters p = model.Parameters;
        int v = p.Shape.Visible, u = p.Shape.Recurrent;
        double[] state = [.. p.U0.Select(x => (double)x)];
        void Advance(ReadOnlySpan<byte> x)
        {
            var next = new double[u];
            for (int j = 0; j < u; j++)
            {
                double a = p.Bu[j];
                for (int i = 0; i < v; i++)
                {
                    a += x[i] * p.Wvu[(i * u) + j];
                }
                for (int k = 0; k < u; k++)
                {
                    a += state[k] * p.Wuu[(k * u) + j];
                }
                next[j] = Math.Tanh(a);
            }
            state = next;
        }
        for (int t = 0; t < gapStart; t++)
        {
            Advance(piece.Row(t));
        }
        for (int t = 0; t < candidate.Steps; t++)
        {
            Advance(candidate.Row(t));
        }
        double total = 0;
        for (int t = gapEnd; t < gapEnd + scored; t++)
        {
            ReadOnlySpan<byte> x = piece.Row(t);
            for (int i = 0; i < v; i++)
            {
                double b = p.Bv[i];
                for (int k = 0; k < u; k++)
                {
                    b += state[k] * p.Wuv[(k * v) + i];
                }
                total += x[i] != 0 ? -Math.Log(1 + Math.Exp(-b)) : -Math.Log(1 + Math.Exp(b));
            }
            Advance(x);
        }
        return total;
    }

    // W = 0 and Wuu = 0: u_t follows key 0 of step t only (u_t[0] = tanh(12 v_t[0]) ≈ v_t[0]), and it sets key 5's bias
    // at t + 1 to bias + pull · u_t[0]. Key 0's bias is 0 (a coin toss); every other key is almost always silent.
    private static RnnRbmModel Signalling(float bias, float pull)
    {
        RnnRbmModel model = ModelFileTests.SmallModel(1);
        RnnRbmParameters p = model.Parameters;
        foreach (NamedTensor t in p.Tensors)
        {
            Array.Clear(t.Values);
        }
        int v = p.Shape.Visible, u = p.Shape.Recurrent;
        Array.Fill(p.Bv, -12f);
        p.Bv[0] = 0;
        p.Bv[5] = bias;
        p.Wvu[(0 * u) + 0] = 12;
        p.Wuv[(0 * v) + 5] = pull;
        return model;
    }

    // Silence, and key 5 alone right after the gap [4, 8).
    private static PianoRoll SignalPiece(PitchRange range)
    {
        var piece = new PianoRoll(12, range);
        piece[8, range.Lowest + 5] = true;
        return piece;
    }

    private static PianoRoll Slice(PianoRoll roll, int from, int to)
    {
        var part = new PianoRoll(to - from, roll.Range);
        for (int t = from; t < to; t++)
        {
            roll.Row(t).CopyTo(part.MutableRow(t - from));
        }
        return part;
    }

    private static PianoRoll RandomPiece(PitchRange range, int steps, int seed)
    {
        var random = new Random(seed);
        var roll = new PianoRoll(steps, range);
        for (int t = 0; t < steps; t++)
        {
            for (int n = range.Lowest; n < range.End; n++)
            {
                roll[t, n] = random.Next(4) == 0;
            }
        }
        return roll;
    }

    private static RnnRbmModel RandomModel(ulong seed) => SteeringTests.Random(seed);
}
