using RnnRbm.Core.Model;

namespace RnnRbm.Api.Models;

// The Models API's JSON (camelCase through ASP.NET's web defaults). The manifest is mirrored here, not
// serialised from Core's ModelManifest, so that Core may evolve its file format without changing the API.

/// <summary>A model in the list: what it is, without its weights or history.</summary>
/// <param name="Id">The model id.</param>
/// <param name="Name">Display name (also the download's file name).</param>
/// <param name="Origin">"training" (made by a training here), "import" (uploaded) or "bundled" (the default model).</param>
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
    double? FinalValidMonitor);

/// <summary>A model with its manifest, metrics and training curve.</summary>
/// <param name="Id">The model id.</param>
/// <param name="Name">Display name (also the download's file name).</param>
/// <param name="Origin">"training", "import" or "bundled".</param>
/// <param name="CreatedUtc">When it was added to the service.</param>
/// <param name="TrainingId">The training that made it, if any.</param>
/// <param name="CorpusId">The corpus it learned from, if known here.</param>
/// <param name="FileBytes">Size of the model file.</param>
/// <param name="Manifest">The model file's self-description.</param>
/// <param name="Metrics">Evaluation results by name (finite values only).</param>
/// <param name="Curve">The monitor per epoch, on train and (when measured) valid: the data of curve.png.</param>
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
    IReadOnlyList<EpochResponse> Curve);

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
    string? Notes);

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
/// <param name="Train">The seed's monitor averaged over the epoch's updates on the train split.</param>
/// <param name="Valid">The same monitor measured on the valid split after the epoch (null when there is none).</param>
/// <param name="Seconds">Wall time of the epoch.</param>
/// <param name="FramesPerSecond">Time steps learned per second.</param>
public sealed record EpochResponse(int Epoch, double? Train, double? Valid, double Seconds, double FramesPerSecond);

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
        manifest.Notes);

    public static ShapeResponse ToResponse(this ShapeInfo shape) => new(shape.Visible, shape.Hidden, shape.Recurrent);

    public static PitchRangeResponse ToResponse(this PitchRangeInfo range) => new(range.Lowest, range.End - 1, range.End);

    public static TimeGridResponse ToResponse(this TimeGridInfo grid) => new(grid.Kind, grid.Seconds, grid.StepsPerQuarter);

    public static IReadOnlyList<EpochResponse> ToResponse(this IReadOnlyList<EpochRecord> history) =>
        [.. history.Select(e => new EpochResponse(e.Epoch, Finite(e.Monitor), e.ValidMonitor is double v ? Finite(v) : null, e.Seconds, e.FramesPerSecond))];

    public static IReadOnlyDictionary<string, double> FiniteMetrics(IReadOnlyDictionary<string, double> metrics) =>
        metrics.Where(m => double.IsFinite(m.Value)).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);

    public static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
