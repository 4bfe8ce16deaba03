using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Midi;

/// <summary>A piano-roll read from a MIDI file and what was seen on the way.</summary>
/// <param name="Roll">The roll over the requested range and grid.</param>
/// <param name="Stats">Counts and properties of the file.</param>
public sealed record MidiReadResult(PianoRoll Roll, MidiFileStats Stats);
