using RnnRbm.Core.Analysis;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Analysis;

public class MusicalTermsTests
{
    [Theory]
    [InlineData("C major", 0, false)]
    [InlineData("d minor", 2, true)]
    [InlineData("F# major", 6, false)]
    [InlineData("Bb", 10, false)]
    [InlineData("c#m", 1, true)]
    [InlineData(" Eb min ", 3, true)]
    [InlineData("Cb", 11, false)]
    public void Keys_AreReadAsUsersWriteThem(string text, int tonic, bool minor)
    {
        Assert.True(MusicalKey.TryParse(text, out MusicalKey key));
        Assert.Equal(new MusicalKey(tonic, minor), key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("H major")]
    [InlineData("C lydian")]
    [InlineData(null)]
    public void NotAKey_IsRefused(string? text) => Assert.False(MusicalKey.TryParse(text, out _));

    [Fact]
    public void Estimate_FindsTheKeyOfCadences_AndMovesWithTransposition()
    {
        // I-IV-V-I in C major, then i-iv-V-i in A minor.
        PianoRoll major = Chords([[60, 64, 67], [65, 69, 72], [67, 71, 74], [60, 64, 67]]);
        PianoRoll minor = Chords([[57, 60, 64], [62, 65, 69], [64, 68, 71], [57, 60, 64]]);
        Assert.Equal(new MusicalKey(0, false), MusicalKey.Estimate(major));
        Assert.Equal(new MusicalKey(9, true), MusicalKey.Estimate(minor));
        Assert.Equal(new MusicalKey(2, false), MusicalKey.Estimate(major.Transposed(2)!));
        Assert.Null(MusicalKey.Estimate(new PianoRoll(4, PitchRange.Piano)));
    }

    [Theory]
    [InlineData(0, 2, 2)]
    [InlineData(0, 9, -3)]
    [InlineData(0, 6, -6)]
    [InlineData(11, 0, 1)]
    [InlineData(5, 5, 0)]
    public void SemitonesTo_TakesTheSmallerMove(int from, int to, int semitones) =>
        Assert.Equal(semitones, new MusicalKey(from, false).SemitonesTo(new MusicalKey(to, true)));

    [Fact]
    public void Lengths_InBarsAndSeconds_BecomeSteps()
    {
        var eighths = new TimeGrid.Beats(2);
        Assert.Equal(32, MusicalLength.StepsOfBars(eighths, 4, (4, 4), 120));
        Assert.Equal(12, MusicalLength.StepsOfBars(eighths, 2, (6, 8), 120));   // 6 eighths = 3 quarters a bar
        Assert.Equal(120, MusicalLength.StepsOfSeconds(eighths, 30, 120));       // 60 quarters
        Assert.Equal(10, MusicalLength.StepsOfSeconds(new TimeGrid.Seconds(0.3), 3, 120));
        Assert.Equal(20, MusicalLength.StepsOfBars(new TimeGrid.Seconds(0.1), 1, (4, 4), 120)); // 4 quarters = 2 s
        Assert.True(MusicalLength.TryParseTimeSignature("3/4", out (int, int) waltz));
        Assert.Equal((3, 4), waltz);
        Assert.False(MusicalLength.TryParseTimeSignature("4/5", out _));
        Assert.False(MusicalLength.TryParseTimeSignature("four", out _));
    }

    [Fact]
    public void Transposed_MovesTheRange_AndStaysInMidi()
    {
        PianoRoll roll = Chords([[60, 64], [67]]);
        PianoRoll up = roll.Transposed(3)!;
        Assert.Equal(new PitchRange(24, 112), up.Range);
        Assert.Equal([63, 67], up.NotesAt(0));
        Assert.Equal([70], up.NotesAt(1));
        Assert.Null(roll.Transposed(-22)); // A0 - 22 is below MIDI note 0
        Assert.Null(roll.Transposed(20));  // C8 + 20 is above 127
    }

    private static PianoRoll Chords(IReadOnlyList<IReadOnlyList<int>> chords) => PianoRoll.FromNoteLists(chords, PitchRange.Piano);
}
