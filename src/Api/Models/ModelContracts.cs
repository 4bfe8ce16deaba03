using RnnRbm.Core.Model;

namespace RnnRbm.Api.Models;

// The Models API's JSON (camelCase through ASP.NET's web defaults). The manifest is mirrored here, not
// serialised from Core's ModelManifest, so that Core may evolve its file format without changing the API.

/// <summary>A model in the list: what it is, without its weights or history.</summary>
/// <param name="Id">The model id.</param>
/// <param name="Name">Display name (also the download's file name).</param>
/// <param name="Origin">"training" (made by a training here), "search" (the best trial of a search here), "import" (uploaded) or "bundled" (the default model).</param>
/// <param name="CreatedUtc">When it was added to the service.</param>
/// <param name="TrainingId">The training that made it, if any.</param>
/// <param name="CorpusId">The corpus it learned from, if known here.</param>
/// <param name="FileBytes">Size of the model file.</param>
/// <param name="Shape">V, H, U.</param>
/// <param name="PitchRange">Pitches of the visible units.</param>
/// <param name="TimeGrid">The step it learned at.</param>
/// <param name="EpochsCompleted">Whole epochs it was trained for.</param>
/// <param name="FinalMonitor">The train monitor of its last epoch, if it has a history.</param>
/// <param name="FinalValidMonitor">The valid monitor of its last epoch, if measured.</param>
/// <param name="State">"ok", or "damaged" when its stored file fails its checks (checksum, structure): it is then refused for download, generation and evaluation with 409.</param>
/// <param name="Damage">Why it is damaged, when it is.</param>
public sealed record ModelSummary(
    Guid Id,
    string Name,
    string Origin,
    DateTimeOffset CreatedUtc,
    Guid? TrainingId,
    Guid? CorpusId,
    long FileBytes,
    ShapeResponse Shape,
    PitchRangeResponse PitchRange,
    TimeGridResponse TimeGrid,
    int EpochsCompleted,
    double? FinalMonitor,
    double? FinalValidMonitor,
    string State = ModelIntegrity.Ok,
    string? Damage = null);

/// <summary>A model with its manifest, metrics and training curve.</summary>
/// <param name="Id">The model id.</param>
/// <param name="Name">Display name (also the download's file name).</param>
/// <param name="Origin">"training", "search", "import" or "bundled".</param>
/// <param name="CreatedUtc">When it was added to the service.</param>
/// <param name="TrainingId">The training that made it, if any.</param>
/// <param name="CorpusId">The corpus it learned from, if known here.</param>
/// <param name="FileBytes">Size of the model file.</param>
/// <param name="Manifest">The model file's self-description.</param>
/// <param name="Metrics">Evaluation results by name (finite values only).</param>
/// <param name="Curve">The monitor per epoch, on train and (when measured) valid: the data of curve.png.</param>
/// <param name="State">"ok", or "damaged" when its stored file fails its checks: it is then refused for download, generation and evaluation with 409.</param>
/// <param name="Damage">Why it is damaged, when it is.</param>
/// <param name="ContentSha256">SHA-256 of the stored model file (lowercase hex); null for a model stored before it was recorded.</param>
/// <param name="SameContentAs">In an import's answer: the models already held with the same file (the import is kept all the same; delete one to keep the other).</param>
public sealed record ModelDetails(
    Guid Id,
    string Name,
    string Origin,
    DateTimeOffset CreatedUtc,
    Guid? TrainingId,
    Guid? CorpusId,
    long FileBytes,
    ManifestResponse Manifest,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<EpochResponse> Curve,
    string State = ModelIntegrity.Ok,
    string? Damage = null,
    string? ContentSha256 = null,
    IReadOnlyList<SameModel>? SameContentAs = null);

/// <summary>A model the service already held with exactly the same file (same SHA-256), named in an import's answer.</summary>
/// <param name="Id">The existing model.</param>
/// <param name="Name">Its name.</param>
/// <param name="CreatedUtc">When it was added.</param>
public sealed record SameModel(Guid Id, string Name, DateTimeOffset CreatedUtc);

