using System.Text.Json;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Model;

namespace RnnRbm.Api.Progress;

/// <summary>
/// What the progress hub pushes (message <c>progress</c>) about one training. Its fields carry the same names and
/// meanings as those of GET /api/trainings/{id}, so a page draws both with the same code; the settings are left out
/// (they do not change while it runs).
/// </summary>
/// <param name="Id">The training.</param>
/// <param name="State">queued, running, succeeded, failed or cancelled.</param>
/// <param name="Epoch">Whole epochs completed.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="History">The monitor per epoch on train and valid, with seconds and frames/s.</param>
/// <param name="Progress">Frames of the epoch in flight and the fraction of the whole run done.</param>
/// <param name="FramesPerSecond">Training speed, measured by the hub over the last moments, else that of the last epoch.</param>
/// <param name="EtaSeconds">Seconds to the end at that speed (null when unknown or finished).</param>
/// <param name="Backend">The numerics backend that runs it.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="ModelId">The model it made.</param>
/// <param name="CancelRequested">Whether a cancel was asked for.</param>
/// <param name="StartedUtc">When a worker first started it.</param>
/// <param name="FinishedUtc">When it ended.</param>
public sealed record ProgressUpdate(
    Guid Id,
    string State,
    int Epoch,
    int Epochs,
    IReadOnlyList<EpochProgress> History,
    FrameProgress Progress,
    double? FramesPerSecond,
    double? EtaSeconds,
    string? Backend,
    string? Error,
    Guid? ModelId,
    bool CancelRequested,
    DateTimeOffset? StartedUtc,
    DateTimeOffset? FinishedUtc);

/// <summary>One epoch of the curve (the names of the API's <c>history</c> items).</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Train">The monitor on the train split (null when not finite).</param>
/// <param name="Valid">The monitor on the valid split (null when there is none).</param>
/// <param name="Seconds">Wall time of the epoch.</param>
/// <param name="FramesPerSecond">Time steps learned per second.</param>
public sealed record EpochProgress(int Epoch, double? Train, double? Valid, double Seconds, double FramesPerSecond);

/// <summary>Frames of the epoch in flight, and the share of the whole run done in [0, 1].</summary>
public sealed record FrameProgress(long EpochFramesDone, long EpochFramesTotal, double Fraction);

/// <summary>The columns of a training row the hub reads (never the checkpoint's bytes).</summary>
internal sealed record TrainingRow(
    Guid Id, string State, int EpochsCompleted, int Epochs, long EpochFramesDone, long EpochFramesTotal, string HistoryJson,
    string? Error, Guid? ModelId, string? Backend, bool CancelRequested, DateTimeOffset? StartedUtc, DateTimeOffset? FinishedUtc, long Version)
{
    public static IQueryable<TrainingRow> Select(IQueryable<TrainingEntity> trainings) =>
        trainings.Select(t => new TrainingRow(t.Id, t.State, t.EpochsCompleted, t.Epochs, t.EpochFramesDone, t.EpochFramesTotal, t.HistoryJson,
            t.Error, t.ModelId, t.Backend, t.CancelRequested, t.StartedUtc, t.FinishedUtc, t.Version));

    public bool Finished => State is "succeeded" or "failed" or "cancelled";

    /// <summary>Frames learned so far, all epochs together.</summary>
    public long FramesLearned => ((long)EpochsCompleted * EpochFramesTotal) + (EpochsCompleted < Epochs ? Math.Min(EpochFramesDone, EpochFramesTotal) : 0);

    public ProgressUpdate ToUpdate(double? measuredFramesPerSecond)
    {
        List<EpochProgress> history = ReadHistory(HistoryJson);
        double? speed = measuredFramesPerSecond ?? (history.Count > 0 ? history[^1].FramesPerSecond : null);
        long totalFrames = (long)Epochs * EpochFramesTotal;
        double fraction = Finished && State == "succeeded" ? 1
            : totalFrames > 0 ? Math.Clamp((double)FramesLearned / totalFrames, 0, 1)
            : Epochs > 0 ? Math.Clamp((double)EpochsCompleted / Epochs, 0, 1) : 0;
        double? eta = !Finished && State == "running" && speed is > 0 && totalFrames > 0
            ? Math.Max(0, (totalFrames - FramesLearned) / speed.Value)
            : null;
        return new ProgressUpdate(Id, State, EpochsCompleted, Epochs, history, new FrameProgress(EpochFramesDone, EpochFramesTotal, fraction),
            Finished ? null : speed, eta, Backend, Error, ModelId, CancelRequested, StartedUtc, FinishedUtc);
    }

    private static List<EpochProgress> ReadHistory(string json)
    {
        try
        {
            List<EpochRecord> records = JsonSerializer.Deserialize<List<EpochRecord>>(string.IsNullOrWhiteSpace(json) ? "[]" : json, ModelFile.JsonOptions) ?? [];
            return [.. records.Select(r => new EpochProgress(r.Epoch, Finite(r.Monitor), r.ValidMonitor is double v ? Finite(v) : null, r.Seconds, r.FramesPerSecond))];
        }
        catch (JsonException)
        {
            // A row mid-migration or written by a newer version: show the rest of the progress rather than nothing.
            return [];
        }
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
