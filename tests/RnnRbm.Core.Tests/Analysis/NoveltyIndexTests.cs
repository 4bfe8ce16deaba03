using RnnRbm.Core.Analysis;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Analysis;

public class NoveltyIndexTests
{
    private static readonly PitchRange Range = new(40, 90);

    [Fact]
    public void ACopiedPassage_IsFound_WhereItIs()
    {
        PianoRoll a = Random(120, 1), b = Random(150, 2);
        var index = new NoveltyIndex([("a.mid", a), ("b.mid", b)]);
        PianoRoll piece = Join(Random(30, 3), Slice(b, 40, 25), Random(30, 4));
        NoveltyReport report = index.Check(piece, threshold: 16);
        Assert.Equal(new NoveltyMatch(25, 30, "b.mid", 40, 0), report.Exact);
        Assert.Equal(report.Exact, report.Transposed);
        Assert.True(report.Warning);
        Assert.Equal(270, index.Steps);
    }

    [Fact]
    public void ATransposedCopy_IsFoundUpToTransposition_NotExactly()
    {
        PianoRoll a = Random(120, 1);
        var index = new NoveltyIndex([("a.mid", a)]);
        PianoRoll piece = Join(Random(10, 5), Shift(Slice(a, 60, 20), 3), Random(10, 6));
        NoveltyReport report = index.Check(piece, threshold: 16);
        Assert.True(report.Exact.Steps < 3, $"exact run {report.Exact.Steps}");
        Assert.Equal(new NoveltyMatch(20, 10, "a.mid", 60, 3), report.Transposed); // the corpus passage moved up 3 semitones
        Assert.True(report.Warning);
    }

    [Fact]
    public void NoRunCrossesTwoSequences_AndANewPieceIsNotWarned()
    {
        PianoRoll a = Random(10, 1), b = Random(10, 2);
        var index = new NoveltyIndex([("a", a), ("b", b)]);
        NoveltyReport report = index.Check(Join(Slice(a, 5, 5), Slice(b, 0, 5)), threshold: 5);
        Assert.Equal(5, report.Exact.Steps);
        Assert.False(report.Warning);
    }

    [Fact]
    public void TheLongestRun_AgreesWithABruteForceSearch()
    {
        // Three distinct frames only, so that runs of every length occur; sequences and pieces of many lengths.
        for (int trial = 0; trial < 40; trial++)
        {
            var random = new Random(trial);
            var corpus = Enumerable.Range(0, 1 + random.Next(4)).Select(i => ($"s{i}", Small(1 + random.Next(40), random))).ToList();
            PianoRoll piece = Small(1 + random.Next(40), random);
            NoveltyMatch found = new NoveltyIndex(corpus).Check(piece, 0).Exact;
            int expected = corpus.Max(s => BruteForce(piece, s.Item2));
            Assert.Equal(expected, found.Steps);
            if (found.Steps > 0)
            {
                PianoRoll source = corpus.Single(s => s.Item1 == found.Sequence).Item2;
                Assert.True(Slice(piece, found.PieceStart, found.Steps).ContentEquals(Slice(source, found.SequenceStart, found.Steps)));
            }
        }
    }

    private static int BruteForce(PianoRoll x, PianoRoll y)
    {
        int best = 0;
        for (int i = 0; i < x.Steps; i++)
        {
            for (int j = 0; j < y.Steps; j++)
            {
                int n = 0;
                while (i + n < x.Steps && j + n < y.Steps && x.Row(i + n).SequenceEqual(y.Row(j + n)))
                {
                    n++;
                }
                best = Math.Max(best, n);
            }
        }
        return best;
    }

    private static PianoRoll Small(int steps, Random random)
    {
        var roll = new PianoRoll(steps, Range);
        for (int t = 0; t < steps; t++)
        {
            roll[t, 60 + random.Next(3)] = true;
        }
        return roll;
    }

    private static PianoRoll Random(int steps, int seed)
    {
        var random = new Random(seed);
        var roll = new PianoRoll(steps, Range);
        for (int t = 0; t < steps; t++)
        {
            for (int n = 0; n < 3; n++)
            {
                roll[t, 50 + random.Next(30)] = true;
            }
        }
        return roll;
    }

    private static PianoRoll Slice(PianoRoll roll, int start, int steps)
    {
        var slice = new PianoRoll(steps, roll.Range);
        for (int t = 0; t < steps; t++)
        {
            roll.Row(start + t).CopyTo(slice.MutableRow(t));
        }
        return slice;
    }

    private static PianoRoll Shift(PianoRoll roll, int semitones)
    {
        var shifted = new PianoRoll(roll.Steps, roll.Range);
        for (int t = 0; t < roll.Steps; t++)
        {
            foreach (int note in roll.NotesAt(t))
            {
                shifted[t, note + semitones] = true;
            }
        }
        return shifted;
    }

    private static PianoRoll Join(params PianoRoll[] parts)
    {
        var joined = new PianoRoll(parts.Sum(p => p.Steps), Range);
        int at = 0;
        foreach (PianoRoll part in parts)
        {
            for (int t = 0; t < part.Steps; t++)
            {
                part.Row(t).CopyTo(joined.MutableRow(at++));
            }
        }
        return joined;
    }
}
