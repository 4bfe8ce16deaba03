using System.ComponentModel.DataAnnotations;
using RnnRbm.Api.Hosting;
using RnnRbm.Core.Analysis;
using RnnRbm.Core.Limits;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Generation;

/// <summary>
/// The body of <c>POST /generate</c>. Every field but <c>modelId</c> has a default (GET /api/generations/options lists
/// the bounds and defaults); unknown fields are refused, so a misspelt one (<c>gibbs_k</c>) is reported instead of
/// silently ignored.
/// </summary>
public sealed record GenerateRequest : IRequestBody
{
    /// <summary>The model to sample from (GET /api/models lists them).</summary>
    /// <example>0193a5e2-7c1d-7b4e-9f0a-2c5d8e6f1a3b</example>
    [Required]
    public Guid? ModelId { get; init; }

    /// <summary>New time steps to generate, with steps × gibbsK at most 1000000. A primer's steps are not counted.</summary>
    /// <example>256</example>
    public int? Steps { get; init; }

    /// <summary>Gibbs sampling steps per time step, with steps × gibbsK at most 1000000. Cost grows linearly with it.</summary>
    /// <example>25</example>
    public int? GibbsK { get; init; }

    /// <summary>
    /// Seed of the sampler, 0..18446744073709551615. Random when absent (then below 2^53, so that JavaScript numbers keep it
    /// exact). Always returned in the X-Seed header; the same request with the same seed returns the same bytes.
    /// </summary>
    /// <example>1234</example>
    public ulong? Seed { get; init; }

    /// <summary>
    /// Optional primer: a MIDI file, base64 (a <c>data:...;base64,</c> prefix is accepted). It is read over the model's
    /// pitch range and time grid, the model reads it first and then continues it. At most RnnRbm:MaxMidiFileBytes
    /// bytes and 10000 steps.
    /// </summary>
    public string? Primer { get; init; }

    /// <summary>Whether the output starts with the primer (default false: the output is the continuation only).</summary>
    /// <example>false</example>
    public bool? IncludePrimer { get; init; }

    /// <summary>
    /// Tempo written into the MIDI file, in quarter notes per minute. For a model on a steps-per-quarter grid it sets
    /// the speed; on a seconds grid the step length stays the model's.
    /// </summary>
    /// <example>120</example>
    public double? Tempo { get; init; }

    /// <summary>General MIDI program (instrument) of the MIDI file (default 0, acoustic grand piano).</summary>
    /// <example>0</example>
    public int? Program { get; init; }

    /// <summary>
    /// Sampling temperature: every energy of a step's RBM is divided by it (1, the default, is the model; below 1 sharper and
    /// more repetitive, above 1 more random). docs/generation.md, "Steering".
    /// </summary>
    /// <example>1</example>
    public double? Temperature { get; init; }

    /// <summary>
    /// Optional melody to harmonize: a MIDI file, base64 (a <c>data:...;base64,</c> prefix is accepted), read over the
    /// model's pitch range and time grid. At every step its notes are kept on while the model writes the other keys, so
    /// the piece keeps the melody exactly. steps defaults to the melody's length and may not exceed it.
    /// </summary>
    public string? Melody { get; init; }

    /// <summary>With a melody: keep every key above the melody's highest note of a step silent, so the tune stays on top.</summary>
    /// <example>false</example>
    public bool? MelodyOnTop { get; init; }

    /// <summary>Length in bars instead of steps: bars of timeSignature, at the model's grid and the request's tempo (exclusive with steps and seconds).</summary>
    /// <example>8</example>
    public double? Bars { get; init; }

    /// <summary>The time signature bars count in, as "4/4", "3/4" or "6/8" (default 4/4).</summary>
    /// <example>4/4</example>
    public string? TimeSignature { get; init; }

    /// <summary>Length in seconds instead of steps, at the request's tempo (exclusive with steps and bars).</summary>
    /// <example>30</example>
    public double? Seconds { get; init; }

