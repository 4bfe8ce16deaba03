using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Model;

/// <summary>
/// How a generation is steered beyond its length, chain and seed (docs/generation.md, "Steering"): a temperature, and a
/// melody the model harmonizes. The defaults leave generation exactly as the model samples it.
/// </summary>
public sealed record GenerationControls
{
    /// <summary>The model as it is: temperature 1, no melody.</summary>
    public static GenerationControls None { get; } = new();

    /// <summary>
    /// T: every energy of each step's RBM is divided by T during Gibbs sampling (both conditionals' inputs are scaled by
    /// 1/T). 1 is the model; below 1 sharper and more repetitive, above 1 more random.
    /// </summary>
    public double Temperature { get; init; } = 1;

    /// <summary>
    /// A melody over the model's pitch range, at least as long as the generation: at step t its notes are clamped on
    /// while the model samples every other key, so the result keeps the melody exactly. Null: no melody.
    /// </summary>
    public PianoRoll? Melody { get; init; }

    /// <summary>With a melody: every key above the melody's highest note of a step is clamped off, so the melody stays on top.</summary>
    public bool MelodyOnTop { get; init; }

    /// <summary>Whether these controls change nothing.</summary>
    public bool IsNone => Temperature == 1 && Melody is null;
}
