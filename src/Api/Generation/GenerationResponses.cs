using System.Text.Json.Serialization;

namespace RnnRbm.Api.Generation;

/// <summary>
/// The <c>json</c> format of POST /generate: the piano-roll with what is needed to read it. Holds nothing that
/// changes between two identical requests (the history id is in the X-Generation-Id header), so its bytes repeat.
/// </summary>
/// <param name="ModelId">The model sampled from.</param>
/// <param name="Seed">The seed used (also in the X-Seed header).</param>
/// <param name="Steps">Rows of <paramref name="Notes"/>: the new steps, plus the primer's when it is included.</param>
/// <param name="GeneratedSteps">New steps generated.</param>
/// <param name="PrimerSteps">Steps of the primer read before generating (0 without a primer).</param>
/// <param name="IncludePrimer">Whether <paramref name="Notes"/> starts with the primer's steps.</param>
/// <param name="GibbsK">Gibbs steps per time step.</param>
/// <param name="PitchRange">The pitches the model covers.</param>
/// <param name="TimeGrid">How long a step is.</param>
/// <param name="Tempo">Quarter notes per minute of the MIDI format.</param>
/// <param name="Program">General MIDI program of the MIDI format.</param>
/// <param name="NoteSteps">Sounding (step, pitch) cells in <paramref name="Notes"/>.</param>
/// <param name="Notes">One list per step of the MIDI pitches sounding at it, ascending (empty list: silence).</param>
public sealed record GenerationJson(
    Guid ModelId,
    ulong Seed,
    int Steps,
    int GeneratedSteps,
    int PrimerSteps,
    bool IncludePrimer,
    int GibbsK,
    PitchRangeJson PitchRange,
    TimeGridJson TimeGrid,
    double Tempo,
    int Program,
    int NoteSteps,
    IReadOnlyList<IReadOnlyList<int>> Notes);

/// <summary>The half-open MIDI pitch range [lowest, end): column j of a roll is pitch lowest + j.</summary>
/// <param name="Lowest">Lowest MIDI pitch, inclusive.</param>
/// <param name="End">One past the highest MIDI pitch.</param>
public sealed record PitchRangeJson(int Lowest, int End);

/// <summary>A step's length: <c>kind</c> "seconds" with <c>seconds</c>, or "beats" with <c>stepsPerQuarter</c>.</summary>
/// <param name="Kind">seconds or beats.</param>
/// <param name="Seconds">Seconds per step (kind seconds).</param>
/// <param name="StepsPerQuarter">Steps per quarter note (kind beats).</param>
public sealed record TimeGridJson(string Kind, double? Seconds, int? StepsPerQuarter);

/// <summary>A served generation, as GET /api/generations and GET /api/generations/{id} show it.</summary>
/// <param name="Id">The generation's id (the X-Generation-Id header of its response).</param>
/// <param name="ModelId">The model sampled from.</param>
/// <param name="ModelName">The model's name; null when the model has been deleted since.</param>
/// <param name="CreatedUtc">When it was served.</param>
/// <param name="Steps">New steps generated.</param>
/// <param name="NoteSteps">Sounding (step, pitch) cells of the output.</param>
/// <param name="HasPrimer">Whether a primer was given.</param>
/// <param name="Request">
/// The request with its seed resolved: POST it to /generate to regenerate the same piece, or change the seed to vary it.
/// Lists leave the primer out (see <paramref name="HasPrimer"/>); GET /api/generations/{id} includes it.
/// </param>
/// <param name="Piece">
/// The piece served, as its json view (the notes of every step, with the grid, range, tempo and program): only in
/// GET /api/generations/{id} and POST /api/generations, and absent for generations recorded before pieces were kept.
/// Its views: GET /api/generations/{id}/midi, /png and /audio.
/// </param>
public sealed record GenerationSummary(
    Guid Id, Guid ModelId, string? ModelName, DateTimeOffset CreatedUtc, int Steps, int NoteSteps, bool HasPrimer, GenerationSettings Request,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GenerationJson? Piece = null);

/// <summary>A page of the history, most recent first.</summary>
/// <param name="Items">The generations of this page.</param>
/// <param name="Total">Generations matching the filter, all pages together.</param>
/// <param name="Limit">Page size asked for.</param>
/// <param name="Offset">Generations skipped before this page.</param>
public sealed record GenerationPage(IReadOnlyList<GenerationSummary> Items, int Total, int Limit, int Offset);
