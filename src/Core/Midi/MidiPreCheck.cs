using System.Buffers.Binary;
using System.Text;

namespace RnnRbm.Core.Midi;

/// <summary>
/// Walks a MIDI file's bytes before any parser sees them, so that bad input fails with a reason instead
/// of an allocation of hundreds of MiB, a hang, or one of NAudio's five exception types
/// (see docs/stack.md, "NAudio.Midi").
/// </summary>
/// <remarks>
/// Every loop advances through the input and every declared length is checked against the bytes
/// present, so the work is linear in the file size and the output (<see cref="MidiStructure.Canonical"/>)
/// stays within a small multiple of it. Lenient on purpose: unknown chunks and unknown meta events are
/// skipped, a RIFF/RMID wrapper is unwrapped, a header longer than 6 bytes is accepted, up to 7 stray
/// bytes after the last chunk are ignored, bytes after a track's end-of-track are ignored, a missing
/// end-of-track is supplied, and running status survives meta and sysex events (common in real files;
/// the canonical form writes every status byte, so NAudio never has to guess).
/// </remarks>
public static class MidiPreCheck
{
    private const int MaxVlqBytes = 4;
    private const int MaxDelta = 0x0FFFFFFF;
    private const byte MetaTempo = 0x51;
    private const byte MetaTimeSignature = 0x58;
    private const byte MetaEndOfTrack = 0x2F;
    private const byte MetaText = 0x01;

    /// <summary>Checks the structure of <paramref name="bytes"/> against the SMF rules and <paramref name="limits"/>.</summary>
    /// <exception cref="InvalidMidiException">The file is malformed or beyond a limit; the reason says which.</exception>
    public static MidiStructure Check(ReadOnlySpan<byte> bytes, MidiLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (bytes.IsEmpty)
        {
            throw Invalid("the file is empty");
        }
        if (bytes.Length > limits.MaxBytes)
        {
            throw Invalid($"the file has {bytes.Length} bytes, above the limit of {limits.MaxBytes}");
        }

        bool riff = bytes.Length >= 4 && bytes[..4].SequenceEqual("RIFF"u8);
        ReadOnlySpan<byte> smf = riff ? UnwrapRiff(bytes) : bytes;
        return CheckSmf(smf, limits, riff);
    }

