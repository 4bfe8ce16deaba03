using NAudio.Midi;

namespace RnnRbm.Core.Midi;

/// <summary>A note with both ends, in ticks: sounds over <c>[OnTick, OffTick)</c>.</summary>
internal readonly record struct MidiNote(int Pitch, int Channel, long OnTick, long OffTick);

/// <summary>
/// The events of a parsed file that a piano-roll needs, gathered over all tracks and channels.
/// </summary>
/// <remarks>
/// Note pairing: a note-on with velocity 0 is a note-off; a note-off closes the most recently opened,
/// still open note of the same pitch on the same channel in the same track (last in, first out, as
/// docs/model.md, "MIDI and piano-rolls", says). A note-off with nothing open is ignored; a note-on never closed is
/// dropped and counted. Overlapping notes of one pitch therefore still cover the union of their spans.
/// </remarks>
internal sealed class MidiContent
{
    /// <summary>General MIDI percussion, 1-based as NAudio numbers channels.</summary>
    public const int DrumChannel = 10;

    public List<MidiNote> Notes { get; } = [];

    public int UnclosedNotes { get; private set; }

    public int DrumNotesSkipped { get; private set; }

    /// <summary>Set-tempo events (tick, µs per quarter), track by track in file order.</summary>
    public List<(long Tick, int MicrosecondsPerQuarter)> TempoEvents { get; } = [];

    /// <summary>Time signatures (tick, "n/d"), track by track in file order.</summary>
    public List<(long Tick, string Signature)> TimeSignatures { get; } = [];

    /// <summary>Channels with at least one note-on (drums included even when skipped: they are used).</summary>
    public SortedSet<int> Channels { get; } = [];

    /// <summary>The latest end-of-track tick over all tracks.</summary>
    public long EndOfTrackTick { get; private set; }

    public static MidiContent From(MidiFile file, bool includeDrums)
    {
        var content = new MidiContent();
        for (int track = 0; track < file.Tracks; track++)
        {
            content.AddTrack(file.Events[track], includeDrums);
        }
        return content;
    }

    private void AddTrack(IList<MidiEvent> events, bool includeDrums)
    {
        // Open note-on ticks per (channel, pitch) of this track: a stack, latest on top.
        var open = new Dictionary<int, Stack<long>>();
        foreach (MidiEvent midiEvent in events)
        {
            long tick = midiEvent.AbsoluteTime;
            switch (midiEvent)
            {
                case NoteEvent note when note.CommandCode is MidiCommandCode.NoteOn or MidiCommandCode.NoteOff:
                    bool isOn = note.CommandCode == MidiCommandCode.NoteOn && note.Velocity > 0;
                    if (isOn)
                    {
                        Channels.Add(note.Channel);
                    }
                    if (note.Channel == DrumChannel && !includeDrums)
                    {
                        DrumNotesSkipped += isOn ? 1 : 0;
                        break;
                    }
                    int key = ((note.Channel - 1) << 7) | note.NoteNumber;
                    if (isOn)
                    {
                        if (!open.TryGetValue(key, out Stack<long>? stack))
                        {
                            open[key] = stack = new Stack<long>();
                        }
                        stack.Push(tick);
                    }
                    else if (open.TryGetValue(key, out Stack<long>? stack) && stack.Count > 0)
                    {
                        Notes.Add(new MidiNote(note.NoteNumber, note.Channel, stack.Pop(), tick));
                    }
                    break;
                case TempoEvent tempo:
                    TempoEvents.Add((tick, tempo.MicrosecondsPerQuarterNote));
                    break;
                case TimeSignatureEvent signature:
                    TimeSignatures.Add((tick, FormatSignature(signature)));
                    break;
                case MetaEvent meta when meta.MetaEventType == MetaEventType.EndTrack:
                    EndOfTrackTick = Math.Max(EndOfTrackTick, tick);
                    break;
                default:
                    break;
            }
        }
        foreach (Stack<long> stack in open.Values)
        {
            UnclosedNotes += stack.Count;
        }
    }

    private static string FormatSignature(TimeSignatureEvent signature)
    {
        // The denominator is stored as a power of two; anything beyond 2^10 is nonsense, shown as such.
        int exponent = signature.Denominator;
        string denominator = exponent <= 10 ? (1 << exponent).ToString(System.Globalization.CultureInfo.InvariantCulture) : $"2^{exponent}";
        return $"{signature.Numerator}/{denominator}";
    }
}