    /// <summary>Semitones the output is moved by, -24..24 (exclusive with key). The pitch range of the answer moves with it.</summary>
    /// <example>0</example>
    public int? Transpose { get; init; }

    /// <summary>
    /// Move the output to this key: the piece's key is estimated (Krumhansl-Kessler profiles) and the output transposed by
    /// the smallest move (-6..5 semitones) that puts its tonic on this one's, e.g. "D minor", "F# major", "Bb" (exclusive with transpose).
    /// </summary>
    /// <example>D minor</example>
    public string? Key { get; init; }

    /// <summary>
    /// Pieces to sample, 1..8 (default 1), with seeds seed, seed + 1, …; each is its own generation in the history. POST
    /// /generate answers them as a zip of MIDI files (or of PNG images) or, for <c>json</c>, a JSON list; POST
    /// /api/generations lists each piece with its links under <c>pieces</c>. count × steps × gibbsK at most 1000000.
    /// </summary>
    /// <example>1</example>
    public int? Count { get; init; }

    /// <summary>
    /// Fill a gap: a piece as a MIDI file, base64 (a <c>data:...;base64,</c> prefix is accepted), read over the model's
    /// pitch range and time grid. Steps [gapStart, gapEnd) are sampled again so that they lead into what follows (importance
    /// resampling of <c>candidates</c> fillings, weighed by the model's likelihood of the steps after the gap); every other
    /// step is kept exactly. The answer is the whole piece. Exclusive with primer, melody, bars, seconds, transpose and key.
    /// docs/generation.md, "Filling a gap".
    /// </summary>
    public string? Fill { get; init; }

    /// <summary>With fill: the gap's first step, on the model's grid (required with fill).</summary>
    /// <example>16</example>
    public int? GapStart { get; init; }

    /// <summary>With fill: one past the gap's last step (required with fill); the steps from here on lead the choice.</summary>
    /// <example>32</example>
    public int? GapEnd { get; init; }

    /// <summary>
    /// With fill: K, the candidate fillings sampled and weighed (1..32, default 8). Each costs a generation of the gap; count ×
    /// candidates × (gapEnd − gapStart) × gibbsK at most 1000000.
    /// </summary>
    /// <example>8</example>
    public int? Candidates { get; init; }

    /// <summary>
    /// POST /generate's answer: <c>midi</c> (default, audio/midi attachment), <c>png</c> (piano-roll image) or <c>json</c> (notes per
    /// step); the Accept header can ask for the same (a conflict between the two is a 406). Ignored by POST /api/generations.
    /// </summary>
    /// <example>midi</example>
    public string? Format { get; init; }

    /// <inheritdoc />
    public static IReadOnlyList<FieldLimit> Limits => GenerationLimits.All;

    /// <inheritdoc />
    public static long MaxBodyBytes(RnnRbmOptions options) => GenerationLimits.MaxBodyBytes(options.MaxMidiFileBytes);

