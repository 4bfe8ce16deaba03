using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Midi;

/// <summary>How <see cref="MidiReader"/> turns a MIDI file into a piano-roll.</summary>
public sealed record MidiReadOptions
{
    /// <summary>The seed's reading: 0.3 s steps, the 88 piano keys, drums left out, default limits.</summary>
    public static MidiReadOptions Default { get; } = new();

    /// <summary>Step size: seconds through the tempo map, or steps per quarter note. Default 0.3 s.</summary>
    public TimeGrid Grid { get; init; } = TimeGrid.SeedDefault;

    /// <summary>Pitches kept as roll columns; notes outside are counted, not stored. Default: piano.</summary>
    public PitchRange Range { get; init; } = PitchRange.Piano;

    /// <summary>Whether channel 10 (General MIDI percussion) is read as pitched notes. Default false.</summary>
    public bool IncludeDrums { get; init; }

    /// <summary>Caps on size, tracks, events, duration and steps.</summary>
    public MidiLimits Limits { get; init; } = MidiLimits.Default;
}
