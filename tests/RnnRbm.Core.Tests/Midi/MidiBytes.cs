using System.Buffers.Binary;
using System.Text;

namespace RnnRbm.Core.Tests.Midi;

/// <summary>
/// Builds MIDI files byte by byte, including broken ones: every length can be declared wrong on purpose.
/// </summary>
internal sealed class MidiBytes
{
    private readonly List<byte> _bytes = [];

    /// <summary>A file starting with an MThd chunk.</summary>
    public static MidiBytes WithHeader(int format, int tracks, int division, int headerLength = 6)
    {
        var file = new MidiBytes();
        file.Ascii("MThd").UInt32(headerLength).UInt16(format).UInt16(tracks).UInt16(division);
        for (int i = 6; i < headerLength; i++)
        {
            file.Raw(0);
        }
        return file;
    }

    /// <summary>A format 0 file at 480 ticks per quarter with one track.</summary>
    public static MidiBytes Format0(Action<TrackBytes> track) => WithHeader(0, 1, 480).Track(track);

    public MidiBytes Ascii(string text)
    {
        _bytes.AddRange(Encoding.ASCII.GetBytes(text));
        return this;
    }

    public MidiBytes Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public MidiBytes UInt32(long value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public MidiBytes UInt16(int value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    /// <summary>A chunk whose declared length is the body's, unless <paramref name="declaredLength"/> lies.</summary>
    public MidiBytes Chunk(string id, byte[] body, long? declaredLength = null)
    {
        Ascii(id).UInt32(declaredLength ?? body.Length);
        return Raw(body);
    }

    /// <summary>An MTrk chunk built by <paramref name="build"/>.</summary>
    public MidiBytes Track(Action<TrackBytes> build, long? declaredLength = null)
    {
        var track = new TrackBytes();
        build(track);
        return Chunk("MTrk", track.ToArray(), declaredLength);
    }

    public byte[] ToArray() => [.. _bytes];

    /// <summary>Wraps a Standard MIDI File into a RIFF/RMID container.</summary>
    public static byte[] RiffWrap(byte[] smf)
    {
        var riff = new List<byte>();
        riff.AddRange("RIFF"u8.ToArray());
        riff.AddRange(LittleEndian(4 + 8 + smf.Length + (smf.Length & 1)));
        riff.AddRange("RMID"u8.ToArray());
        riff.AddRange("data"u8.ToArray());
        riff.AddRange(LittleEndian(smf.Length));
        riff.AddRange(smf);
        if ((smf.Length & 1) == 1)
        {
            riff.Add(0);
        }
        return [.. riff];
    }

    private static byte[] LittleEndian(int value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        return b;
    }
}

/// <summary>The events of one track: each call writes a delta time and an event.</summary>
internal sealed class TrackBytes
{
    private readonly List<byte> _bytes = [];

    /// <summary>A delta time as a variable-length quantity (1-4 bytes).</summary>
    public TrackBytes Delta(int ticks)
    {
        var groups = new Stack<byte>();
        groups.Push((byte)(ticks & 0x7F));
        for (ticks >>= 7; ticks > 0; ticks >>= 7)
        {
            groups.Push((byte)(0x80 | (ticks & 0x7F)));
        }
        _bytes.AddRange(groups);
        return this;
    }

    public TrackBytes Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    /// <summary>Note-on; channel 1-16.</summary>
    public TrackBytes NoteOn(int delta, int channel, int pitch, int velocity = 80) =>
        Delta(delta).Raw((byte)(0x90 | (channel - 1)), (byte)pitch, (byte)velocity);

    /// <summary>Note-off as status 0x8n.</summary>
    public TrackBytes NoteOff(int delta, int channel, int pitch) =>
        Delta(delta).Raw((byte)(0x80 | (channel - 1)), (byte)pitch, 0);

    public TrackBytes Tempo(int delta, int microsecondsPerQuarter) =>
        Delta(delta).Raw(0xFF, 0x51, 3, (byte)(microsecondsPerQuarter >> 16), (byte)(microsecondsPerQuarter >> 8), (byte)microsecondsPerQuarter);

    /// <summary>Time signature numerator / 2^denominatorExponent.</summary>
    public TrackBytes TimeSignature(int delta, int numerator, int denominatorExponent) =>
        Delta(delta).Raw(0xFF, 0x58, 4, (byte)numerator, (byte)denominatorExponent, 24, 8);

    public TrackBytes EndOfTrack(int delta) => Delta(delta).Raw(0xFF, 0x2F, 0);

    public byte[] ToArray() => [.. _bytes];
}
