using RnnRbm.Core.Limits;
using RnnRbm.Core.Model;

namespace RnnRbm.Core.Search;

/// <summary>
/// Every numeric field of a search request (<c>POST /api/searches</c>) with its bounds and its default (the
/// <see cref="SearchSpace.Default"/>'s): the numbers live in <see cref="SearchOptions.Limits"/>,
/// <see cref="SearchSpace.Limits"/> and <see cref="TrainingOptions.Limits"/>. The lists (hidden, recurrent, cdK) and
/// the rules between fields are <see cref="SearchSpace.Problems"/>'.
/// </summary>
public static class SearchLimits
{
    private static SearchSpace Space => SearchSpace.Default;

    public static FieldLimit BudgetMinutes { get; } = FieldLimit.Real("budgetMinutes", 0, SearchOptions.Limits.MaxBudgetMinutes, exclusiveMinimum: true, unit: "minutes");
    public static FieldLimit Seed { get; } = FieldLimit.Whole("seed", 0, null, 1234);
    public static FieldLimit MaxTrials { get; } = FieldLimit.Whole("maxTrials", 0, SearchOptions.Limits.MaxTrialsAllowed, 0);
    public static FieldLimit MinEpochs { get; } = FieldLimit.Whole("minEpochs", 1, TrainingOptions.Limits.MaxEpochs, Space.MinEpochs);
    public static FieldLimit MaxEpochs { get; } = FieldLimit.Whole("maxEpochs", 1, TrainingOptions.Limits.MaxEpochs, Space.MaxEpochs);
    public static FieldLimit Reduction { get; } = FieldLimit.Whole("reduction", 2, SearchSpace.Limits.MaxReduction, Space.Reduction);
    public static FieldLimit MinLearningRate { get; } = FieldLimit.Real("minLearningRate",
        TrainingOptions.Limits.MinLearningRate, TrainingOptions.Limits.MaxLearningRate, Space.MinLearningRate);
    public static FieldLimit MaxLearningRate { get; } = FieldLimit.Real("maxLearningRate",
        TrainingOptions.Limits.MinLearningRate, TrainingOptions.Limits.MaxLearningRate, Space.MaxLearningRate);

    /// <summary>Every field, in the order of the request.</summary>
    public static IReadOnlyList<FieldLimit> All { get; } = [BudgetMinutes, Seed, MaxTrials, MinEpochs, MaxEpochs, Reduction, MinLearningRate, MaxLearningRate];

    /// <summary>Largest body of <c>POST /api/searches</c> (fields only).</summary>
    public const int MaxBodyBytes = BodyLimits.FieldsOnly;
}
