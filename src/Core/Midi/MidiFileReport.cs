using System.Globalization;

namespace RnnRbm.Core.Midi;

/// <summary>The outcome of inspecting one file: accepted with its stats, or refused with a reason.</summary>
/// <param name="FileName">The file's name as given.</param>
/// <param name="Accepted">Whether the file was read.</param>
/// <param name="Stats">What the file held, when accepted.</param>
/// <param name="Reason">Why it was refused (the <see cref="InvalidMidiException.Reason"/>), when not.</param>
public sealed record MidiFileReport(string FileName, bool Accepted, MidiFileStats? Stats, string? Reason)
{
    /// <summary>
    /// One line for the CLI's <c>inspect</c>:
    /// <c>ok   file.mid  steps 312  notes 1204  out-of-range 0  tempo changes 1  channels 1,2  3:12</c> or
    /// <c>FAIL file.mid  invalid MIDI file: reason</c> (the prefix is not doubled when <see cref="Reason"/> already has it).
    /// </summary>
    public override string ToString()
    {
        if (!Accepted || Stats is null)
        {
            // Tolerates a reason given with the prefix already (an exception's Message rather than its Reason).
            const string prefix = "invalid MIDI file: ";
            string reason = Reason ?? "unknown reason";
            return $"FAIL {FileName}  {(reason.StartsWith(prefix, StringComparison.Ordinal) ? reason : prefix + reason)}";
        }
        var s = Stats;
        string channels = s.Channels.Count == 0 ? "-" : string.Join(',', s.Channels);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"ok   {FileName}  steps {s.Steps}  notes {s.Notes}  out-of-range {s.NotesOutsideRange}  tempo changes {s.TempoChanges}  channels {channels}  {FormatDuration(s.DurationSeconds)}");
    }

    private static string FormatDuration(double seconds)
    {
        var time = TimeSpan.FromSeconds(Math.Round(seconds));
        return time.TotalHours >= 1
            ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalMinutes}:{time.Seconds:00}");
    }
}
