using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Midi;

/// <summary>What the reader counts and how it times notes: tempo map, drums, range, unclosed notes.</summary>
public class MidiStatsTests
{
    private static readonly MidiReadOptions QuarterSeconds = new() { Grid = new TimeGrid.Seconds(0.25) };

    /// <summary>
    /// Type 1, 480 ticks per quarter. Track 0: 120 bpm, then 240 bpm from tick 960, 3/4, end at 1920.
    /// Track 1: C4 over ticks [0, 960) = [0, 1.0) s; E4 over [960, 1920) = [1.0, 1.5) s, because the
    /// second 960 ticks are two quarters at 0.25 s. A per-track tempo (the seed's bug) would put E4 at [1.0, 2.0) s.
    /// </summary>
    private static byte[] TempoChangeInTrack0() => MidiBytes.WithHeader(1, 2, 480)
        .Track(t => t.Tempo(0, 500_000).TimeSignature(0, 3, 2).Tempo(960, 250_000).EndOfTrack(960))
        .Track(t => t.NoteOn(0, 1, 60).NoteOff(960, 1, 60).NoteOn(0, 2, 64).NoteOff(960, 2, 64).EndOfTrack(0))
        .ToArray();

    [Fact]
    public void Read_TimesType1Notes_ThroughTheGlobalTempoMap()
    {
        MidiReadResult result = MidiReader.Read(TempoChangeInTrack0(), QuarterSeconds);
        PianoRoll roll = result.Roll;
        Assert.Equal(6, roll.Steps); // 1.5 s / 0.25 s
        for (int t = 0; t < 6; t++)
        {
            Assert.Equal(t < 4, roll[t, 60]);
            Assert.Equal(t >= 4, roll[t, 64]);
        }
        MidiFileStats stats = result.Stats;
        Assert.Equal(1, stats.Format);
        Assert.Equal(2, stats.Tracks);
        Assert.Equal(2, stats.TempoChanges);
        Assert.Equal([120.0, 240.0], stats.Tempos);
        Assert.Equal(["3/4"], stats.TimeSignatures);
        Assert.Equal([1, 2], stats.Channels);
        Assert.Equal(1.5, stats.DurationSeconds, 12);
        Assert.Equal(2, stats.Notes);
    }

    [Fact]
    public void Read_InBeats_IgnoresTempo()
    {
        PianoRoll roll = MidiReader.Read(TempoChangeInTrack0(), new MidiReadOptions { Grid = TimeGrid.Eighths }).Roll;
        Assert.Equal(8, roll.Steps); // 4 quarters
        Assert.Equal([60], roll.NotesAt(3));
        Assert.Equal([64], roll.NotesAt(4));
    }

    [Fact]
    public void Read_SkipsDrumsByDefault_AndCountsThem()
    {
        byte[] bytes = MidiBytes.Format0(t => t
            .NoteOn(0, 10, 38).NoteOn(0, 1, 60).NoteOff(480, 10, 38).NoteOn(0, 10, 42)
            .NoteOff(480, 1, 60).NoteOff(0, 10, 42).EndOfTrack(0)).ToArray();

        MidiReadResult skipped = MidiReader.Read(bytes, new MidiReadOptions { Grid = TimeGrid.Eighths });
        Assert.Equal(2, skipped.Stats.DrumNotesSkipped);
        Assert.Equal(1, skipped.Stats.Notes);
        Assert.Equal([1, 10], skipped.Stats.Channels);
        Assert.Equal(2, skipped.Roll.CountActive() / 2); // C4 over 4 eighths = 4 cells, nothing else
        Assert.Equal([60], skipped.Roll.NotesAt(0));

        MidiReadResult included = MidiReader.Read(bytes, new MidiReadOptions { Grid = TimeGrid.Eighths, IncludeDrums = true });
        Assert.Equal(0, included.Stats.DrumNotesSkipped);
        Assert.Equal(3, included.Stats.Notes);
        Assert.Equal([38, 60], included.Roll.NotesAt(0));
        Assert.Equal([42, 60], included.Roll.NotesAt(2));
    }

