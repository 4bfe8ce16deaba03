namespace RnnRbm.Api.Hosting;

/// <summary>The states of background work (trainings and evaluations go through the same ones).</summary>
public static class WorkStates
{
    /// <summary>Waiting for a worker: new, or handed back at a shutdown.</summary>
    public const string Queued = "queued";
    public const string Running = "running";

    /// <summary>
    /// Shown, never stored: the row says running, but its worker has been silent for longer than
    /// <see cref="RnnRbmOptions.StalledAfter"/> (worker lost, waiting for another, which takes it after
    /// <see cref="RnnRbmOptions.TakeoverDelay"/>).
    /// </summary>
    public const string Stalled = "stalled";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinished(string state) => state is Succeeded or Failed or Cancelled;

    /// <summary>What the API shows for a stored state: running turns stalled when the worker's heartbeat is too old.</summary>
    public static string Shown(string state, DateTimeOffset? heartbeat, DateTimeOffset now, TimeSpan stalledAfter) =>
        state == Running && (heartbeat is not { } beat || now - beat > stalledAfter) ? Stalled : state;
}

/// <summary>This process's name as a worker: unique per app instance (two test hosts in one process differ).</summary>
public sealed class WorkerIdentity
{
    public string Id { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
}
