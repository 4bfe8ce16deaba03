using RnnRbm.Core.Limits;

namespace RnnRbm.Core.Evaluation;

/// <summary>
/// Every numeric field of an evaluation request (<c>POST /api/evaluations</c>, the model page's form) with its bounds
/// and default. The AIS bounds are the sampler's own (<see cref="AisOptions.MaxRuns"/>, <see cref="AisSchedule.MaxTransitions"/>).
/// </summary>
public static class EvaluationLimits
{
    /// <summary>The three-segment schedule needs one transition per segment.</summary>
    public const int MinAisSteps = 3;
    public const int MaxAccSamples = 10_000;
    /// <summary>Largest seed: 2^53 − 1, so that a JavaScript client reads it back exactly.</summary>
    public const long MaxSeed = (1L << 53) - 1;
    public const double MaxAisTolerance = 1;
    /// <summary>AIS runs per step with an explicit schedule (aisSteps given); the converged search's default is <see cref="AisRuns"/>'s.</summary>
    public const int DefaultExplicitAisRuns = 100;
    public const int DefaultAccSamples = 10;
    public const string DefaultSplit = "test";
    /// <summary>Largest body of <c>POST /api/evaluations</c> (fields only).</summary>
    public const int MaxBodyBytes = BodyLimits.FieldsOnly;

    /// <summary>The corpus splits an evaluation may measure.</summary>
    public static IReadOnlyList<string> Splits { get; } = ["test", "valid", "train"];

    /// <summary>AIS runs per time step; the default is the converged search's (100 with aisSteps).</summary>
    public static FieldLimit AisRuns { get; } = FieldLimit.Whole("aisRuns", 1, AisOptions.MaxRuns, EvaluationOptions.Converged.AisRuns);
    /// <summary>Transitions of an explicit schedule; absent by default (a converged schedule is searched for).</summary>
    public static FieldLimit AisSteps { get; } = FieldLimit.Whole("aisSteps", MinAisSteps, AisSchedule.MaxTransitions);
    public static FieldLimit AisTolerance { get; } = FieldLimit.Real("aisTolerance", 0, MaxAisTolerance,
        EvaluationOptions.Converged.AisConvergence!.Tolerance, exclusiveMinimum: true, unit: "nats");
    public static FieldLimit AccSamples { get; } = FieldLimit.Whole("accSamples", 1, MaxAccSamples, DefaultAccSamples);
    public static FieldLimit Seed { get; } = FieldLimit.Whole("seed", 0, MaxSeed);

    /// <summary>Every field, in the order of the request.</summary>
    public static IReadOnlyList<FieldLimit> All { get; } = [AisRuns, AisSteps, AccSamples, Seed, AisTolerance];
}
