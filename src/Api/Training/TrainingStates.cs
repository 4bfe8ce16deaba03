namespace RnnRbm.Api.Training;

/// <summary>The states of a training (TrainingEntity.State).</summary>
public static class TrainingStates
{
    /// <summary>Waiting for a worker: new, or released at a shutdown and waiting to resume from its checkpoint.</summary>
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinished(string state) => state is Succeeded or Failed or Cancelled;
}

/// <summary>
/// The lease a worker holds on a training while it runs it: <c>LeaseOwner</c> names the worker process instance,
/// <c>LeaseHeartbeatUtc</c> says it is alive. A heartbeat older than <see cref="Timeout"/> means the owner is gone.
/// </summary>
public static class TrainingLease
{
    /// <summary>How often a worker looks for a cancel request and records progress.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest a running worker goes without renewing its heartbeat.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>A lease whose heartbeat is older than this is free to take: its owner died (several heartbeats missed).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>How often <see cref="TrainingRecovery"/> looks for trainings without a live worker.</summary>
    public static readonly TimeSpan RecoveryInterval = TimeSpan.FromSeconds(10);

    public static bool IsFresh(DateTimeOffset? heartbeat, DateTimeOffset now) => heartbeat is { } h && now - h < Timeout;
}

/// <summary>This process's name as a lease owner: unique per app instance (two test hosts in one process differ).</summary>
public sealed class TrainingWorkerIdentity
{
    public string Id { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
}