/// <summary>The manifest of a model file (see the file format in <c>ModelFile</c>).</summary>
/// <param name="Shape">V, H, U.</param>
/// <param name="PitchRange">Pitches of the visible units.</param>
/// <param name="TimeGrid">The step it learned at (and generates at by default).</param>
/// <param name="Training">Hyperparameters, seed and epochs.</param>
/// <param name="Corpus">What it learned from, when recorded.</param>
/// <param name="History">The monitor epoch by epoch.</param>
/// <param name="Numerics">The backend that ran the heavy products.</param>
/// <param name="CreatedUtc">When the file was written.</param>
/// <param name="HasCheckpoint">Whether the file carries the random states to resume its training exactly.</param>
/// <param name="Metrics">Evaluation results by name (finite values only).</param>
/// <param name="Notes">Free text.</param>
/// <param name="Stopping">Early stopping's decisions: the epoch kept, why training stopped, the events (null for models trained before it existed).</param>
public sealed record ManifestResponse(
    ShapeResponse Shape,
    PitchRangeResponse PitchRange,
    TimeGridResponse TimeGrid,
    TrainingInfoResponse Training,
    CorpusInfoResponse? Corpus,
    IReadOnlyList<EpochResponse> History,
    NumericsResponse Numerics,
    DateTimeOffset CreatedUtc,
    bool HasCheckpoint,
    IReadOnlyDictionary<string, double> Metrics,
    string? Notes,
    StoppingResponse? Stopping = null);

/// <summary>Model sizes.</summary>
/// <param name="Visible">V, one unit per pitch.</param>
/// <param name="Hidden">H, hidden units of each conditional RBM.</param>
/// <param name="Recurrent">U, hidden units of the RNN.</param>
public sealed record ShapeResponse(int Visible, int Hidden, int Recurrent);

/// <summary>Pitches of the visible units.</summary>
/// <param name="Lowest">Lowest MIDI note, inclusive.</param>
/// <param name="Highest">Highest MIDI note, inclusive.</param>
/// <param name="End">One past the highest (the half-open form the model file stores).</param>
public sealed record PitchRangeResponse(int Lowest, int Highest, int End);

/// <summary>A time grid.</summary>
/// <param name="Kind">"seconds" (with <c>seconds</c>) or "beats" (with <c>stepsPerQuarter</c>).</param>
/// <param name="Seconds">Seconds per step, through the tempo map.</param>
/// <param name="StepsPerQuarter">Steps per quarter note, tempo ignored.</param>
public sealed record TimeGridResponse(string Kind, double? Seconds, int? StepsPerQuarter);

/// <summary>How a model was trained.</summary>
public sealed record TrainingInfoResponse(float LearningRate, int BatchSize, int CdK, int EpochsPlanned, ulong Seed, int EpochsCompleted);

/// <summary>What a model learned from.</summary>
/// <param name="Name">The corpus's name.</param>
/// <param name="Sequences">Sequences learned from.</param>
/// <param name="Steps">Time steps learned from.</param>
/// <param name="Sha256">Digest of the piano-rolls learned from.</param>
public sealed record CorpusInfoResponse(string Name, int Sequences, long Steps, string? Sha256);

/// <summary>The numerics backend by name and description.</summary>
public sealed record NumericsResponse(string Backend, string Description);

/// <summary>One epoch of a training curve.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Train">
/// The seed's monitor averaged over the epoch's updates on the train split: the log-probability of each frame under one
/// reconstruction from the CD chain. It is not the model's log-likelihood and can move the other way; judge a model by
/// <paramref name="ValidLogLikelihood"/>.
/// </param>
/// <param name="Valid">The same monitor measured on the validation data after the epoch (null when there is none).</param>
/// <param name="Seconds">Wall time of the epoch's updates.</param>
/// <param name="FramesPerSecond">Time steps learned per second.</param>
/// <param name="ValidLogLikelihood">
/// Log-likelihood per step of the validation subset by the bracket estimator (or AIS), on epochs that were validated
/// (null on the others): what early stopping keeps the best of.
/// </param>
/// <param name="ValidConverged">
/// Whether the estimate's check (doubling the bracket's chains and samples, or the AIS schedule) moved
/// <paramref name="ValidLogLikelihood"/> by less than 0.01 nats; null on validations that skipped the check (the bracket
/// checks every fourth; the others are its first pass plus the last check's move).
/// </param>
/// <param name="ValidAisSteps">AIS transitions behind <paramref name="ValidLogLikelihood"/>.</param>
/// <param name="LearningRate">The learning rate of the epoch (after any roll-back's halving).</param>
public sealed record EpochResponse(int Epoch, double? Train, double? Valid, double Seconds, double FramesPerSecond,
    double? ValidLogLikelihood = null, bool? ValidConverged = null, int? ValidAisSteps = null, double? LearningRate = null);

