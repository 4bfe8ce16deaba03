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
/// <param name="Temperature">The sampling temperature (1: the model as it is).</param>
/// <param name="MelodySteps">Steps of a melody the model harmonized (0: none); its notes are in <paramref name="Notes"/> at every step.</param>
/// <param name="Transpose">Semitones the output was moved by after sampling (its pitch range moved with it).</param>
/// <param name="Key">The output's key as estimated from its pitch classes (Krumhansl-Kessler profiles), e.g. "D minor"; null for silence.</param>
/// <param name="Gap">With fill: the gap filled and how its filling was chosen; absent otherwise.</param>
/// <param name="Novelty">
/// Is it new? The longest runs the generated steps share with the model's training corpus; absent when that corpus is not
/// in this service (an imported or bundled model).
/// </param>
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
    IReadOnlyList<IReadOnlyList<int>> Notes,
    double Temperature = 1,
    int MelodySteps = 0,
    int Transpose = 0,
    string? Key = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] NoveltyJson? Novelty = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GapJson? Gap = null);

/// <summary>
/// A filled gap (docs/generation.md, "Filling a gap"): <c>candidates</c> fillings were sampled from the steps before the gap
/// and one chosen with probability ∝ exp(score), its score the model's log pseudo-likelihood of the steps after the gap.
/// </summary>
/// <param name="Start">The gap's first step in <c>notes</c>.</param>
/// <param name="End">One past its last step; every step outside [start, end) is the uploaded piece's.</param>
/// <param name="Candidates">Fillings sampled.</param>
/// <param name="Chosen">The index of the filling kept (0-based, in the order drawn).</param>
/// <param name="Scores">Each candidate's score, in nats (all 0 when nothing follows the gap).</param>
/// <param name="Weights">The probability each candidate had of being kept.</param>
/// <param name="ScoredSteps">Steps after the gap that were scored (at most 32).</param>
public sealed record GapJson(int Start, int End, int Candidates, int Chosen, IReadOnlyList<double> Scores, IReadOnlyList<double> Weights, int ScoredSteps);

/// <summary>One piece of a request for several (<c>count</c>): its generation and the addresses of its views.</summary>
/// <param name="Id">The piece's generation id (each piece is its own generation in the history).</param>
/// <param name="Seed">Its seed: the request's seed plus its index.</param>
/// <param name="Midi">GET address of its MIDI file.</param>
/// <param name="Png">GET address of its piano-roll image.</param>
/// <param name="Audio">GET address of its audio.</param>
public sealed record PieceLinksJson(Guid Id, ulong Seed, string Midi, string Png, string Audio)
{
    public static PieceLinksJson Of(Guid id, ulong seed) =>
        new(id, seed, $"/api/generations/{id}/midi", $"/api/generations/{id}/png", $"/api/generations/{id}/audio");
}

/// <summary>
/// How much of the model's training corpus a piece repeats (docs/generation.md, "Is it new?"): its longest run of
/// identical steps, and the same up to transposition, against every train file of the corpus.
/// </summary>
/// <param name="Exact">The longest run of identical frames (the sets of notes sounding at a step).</param>
/// <param name="Transposed">The longest run identical up to transposing it by at most 12 semitones (at least as long as the exact one).</param>
/// <param name="Threshold">Runs longer than this many steps are a warning: 8 quarter notes on the model's grid.</param>
/// <param name="Warning">Whether the piece repeats more of its corpus than the threshold allows.</param>
public sealed record NoveltyJson(NoveltyRunJson Exact, NoveltyRunJson Transposed, int Threshold, bool Warning);

/// <summary>One run a piece shares with a corpus file.</summary>
/// <param name="Steps">Its length in steps (0: not one step in common).</param>
/// <param name="PieceStart">Its first step in the generated steps.</param>
/// <param name="File">The corpus file that holds it (null when there is none).</param>
/// <param name="FileStart">Its first step in that file, on the model's grid.</param>
/// <param name="Transposition">Semitones the corpus passage was moved by to give the piece's (0: as written).</param>
public sealed record NoveltyRunJson(int Steps, int PieceStart, string? File, int FileStart, int Transposition);

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
/// <param name="Pieces">
/// Only in POST /api/generations' answer to a request with count above 1: every piece sampled, this one first, each a
/// generation of its own with its seed and views.
/// </param>
/// <param name="Zip">With <paramref name="Pieces"/>: the GET address of a zip of all their MIDI files.</param>
public sealed record GenerationSummary(
    Guid Id, Guid ModelId, string? ModelName, DateTimeOffset CreatedUtc, int Steps, int NoteSteps, bool HasPrimer, GenerationSettings Request,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] GenerationJson? Piece = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<PieceLinksJson>? Pieces = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Zip = null);

/// <summary>A page of the history, most recent first.</summary>
/// <param name="Items">The generations of this page.</param>
/// <param name="Total">Generations matching the filter, all pages together.</param>
/// <param name="Limit">Page size asked for.</param>
/// <param name="Offset">Generations skipped before this page.</param>
public sealed record GenerationPage(IReadOnlyList<GenerationSummary> Items, int Total, int Limit, int Offset);
