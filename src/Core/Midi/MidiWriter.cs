using NAudio.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Midi;

/// <summary>
/// Writes a <see cref="PianoRoll"/> as a Standard MIDI File (the seed's <c>midiwrite</c>): format 0,
/// one track, channel 1, one tempo and one program change at tick 0.
/// </summary>
public static class MidiWriter
{
    private const int Channel = 1;

    /// <summary>
    /// Writes <paramref name="roll"/>: each run of consecutive sounding steps of a pitch is one note
    /// (note-on at its first step's boundary, note-off with velocity 0 at the boundary after its last),
    /// note-offs before note-ons at a shared tick, and end-of-track at the roll's last step boundary so
    /// trailing silent steps survive. <see cref="MidiReader"/> with the same grid and the roll's range
    /// reads the result back to an identical roll.
    /// </summary>
    /// <remarks>
    /// Ticks: beats mode writes 480 ticks per quarter (480 / stepsPerQuarter per step) when that divides;
    /// seconds mode writes the seed's 100 ticks per quarter with the tempo of <see cref="MidiWriteOptions.TempoBpm"/>
    /// (120 bpm: dt seconds = dt·200 ticks), so a different tempo changes the ticks per step, never dt.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">The step is too short to write at this tempo.</exception>
    public static byte[] Write(PianoRoll roll, MidiWriteOptions options)
    {
        ArgumentNullException.ThrowIfNull(roll);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        int microsecondsPerQuarter = (int)Math.Round(60e6 / options.TempoBpm);
        StepTicks ticks = StepTicks.For(options.Grid, microsecondsPerQuarter);

        var events = new MidiEventCollection(0, ticks.Division);
        events.AddEvent(new TempoEvent(microsecondsPerQuarter, 0), 0);
        events.AddEvent(new PatchChangeEvent(0, Channel, options.Program), 0);
        // Export sorts stably by tick, so adding in (tick, off-before-on) order fixes the order written.
        foreach (NoteEdge edge in NoteEdges(roll).OrderBy(e => e.Step).ThenBy(e => e.IsOn).ThenBy(e => e.Pitch))
        {
            long tick = ticks.TickOf(edge.Step);
            // A plain NoteEvent for both edges: NoteOnEvent's own OffEvent is not exported (docs/stack.md, "NAudio.Midi").
            MidiEvent midiEvent = edge.IsOn
                ? new NoteEvent(tick, Channel, MidiCommandCode.NoteOn, edge.Pitch, options.Velocity)
                : new NoteEvent(tick, Channel, MidiCommandCode.NoteOff, edge.Pitch, 0);
            events.AddEvent(midiEvent, 0);
        }
        // NAudio's Export does not add end-of-track; it marks the roll's length (the reader's length rule).
        events.AddEvent(new MetaEvent(MetaEventType.EndTrack, 0, ticks.TickOf(roll.Steps)), 0);

        using var stream = new MemoryStream();
        MidiFile.Export(stream, events);
        return stream.ToArray();
    }

    private readonly record struct NoteEdge(int Step, bool IsOn, int Pitch);

    /// <summary>Note-on where a pitch starts sounding, note-off at the step after it stops.</summary>
    private static IEnumerable<NoteEdge> NoteEdges(PianoRoll roll)
    {
        for (int pitch = roll.Range.Lowest; pitch < roll.Range.End; pitch++)
        {
            bool sounding = false;
            for (int step = 0; step < roll.Steps; step++)
            {
                bool on = roll[step, pitch];
                if (on != sounding)
                {
                    yield return new NoteEdge(step, on, pitch);
                    sounding = on;
                }
            }
            if (sounding)
            {
                yield return new NoteEdge(roll.Steps, false, pitch);
            }
        }
    }
}
