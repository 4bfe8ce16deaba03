namespace RnnRbm.Api.Hosting;

/// <summary>
/// A row of background work that one worker at a time runs under a lease: a training or an evaluation. The job that
/// runs it (<see cref="LeasedRun{TEntity}"/>), the recovery that requeues it (<see cref="LeaseRecovery{TEntity}"/>) and
/// the cancel endpoints work through these columns only.
/// </summary>
public interface ILeasedWork
{
    Guid Id { get; }

    /// <summary>One of <see cref="WorkStates"/>.</summary>
    string State { get; set; }

    /// <summary>Set by a cancel request (any process); never written by a runner.</summary>
    bool CancelRequested { get; set; }

    /// <summary>Why it failed, when it did.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716:Identifiers should not match keywords",
        Justification = "The entities' column and the API's field are named Error; no VB client implements this interface.")]
    string? Error { get; set; }

    string? Backend { get; set; }

    /// <summary>The Hangfire job last enqueued for it (informational: recovery reads it).</summary>
    string? JobId { get; set; }

    /// <summary>The process running it now (<see cref="WorkerIdentity"/>) and when it last said so.</summary>
    string? LeaseOwner { get; set; }

    DateTimeOffset? LeaseHeartbeatUtc { get; set; }

    DateTimeOffset? StartedUtc { get; set; }

    DateTimeOffset? FinishedUtc { get; set; }

    /// <summary>Optimistic concurrency token: every write of a runner is guarded by it and bumps it.</summary>
    long Version { get; set; }
}

/// <summary>The states of leased work (trainings and evaluations go through the same ones).</summary>
public static class WorkStates
{
    /// <summary>Waiting for a worker: new, or released at a shutdown.</summary>
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinished(string state) => state is Succeeded or Failed or Cancelled;
}

/// <summary>
/// The lease a worker holds on a piece of work while it runs it: <see cref="ILeasedWork.LeaseOwner"/> names the worker
/// process instance, <see cref="ILeasedWork.LeaseHeartbeatUtc"/> says it is alive. A heartbeat older than
/// <see cref="Timeout"/> means the owner is gone.
/// </summary>
public static class WorkLease
{
    /// <summary>How often a worker looks for a cancel request and records progress.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest a running worker goes without renewing its heartbeat.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>A lease whose heartbeat is older than this is free to take: its owner died (several heartbeats missed).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>How often recovery looks for work without a live worker.</summary>
    public static readonly TimeSpan RecoveryInterval = TimeSpan.FromSeconds(10);

    public static bool IsFresh(DateTimeOffset? heartbeat, DateTimeOffset now) => heartbeat is { } h && now - h < Timeout;
}

/// <summary>This process's name as a lease owner: unique per app instance (two test hosts in one process differ).</summary>
public sealed class WorkerIdentity
{
    public string Id { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
}
