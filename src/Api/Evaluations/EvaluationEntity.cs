using System.ComponentModel.DataAnnotations.Schema;
using RnnRbm.Api.Jobs;

namespace RnnRbm.Api.Evaluations;

/// <summary>
/// An evaluation of a model on a corpus split: its settings, where it stands, and what it measured. Run as background work
/// like a training (<see cref="WorkRun{TEntity}"/>); <see cref="Version"/> guards against stale writers.
/// </summary>
[Table("evaluations")]
public sealed class EvaluationEntity : IBackgroundWork
{
    public Guid Id { get; set; }
    public Guid ModelId { get; set; }
    public Guid CorpusId { get; set; }
    /// <summary>"train", "valid" or "test".</summary>
    public required string Split { get; set; }
    public int AisRuns { get; set; }
    /// <summary>K of an explicit sm schedule; null: search for a converged one (<see cref="AisTolerance"/>).</summary>
    public int? AisSteps { get; set; }
    /// <summary>With <see cref="AisSteps"/> null: converged when the last doubling moves the mean by less than this (nats).</summary>
    public double? AisTolerance { get; set; }
    public int AccSamples { get; set; }
    /// <summary>Below 2^53 (a JavaScript client reads it back exactly).</summary>
    public long Seed { get; set; }
    /// <summary>One of <see cref="Hosting.WorkStates"/>: queued (new, or released at a shutdown: then measured again from the start), running, succeeded, failed, cancelled (the model's manifest left as it was).</summary>
    public required string State { get; set; }
    /// <summary>Share done, in [0, 1].</summary>
    public double Progress { get; set; }
    public double? LogLikelihood { get; set; }
    public double? StandardError { get; set; }
    public double? Accuracy { get; set; }
    public double? AccuracyDeterministic { get; set; }
    public double? BaselineAccuracy { get; set; }
    public double? BaselineLogLikelihood { get; set; }
    /// <summary>Why <see cref="BaselineLogLikelihood"/> is missing, when it is.</summary>
    public string? BaselineNote { get; set; }
    /// <summary>The schedule used, in words (with a search: how many steps ended at each K).</summary>
    public string? AisSchedule { get; set; }
    /// <summary>The largest K used.</summary>
    public int? AisTransitions { get; set; }
    /// <summary>Null for an explicit schedule (not checked).</summary>
    public bool? AisConverged { get; set; }
    /// <summary>The log-likelihood's move on the last doubling (a search only).</summary>
    public double? AisShift { get; set; }
    public int? Sequences { get; set; }
    public long? Steps { get; set; }
    public double? Seconds { get; set; }
    public double? Gflops { get; set; }
    public string? Backend { get; set; }
    public string? Error { get; set; }
    public bool CancelRequested { get; set; }
    public string? JobId { get; set; }
    /// <summary>The process measuring it now and when it last said so.</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseHeartbeatUtc { get; set; }
    public DateTimeOffset CreatedUtc { get; set; }
    public DateTimeOffset? StartedUtc { get; set; }
    public DateTimeOffset? FinishedUtc { get; set; }
    /// <summary>Optimistic concurrency token: bumped by every write of a runner.</summary>
    public long Version { get; set; }
}