    [Fact]
    public void Read_CountsNotesOutsideTheRange_AndLeavesThemOut()
    {
        byte[] bytes = MidiBytes.Format0(t => t
            .NoteOn(0, 1, 20).NoteOn(0, 1, 21).NoteOn(0, 1, 108).NoteOn(0, 1, 109)
            .NoteOff(240, 1, 20).NoteOff(0, 1, 21).NoteOff(0, 1, 108).NoteOff(0, 1, 109).EndOfTrack(0)).ToArray();
        MidiReadResult piano = MidiReader.Read(bytes, new MidiReadOptions { Grid = TimeGrid.Eighths });
        Assert.Equal(2, piano.Stats.Notes);
        Assert.Equal(2, piano.Stats.NotesOutsideRange);
        Assert.Equal([21, 108], piano.Roll.NotesAt(0));

        MidiReadResult narrow = MidiReader.Read(bytes, new MidiReadOptions { Grid = TimeGrid.Eighths, Range = new PitchRange(21, 22) });
        Assert.Equal(1, narrow.Stats.Notes);
        Assert.Equal(3, narrow.Stats.NotesOutsideRange);
        Assert.Equal(1, narrow.Roll.CountActive());
    }

    [Fact]
    public void Read_DropsUnclosedNotes_AndKeepsTheEndOfTrackLength()
    {
        byte[] bytes = MidiBytes.Format0(t => t
            .NoteOn(0, 1, 60).NoteOn(0, 1, 62).NoteOff(240, 1, 60).NoteOff(0, 1, 67) // 62 never closes; 67 never opened
            .EndOfTrack(240 * 9)).ToArray();
        MidiReadResult result = MidiReader.Read(bytes, new MidiReadOptions { Grid = TimeGrid.Eighths });
        Assert.Equal(1, result.Stats.UnclosedNotes);
        Assert.Equal(1, result.Stats.Notes);
        Assert.Equal(10, result.Roll.Steps); // trailing silent steps up to end-of-track count
        Assert.Equal(1, result.Roll.CountActive());
        Assert.True(result.Roll[0, 60]);
    }

    [Fact]
    public void Read_TreatsVelocityZeroAsNoteOff_AndClosesTheLatestOpenNote()
    {
        // Two overlapping C4s: on at 0 and at 2 eighths; the first off (at 3) closes the later one, the second (at 6) the earlier.
        byte[] bytes = MidiBytes.Format0(t => t
            .NoteOn(0, 1, 60).NoteOn(480, 1, 60).NoteOn(240, 1, 60, velocity: 0).NoteOn(720, 1, 60, velocity: 0)
            .EndOfTrack(0)).ToArray();
        MidiReadResult result = MidiReader.Read(bytes, new MidiReadOptions { Grid = TimeGrid.Eighths });
        Assert.Equal(2, result.Stats.Notes);
        Assert.Equal(0, result.Stats.UnclosedNotes);
        Assert.Equal(6, result.Roll.Steps);
        Assert.Equal(6, result.Roll.CountActive());
    }

    [Fact]
    public void Read_SnapsTimesWithinAMicrosecondOfABoundary()
    {
        // 0.3 s per step at 100 ticks per quarter and 120 bpm: 60 ticks. A note ending at tick 61 (0.305 s) is
        // past the boundary and takes a second step; one ending at tick 60 takes exactly one.
        byte[] exact = MidiBytes.WithHeader(0, 1, 100).Track(t => t.NoteOn(0, 1, 60).NoteOff(60, 1, 60).EndOfTrack(0)).ToArray();
        byte[] late = MidiBytes.WithHeader(0, 1, 100).Track(t => t.NoteOn(0, 1, 60).NoteOff(61, 1, 60).EndOfTrack(0)).ToArray();
        Assert.Equal(1, MidiReader.Read(exact, MidiReadOptions.Default).Roll.Steps);
        Assert.Equal(2, MidiReader.Read(late, MidiReadOptions.Default).Roll.Steps);

        // 1 µs per quarter at 2 ticks per quarter: tick 600001 = 0.3000005 s lies within 1e-6 s of 0.3 s and snaps onto it;
        // tick 600003 = 0.3000015 s does not.
        byte[] hair = MidiBytes.WithHeader(0, 1, 2).Track(t => t.Tempo(0, 1).NoteOn(0, 1, 60).NoteOff(600_001, 1, 60).EndOfTrack(0)).ToArray();
        Assert.Equal(1, MidiReader.Read(hair, MidiReadOptions.Default).Roll.Steps);
        byte[] over = MidiBytes.WithHeader(0, 1, 2).Track(t => t.Tempo(0, 1).NoteOn(0, 1, 60).NoteOff(600_003, 1, 60).EndOfTrack(0)).ToArray();
        Assert.Equal(2, MidiReader.Read(over, MidiReadOptions.Default).Roll.Steps);
    }
}
