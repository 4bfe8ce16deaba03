using RnnRbm.Api.Hosting;
using RnnRbm.Api.Models;
using RnnRbm.Core.Limits;
using RnnRbm.Core.Training;

namespace RnnRbm.Api.Training;

// The Trainings API's JSON (camelCase through ASP.NET's web defaults). These names are the contract.

/// <summary>
/// The body of <c>POST /api/trainings</c>: every field but <c>corpusId</c> is optional; an absent one takes the recipe's
/// value (<c>recipe</c>: "default", the project's general recipe, unless "seed", the tutorial's, is asked for).
/// </summary>
/// <param name="CorpusId">The corpus to learn from (its accepted train files; valid files, if any, are monitored).</param>
/// <remarks>Every numeric field's bounds and default: GET /api/trainings/options (and this schema); unknown fields, and numbers sent as strings, are refused.</remarks>
/// <param name="Dt">Seconds per step through the tempo map. When neither this nor stepsPerQuarter is given, the recipe's step: 2 steps per quarter note (default), dt 0.3 (seed).</param>
/// <param name="StepsPerQuarter">Steps per quarter note, tempo ignored. Give dt or this, not both.</param>
/// <param name="LowestPitch">Lowest MIDI note of the visible units, inclusive. Default 21 (A0).</param>
/// <param name="HighestPitch">Highest MIDI note, inclusive, at least lowestPitch. Default 108 (C8).</param>
/// <param name="Hidden">H, hidden units of each conditional RBM. Default 100 (seed 150).</param>
/// <param name="Recurrent">U, hidden units of the RNN. Default 50 (seed 100).</param>
/// <param name="LearningRate">SGD step size. Default 0.0047 (seed 0.001).</param>
/// <param name="BatchSize">Longest chunk of steps per update. Default 100.</param>
/// <param name="CdK">Gibbs steps of contrastive divergence. Default 25 (seed 15).</param>
/// <param name="Epochs">Most passes over the train split (early stopping may end sooner). Default 300 (seed 200).</param>
/// <param name="Seed">Seed of every random choice (initialisation, shuffles, Gibbs samples). Random when absent; the response shows the one used.</param>
/// <param name="Momentum">Nesterov momentum coefficient. Default 0.9 (seed 0, plain SGD).</param>
/// <param name="LearningRateDecay">Learning-rate schedule: epoch e uses learningRate·decay^(e−1). Default 1 (constant).</param>
/// <param name="ClipNorm">Gradient clipping: the largest L2 norm of one update's gradient; 0 = off (the default).</param>
/// <param name="Patience">Early stopping: stop after this many epochs without a better validation log-likelihood; 0 = never stop early. Default 40 (seed 0).</param>
/// <param name="ValidateEvery">Epochs between validation log-likelihoods; 0 (the default) = automatic: about 20% of the training time, or half the plateau when the plateau rule is on.</param>
/// <param name="KeepBest">The model keeps the best epoch on validation (true, the default) or the last one (false, the seed's behaviour).</param>
/// <param name="LearnU0">Learn the RNN's initial state u0 by BPTT instead of keeping it 0. Default true (seed false).</param>
/// <param name="CarryState">Carry the RNN state across the chunks of one sequence (truncated BPTT), so training sees long histories as evaluation does; false restarts every chunk from u0 (the seed). Default true (seed false).</param>
/// <param name="Transpose">Transposition augmentation: each sequence of an epoch is shifted by a random number of semitones in [−transpose, transpose], drawn among the shifts that keep every note in the pitch range; 0 = off (the default).</param>
/// <param name="RbmPretrainEpochs">RBM pretraining, the paper's initialisation: epochs of training W, bv, bh as a plain RBM on shuffled frames (CD-k, minibatches of batchSize frames) before epoch 1; 0 = off (the default).</param>
/// <param name="RnnPretrainEpochs">RNN pretraining, the paper's: epochs of training the RNN to predict each frame with independent logistic units (cross-entropy, BPTT) before epoch 1, after any RBM pretraining; 0 = off. Default 10 (seed 0).</param>
/// <param name="PretrainLearningRate">SGD step size of both pretrainings. Default 0.01.</param>
/// <param name="Recipe">Where the defaults of absent fields come from: "default" (the project's general recipe, the search's winner on both corpora's validation splits: H 100, U 50, CD-25, Nesterov momentum 0.9 at 0.0047 after 10 epochs of RNN pretraining, the RNN state carried across chunks, a learned u0, parameters averaged over 5 epochs, 2 steps per quarter note, at most 300 epochs; on a 20-epoch plateau of the validation log-likelihood back to the best epoch at half the rate; early stopping after 40) or "seed" (the tutorial's exactly: H 150, U 100, CD-15, plain SGD at 0.001, 200 epochs, dt 0.3 s, the last epoch kept), or "quick" (a first model in a few minutes on a small corpus: H 64, U 64, CD-10, momentum 0.9 at 0.001, no pretraining, at most 150 epochs, patience 20).</param>
/// <param name="Recurrence">The RNN's recurrence: "tanh" (the paper's, the default) or "gru" (a gated recurrent unit, beyond the paper).</param>
/// <param name="PlateauEpochs">The plateau rule: after this many epochs without a better validation log-likelihood, the parameters go back to the best epoch and the learning rate halves; 0 = never. Default 20 (seed 0).</param>
/// <param name="AverageDecay">Parameter averaging: validation and the saved model use a moving average of the parameters over about 1/(1 − averageDecay) updates (0 = off); training goes on from the parameters themselves. Giving it replaces the recipe's averageEpochs.</param>
/// <param name="AverageEpochs">Parameter averaging over about this many epochs, whatever the corpus's size (0 = off): the decay per update is 1 − 1/(averageEpochs × updates per epoch). Default 5 (seed 0). Giving it replaces the recipe's averageDecay; give one of the two.</param>
public sealed record StartTrainingRequest(
    Guid? CorpusId,
    double? Dt = null,
    int? StepsPerQuarter = null,
    int? LowestPitch = null,
    int? HighestPitch = null,
    int? Hidden = null,
    int? Recurrent = null,
    float? LearningRate = null,
    int? BatchSize = null,
    int? CdK = null,
    int? Epochs = null,
    ulong? Seed = null,
    float? Momentum = null,
    float? ClipNorm = null,
    float? LearningRateDecay = null,
    int? Patience = null,
    int? ValidateEvery = null,
    bool? KeepBest = null,
    bool? LearnU0 = null,
    bool? CarryState = null,
    int? Transpose = null,
    int? RbmPretrainEpochs = null,
    int? RnnPretrainEpochs = null,
    float? PretrainLearningRate = null,
    string? Recipe = null,
    string? Recurrence = null,
    float? AverageDecay = null,
    int? PlateauEpochs = null,
    float? AverageEpochs = null) : IRequestBody
{
    /// <summary>The RNN recurrences a request may name.</summary>
    internal static readonly string[] Recurrences = ["tanh", "gru"];

    /// <inheritdoc />
    public static IReadOnlyList<FieldLimit> Limits => TrainingLimits.All;

    /// <inheritdoc />
    public static long MaxBodyBytes(RnnRbmOptions options) => TrainingLimits.MaxBodyBytes;

    /// <inheritdoc />
    public void CheckFields(RequestErrors errors)
    {
        if (Recipe is not null && TrainingRecipe.Find(Recipe) is null)
        {
            errors.Add("recipe", $"recipe must be one of {TrainingRecipe.Names}; got '{Recipe}'.");
        }
        if (CorpusId is null || CorpusId == Guid.Empty)
        {
            errors.Add("corpusId", "corpusId is required: the id of a corpus (GET /api/corpora).");
        }
        if (Dt is not null && StepsPerQuarter is not null)
        {
            errors.Add("dt", "Give dt (seconds per step) or stepsPerQuarter (steps per quarter note), not both.");
            errors.Add("stepsPerQuarter", "Give dt (seconds per step) or stepsPerQuarter (steps per quarter note), not both.");
        }
        int lowest = LowestPitch ?? (int)TrainingLimits.LowestPitch.Default!.Value;
        int highest = HighestPitch ?? (int)TrainingLimits.HighestPitch.Default!.Value;
        if (!errors.ContainsKey("lowestPitch") && !errors.ContainsKey("highestPitch") && lowest > highest)
        {
            errors.Add("highestPitch", $"highestPitch ({highest}) must be at least lowestPitch ({lowest}).");
        }
        if (Recurrence is string kind && !Recurrences.Contains(kind))
        {
            errors.Add("recurrence", $"recurrence must be \"tanh\" or \"gru\"; got \"{kind}\".");
        }
    }
}

