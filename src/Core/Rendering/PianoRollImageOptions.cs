namespace RnnRbm.Core.Rendering;

/// <summary>How <see cref="PianoRollImage"/> sizes and labels its figure. Every property has a sensible default.</summary>
public sealed record PianoRollImageOptions
{
    /// <summary>
    /// Image width in pixels; <see langword="null"/> scales with the number of steps
    /// (within [<see cref="PianoRollImage.DefaultMinWidth"/>, <see cref="PianoRollImage.DefaultMaxWidth"/>]).
    /// Clamped to [<see cref="PianoRollImage.MinWidth"/>, <see cref="PianoRollImage.MaxWidth"/>].
    /// </summary>
    public int? Width { get; init; }

    /// <summary>
    /// Image height in pixels; <see langword="null"/> scales with the pitch range (480–720 px).
    /// Clamped to [<see cref="PianoRollImage.MinHeight"/>, <see cref="PianoRollImage.MaxHeight"/>], and raised
    /// if needed so every pitch gets at least one pixel row.
    /// </summary>
    public int? Height { get; init; }

    /// <summary>Title drawn above the roll.</summary>
    public string Title { get; init; } = "piano-roll";
}
