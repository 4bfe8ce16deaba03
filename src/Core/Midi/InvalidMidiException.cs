namespace RnnRbm.Core.Midi;

/// <summary>
/// The one error for bad MIDI input, whatever went wrong (structure, limits, or the parser).
/// Its message always reads <c>invalid MIDI file: &lt;reason&gt;</c>.
/// </summary>
public sealed class InvalidMidiException : Exception
{
    private const string Prefix = "invalid MIDI file: ";

    /// <summary>Creates the error with a reason such as <c>format 2 (independent sequences) is not supported</c>.</summary>
    public InvalidMidiException(string reason)
        : base(Prefix + reason)
    {
        Reason = reason;
    }

    /// <summary>Creates the error with a reason and the exception that revealed it.</summary>
    public InvalidMidiException(string reason, Exception innerException)
        : base(Prefix + reason, innerException)
    {
        Reason = reason;
    }

    /// <summary>Creates the error with a generic reason.</summary>
    public InvalidMidiException()
        : this("unknown reason")
    {
    }

    /// <summary>What was wrong, without the <c>invalid MIDI file:</c> prefix.</summary>
    public string Reason { get; }
}