/// <summary>A training: its resolved settings, where it stands, and how each epoch went.</summary>
/// <param name="Id">The training id.</param>
/// <param name="CorpusId">The corpus it learns from.</param>
/// <param name="State">queued, running, stalled (its worker lost, waiting for another to take it over from its last checkpoint), succeeded, failed or cancelled.</param>
/// <param name="Epoch">Whole epochs completed.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Settings">The request with every default and the seed filled in (post it again to repeat the run).</param>
/// <param name="History">Per epoch: the seed's monitor on train and valid, and on validated epochs the validation log-likelihood.</param>
/// <param name="Stopping">Early stopping: the best epoch on validation, the epoch the model keeps, why the training stopped, and every decision (roll-backs, schedule changes) in words. Null before the first epoch.</param>
/// <param name="Progress">Frames of the epoch in flight and the fraction of the whole run done.</param>
/// <param name="FramesPerSecond">Training speed: of the last epoch, or of the first one so far.</param>
/// <param name="EtaSeconds">Estimated seconds to the end, from the speed and the frames remaining (null when unknown or finished).</param>
/// <param name="Backend">The numerics backend that runs (or ran) it.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="ModelId">The model it made (at the end, or from what was learned when cancelled).</param>
/// <param name="CancelRequested">Whether a cancel was asked for.</param>
/// <param name="CreatedUtc">When it was requested.</param>
/// <param name="StartedUtc">When a worker first started it.</param>
/// <param name="FinishedUtc">When it ended.</param>
public sealed record TrainingResponse(
    Guid Id,
    Guid CorpusId,
    string State,
    int Epoch,
    int Epochs,
    TrainingSettings Settings,
    IReadOnlyList<EpochResponse> History,
    StoppingResponse? Stopping,
    TrainingProgress Progress,
    double? FramesPerSecond,
    double? EtaSeconds,
    string? Backend,
    string? Error,
    Guid? ModelId,
    bool CancelRequested,
    DateTimeOffset CreatedUtc,
    DateTimeOffset? StartedUtc,
    DateTimeOffset? FinishedUtc);

/// <summary>Where the run stands.</summary>
/// <param name="EpochFramesDone">Frames learned so far in the epoch in flight (updated about twice a second).</param>
/// <param name="EpochFramesTotal">Frames of one epoch (the train split's steps); 0 until a worker has read the corpus.</param>
/// <param name="Fraction">Share of the whole run done, in [0, 1].</param>
public sealed record TrainingProgress(long EpochFramesDone, long EpochFramesTotal, double Fraction);


/// <summary>A training recipe: its name (the request's <c>recipe</c>), what it is, and the value it gives each field a request leaves out.</summary>
/// <param name="Name">"default" or "seed".</param>
/// <param name="Description">One sentence.</param>
/// <param name="Defaults">Every field's value under this recipe (corpusId and seed are the request's own).</param>
public sealed record RecipeResponse(string Name, string Description, StartTrainingRequest Defaults);