    private static ReadOnlySpan<byte> UnwrapRiff(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 12)
        {
            throw Invalid("truncated RIFF header");
        }
        if (!bytes[8..12].SequenceEqual("RMID"u8))
        {
            throw Invalid($"a RIFF file of form '{Printable(bytes[8..12])}', not RMID");
        }
        // The RIFF size field is often wrong in the wild; the subchunk lengths below are what we trust.
        int pos = 12;
        while (bytes.Length - pos >= 8)
        {
            ReadOnlySpan<byte> id = bytes.Slice(pos, 4);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(pos + 4)..]);
            int available = bytes.Length - pos - 8;
            if (length > (uint)available)
            {
                throw Invalid($"RIFF chunk '{Printable(id)}' declares {length} bytes but only {available} remain");
            }
            if (id.SequenceEqual("data"u8))
            {
                return bytes.Slice(pos + 8, (int)length);
            }
            // RIFF chunks are padded to an even length.
            pos += 8 + (int)length + (int)(length & 1);
        }
        throw Invalid("RMID file without a 'data' chunk");
    }

    private static MidiStructure CheckSmf(ReadOnlySpan<byte> smf, MidiLimits limits, bool riff)
    {
        if (smf.Length < 8 || !smf[..4].SequenceEqual("MThd"u8))
        {
            if (!"MThd"u8.StartsWith(smf[..Math.Min(4, smf.Length)]))
            {
                throw Invalid("not a Standard MIDI File (no MThd header)");
            }
            throw Invalid($"truncated header ({smf.Length} bytes)");
        }
        uint headerLength = BinaryPrimitives.ReadUInt32BigEndian(smf[4..]);
        if (headerLength < 6)
        {
            throw Invalid($"header length {headerLength} is below 6");
        }
        if (headerLength > (uint)(smf.Length - 8))
        {
            throw Invalid($"truncated header (declares {headerLength} bytes, {smf.Length - 8} present)");
        }

        int format = BinaryPrimitives.ReadUInt16BigEndian(smf[8..]);
        int declaredTracks = BinaryPrimitives.ReadUInt16BigEndian(smf[10..]);
        int division = BinaryPrimitives.ReadUInt16BigEndian(smf[12..]);
        if (format == 2)
        {
            throw Invalid("format 2 (independent sequences) is not supported");
        }
        if (format > 2)
        {
            throw Invalid($"format {format} is not a Standard MIDI File format (0, 1 or 2)");
        }
        if (declaredTracks == 0)
        {
            throw Invalid("the header declares no tracks");
        }
        if (declaredTracks > limits.MaxTracks)
        {
            throw Invalid($"the header declares {declaredTracks} tracks, above the limit of {limits.MaxTracks}");
        }
        if (format == 0 && declaredTracks != 1)
        {
            throw Invalid($"format 0 needs exactly 1 track, the header declares {declaredTracks}");
        }
        if ((division & 0x8000) != 0)
        {
            throw Invalid("SMPTE time division (frames per second) is not supported, only ticks per quarter note");
        }
        if (division == 0)
        {
            throw Invalid("division 0 ticks per quarter note");
        }

        var output = new CanonicalWriter(smf.Length);
        output.WriteHeader(format, declaredTracks, division);

        int pos = 8 + (int)headerLength;
        int tracks = 0;
        int events = 0;
        // A chunk header is 8 bytes; fewer stray bytes at the end are padding some writers leave.
        while (smf.Length - pos >= 8)
        {
            ReadOnlySpan<byte> id = smf.Slice(pos, 4);
            uint length = BinaryPrimitives.ReadUInt32BigEndian(smf[(pos + 4)..]);
            int available = smf.Length - pos - 8;
            if (length > (uint)available)
            {
                throw Invalid($"chunk '{Printable(id)}' at byte {pos} declares {length} bytes but only {available} remain");
            }
            if (id.SequenceEqual("MTrk"u8))
            {
                if (tracks == declaredTracks)
                {
                    throw Invalid($"the header declares {declaredTracks} tracks but more track chunks are present");
                }
                events += TrackWalker.Walk(smf.Slice(pos + 8, (int)length), tracks, limits.MaxEvents - events, output);
                tracks++;
            }
            pos += 8 + (int)length;
        }
        if (tracks != declaredTracks)
        {
            throw Invalid($"the header declares {declaredTracks} tracks but {tracks} track chunks are present");
        }

        return new MidiStructure(format, tracks, division, events, riff) { Canonical = output.ToArray() };
    }

    internal static InvalidMidiException Invalid(string reason) => new(reason);

    private static string Printable(ReadOnlySpan<byte> id)
    {
        var text = new StringBuilder(id.Length);
        foreach (byte b in id)
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }
        return text.ToString();
    }

    /// <summary>Walks one MTrk chunk event by event and writes its canonical form.</summary>
    private static class TrackWalker
    {
        /// <returns>The number of events in the track.</returns>
        public static int Walk(ReadOnlySpan<byte> data, int track, int eventBudget, CanonicalWriter output)
        {
            output.BeginTrack();
            int pos = 0;
            int events = 0;
            byte runningStatus = 0;
            long pendingDelta = 0;
            bool ended = false;
            while (pos < data.Length && !ended)
            {
                int eventStart = pos;
                int delta = ReadVlq(data, ref pos, track, "delta time");
                pendingDelta += delta;
                if (++events > eventBudget)
                {
                    throw Invalid($"more events than the limit allows (track {track})");
                }
                if (pos >= data.Length)
                {
                    throw Invalid($"track {track} ends after a delta time at byte {eventStart}, inside an event");
                }

                byte status = data[pos];
                if (status < 0x80)
                {
                    if (runningStatus == 0)
                    {
                        throw Invalid($"data byte 0x{status:X2} where a status byte is due (track {track}, byte {pos}, no running status)");
                    }
                    status = runningStatus;
                }
                else
                {
                    pos++;
                }

                if (status < 0xF0)
                {
                    runningStatus = status;
                    int dataBytes = (status & 0xF0) is 0xC0 or 0xD0 ? 1 : 2;
                    if (data.Length - pos < dataBytes)
                    {
                        throw Invalid($"track {track} ends inside a channel message (status 0x{status:X2})");
                    }
                    for (int i = 0; i < dataBytes; i++)
                    {
                        if (data[pos + i] >= 0x80)
                        {
                            throw Invalid($"byte 0x{data[pos + i]:X2} where a data byte is due (status 0x{status:X2}, track {track}, byte {pos + i})");
                        }
                    }
                    output.WriteEvent(ref pendingDelta, status, data.Slice(pos, dataBytes));
                    pos += dataBytes;
                }
                else if (status == 0xFF)
                {
                    ended = WalkMeta(data, ref pos, track, ref pendingDelta, output);
                }
                else if (status is 0xF0 or 0xF7)
                {
                    // Sysex: skipped (NAudio ignores the declared length and scans for 0xF7, which desynchronises
                    // on escape packets), its delta time carried to the next kept event.
                    int length = ReadVlq(data, ref pos, track, "sysex length");
                    RequireBytes(data, pos, length, track, $"sysex event 0x{status:X2}");
                    pos += length;
                }
                else
                {
                    throw Invalid($"status byte 0x{status:X2} is not allowed in a MIDI file (track {track}, byte {pos - 1})");
                }
            }
            if (!ended)
            {
                // Supplied so that every canonical track ends where its last event was.
                output.WriteEvent(ref pendingDelta, 0xFF, [MetaEndOfTrack, 0]);
            }
            output.EndTrack();
            return events;
        }

        /// <returns>Whether the event was end-of-track.</returns>
        private static bool WalkMeta(ReadOnlySpan<byte> data, ref int pos, int track, ref long pendingDelta, CanonicalWriter output)
        {
            if (pos >= data.Length)
            {
                throw Invalid($"track {track} ends inside a meta event");
            }
            byte type = data[pos++];
            if (type >= 0x80)
            {
                throw Invalid($"meta event type 0x{type:X2} is not a data byte (track {track}, byte {pos - 1})");
            }
            int length = ReadVlq(data, ref pos, track, "meta event length");
            RequireBytes(data, pos, length, track, $"meta event 0x{type:X2}");
            ReadOnlySpan<byte> body = data.Slice(pos, length);
            pos += length;

            switch (type)
            {
                case MetaTempo:
                    if (length != 3)
                    {
                        throw Invalid($"tempo meta event has length {length}, not 3 (track {track})");
                    }
                    if (body[0] == 0 && body[1] == 0 && body[2] == 0)
                    {
                        throw Invalid($"tempo of 0 microseconds per quarter note (track {track})");
                    }
                    output.WriteEvent(ref pendingDelta, 0xFF, [MetaTempo, 3, body[0], body[1], body[2]]);
                    return false;
                case MetaTimeSignature when length == 4:
                    output.WriteEvent(ref pendingDelta, 0xFF, [MetaTimeSignature, 4, body[0], body[1], body[2], body[3]]);
                    return false;
                case MetaEndOfTrack:
                    // Whatever follows end-of-track in the chunk is ignored, as most readers do.
                    output.WriteEvent(ref pendingDelta, 0xFF, [MetaEndOfTrack, 0]);
                    return true;
                default:
                    // Text, key signature, malformed time signatures...: not needed for a piano-roll.
                    return false;
            }
        }

        private static int ReadVlq(ReadOnlySpan<byte> data, ref int pos, int track, string what)
        {
            int value = 0;
            for (int n = 0; n < MaxVlqBytes; n++)
            {
                if (pos >= data.Length)
                {
                    throw Invalid($"track {track} ends inside a variable-length {what}");
                }
                byte b = data[pos++];
                value = (value << 7) | (b & 0x7F);
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }
            throw Invalid($"variable-length {what} longer than 4 bytes (track {track}, byte {pos - MaxVlqBytes})");
        }

        private static void RequireBytes(ReadOnlySpan<byte> data, int pos, int length, int track, string what)
        {
            int left = data.Length - pos;
            if (length > left)
            {
                throw Invalid($"{what} declares {length} bytes but only {left} remain in track {track}");
            }
        }
    }

    /// <summary>Accumulates the canonical file. Delta times of skipped events are carried, never lost.</summary>
    private sealed class CanonicalWriter(int capacityHint)
    {
        private byte[] _buffer = new byte[capacityHint + 64];
        private int _length;
        private int _trackLengthAt;

        public void WriteHeader(int format, int tracks, int division)
        {
            Write("MThd"u8);
            WriteUInt32(6);
            WriteUInt16(format);
            WriteUInt16(tracks);
            WriteUInt16(division);
        }

        public void BeginTrack()
        {
            Write("MTrk"u8);
            _trackLengthAt = _length;
            WriteUInt32(0);
        }

        public void EndTrack() =>
            BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_trackLengthAt), (uint)(_length - _trackLengthAt - 4));

        public void WriteEvent(ref long pendingDelta, byte status, ReadOnlySpan<byte> body)
        {
            // A delta above the VLQ maximum can only come from skipped events adding up: bridge it with empty text events.
            while (pendingDelta > MaxDelta)
            {
                WriteVlq(MaxDelta);
                Write([0xFF, MetaText, 0]);
                pendingDelta -= MaxDelta;
            }
            WriteVlq((int)pendingDelta);
            pendingDelta = 0;
            Write([status]);
            Write(body);
        }

        public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

        private void Write(ReadOnlySpan<byte> bytes)
        {
            if (_length + bytes.Length > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes.Length));
            }
            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
        }

        private void WriteVlq(int value)
        {
            Span<byte> reversed = stackalloc byte[MaxVlqBytes];
            int n = 0;
            do
            {
                reversed[n++] = (byte)(value & 0x7F);
                value >>= 7;
            }
            while (value > 0);
            Span<byte> encoded = stackalloc byte[MaxVlqBytes];
            for (int i = 0; i < n; i++)
            {
                byte b = reversed[n - 1 - i];
                encoded[i] = i < n - 1 ? (byte)(b | 0x80) : b;
            }
            Write(encoded[..n]);
        }

        private void WriteUInt32(uint value)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
            Write(bytes);
        }

        private void WriteUInt16(int value)
        {
            Span<byte> bytes = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
            Write(bytes);
        }
    }
}
