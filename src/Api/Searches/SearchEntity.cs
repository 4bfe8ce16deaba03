using System.ComponentModel.DataAnnotations.Schema;
using RnnRbm.Api.Jobs;

namespace RnnRbm.Api.Searches;

/// <summary>
/// A hyperparameter search on a corpus: its request, where it stands, its leaderboard, and the model of its best
/// trial. Its trials are rows and jobs of their own (<see cref="SearchTrialEntity"/>) on every worker with room; the
/// search itself is their coordinator (<see cref="SearchRun"/>), light background work; <see cref="Version"/> guards
/// against stale writers.
/// </summary>
[Table("searches")]
public sealed class SearchEntity : IBackgroundWork
{
    public Guid Id { get; set; }
    public Guid CorpusId { get; set; }
    /// <summary>One of <see cref="Hosting.WorkStates"/>: queued (new, or its coordinator handed back at a shutdown: its trials go on meanwhile), running, succeeded, failed, cancelled.</summary>
    public required string State { get; set; }
    /// <summary>The resolved request (<see cref="StartSearchRequest"/> as JSON, every default and the seed filled in).</summary>
    public required string SettingsJson { get; set; }
    public double BudgetMinutes { get; set; }
    /// <summary>Trials created so far (rows of search_trials), written by the coordinator with each new one.</summary>
    public int TrialsStarted { get; set; }
    public string? StopReason { get; set; }
    public double? Seconds { get; set; }
    public Guid? ModelId { get; set; }
    public bool CancelRequested { get; set; }
    public string? Error { get; set; }
    public string? Backend { get; set; }
    public string? JobId { get; set; }
    /// <summary>The process running it now and when it last said so.</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseHeartbeatUtc { get; set; }
    public DateTimeOffset CreatedUtc { get; set; }
    public DateTimeOffset? StartedUtc { get; set; }
    public DateTimeOffset? FinishedUtc { get; set; }
    /// <summary>Optimistic concurrency token: bumped by every write of a runner.</summary>
    public long Version { get; set; }
}
