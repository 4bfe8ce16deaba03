using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using RnnRbm.Core.Model;

namespace RnnRbm.Api.Generation;

/// <summary>
/// Which representation POST /generate answers with: the body's <c>format</c> field, or else the best of the
/// request's <c>Accept</c> header (audio/midi first when it accepts several equally, and when it is absent). A
/// <c>format</c> the <c>Accept</c> header refuses, or an <c>Accept</c> header that takes none of the three, is a 406.
/// </summary>
internal static class GenerateNegotiation
{
    /// <summary>Each format with the media types that ask for it, the first being what is answered.</summary>
    private static readonly (string Format, string[] MediaTypes)[] Representations =
    [
        ("midi", ["audio/midi", "audio/x-midi", "audio/mid", "application/octet-stream"]),
        ("png", ["image/png"]),
        ("json", ["application/json"]),
    ];

    /// <summary>The media type a format is answered with.</summary>
    public static string MediaType(string format) => Representations.First(r => r.Format == format).MediaTypes[0];

    /// <summary>The format to answer with, or the 406 to answer instead.</summary>
    public static (string? Format, ProblemHttpResult? NotAcceptable) Choose(string? formatField, HttpRequest request)
    {
        IList<MediaTypeHeaderValue> accept = request.GetTypedHeaders().Accept;
        string? asked = formatField?.Trim().ToLowerInvariant();
        if (accept.Count == 0)
        {
            return (asked ?? GenerationLimits.Formats[0], null);
        }
        string acceptText = request.Headers.Accept.ToString();
        if (asked is not null)
        {
            return Match(asked, accept).Quality > 0
                ? (asked, null)
                : (null, NotAcceptable($"The body asks for format '{asked}' ({MediaType(asked)}) but the Accept header ('{acceptText}') does not take it. " +
                    "Send one of the two, or make them agree."));
        }
        // The highest q wins; at equal q a type the header names (audio/midi, image/*) beats one it takes only as */*,
        // and then the order above (midi first).
        (string Format, (double Quality, int Specificity) Match) best = Representations
            .Select(r => (r.Format, Match: Match(r.Format, accept)))
            .Aggregate((a, b) => Better(b.Match, a.Match) ? b : a);
        return best.Match.Quality > 0
            ? (best.Format, null)
            : (null, NotAcceptable($"The Accept header ('{acceptText}') takes none of what this operation answers: " +
                $"{string.Join(", ", Representations.Select(r => r.MediaTypes[0]))}."));
    }

    private static bool Better((double Quality, int Specificity) a, (double Quality, int Specificity) b) =>
        a.Quality > b.Quality || (a.Quality == b.Quality && a.Specificity > 0 && b.Specificity == 0);

    /// <summary>
    /// The quality the Accept header gives a format, from its most specific matching entry, with that entry's
    /// specificity (<see cref="Specificity"/>); quality 0 when no entry matches.
    /// </summary>
    private static (double Quality, int Specificity) Match(string format, IList<MediaTypeHeaderValue> accept)
    {
        string[] types = Representations.First(r => r.Format == format).MediaTypes;
        double quality = 0;
        int specificity = -1;
        foreach (MediaTypeHeaderValue entry in accept)
        {
            int matched = types.Select(t => Specificity(entry, new MediaTypeHeaderValue(t))).Max();
            if (matched > specificity)
            {
                specificity = matched;
                quality = entry.Quality ?? 1;
            }
        }
        return specificity < 0 ? (0, specificity) : (quality, specificity);
    }

    /// <summary>How precisely an Accept entry names a media type: 2 exactly, 1 by its type (audio/*), 0 as */*, -1 not at all.</summary>
    private static int Specificity(MediaTypeHeaderValue entry, MediaTypeHeaderValue type)
    {
        if (entry.MatchesAllTypes)
        {
            return 0;
        }
        if (!entry.Type.Equals(type.Type, StringComparison.OrdinalIgnoreCase))
        {
            return -1;
        }
        return entry.MatchesAllSubTypes ? 1 : entry.SubType.Equals(type.SubType, StringComparison.OrdinalIgnoreCase) ? 2 : -1;
    }

    private static ProblemHttpResult NotAcceptable(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status406NotAcceptable, title: "No representation the request accepts.", detail: detail);
}
