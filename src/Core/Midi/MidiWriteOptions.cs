using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Midi;

/// <summary>How <see cref="MidiWriter"/> turns a piano-roll into a MIDI file.</summary>
public sealed record MidiWriteOptions
{
    /// <summary>The seed's writing: 0.3 s steps at 120 bpm, program 0, velocity 90.</summary>
    public static MidiWriteOptions Default { get; } = new();

    /// <summary>Step size: seconds (kept in seconds whatever the tempo) or steps per quarter note. Default 0.3 s.</summary>
    public TimeGrid Grid { get; init; } = TimeGrid.SeedDefault;

    /// <summary>Tempo written into the file, in beats per minute, within [4, 1000]. Default 120.</summary>
    public double TempoBpm { get; init; } = 120;

    /// <summary>General MIDI program (instrument), 0..127. Default 0, acoustic grand piano.</summary>
    public int Program { get; init; }

    /// <summary>Note-on velocity, 1..127. Default 90, as the seed.</summary>
    public int Velocity { get; init; } = 90;

    /// <summary>Throws when a setting is out of its range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Grid);
        if (!double.IsFinite(TempoBpm) || TempoBpm < 4 || TempoBpm > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(TempoBpm), TempoBpm, "Tempo must lie in [4, 1000] bpm.");
        }
        if (Program is < 0 or > 127)
        {
            throw new ArgumentOutOfRangeException(nameof(Program), Program, "Program must lie in [0, 127].");
        }
        if (Velocity is < 1 or > 127)
        {
            throw new ArgumentOutOfRangeException(nameof(Velocity), Velocity, "Velocity must lie in [1, 127].");
        }
    }
}