    /// <inheritdoc />
    public void CheckFields(RequestErrors errors)
    {
        if (ModelId is not Guid modelId || modelId == Guid.Empty)
        {
            errors.Add("modelId", "modelId is required: the id of a model (GET /api/models lists them).");
        }
        int steps = Steps ?? GenerationLimits.DefaultSteps; // a melody's length is checked once it is read
        int gibbsK = GibbsK ?? GenerationLimits.DefaultGibbsK;
        int count = Count ?? 1;
        bool bounded = !errors.ContainsKey("steps") && !errors.ContainsKey("gibbsK") && !errors.ContainsKey("count");
        if (Fill is null && bounded && (long)count * steps * gibbsK > GenerationLimits.MaxGibbsSweeps)
        {
            errors.Add("gibbsK", count == 1
                ? $"steps × gibbsK must be at most {GenerationLimits.MaxGibbsSweeps} (one request must stay within seconds); got {steps} × {gibbsK}. Lower either."
                : $"count × steps × gibbsK must be at most {GenerationLimits.MaxGibbsSweeps} (one request must stay within seconds); got {count} × {steps} × {gibbsK}. Lower one.");
        }
        CheckFill(errors, gibbsK, count, bounded);
        if (new object?[] { Steps, Bars, Seconds }.Count(v => v is not null) > 1)
        {
            errors.Add(Steps is not null ? "steps" : "bars", "Give the length once: steps, bars or seconds.");
        }
        if (TimeSignature is not null && !MusicalLength.TryParseTimeSignature(TimeSignature, out _))
        {
            errors.Add("timeSignature", $"timeSignature must read like 4/4, 3/4 or 6/8 (beats 1-32 over 1, 2, 4, 8, 16 or 32); got '{TimeSignature}'.");
        }
        else if (TimeSignature is not null && Bars is null)
        {
            errors.Add("timeSignature", "timeSignature says what a bar is: send bars with it, or leave it out.");
        }
        if (Transpose is not null && Key is not null)
        {
            errors.Add("key", "Give transpose or key, not both.");
        }
        else if (Key is not null && !MusicalKey.TryParse(Key, out _))
        {
            errors.Add("key", $"key must be {MusicalKey.Accepted}; got '{Key}'.");
        }
        if (MelodyOnTop == true && Melody is null)
        {
            errors.Add("melodyOnTop", "melodyOnTop keeps the keys above a melody silent: send a melody with it, or leave it out.");
        }
        if (Format is not null && !GenerationLimits.Formats.Contains(Format.Trim().ToLowerInvariant()))
        {
            errors.Add("format", $"format must be one of {string.Join(", ", GenerationLimits.Formats)}; got '{Format}'.");
        }
    }

    // A gap to fill: the piece, the range inside it, and none of what a gap cannot have (a primer, a melody, a length,
    // a transposition: the steps outside the gap are kept as they are).
    private void CheckFill(RequestErrors errors, int gibbsK, int count, bool bounded)
    {
        if (Fill is null)
        {
            foreach ((string name, object? value) in new (string, object?)[] { ("gapStart", GapStart), ("gapEnd", GapEnd), ("candidates", Candidates) })
            {
                if (value is not null)
                {
                    errors.Add(name, $"{name} belongs to filling a gap: send fill (the piece) with it, or leave it out.");
                }
            }
            return;
        }
        if (GapStart is null)
        {
            errors.Add("gapStart", "gapStart is required with fill: the gap's first step.");
        }
        if (GapEnd is null)
        {
            errors.Add("gapEnd", "gapEnd is required with fill: one past the gap's last step.");
        }
        else if (GapStart is int start && GapEnd <= start)
        {
            errors.Add("gapEnd", $"gapEnd must be above gapStart (the gap is [gapStart, gapEnd)); got [{start}, {GapEnd}).");
        }
        // includePrimer false and transpose 0 change nothing (a stored request holds them), so only the others are refused.
        foreach ((string name, bool given) in new[] { ("primer", Primer is not null), ("melody", Melody is not null), ("bars", Bars is not null),
            ("seconds", Seconds is not null), ("transpose", Transpose is not null and not 0), ("key", Key is not null), ("includePrimer", IncludePrimer == true) })
        {
            if (given)
            {
                errors.Add(name, $"{name} cannot be used with fill: the piece keeps every step outside the gap as it is.");
            }
        }
        if (GapStart is int s && GapEnd is int e && e > s)
        {
            int gap = e - s;
            if (Steps is int asked && asked != gap)
            {
                errors.Add("steps", $"With fill the steps generated are the gap's, {gap}; leave steps out or send {gap}.");
            }
            if (bounded && !errors.ContainsKey("candidates") && (long)count * (Candidates ?? (int)GenerationLimits.Candidates.Default!.Value) * gap * gibbsK > GenerationLimits.MaxGibbsSweeps)
            {
                errors.Add("candidates", $"count × candidates × (gapEnd − gapStart) × gibbsK must be at most {GenerationLimits.MaxGibbsSweeps} (one request must stay within seconds); " +
                    $"got {count} × {Candidates ?? (int)GenerationLimits.Candidates.Default!.Value} × {gap} × {gibbsK}. Lower one.");
            }
        }
    }
}
