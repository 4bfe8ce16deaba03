using System.Globalization;
using NAudio.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Midi;

/// <summary>
/// Reads a Standard MIDI File into a <see cref="PianoRoll"/> (the seed's <c>midiread</c>, corrected as
/// docs/model.md, "MIDI and piano-rolls", describes).
/// </summary>
public static class MidiReader
{
    /// <summary>
    /// Reads <paramref name="bytes"/> (format 0 or 1, optionally RIFF/RMID-wrapped) into a piano-roll.
    /// </summary>
    /// <remarks>
    /// <para>Every note of every track and channel (channel 10 only with <see cref="MidiReadOptions.IncludeDrums"/>),
    /// timed through one global tempo map merged from all tracks. Note pairing is per track, channel and pitch,
    /// last opened first closed; unclosed notes are dropped and counted.</para>
    /// <para>A note <c>[on, off)</c> sets rows <c>s(on) .. s(off) - 1</c> of its column, where
    /// <c>s(t) = ceil(t / step)</c> with <c>t</c> in seconds (a time within 1e-6 s of a boundary snaps onto it)
    /// or, in beats mode, in exact ticks (<c>ceil(tick · stepsPerQuarter / division)</c>).</para>
    /// <para>Length rule: <c>Steps = s(max(end of the last note, end-of-track))</c>, with the same <c>s</c>.
    /// End-of-track counts because the datasets mark a piece's length with it, so trailing silent steps
    /// survive; the seed's <c>ceil(last note end / dt)</c> lost them.</para>
    /// </remarks>
    /// <exception cref="InvalidMidiException">The bytes are not a usable MIDI file, or exceed <see cref="MidiReadOptions.Limits"/>.</exception>
    public static MidiReadResult Read(byte[] bytes, MidiReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Read(bytes.AsSpan(), options);
    }

    /// <summary>
    /// As <see cref="Read(byte[], MidiReadOptions)"/>, from bytes the caller may reuse afterwards (an upload reads every
    /// file through one buffer): nothing returned refers to them.
    /// </summary>
    /// <exception cref="InvalidMidiException">The bytes are not a usable MIDI file, or exceed <see cref="MidiReadOptions.Limits"/>.</exception>
    public static MidiReadResult Read(ReadOnlySpan<byte> bytes, MidiReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        MidiStructure structure = MidiPreCheck.Check(bytes, options.Limits);
        MidiFile file = Parse(structure);
        MidiContent content = MidiContent.From(file, options.IncludeDrums);

        var tempo = new TempoMap(structure.Division, content.TempoEvents);
        StepQuantizer quantizer = StepQuantizer.For(options.Grid, structure.Division, tempo);

        long endTick = content.EndOfTrackTick;
        foreach (MidiNote note in content.Notes)
        {
            endTick = Math.Max(endTick, note.OffTick);
        }
        double duration = tempo.Seconds(endTick);
        MidiLimits limits = options.Limits;
        if (duration > limits.MaxDurationSeconds)
        {
            throw new InvalidMidiException(
                $"the piece lasts {duration.ToString("0.#", CultureInfo.InvariantCulture)} s, above the limit of {limits.MaxDurationSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        long steps = quantizer.StepAt(endTick);
        if (steps > limits.MaxSteps)
        {
            throw new InvalidMidiException($"the piece needs {steps} steps of {options.Grid}, above the limit of {limits.MaxSteps}");
        }

        var roll = new PianoRoll((int)steps, options.Range);
        int inRange = 0;
        int outsideRange = 0;
        foreach (MidiNote note in content.Notes)
        {
            if (!options.Range.Contains(note.Pitch))
            {
                outsideRange++;
                continue;
            }
            inRange++;
            // Both ends are at most endTick, so both steps are at most Steps.
            long first = quantizer.StepAt(note.OnTick);
            long end = quantizer.StepAt(note.OffTick);
            for (long t = first; t < end; t++)
            {
                roll[(int)t, note.Pitch] = true;
            }
        }

        var stats = new MidiFileStats(
            Format: structure.Format,
            Tracks: structure.Tracks,
            Division: structure.Division,
            Steps: (int)steps,
            Notes: inRange,
            NotesOutsideRange: outsideRange,
            UnclosedNotes: content.UnclosedNotes,
            DrumNotesSkipped: content.DrumNotesSkipped,
            TempoChanges: content.TempoEvents.Count,
            Tempos: DistinctInTimeOrder(content.TempoEvents.Select(e => (e.Tick, Bpm(e.MicrosecondsPerQuarter)))),
            TimeSignatures: DistinctInTimeOrder(content.TimeSignatures),
            Channels: [.. content.Channels],
            DurationSeconds: duration);
        return new MidiReadResult(roll, stats);
    }

    /// <summary>
    /// NAudio reads only the canonical form the pre-check wrote; still, any exception it throws
    /// (it has at least five kinds) becomes the one error type callers handle.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Every parser failure is bad input by contract.")]
    private static MidiFile Parse(MidiStructure structure)
    {
        try
        {
            using var stream = new MemoryStream(structure.Canonical, writable: false);
            return new MidiFile(stream, strictChecking: false);
        }
        catch (Exception ex)
        {
            throw new InvalidMidiException($"the MIDI parser failed: {ex.Message}", ex);
        }
    }

    private static double Bpm(int microsecondsPerQuarter) => Math.Round(60e6 / microsecondsPerQuarter, 3);

    private static List<T> DistinctInTimeOrder<T>(IEnumerable<(long Tick, T Value)> events) =>
        [.. events.OrderBy(e => e.Tick).Select(e => e.Value).Distinct()];
}
