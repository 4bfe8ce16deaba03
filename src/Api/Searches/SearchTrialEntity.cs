using System.ComponentModel.DataAnnotations.Schema;
using RnnRbm.Api.Jobs;

namespace RnnRbm.Api.Searches;

/// <summary>
/// One trial of a search: its settings, how far successive halving let it go, and its checkpoint. Background work of
/// its own (<see cref="SearchTrialRun"/>): each job trains it up to its next rung (<see cref="TargetRung"/>) on
/// whichever worker has room, and any worker resumes it from the checkpoint. <see cref="Version"/> guards every write.
/// </summary>
[Table("search_trials")]
public sealed class SearchTrialEntity : IBackgroundWork
{
    public Guid Id { get; set; }
    public Guid SearchId { get; set; }
    /// <summary>0, 1, 2, … in the order the search started its trials; unique within the search.</summary>
    public int Number { get; set; }
    /// <summary>Its choices (Core's TrialSettings as JSON).</summary>
    public required string SettingsJson { get; set; }
    /// <summary>
    /// The job's state (<see cref="Hosting.WorkStates"/>): queued or running while a job trains it towards
    /// <see cref="TargetRung"/>; succeeded once that rung is reached or its own training ended; cancelled when the search's
    /// budget or a cancel cut it; failed.
    /// </summary>
    public required string State { get; set; }
    /// <summary>Where the trial stands between jobs: paused (at a rung), finished (its training ended) or stopped (cut).</summary>
    public string TrialState { get; set; } = "paused";
    /// <summary>The rung the current (or last) job trains up to; promoting the trial raises it by one.</summary>
    public int TargetRung { get; set; }
    /// <summary>The last rung reached (-1: none yet).</summary>
    public int Rung { get; set; } = -1;
    /// <summary>Its best validation log-likelihood when it reached each rung, rung 0 first (null: none measured).</summary>
    public string RungScoresJson { get; set; } = "[]";
    public int EpochsCompleted { get; set; }
    /// <summary>The loop at its last epoch boundary (LoopCheckpoint's format); kept after it ends, for the search's model.</summary>
    public byte[]? Checkpoint { get; set; }
    public string HistoryJson { get; set; } = "[]";
    public string? StoppingJson { get; set; }
    public double? BestValidLogLikelihood { get; set; }
    public int? BestEpoch { get; set; }
    /// <summary>Training time spent on it, over all its jobs.</summary>
    public double Seconds { get; set; }
    public string? StopReason { get; set; }
    public bool CancelRequested { get; set; }
    public string? Error { get; set; }
    public string? Backend { get; set; }
    public string? JobId { get; set; }
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseHeartbeatUtc { get; set; }
    public DateTimeOffset CreatedUtc { get; set; }
    public DateTimeOffset? StartedUtc { get; set; }
    public DateTimeOffset? FinishedUtc { get; set; }
    /// <summary>Optimistic concurrency token: bumped by every write of a runner or of the search's coordinator.</summary>
    public long Version { get; set; }
}

/// <summary>A trial's completed epoch and who completed it; the key (trial, epoch) refuses a second record of one epoch.</summary>
[Table("search_trial_epochs")]
public sealed class SearchTrialEpochEntity
{
    public Guid TrialId { get; set; }
    public int Epoch { get; set; }
    public required string Worker { get; set; }
    public DateTimeOffset CompletedUtc { get; set; }
}
