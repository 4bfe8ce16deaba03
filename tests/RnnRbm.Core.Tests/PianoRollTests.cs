using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests;

public class PianoRollTests
{
    [Fact]
    public void FromNoteLists_RejectsNoteOutsideRange()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            PianoRoll.FromNoteLists([[60], [20]], PitchRange.Piano));
        Assert.Contains("20", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromNoteLists_SetsExactlyTheListedCells()
    {
        var roll = PianoRoll.FromNoteLists([[60, 64], [], [108]], PitchRange.Piano);
        Assert.Equal(3, roll.Steps);
        Assert.Equal(3, roll.CountActive());
        Assert.Equal([60, 64], roll.NotesAt(0));
        Assert.Empty(roll.NotesAt(1));
        Assert.True(roll[2, 108]);
    }
}
