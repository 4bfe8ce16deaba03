using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Midi;

/// <summary>roll → MIDI → roll gives back the identical roll (range and length included), on random rolls.</summary>
public class MidiRoundTripTests
{
    private const int RollsPerGrid = 60;

    public static TheoryData<string> Grids() =>
    [
        "s0.3", "s0.25", "s0.1", "s0.37", "b1", "b2", "b4",
    ];

    [Theory]
    [MemberData(nameof(Grids))]
    public void WriteThenRead_GivesTheSameRoll(string gridName)
    {
        TimeGrid grid = ParseGrid(gridName);
        // A stable seed per grid (string.GetHashCode is randomised per process).
        var random = new Random(gridName.Sum(c => c * 31) ^ 7);
        for (int i = 0; i < RollsPerGrid; i++)
        {
            PianoRoll roll = RandomRoll(random, i);
            AssertRoundTrip(roll, new MidiWriteOptions { Grid = grid }, $"{gridName} roll {i}");
        }
    }

    /// <summary>Other tempi (seconds stay seconds), steps that are not whole ticks, and unusual beat grids.</summary>
    [Theory]
    [InlineData("s0.3", 90.0)]
    [InlineData("s0.25", 200.0)]
    [InlineData("s0.123", 120.0)]
    [InlineData("s0.0077", 133.0)]
    [InlineData("s0.001", 120.0)]
    [InlineData("s2.5", 4.0)]
    [InlineData("b3", 120.0)]
    [InlineData("b7", 120.0)]
    [InlineData("b96", 120.0)]
    public void WriteThenRead_GivesTheSameRoll_AtOtherTempiAndGrids(string gridName, double bpm)
    {
        TimeGrid grid = ParseGrid(gridName);
        var random = new Random(11);
        for (int i = 0; i < 20; i++)
        {
            PianoRoll roll = RandomRoll(random, i);
            AssertRoundTrip(roll, new MidiWriteOptions { Grid = grid, TempoBpm = bpm }, $"{gridName} at {bpm} bpm, roll {i}");
        }
    }

    [Fact]
    public void WriteThenRead_KeepsAnEmptyRoll_AndAnAllSilentRoll()
    {
        AssertRoundTrip(new PianoRoll(0, PitchRange.Piano), MidiWriteOptions.Default, "empty");
        AssertRoundTrip(new PianoRoll(17, new PitchRange(40, 41)), MidiWriteOptions.Default, "silent");
    }

    private static void AssertRoundTrip(PianoRoll roll, MidiWriteOptions write, string what)
    {
        byte[] bytes = MidiWriter.Write(roll, write);
        var read = MidiReader.Read(bytes, new MidiReadOptions { Grid = write.Grid, Range = roll.Range });
        Assert.True(read.Roll.Steps == roll.Steps, $"{what}: {read.Roll.Steps} steps read, {roll.Steps} written");
        Assert.True(read.Roll.ContentEquals(roll), $"{what}: cells differ ({read.Roll.CountActive()} vs {roll.CountActive()} active)");
        Assert.Equal(0, read.Stats.UnclosedNotes);
        Assert.Equal(0, read.Stats.NotesOutsideRange);
    }

    /// <summary>
    /// Random rolls with the awkward cases forced in turn: leading and trailing silence, a pitch held through
    /// the whole roll, the range's edges (21 and 108 on the piano), and non-default ranges.
    /// </summary>
    private static PianoRoll RandomRoll(Random random, int index)
    {
        PitchRange range = (index % 3) switch
        {
            0 => PitchRange.Piano,
            1 => RandomRange(random),
            _ => index % 2 == 0 ? new PitchRange(0, 128) : RandomRange(random),
        };
        int steps = random.Next(1, 90);
        var roll = new PianoRoll(steps, range);
        double density = new[] { 0.03, 0.15, 0.5 }[random.Next(3)];
        for (int t = 0; t < steps; t++)
        {
            for (int p = range.Lowest; p < range.End; p++)
            {
                roll[t, p] = random.NextDouble() < density;
            }
        }
        if (index % 4 == 1)
        {
            ClearSteps(roll, 0, random.Next(1, steps + 1));
        }
        if (index % 4 == 2)
        {
            ClearSteps(roll, random.Next(0, steps), steps);
        }
        if (index % 5 == 0)
        {
            int held = random.Next(range.Lowest, range.End);
            for (int t = 0; t < steps; t++)
            {
                roll[t, held] = true;
            }
        }
        if (index % 2 == 0)
        {
            roll[random.Next(steps), range.Lowest] = true;
            roll[random.Next(steps), range.End - 1] = true;
        }
        return roll;
    }

    private static PitchRange RandomRange(Random random)
    {
        int lowest = random.Next(0, 127);
        return new PitchRange(lowest, random.Next(lowest + 1, Math.Min(128, lowest + 40) + 1));
    }

    private static void ClearSteps(PianoRoll roll, int from, int to)
    {
        for (int t = from; t < to; t++)
        {
            roll.MutableRow(t).Clear();
        }
    }

    private static TimeGrid ParseGrid(string name) => name[0] == 's'
        ? new TimeGrid.Seconds(double.Parse(name[1..], System.Globalization.CultureInfo.InvariantCulture))
        : new TimeGrid.Beats(int.Parse(name[1..], System.Globalization.CultureInfo.InvariantCulture));
}
