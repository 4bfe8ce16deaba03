using System.ComponentModel.DataAnnotations.Schema;

namespace RnnRbm.Api.Evaluations;

/// <summary>An evaluation of a model on a corpus split: its settings, where it stands, and what it measured.</summary>
[Table("evaluations")]
public sealed class EvaluationEntity
{
    public Guid Id { get; set; }
    public Guid ModelId { get; set; }
    public Guid CorpusId { get; set; }
    /// <summary>"train", "valid" or "test".</summary>
    public required string Split { get; set; }
    public int AisRuns { get; set; }
    public int AisSteps { get; set; }
    public int AccSamples { get; set; }
    /// <summary>Below 2^53 (a JavaScript client reads it back exactly).</summary>
    public long Seed { get; set; }
    /// <summary>queued, running, succeeded, failed.</summary>
    public required string State { get; set; }
    /// <summary>Share done, in [0, 1].</summary>
    public double Progress { get; set; }
    public double? LogLikelihood { get; set; }
    public double? StandardError { get; set; }
    public double? Accuracy { get; set; }
    public int? Sequences { get; set; }
    public long? Steps { get; set; }
    public double? Seconds { get; set; }
    public double? Gflops { get; set; }
    public string? Backend { get; set; }
    public string? Error { get; set; }
    public string? JobId { get; set; }
    public DateTimeOffset CreatedUtc { get; set; }
    public DateTimeOffset? StartedUtc { get; set; }
    public DateTimeOffset? FinishedUtc { get; set; }
}

/// <summary>The values of <see cref="EvaluationEntity.State"/>.</summary>
public static class EvaluationStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public static bool IsFinished(string state) => state is Succeeded or Failed;
}
