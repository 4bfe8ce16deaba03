namespace RnnRbm.Core.Midi;

/// <summary>
/// What <see cref="MidiPreCheck"/> found in a structurally sound file.
/// </summary>
/// <param name="Format">SMF format, 0 or 1.</param>
/// <param name="Tracks">Number of track chunks (as declared, and as present).</param>
/// <param name="Division">Ticks per quarter note.</param>
/// <param name="Events">Events counted over all tracks.</param>
/// <param name="RiffWrapped">Whether the file came inside a RIFF/RMID wrapper.</param>
public sealed record MidiStructure(int Format, int Tracks, int Division, int Events, bool RiffWrapped)
{
    /// <summary>
    /// The file rewritten into the narrow form NAudio reads safely: a 6-byte header, track chunks only,
    /// explicit status bytes, only the events we use (channel messages, tempo, time signature,
    /// end-of-track) with the dropped events' delta times carried over.
    /// </summary>
    public byte[] Canonical { get; internal init; } = [];
}
