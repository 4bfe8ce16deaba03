using RnnRbm.Core.Limits;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Training;

/// <summary>
/// Every numeric field of a training request (<c>POST /api/trainings</c>, <c>rnnrbm train</c>, the Train page) with its
/// bounds and its value under the default recipe (<see cref="TrainingRecipe.Default"/>; another recipe gives other
/// defaults, never other bounds). The numbers live where the trainer enforces them (<see cref="TrainingOptions.Limits"/>,
/// <see cref="EarlyStoppingOptions.Limits"/>, <see cref="ModelShape.MaxUnits"/>) or, for what only a request has, here.
/// </summary>
public static class TrainingLimits
{
    /// <summary>Seconds per step through the tempo map.</summary>
    public const double MinDt = 0.001;
    public const double MaxDt = 60;
    public const int MaxStepsPerQuarter = 96;
    public const int MaxMidiNote = 127;

    /// <summary>Largest body of <c>POST /api/trainings</c> (fields only).</summary>
    public const int MaxBodyBytes = BodyLimits.FieldsOnly;

    private static TrainingRecipe Recipe => TrainingRecipe.Default;

    /// <summary>
    /// Semitones added on each side of the keys a corpus plays, for the pitch range a new training on it is offered
    /// (issue 15): room for the odd transposed note, and no visible units for keys the music never uses, which an
    /// 88-key model would otherwise learn to fill with noise.
    /// </summary>
    public const int CorpusPitchMargin = 2;

    /// <summary>The pitch range offered for a corpus that plays MIDI notes <paramref name="lowestPlayed"/>..<paramref name="highestPlayed"/>.</summary>
    public static (int Lowest, int Highest) SuggestedPitchRange(int lowestPlayed, int highestPlayed) =>
        (Math.Max(0, lowestPlayed - CorpusPitchMargin), Math.Min(MaxMidiNote, highestPlayed + CorpusPitchMargin));

    public static FieldLimit Dt { get; } = FieldLimit.Real("dt", MinDt, MaxDt,
        // The default recipe steps per quarter note; a seconds grid without a dt takes the seed's step.
        ((TimeGrid.Seconds)TimeGrid.SeedDefault).StepSeconds, unit: "seconds");
    public static FieldLimit StepsPerQuarter { get; } = FieldLimit.Whole("stepsPerQuarter", 1, MaxStepsPerQuarter,
        Recipe.Grid is TimeGrid.Beats beats ? beats.StepsPerQuarter : null);
    public static FieldLimit LowestPitch { get; } = FieldLimit.Whole("lowestPitch", 0, MaxMidiNote, PitchRange.Piano.Lowest);
    public static FieldLimit HighestPitch { get; } = FieldLimit.Whole("highestPitch", 0, MaxMidiNote, PitchRange.Piano.End - 1);
    public static FieldLimit Hidden { get; } = FieldLimit.Whole("hidden", 1, ModelShape.MaxUnits, Recipe.Hidden);
    public static FieldLimit Recurrent { get; } = FieldLimit.Whole("recurrent", 1, ModelShape.MaxUnits, Recipe.Recurrent);
    public static FieldLimit LearningRate { get; } = FieldLimit.Real("learningRate",
        TrainingOptions.Limits.MinLearningRate, TrainingOptions.Limits.MaxLearningRate, Exact(Recipe.Options.LearningRate));
    public static FieldLimit LearningRateDecay { get; } = FieldLimit.Real("learningRateDecay",
        TrainingOptions.Limits.MinLearningRateDecay, 1, Exact(Recipe.Options.LearningRateDecay));
    public static FieldLimit Momentum { get; } = FieldLimit.Real("momentum", 0, TrainingOptions.Limits.MaxMomentum, Exact(Recipe.Options.Momentum));
    public static FieldLimit ClipNorm { get; } = FieldLimit.Real("clipNorm", 0, TrainingOptions.Limits.MaxClipNorm, Exact(Recipe.Options.ClipNorm));
    public static FieldLimit BatchSize { get; } = FieldLimit.Whole("batchSize", 1, TrainingOptions.Limits.MaxBatchSize, Recipe.Options.BatchSize);
    public static FieldLimit CdK { get; } = FieldLimit.Whole("cdK", 1, TrainingOptions.Limits.MaxCdK, Recipe.Options.CdK);
    public static FieldLimit Epochs { get; } = FieldLimit.Whole("epochs", 1, TrainingOptions.Limits.MaxEpochs, Recipe.Options.Epochs);
    /// <summary>Any unsigned 64-bit integer; random when absent.</summary>
    public static FieldLimit Seed { get; } = FieldLimit.Whole("seed", 0, null);
    public static FieldLimit Patience { get; } = FieldLimit.Whole("patience", 0, EarlyStoppingOptions.Limits.MaxPatience, Recipe.Stopping.Patience);
    public static FieldLimit ValidateEvery { get; } = FieldLimit.Whole("validateEvery", 0, EarlyStoppingOptions.Limits.MaxValidateEvery, Recipe.Stopping.ValidateEvery);
    public static FieldLimit Transpose { get; } = FieldLimit.Whole("transpose", 0, TrainingOptions.Limits.MaxTranspose, Recipe.Options.Transpose);
    public static FieldLimit RbmPretrainEpochs { get; } = FieldLimit.Whole("rbmPretrainEpochs", 0, TrainingOptions.Limits.MaxPretrainEpochs, Recipe.Options.RbmPretrainEpochs);
    public static FieldLimit RnnPretrainEpochs { get; } = FieldLimit.Whole("rnnPretrainEpochs", 0, TrainingOptions.Limits.MaxPretrainEpochs, Recipe.Options.RnnPretrainEpochs);
    public static FieldLimit PretrainLearningRate { get; } = FieldLimit.Real("pretrainLearningRate",
        TrainingOptions.Limits.MinLearningRate, TrainingOptions.Limits.MaxLearningRate, Exact(Recipe.Options.PretrainLearningRate));
    public static FieldLimit PlateauEpochs { get; } = FieldLimit.Whole("plateauEpochs", 0, EarlyStoppingOptions.Limits.MaxPlateauEpochs, Recipe.Stopping.PlateauEpochs);
    public static FieldLimit AverageDecay { get; } = FieldLimit.Real("averageDecay", 0, TrainingOptions.Limits.MaxAverageDecay, Exact(Recipe.Options.AverageDecay));
    public static FieldLimit AverageEpochs { get; } = FieldLimit.Real("averageEpochs", 0, TrainingOptions.Limits.MaxAverageEpochs, Exact(Recipe.Options.AverageEpochs));

    /// <summary>Every field, in the order of the request.</summary>
    public static IReadOnlyList<FieldLimit> All { get; } =
    [
        Dt, StepsPerQuarter, LowestPitch, HighestPitch, Hidden, Recurrent, LearningRate, BatchSize, CdK, Epochs, Seed,
        Momentum, ClipNorm, LearningRateDecay, Patience, ValidateEvery, Transpose, RbmPretrainEpochs, RnnPretrainEpochs,
        PretrainLearningRate, AverageDecay, AverageEpochs, PlateauEpochs,
    ];

    /// <summary>A float default as the decimal it was written as (0.9f is 0.9, not 0.899999976).</summary>
    private static double Exact(float value) => double.Parse(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
}