/// <summary>Maps Core's manifest to the API's records (non-finite numbers become null: JSON has no NaN).</summary>
internal static class ModelContractMapping
{
    public static ManifestResponse ToResponse(this ModelManifest manifest) => new(
        manifest.Shape.ToResponse(),
        manifest.PitchRange.ToResponse(),
        manifest.TimeGrid.ToResponse(),
        new TrainingInfoResponse(manifest.Training.LearningRate, manifest.Training.BatchSize, manifest.Training.CdK,
            manifest.Training.EpochsPlanned, manifest.Training.Seed, manifest.Training.EpochsCompleted),
        manifest.Corpus is { } c ? new CorpusInfoResponse(c.Name, c.Sequences, c.Steps, c.Sha256) : null,
        manifest.History.ToResponse(),
        new NumericsResponse(manifest.Numerics.Backend, manifest.Numerics.Description),
        manifest.CreatedUtc,
        manifest.Checkpoint is not null,
        FiniteMetrics(manifest.Metrics),
        manifest.Notes,
        manifest.Stopping?.ToResponse());

    public static ShapeResponse ToResponse(this ShapeInfo shape) => new(shape.Visible, shape.Hidden, shape.Recurrent);

    public static PitchRangeResponse ToResponse(this PitchRangeInfo range) => new(range.Lowest, range.End - 1, range.End);

    public static TimeGridResponse ToResponse(this TimeGridInfo grid) => new(grid.Kind, grid.Seconds, grid.StepsPerQuarter);

    public static IReadOnlyList<EpochResponse> ToResponse(this IReadOnlyList<EpochRecord> history) =>
        [.. history.Select(e => new EpochResponse(e.Epoch, Finite(e.Monitor), e.ValidMonitor is double v ? Finite(v) : null, e.Seconds, e.FramesPerSecond,
            e.ValidLogLikelihood is double ll ? Finite(ll) : null, e.ValidConverged, e.ValidAisSteps, e.LearningRate))];

    public static IReadOnlyDictionary<string, double> FiniteMetrics(IReadOnlyDictionary<string, double> metrics) =>
        metrics.Where(m => double.IsFinite(m.Value)).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);

    public static double? Finite(double value) => double.IsFinite(value) ? value : null;

    public static StoppingResponse ToResponse(this StoppingInfo s) => new(
        s.Validated, s.ValidationSource, s.ValidationSteps, s.BestEpoch,
        s.BestValidLogLikelihood is double best ? Finite(best) : null, s.KeptEpoch, s.StopReason, s.Patience, s.ValidateEvery, s.AisSteps,
        s.Rollbacks, [.. s.Events.Select(e => new TrainingEventResponse(e.Epoch, e.Kind, e.Message))]);
}

/// <summary>What early stopping knows and decided.</summary>
/// <param name="Validated">Whether the validation log-likelihood is measured (false when there is no validation data).</param>
/// <param name="ValidationSource">valid (the corpus's validation split) or held-out (a seeded 10% of the training files).</param>
/// <param name="ValidationSteps">Steps of the validation subset the log-likelihood is measured on.</param>
/// <param name="BestEpoch">The best epoch on validation so far (null before the first validation).</param>
/// <param name="BestValidLogLikelihood">Its validation log-likelihood per step.</param>
/// <param name="KeptEpoch">The epoch whose parameters the model holds (once finished).</param>
/// <param name="StopReason">Why the training stopped (null while it runs).</param>
/// <param name="Patience">Epochs without improvement before stopping (0 = off).</param>
/// <param name="ValidateEvery">Epochs between validations now in force.</param>
/// <param name="AisSteps">AIS transitions of the validation estimate now in force.</param>
/// <param name="Rollbacks">Roll-backs after divergence so far.</param>
/// <param name="Events">Every decision, oldest first.</param>
public sealed record StoppingResponse(
    bool Validated,
    string ValidationSource,
    int ValidationSteps,
    int? BestEpoch,
    double? BestValidLogLikelihood,
    int? KeptEpoch,
    string? StopReason,
    int Patience,
    int ValidateEvery,
    int AisSteps,
    int Rollbacks,
    IReadOnlyList<TrainingEventResponse> Events);

/// <summary>One decision of the training loop.</summary>
/// <param name="Epoch">After which epoch.</param>
/// <param name="Kind">note, schedule, rollback, plateau or stopped.</param>
/// <param name="Message">What happened and why.</param>
public sealed record TrainingEventResponse(int Epoch, string Kind, string Message);
