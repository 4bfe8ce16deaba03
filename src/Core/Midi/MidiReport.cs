namespace RnnRbm.Core.Midi;

/// <summary>Checks MIDI files one by one without throwing for bad bytes (the CLI's <c>inspect</c>, corpus uploads).</summary>
public static class MidiReport
{
    /// <summary>Reads <paramref name="bytes"/> as <see cref="MidiReader.Read(byte[], MidiReadOptions)"/> does and reports instead of throwing.</summary>
    public static MidiFileReport Inspect(string fileName, byte[] bytes, MidiReadOptions options)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        try
        {
            MidiReadResult result = MidiReader.Read(bytes, options);
            return new MidiFileReport(fileName, true, result.Stats, null);
        }
        catch (InvalidMidiException ex)
        {
            return new MidiFileReport(fileName, false, null, ex.Reason);
        }
    }
}
