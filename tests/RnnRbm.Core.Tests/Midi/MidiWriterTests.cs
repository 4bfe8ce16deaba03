using NAudio.Midi;
using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Midi;

/// <summary>What the writer puts in the file, beyond reading back (which <see cref="MidiRoundTripTests"/> covers).</summary>
public class MidiWriterTests
{
    /// <summary>C4 for steps 0-1, then C4 again at step 2 next to E4 for steps 2-3; a silent step 4.</summary>
    private static PianoRoll Sample()
    {
        var roll = new PianoRoll(5, PitchRange.Piano);
        roll[0, 60] = roll[1, 60] = true;
        roll[2, 64] = roll[3, 64] = true;
        return roll;
    }

    [Fact]
    public void Write_InSeconds_FollowsTheSeed_Format0At100TicksAnd120Bpm()
    {
        MidiFile file = Parse(MidiWriter.Write(Sample(), MidiWriteOptions.Default with { Program = 5, Velocity = 70 }));
        Assert.Equal(0, file.FileFormat);
        Assert.Equal(1, file.Tracks);
        Assert.Equal(100, file.DeltaTicksPerQuarterNote);
        IList<MidiEvent> events = file.Events[0];
        Assert.Equal(500_000, events.OfType<TempoEvent>().Single().MicrosecondsPerQuarterNote);
        Assert.Equal(5, events.OfType<PatchChangeEvent>().Single().Patch);
        // 0.3 s at 200 ticks per second = 60 ticks per step.
        var notes = events.OfType<NoteEvent>().Select(n => (n.AbsoluteTime, n.CommandCode, n.NoteNumber, n.Velocity, n.Channel)).ToList();
        Assert.Equal(
            [
                (0, MidiCommandCode.NoteOn, 60, 70, 1),
                (120, MidiCommandCode.NoteOff, 60, 0, 1),
                (120, MidiCommandCode.NoteOn, 64, 70, 1),
                (240, MidiCommandCode.NoteOff, 64, 0, 1),
            ],
            notes);
        Assert.True(MidiEvent.IsEndTrack(events[^1]));
        Assert.Equal(300, events[^1].AbsoluteTime);
    }

    [Fact]
    public void Write_PutsNoteOffsBeforeNoteOns_AtASharedTick()
    {
        var roll = new PianoRoll(2, PitchRange.Piano);
        roll[0, 70] = true;
        roll[1, 50] = true; // a lower pitch starting where the higher one stops: pitch order alone would put it first
        List<NoteEvent> notes = [.. Parse(MidiWriter.Write(roll, new MidiWriteOptions { Grid = TimeGrid.Eighths })).Events[0].OfType<NoteEvent>()];
        Assert.Equal(240, notes[1].AbsoluteTime);
        Assert.Equal(MidiCommandCode.NoteOff, notes[1].CommandCode);
        Assert.Equal(MidiCommandCode.NoteOn, notes[2].CommandCode);
    }

    [Fact]
    public void Write_InBeats_Uses480TicksPerQuarter_AndTempoChangesTicksNotSeconds()
    {
        Assert.Equal(480, Parse(MidiWriter.Write(Sample(), new MidiWriteOptions { Grid = TimeGrid.Eighths })).DeltaTicksPerQuarterNote);
        Assert.Equal(483, Parse(MidiWriter.Write(Sample(), new MidiWriteOptions { Grid = new TimeGrid.Beats(7) })).DeltaTicksPerQuarterNote);

        // 60 bpm: 100 ticks per second, so 0.3 s = 30 ticks; the end of 5 steps is 1.5 s.
        MidiFile slow = Parse(MidiWriter.Write(Sample(), MidiWriteOptions.Default with { TempoBpm = 60 }));
        Assert.Equal(1_000_000, slow.Events[0].OfType<TempoEvent>().Single().MicrosecondsPerQuarterNote);
        Assert.Equal(150, slow.Events[0][^1].AbsoluteTime);
    }

    [Theory]
    [InlineData(-1, 90, 120.0)]
    [InlineData(128, 90, 120.0)]
    [InlineData(0, 0, 120.0)]
    [InlineData(0, 128, 120.0)]
    [InlineData(0, 90, 0.0)]
    [InlineData(0, 90, double.NaN)]
    public void Write_Rejects_OutOfRangeOptions(int program, int velocity, double bpm)
    {
        var options = new MidiWriteOptions { Program = program, Velocity = velocity, TempoBpm = bpm };
        Assert.Throws<ArgumentOutOfRangeException>(() => MidiWriter.Write(Sample(), options));
    }

    private static MidiFile Parse(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        return new MidiFile(stream, strictChecking: true);
    }
}
