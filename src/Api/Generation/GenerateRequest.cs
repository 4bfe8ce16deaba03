using System.ComponentModel.DataAnnotations;
using RnnRbm.Api.Hosting;
using RnnRbm.Core.Limits;
using RnnRbm.Core.Model;

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
        if (!errors.ContainsKey("steps") && !errors.ContainsKey("gibbsK") && (long)steps * gibbsK > GenerationLimits.MaxGibbsSweeps)
        {
            errors.Add("gibbsK", $"steps × gibbsK must be at most {GenerationLimits.MaxGibbsSweeps} (one request must stay within seconds); got {steps} × {gibbsK}. Lower either.");
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
}
