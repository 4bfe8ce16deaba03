namespace RnnRbm.Core.PianoRolls;

/// <summary>The half-open MIDI note range <c>[Lowest, End)</c> a piano-roll covers (the seed's <c>r</c>).</summary>
public readonly record struct PitchRange
{
    /// <summary>The 88 piano keys, MIDI 21 (A0) to 108 (C8): the seed's default <c>r = (21, 109)</c>.</summary>
    public static readonly PitchRange Piano = new(21, 109);

    /// <summary>Creates <c>[lowest, end)</c>; requires <c>0 ≤ lowest &lt; end ≤ 128</c>.</summary>
    public PitchRange(int lowest, int end)
    {
        if (lowest < 0 || end > 128 || lowest >= end)
        {
            throw new ArgumentOutOfRangeException(nameof(lowest), $"A pitch range needs 0 <= lowest < end <= 128; got [{lowest}, {end}).");
        }
        Lowest = lowest;
        End = end;
    }

    /// <summary>Lowest MIDI note, inclusive.</summary>
    public int Lowest { get; }

    /// <summary>One past the highest MIDI note.</summary>
    public int End { get; }

    /// <summary>Number of pitches: the model's visible size V.</summary>
    public int Count => End - Lowest;

    /// <summary>Whether the range holds <paramref name="midiNote"/>.</summary>
    public bool Contains(int midiNote) => midiNote >= Lowest && midiNote < End;

    /// <inheritdoc />
    public override string ToString() => $"MIDI [{Lowest}, {End})";
}
