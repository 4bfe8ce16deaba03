using System.Security.Cryptography;
using System.Text.Json.Serialization;
using RnnRbm.Core.Model;

namespace RnnRbm.Api.Generation;

/// <summary>
/// A generation request with every default filled in and the seed resolved: what is stored in the history and
/// returned by GET /api/generations/{id}. It is itself a valid body for POST /generate, which then returns the same bytes.
/// </summary>
/// <param name="ModelId">The model sampled from.</param>
/// <param name="Steps">New steps generated.</param>
/// <param name="GibbsK">Gibbs steps per time step.</param>
/// <param name="Seed">The seed used.</param>
/// <param name="Tempo">Quarter notes per minute written into the MIDI file.</param>
/// <param name="Program">General MIDI program.</param>
/// <param name="Format">midi, png or json.</param>
/// <param name="IncludePrimer">Whether the output started with the primer.</param>
/// <param name="Primer">The primer MIDI file, base64; absent when none, and in history lists.</param>
/// <param name="Temperature">The sampling temperature (1: the model).</param>
/// <param name="Melody">The melody harmonized, a MIDI file as base64; absent when none, and in history lists.</param>
/// <param name="MelodyOnTop">Whether the keys above the melody were kept silent.</param>
/// <param name="Transpose">Semitones the output was moved by (a key asked for is resolved to these).</param>
/// <param name="Fill">The piece whose gap was filled, a MIDI file as base64; absent when none, and in history lists.</param>
/// <param name="GapStart">With fill: the gap's first step.</param>
/// <param name="GapEnd">With fill: one past the gap's last step.</param>
/// <param name="Candidates">With fill: the candidate fillings weighed.</param>
public sealed record GenerationSettings(
    Guid ModelId, int Steps, int GibbsK, ulong Seed, double Tempo, int Program, string Format, bool IncludePrimer,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Primer,
    double Temperature = 1,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Melody = null,
    bool MelodyOnTop = false,
    int Transpose = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Fill = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? GapStart = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? GapEnd = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Candidates = null)
{
    /// <summary>
    /// Fills in the defaults of a request its endpoint has checked (bounds and rules) and decodes the primer, whose
    /// problems (field name → messages) it returns.
    /// </summary>
    /// <param name="request">The body as sent, checked.</param>
    /// <param name="maxPrimerBytes">Largest primer file (RnnRbm:MaxMidiFileBytes).</param>
    /// <param name="settings">The resolved request when there are no errors.</param>
    /// <param name="primer">The primer's decoded bytes, when one was given.</param>
    /// <param name="melody">The melody's decoded bytes, when one was given.</param>
    /// <param name="fill">The bytes of the piece whose gap to fill, when one was given.</param>
    internal static Dictionary<string, string[]> Resolve(GenerateRequest request, int maxPrimerBytes, out GenerationSettings? settings, out byte[]? primer, out byte[]? melody, out byte[]? fill)
    {
        var errors = new Dictionary<string, string[]>();
        settings = null;
        primer = null;
        melody = null;
        fill = null;
        int steps = request.Steps ?? GenerationLimits.DefaultSteps;
        int gibbsK = request.GibbsK ?? GenerationLimits.DefaultGibbsK;
        double tempo = request.Tempo ?? GenerationLimits.DefaultTempo;
        int program = request.Program ?? (int)GenerationLimits.Program.Default!.Value;
        string format = (request.Format ?? GenerationLimits.Formats[0]).Trim().ToLowerInvariant();
        string? primerText = null;
        if (request.Primer is not null)
        {
            primerText = StripDataUrl(request.Primer);
            if (!TryDecodeMidi("primer", primerText, maxPrimerBytes, out primer, out string? problem))
            {
                errors["primer"] = [problem!];
            }
        }
        string? melodyText = null;
        if (request.Melody is not null)
        {
            melodyText = StripDataUrl(request.Melody);
            if (!TryDecodeMidi("melody", melodyText, maxPrimerBytes, out melody, out string? problem))
            {
                errors["melody"] = [problem!];
            }
        }
        string? fillText = null;
        if (request.Fill is not null)
        {
            fillText = StripDataUrl(request.Fill);
            if (!TryDecodeMidi("fill", fillText, maxPrimerBytes, out fill, out string? problem))
            {
                errors["fill"] = [problem!];
            }
        }
        if (errors.Count > 0)
        {
            primer = null;
            melody = null;
            fill = null;
            return errors;
        }
        // A random seed below 2^53 survives a trip through a JavaScript number (the UI regenerates from it).
        ulong seed = request.Seed ?? (BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) >> 11);
        settings = new GenerationSettings(request.ModelId!.Value, steps, gibbsK, seed, tempo, program, format, request.IncludePrimer ?? false, primerText,
            request.Temperature ?? GenerationLimits.Temperature.Default!.Value, melodyText, request.MelodyOnTop ?? false, request.Transpose ?? 0,
            fillText, request.GapStart, request.GapEnd,
            fillText is null ? null : request.Candidates ?? (int)GenerationLimits.Candidates.Default!.Value);
        if (fillText is not null)
        {
            settings = settings with { Steps = request.GapEnd!.Value - request.GapStart!.Value };
        }
        return errors;
    }

    private static string StripDataUrl(string primer)
    {
        const string marker = ";base64,";
        int at = primer.StartsWith("data:", StringComparison.Ordinal) ? primer.IndexOf(marker, StringComparison.Ordinal) : -1;
        return at < 0 ? primer : primer[(at + marker.Length)..];
    }

    private static bool TryDecodeMidi(string field, string base64, int maxBytes, out byte[]? bytes, out string? problem)
    {
        bytes = null;
        problem = null;
        // Checked before decoding: a huge string must not become a huge array first.
        long maxChars = ((maxBytes + 2L) / 3 * 4) + 4;
        if (base64.Length > maxChars)
        {
            problem = $"{field} is larger than the limit of {maxBytes} bytes (RnnRbm:MaxMidiFileBytes).";
            return false;
        }
        var buffer = new byte[(base64.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64String(base64, buffer, out int written))
        {
            problem = $"{field} must be a MIDI file encoded as base64.";
            return false;
        }
        if (written == 0)
        {
            problem = $"{field} is empty: leave it out, or send a MIDI file encoded as base64.";
            return false;
        }
        if (written > maxBytes)
        {
            problem = $"{field} is {written} bytes, above the limit of {maxBytes} (RnnRbm:MaxMidiFileBytes).";
            return false;
        }
        bytes = buffer.AsSpan(0, written).ToArray();
        return true;
    }
}
