using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Midi;

/// <summary>Hand-made broken files: each must fail with <see cref="InvalidMidiException"/> and its own reason.</summary>
public class MalformedMidiTests
{
    private static readonly MidiReadOptions Eighths = new() { Grid = TimeGrid.Eighths };

    /// <summary>One quarter note of middle C, well formed.</summary>
    private static void OneNote(TrackBytes t) => t.NoteOn(0, 1, 60).NoteOff(480, 1, 60).EndOfTrack(0);

    public static TheoryData<string, byte[], string> Cases() => new()
    {
        { "empty file", [], "the file is empty" },
        { "truncated header", MidiBytes.WithHeader(0, 1, 480).ToArray()[..10], "truncated header" },
        { "header shorter than 6", new MidiBytes().Ascii("MThd").UInt32(4).UInt16(0).UInt16(1).Track(OneNote).ToArray(), "header length 4 is below 6" },
        { "not MIDI", "RIFX, or anything else at all"u8.ToArray(), "not a Standard MIDI File" },
        { "chunk length beyond the file", MidiBytes.WithHeader(0, 1, 480).Track(OneNote, declaredLength: 1000).ToArray(), "declares 1000 bytes but only 13 remain" },
        // The NAudio case from docs/stack.md, "NAudio.Midi": a meta event claiming 256 MiB makes it allocate them.
        { "meta length 0x0FFFFFFF", MidiBytes.Format0(t => t.Delta(0).Raw(0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0x7F)).ToArray(), "meta event 0x01 declares 268435455 bytes but only 0 remain" },
        { "sysex length beyond the track", MidiBytes.Format0(t => t.Delta(0).Raw(0xF0, 0x7F, 0x01, 0xF7)).ToArray(), "sysex event 0xF0 declares 127 bytes but only 2 remain" },
        { "5-byte VLQ", MidiBytes.Format0(t => t.Raw(0x81, 0x81, 0x81, 0x81, 0x00, 0x90, 60, 80)).ToArray(), "variable-length delta time longer than 4 bytes" },
        { "format 2", MidiBytes.WithHeader(2, 1, 480).Track(OneNote).ToArray(), "format 2 (independent sequences) is not supported" },
        { "format 7", MidiBytes.WithHeader(7, 1, 480).Track(OneNote).ToArray(), "format 7 is not a Standard MIDI File format" },
        { "division 0", MidiBytes.WithHeader(0, 1, 0).Track(OneNote).ToArray(), "division 0 ticks per quarter note" },
        { "SMPTE division", MidiBytes.WithHeader(0, 1, 0xE250).Track(OneNote).ToArray(), "SMPTE time division" },
        { "fewer track chunks than declared", MidiBytes.WithHeader(1, 2, 480).Track(OneNote).ToArray(), "declares 2 tracks but 1 track chunks are present" },
        { "more track chunks than declared", MidiBytes.WithHeader(1, 1, 480).Track(OneNote).Track(OneNote).ToArray(), "more track chunks are present" },
        { "format 0 with two tracks", MidiBytes.WithHeader(0, 2, 480).Track(OneNote).Track(OneNote).ToArray(), "format 0 needs exactly 1 track" },
        { "no tracks", MidiBytes.WithHeader(1, 0, 480).ToArray(), "declares no tracks" },
        { "zero tempo", MidiBytes.Format0(t => t.Tempo(0, 0).NoteOn(0, 1, 60).NoteOff(480, 1, 60).EndOfTrack(0)).ToArray(), "tempo of 0 microseconds per quarter note" },
        { "tempo of length 2", MidiBytes.Format0(t => t.Delta(0).Raw(0xFF, 0x51, 2, 0x07, 0xA1).EndOfTrack(0)).ToArray(), "tempo meta event has length 2, not 3" },
        { "status byte where a data byte is due", MidiBytes.Format0(t => t.Delta(0).Raw(0x90, 60, 0x90).EndOfTrack(0)).ToArray(), "byte 0x90 where a data byte is due" },
        { "data byte without running status", MidiBytes.Format0(t => t.Delta(0).Raw(60, 80).EndOfTrack(0)).ToArray(), "data byte 0x3C where a status byte is due" },
        { "system common byte in a file", MidiBytes.Format0(t => t.Delta(0).Raw(0xF4).EndOfTrack(0)).ToArray(), "status byte 0xF4 is not allowed" },
        { "track ends inside a note", MidiBytes.Format0(t => t.Delta(0).Raw(0x90, 60)).ToArray(), "ends inside a channel message" },
        { "track ends after a delta", MidiBytes.Format0(t => t.NoteOn(0, 1, 60).Delta(5)).ToArray(), "ends after a delta time" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Read_Rejects_WithItsReason(string name, byte[] bytes, string expectedReason)
    {
        var ex = Assert.Throws<InvalidMidiException>(() => MidiReader.Read(bytes, Eighths));
        Assert.Contains(expectedReason, ex.Reason, StringComparison.Ordinal);
        Assert.StartsWith("invalid MIDI file: ", ex.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Fact]
    public void Read_Rejects_RandomGarbage()
    {
        var random = new Random(1234);
        for (int i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(1, 400)];
            random.NextBytes(bytes);
            var ex = Assert.Throws<InvalidMidiException>(() => MidiReader.Read(bytes, Eighths));
            Assert.NotEmpty(ex.Reason);
        }
    }

    /// <summary>Corrupted real files either read or fail with the one error type: never anything else, never a hang.</summary>
    [Fact]
    public void Read_NeverThrowsAnythingElse_OnMutatedDatasetFiles()
    {
        byte[] original = File.ReadAllBytes(RepositoryPaths.Dataset("nottingham", "train", "nottingham_train_000.mid"));
        var random = new Random(99);
        int rejected = 0;
        for (int i = 0; i < 600; i++)
        {
            byte[] bytes = (byte[])original.Clone();
            int edits = random.Next(1, 6);
            for (int e = 0; e < edits; e++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            if (random.Next(4) == 0)
            {
                bytes = bytes[..random.Next(bytes.Length)];
            }
            try
            {
                MidiReader.Read(bytes, Eighths);
            }
            catch (InvalidMidiException)
            {
                rejected++;
            }
        }
        Assert.InRange(rejected, 1, 599);
    }

    [Fact]
    public void Read_Accepts_RiffWrappedFile_AsItsContent()
    {
        byte[] smf = MidiBytes.Format0(OneNote).ToArray();
        MidiReadResult plain = MidiReader.Read(smf, Eighths);
        MidiReadResult wrapped = MidiReader.Read(MidiBytes.RiffWrap(smf), Eighths);
        Assert.True(wrapped.Roll.ContentEquals(plain.Roll));
        Assert.Equal(2, wrapped.Roll.Steps);
        Assert.True(wrapped.Roll[1, 60]);
        Assert.True(MidiPreCheck.Check(MidiBytes.RiffWrap(smf), MidiLimits.Default).RiffWrapped);
    }

    [Fact]
    public void Read_Rejects_RiffThatIsNotRmid()
    {
        byte[] riff = MidiBytes.RiffWrap(MidiBytes.Format0(OneNote).ToArray());
        "WAVE"u8.CopyTo(riff.AsSpan(8));
        var ex = Assert.Throws<InvalidMidiException>(() => MidiReader.Read(riff, Eighths));
        Assert.Contains("not RMID", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Accepts_LongerHeader_UnknownChunks_AndRunningStatus()
    {
        byte[] bytes = MidiBytes.WithHeader(1, 1, 480, headerLength: 10)
            .Chunk("XFIH", [1, 2, 3])
            .Track(t => t.NoteOn(0, 1, 60).Delta(0).Raw(64, 80) // running status: a second note-on
                .Delta(0).Raw(0xFF, 0x01, 2, (byte)'h', (byte)'i') // a meta event does not cancel it here
                .Delta(480).Raw(60, 0).Delta(0).Raw(64, 0) // note-on velocity 0 = note-off
                .EndOfTrack(0))
            .ToArray();
        MidiReadResult result = MidiReader.Read(bytes, Eighths);
        Assert.Equal(2, result.Stats.Notes);
        Assert.Equal([60, 64], result.Roll.NotesAt(1));
    }

    [Fact]
    public void Read_Rejects_BeyondEachLimit()
    {
        byte[] bytes = MidiBytes.Format0(t => t.NoteOn(0, 1, 60).NoteOff(480, 1, 60).EndOfTrack(480 * 100)).ToArray();
        Assert.Contains("the file has 37 bytes, above the limit of 10",
            Reject(bytes, new MidiLimits { MaxBytes = 10 }), StringComparison.Ordinal);
        Assert.Contains("more events than the limit",
            Reject(bytes, new MidiLimits { MaxEvents = 2 }), StringComparison.Ordinal);
        // 101 quarters at 120 bpm = 50.5 s = 202 eighths.
        Assert.Contains("needs 202 steps",
            Reject(bytes, new MidiLimits { MaxSteps = 201 }), StringComparison.Ordinal);
        Assert.Contains("lasts 50.5 s",
            Reject(bytes, new MidiLimits { MaxDurationSeconds = 50 }), StringComparison.Ordinal);
        Assert.Contains("4 tracks, above the limit of 3",
            Reject(MidiBytes.WithHeader(1, 4, 480).ToArray(), new MidiLimits { MaxTracks = 3 }), StringComparison.Ordinal);
        Assert.Equal(202, MidiReader.Read(bytes, Eighths with { Limits = new MidiLimits { MaxSteps = 202 } }).Roll.Steps);
    }

    private static string Reject(byte[] bytes, MidiLimits limits) =>
        Assert.Throws<InvalidMidiException>(() => MidiReader.Read(bytes, Eighths with { Limits = limits })).Reason;
}
