using System.Text.Json;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Training;

namespace RnnRbm.Api.Training;

/// <summary>
/// A training's request with every default and the seed resolved: stored as the training's SettingsJson and shown
/// in responses under the request's own field names.
/// </summary>
/// <param name="CorpusId">The corpus learned from.</param>
/// <param name="Dt">Seconds per step (null when stepsPerQuarter is set).</param>
/// <param name="StepsPerQuarter">Steps per quarter note (null when dt is set).</param>
/// <param name="LowestPitch">Lowest MIDI note, inclusive.</param>
/// <param name="HighestPitch">Highest MIDI note, inclusive.</param>
/// <param name="Hidden">H.</param>
/// <param name="Recurrent">U.</param>
/// <param name="LearningRate">SGD step size.</param>
/// <param name="BatchSize">Longest chunk per update.</param>
/// <param name="CdK">Gibbs steps of CD-k.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Seed">The seed of every random choice.</param>
/// <param name="Momentum">Nesterov momentum (0 = plain SGD; settings stored before it existed read as 0).</param>
/// <param name="ClipNorm">Gradient clipping norm (0 = off).</param>
/// <param name="LearningRateDecay">Per-epoch learning-rate factor (1 = constant).</param>
/// <param name="Patience">Epochs without a better validation log-likelihood before stopping (0 = never stop early).</param>
/// <param name="ValidateEvery">Epochs between validation log-likelihoods (0 = automatic).</param>
/// <param name="KeepBest">Whether the model keeps the best epoch on validation (else the last).</param>
/// <param name="LearnU0">Whether u0 is learned (settings stored before it existed read as false, like every option below: off).</param>
/// <param name="CarryState">Whether the RNN state is carried across the chunks of a sequence.</param>
/// <param name="Transpose">Largest random transposition in semitones (0 = off).</param>
/// <param name="RbmPretrainEpochs">Epochs of RBM pretraining (0 = off).</param>
/// <param name="RnnPretrainEpochs">Epochs of RNN pretraining (0 = off).</param>
/// <param name="PretrainLearningRate">SGD step size of both pretrainings.</param>
/// <param name="Recipe">The recipe the defaults came from (settings stored before recipes existed read as "seed": their defaults were its).</param>
/// <param name="Recurrence">The RNN's recurrence: "tanh" (stored settings without it) or "gru".</param>
/// <param name="AverageDecay">Parameter averaging's decay (0 = off; stored settings without it).</param>
/// <param name="PlateauEpochs">The plateau rule's epochs (0 = never); null in settings stored before it was a field: the recipe's.</param>
/// <param name="AverageEpochs">Parameter averaging over about this many epochs (0 = off; stored settings without it).</param>
public sealed record TrainingSettings(
    Guid CorpusId,
    double? Dt,
    int? StepsPerQuarter,
    int LowestPitch,
    int HighestPitch,
    int Hidden,
    int Recurrent,
    float LearningRate,
    int BatchSize,
    int CdK,
    int Epochs,
    ulong Seed,
    float Momentum = 0,
    float ClipNorm = 0,
    float LearningRateDecay = 1,
    int Patience = 30,
    int ValidateEvery = 0,
    bool KeepBest = true,
    bool LearnU0 = false,
    bool CarryState = false,
    int Transpose = 0,
    int RbmPretrainEpochs = 0,
    int RnnPretrainEpochs = 0,
    float PretrainLearningRate = 0.01f,
    string Recipe = "seed",
    string Recurrence = "tanh",
    float AverageDecay = 0,
    int? PlateauEpochs = null,
    float AverageEpochs = 0)
{
    // The seed's time step and the pitch range every recipe uses (docs/model.md, "Sizes and parameters").
    public static readonly double DefaultDt = TrainingLimits.Dt.Default!.Value;
    public static readonly int DefaultLowestPitch = (int)TrainingLimits.LowestPitch.Default!.Value;
    public static readonly int DefaultHighestPitch = (int)TrainingLimits.HighestPitch.Default!.Value;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal TimeGrid Grid => StepsPerQuarter is int n ? new TimeGrid.Beats(n) : new TimeGrid.Seconds(Dt ?? DefaultDt);

    internal PitchRange Range => new(LowestPitch, HighestPitch + 1);

    internal ModelShape Shape => new(Range.Count, Hidden, Recurrent, ShapeInfo.ParseRecurrence(Recurrence));

    internal TrainingOptions Options => new()
    {
        LearningRate = LearningRate, BatchSize = BatchSize, CdK = CdK, Epochs = Epochs, Seed = Seed,
        Momentum = Momentum, ClipNorm = ClipNorm, LearningRateDecay = LearningRateDecay,
        LearnU0 = LearnU0, CarryState = CarryState, Transpose = Transpose,
        RbmPretrainEpochs = RbmPretrainEpochs, RnnPretrainEpochs = RnnPretrainEpochs, PretrainLearningRate = PretrainLearningRate,
        AverageDecay = AverageDecay, AverageEpochs = AverageEpochs,
    };

    // The recipe's early stopping (its plateau rule, the validation estimator) with the request's own choices over it.
    internal EarlyStoppingOptions Stopping => (TrainingRecipe.Find(Recipe) ?? TrainingRecipe.Default).Stopping with
    {
        Patience = Patience, ValidateEvery = ValidateEvery, KeepBest = KeepBest, Seed = Seed,
        PlateauEpochs = PlateauEpochs ?? (TrainingRecipe.Find(Recipe) ?? TrainingRecipe.Default).Stopping.PlateauEpochs,
    };

    internal string ToJson() => JsonSerializer.Serialize(this, Json);

    internal static TrainingSettings FromJson(string json) =>
        JsonSerializer.Deserialize<TrainingSettings>(json, Json) ?? throw new InvalidOperationException("A training has empty settings.");

    /// <summary>The value <paramref name="recipe"/> gives every field of a request (corpusId and seed left out).</summary>
    internal static StartTrainingRequest Defaults(TrainingRecipe recipe)
    {
        TrainingSettings s = Resolve(new StartTrainingRequest(Guid.NewGuid(), Seed: 0, Recipe: recipe.Name)).Settings!;
        return new StartTrainingRequest(null, s.Dt, s.StepsPerQuarter, s.LowestPitch, s.HighestPitch, s.Hidden, s.Recurrent, s.LearningRate,
            s.BatchSize, s.CdK, s.Epochs, null, s.Momentum, s.ClipNorm, s.LearningRateDecay, s.Patience, s.ValidateEvery, s.KeepBest,
            s.LearnU0, s.CarryState, s.Transpose, s.RbmPretrainEpochs, s.RnnPretrainEpochs, s.PretrainLearningRate, recipe.Name, s.Recurrence, s.AverageDecay, s.PlateauEpochs, s.AverageEpochs);
    }

    /// <summary>
    /// Resolves a request its endpoint has checked (<see cref="StartTrainingRequest.Limits"/> and its rules): every absent
    /// field from the recipe. The errors are Core's own checks of the result, in case they grow stricter than the request's.
    /// </summary>
    internal static (TrainingSettings? Settings, Dictionary<string, string[]> Errors) Resolve(StartTrainingRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        int lowest = request.LowestPitch ?? DefaultLowestPitch;
        int highest = request.HighestPitch ?? DefaultHighestPitch;
        TrainingRecipe recipe = TrainingRecipe.Find(request.Recipe ?? TrainingRecipe.Default.Name)!;
        TrainingOptions defaults = recipe.Options;
        // One average: whichever of the two settings is given replaces the recipe's (both given: Core's check refuses it).
        TrainingOptions averaging = defaults.WithAveraging(request.AverageDecay, request.AverageEpochs);
        EarlyStoppingOptions stoppingDefaults = recipe.Stopping;
        int? stepsPerQuarterDefault = recipe.Grid is TimeGrid.Beats beats ? beats.StepsPerQuarter : null;
        double? dtDefault = recipe.Grid is TimeGrid.Seconds seconds ? seconds.StepSeconds : stepsPerQuarterDefault is null ? DefaultDt : null;
        bool gridGiven = request.Dt is not null || request.StepsPerQuarter is not null;
        var settings = new TrainingSettings(
            request.CorpusId!.Value,
            gridGiven ? (request.StepsPerQuarter is null ? request.Dt : null) : dtDefault,
            gridGiven ? request.StepsPerQuarter : stepsPerQuarterDefault,
            lowest,
            highest,
            request.Hidden ?? recipe.Hidden,
            request.Recurrent ?? recipe.Recurrent,
            request.LearningRate ?? defaults.LearningRate,
            request.BatchSize ?? defaults.BatchSize,
            request.CdK ?? defaults.CdK,
            request.Epochs ?? defaults.Epochs,
            // Below 2^53, so that a JavaScript client reads it back exactly.
            request.Seed ?? (ulong)Random.Shared.NextInt64(1L << 53),
            request.Momentum ?? defaults.Momentum,
            request.ClipNorm ?? defaults.ClipNorm,
            request.LearningRateDecay ?? defaults.LearningRateDecay,
            request.Patience ?? stoppingDefaults.Patience,
            request.ValidateEvery ?? stoppingDefaults.ValidateEvery,
            request.KeepBest ?? stoppingDefaults.KeepBest,
            request.LearnU0 ?? defaults.LearnU0,
            request.CarryState ?? defaults.CarryState,
            request.Transpose ?? defaults.Transpose,
            request.RbmPretrainEpochs ?? defaults.RbmPretrainEpochs,
            request.RnnPretrainEpochs ?? defaults.RnnPretrainEpochs,
            request.PretrainLearningRate ?? defaults.PretrainLearningRate,
            recipe.Name,
            request.Recurrence ?? ShapeInfo.NameOf(recipe.Recurrence),
            averaging.AverageDecay,
            request.PlateauEpochs ?? stoppingDefaults.PlateauEpochs,
            averaging.AverageEpochs);
        // Core's own checks, in case its limits grow stricter than the ones above.
        foreach (string problem in settings.Options.Problems().Concat(settings.Stopping.Problems()))
        {
            errors[problem.Split(' ')[0]] = [problem];
        }
        return errors.Count > 0 ? (null, errors) : (settings, errors);
    }
}
