using RnnRbm.Api.Jobs;

namespace RnnRbm.Api.Storage;

// Every piece of state lives in the database (MIDI bytes, models, checkpoints, metrics), so that
// several processes can share it (issue 5) and a restarted process finds everything where it was.

/// <summary>An uploaded corpus: its files and what was found in them.</summary>
public sealed class CorpusEntity
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedUtc { get; set; }
    /// <summary>"archive" when a zip's train/valid/test folders set the split, "seeded" otherwise.</summary>
    public required string SplitSource { get; set; }
    /// <summary>Statistics over the accepted files (JSON of <c>Corpora.CorpusStatistics</c>).</summary>
    public required string StatisticsJson { get; set; }
    public List<CorpusFileEntity> Files { get; set; } = [];
}

/// <summary>One uploaded file: its bytes if accepted, the reason if rejected.</summary>
public sealed class CorpusFileEntity
{
    public Guid Id { get; set; }
    public Guid CorpusId { get; set; }
    /// <summary>The client's name, for display only: never used as a path.</summary>
    public required string FileName { get; set; }
    /// <summary>"train", "valid" or "test".</summary>
    public required string Split { get; set; }
    public bool Accepted { get; set; }
    public string? Reason { get; set; }
    public byte[]? Bytes { get; set; }
    /// <summary>SHA-256 of <see cref="Bytes"/> (<see cref="ContentHash"/>), when accepted: finds the same file in other corpora.</summary>
    public string? ContentSha256 { get; set; }
    /// <summary>Per-file statistics (JSON), when accepted.</summary>
    public string? StatsJson { get; set; }
}

/// <summary>A training run and its progress; <see cref="Version"/> guards against stale writers.</summary>
public sealed class TrainingEntity : IBackgroundWork
{
    public Guid Id { get; set; }
    public Guid CorpusId { get; set; }
    /// <summary>queued, running, succeeded, failed, cancelled.</summary>
    public required string State { get; set; }
    /// <summary>The resolved request (JSON): grid, range, sizes, hyperparameters, seed.</summary>
    public required string SettingsJson { get; set; }
    public int Epochs { get; set; }
    public int EpochsCompleted { get; set; }
    /// <summary>Per-epoch monitor on train and valid, seconds, frames/s (JSON array).</summary>
    public string HistoryJson { get; set; } = "[]";

    /// <summary>Early stopping's state and decisions (Core's StoppingInfo as JSON); null before the first epoch.</summary>
    public string? StoppingJson { get; set; }
    /// <summary>A model file (with its checkpoint section) as of the last completed epoch.</summary>
    public byte[]? Checkpoint { get; set; }
    public bool CancelRequested { get; set; }
    public string? Error { get; set; }
    public string? Backend { get; set; }
    public string? JobId { get; set; }
    /// <summary>The process running it now and when it last said so.</summary>
    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseHeartbeatUtc { get; set; }
    /// <summary>Frames learned so far in the epoch in flight, and its total, for progress and ETA.</summary>
    public long EpochFramesDone { get; set; }
    public long EpochFramesTotal { get; set; }
    public Guid? ModelId { get; set; }
    public DateTimeOffset CreatedUtc { get; set; }
    public DateTimeOffset? StartedUtc { get; set; }
    public DateTimeOffset? FinishedUtc { get; set; }
    /// <summary>Optimistic concurrency token: bumped by every write of progress.</summary>
    public long Version { get; set; }
}

/// <summary>
/// One completed epoch of a training and the worker that completed it, written in the same guarded write as the
/// epoch's checkpoint: which node ran what, and (its key) proof that no epoch was recorded twice.
/// </summary>
public sealed class TrainingEpochEntity
{
    public Guid TrainingId { get; set; }
    /// <summary>1-based, as in the history.</summary>
    public int Epoch { get; set; }
    /// <summary>The worker that completed it (host/process/instance, <see cref="Hosting.WorkerIdentity"/>).</summary>
    public required string Worker { get; set; }
    public DateTimeOffset CompletedUtc { get; set; }
}

/// <summary>A model: the model file's bytes and its manifest for querying.</summary>
public sealed class ModelEntity
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedUtc { get; set; }
    public required byte[] File { get; set; }
    /// <summary>SHA-256 of <see cref="File"/> (<see cref="ContentHash"/>), kept with it: finds an import of the same file.</summary>
    public string? ContentSha256 { get; set; }
    public required string ManifestJson { get; set; }
    public Guid? TrainingId { get; set; }
    public Guid? CorpusId { get; set; }
    /// <summary>"training", "import" or "bundled".</summary>
    public required string Origin { get; set; }
}

/// <summary>A generation request that was served, to list, regenerate or vary.</summary>
public sealed class GenerationEntity
{
    public Guid Id { get; set; }
    public Guid ModelId { get; set; }
    public DateTimeOffset CreatedUtc { get; set; }
    /// <summary>The request with its seed resolved (JSON).</summary>
    public required string RequestJson { get; set; }
    public int Steps { get; set; }
    public int Notes { get; set; }
    /// <summary>
    /// The piece as served (the json view, gzip-compressed; <see cref="Generation.StoredPiece"/>), so its MIDI, PNG and
    /// audio views render without sampling again. Null for generations recorded before pieces were kept.
    /// </summary>
    public byte[]? Piece { get; set; }
}
