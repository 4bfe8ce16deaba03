using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace RnnRbm.Api.Generation;

/// <summary>
/// The body of <c>POST /generate</c>. Every field but <c>modelId</c> has a default; unknown fields are refused,
/// so a misspelt one (<c>gibbs_k</c>) is reported instead of silently ignored.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record GenerateRequest
{
    /// <summary>The model to sample from (GET /api/models lists them).</summary>
    [Required]
    public Guid? ModelId { get; init; }

    /// <summary>New time steps to generate, 1..10000 (default 200), with steps × gibbsK at most 1000000. A primer's steps are not counted.</summary>
    [Range(1, GenerationLimits.MaxSteps)]
    [DefaultValue(GenerationLimits.DefaultSteps)]
    public int? Steps { get; init; }

    /// <summary>Gibbs sampling steps per time step, 1..1000 (default 25), with steps × gibbsK at most 1000000. Cost grows linearly with it.</summary>
    [Range(1, GenerationLimits.MaxGibbsK)]
    [DefaultValue(GenerationLimits.DefaultGibbsK)]
    public int? GibbsK { get; init; }

    /// <summary>
    /// Seed of the sampler, 0..18446744073709551615. Random when absent (then below 2^53, so that JavaScript numbers keep it
    /// exact). Always returned in the X-Seed header; the same request with the same seed returns the same bytes.
    /// </summary>
    public ulong? Seed { get; init; }

    /// <summary>
    /// Optional primer: a MIDI file, base64 (a <c>data:...;base64,</c> prefix is accepted). It is read over the model's
    /// pitch range and time grid, the model reads it first and then continues it. At most RnnRbm:MaxMidiFileBytes
    /// bytes and 10000 steps.
    /// </summary>
    public string? Primer { get; init; }

    /// <summary>Whether the output starts with the primer (default false: the output is the continuation only).</summary>
    [DefaultValue(false)]
    public bool? IncludePrimer { get; init; }

    /// <summary>
    /// Tempo written into the MIDI file, in quarter notes per minute, 4..1000 (default 120). For a model on a
    /// steps-per-quarter grid it sets the speed; on a seconds grid the step length stays the model's.
    /// </summary>
    [Range(4.0, 1000.0)]
    [DefaultValue(120.0)]
    public double? Tempo { get; init; }

    /// <summary>General MIDI program (instrument) of the MIDI file, 0..127 (default 0, acoustic grand piano).</summary>
    [Range(0, 127)]
    [DefaultValue(0)]
    public int? Program { get; init; }

    /// <summary>The response: <c>midi</c> (default, audio/midi attachment), <c>png</c> (piano-roll image) or <c>json</c> (notes per step).</summary>
    [DefaultValue("midi")]
    public string? Format { get; init; }
}

/// <summary>The service's bounds on a generation (the generator itself allows more; these keep one request to seconds).</summary>
public static class GenerationLimits
{
    public const int DefaultSteps = 200;
    public const int MaxSteps = 10_000;
    public const int DefaultGibbsK = 25;
    public const int MaxGibbsK = 1000;
    public const int MaxPrimerSteps = 10_000;

    /// <summary>
    /// Most Gibbs sweeps (steps × gibbsK) one request may ask for: about 5 s for the seed's 88×150×100 model on one
    /// core (5 µs a sweep), so a request cannot hold a slot for a minute (10000 × 1000 would).
    /// </summary>
    public const long MaxGibbsSweeps = 1_000_000;
    public const double DefaultTempo = 120;
    public const double MinTempo = 4;
    public const double MaxTempo = 1000;

    /// <summary>The response formats, lower case.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["midi", "png", "json"];
}
