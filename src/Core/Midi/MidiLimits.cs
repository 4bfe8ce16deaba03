namespace RnnRbm.Core.Midi;

/// <summary>
/// Caps on what a MIDI file may ask of us, checked before anything is allocated in proportion to it.
/// Files beyond any of them are rejected with an <see cref="InvalidMidiException"/>.
/// </summary>
public sealed record MidiLimits
{
    /// <summary>The defaults: 8 MiB, 512 tracks, 2,000,000 events, 2 hours, 100,000 steps.</summary>
    public static MidiLimits Default { get; } = new();

    /// <summary>Largest accepted file, in bytes (RIFF wrapper included).</summary>
    public int MaxBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Largest accepted track count declared by the header.</summary>
    public int MaxTracks { get; init; } = 512;

    /// <summary>Largest accepted number of events summed over all tracks.</summary>
    public int MaxEvents { get; init; } = 2_000_000;

    /// <summary>Longest accepted piece, through the file's tempo map.</summary>
    public double MaxDurationSeconds { get; init; } = 2 * 60 * 60;

    /// <summary>Longest accepted piano-roll, in steps of the reading grid.</summary>
    public int MaxSteps { get; init; } = 100_000;
}
