namespace RnnRbm.Core.Midi;

/// <summary>What a MIDI file held, as seen while reading it into a piano-roll.</summary>
/// <param name="Format">SMF format, 0 or 1.</param>
/// <param name="Tracks">Number of tracks.</param>
/// <param name="Division">Ticks per quarter note.</param>
/// <param name="Steps">Length of the roll read, in steps of the grid.</param>
/// <param name="Notes">Closed notes inside the pitch range: the notes in the roll.</param>
/// <param name="NotesOutsideRange">Closed notes outside the pitch range, left out of the roll.</param>
/// <param name="UnclosedNotes">Note-ons never followed by a matching note-off, dropped.</param>
/// <param name="DrumNotesSkipped">Note-ons on channel 10 left out because drums were not asked for.</param>
/// <param name="TempoChanges">Number of set-tempo events over all tracks.</param>
/// <param name="Tempos">Distinct tempi in beats per minute, in order of first appearance in time.</param>
/// <param name="TimeSignatures">Distinct time signatures such as <c>3/4</c>, in order of first appearance.</param>
/// <param name="Channels">MIDI channels (1-16) that carry at least one note-on, ascending.</param>
/// <param name="DurationSeconds">Time to the end of the piece (the later of last note-off and end-of-track), through the tempo map.</param>
public sealed record MidiFileStats(
    int Format,
    int Tracks,
    int Division,
    int Steps,
    int Notes,
    int NotesOutsideRange,
    int UnclosedNotes,
    int DrumNotesSkipped,
    int TempoChanges,
    IReadOnlyList<double> Tempos,
    IReadOnlyList<string> TimeSignatures,
    IReadOnlyList<int> Channels,
    double DurationSeconds);
