namespace RnnRbm.Api.Jobs;

/// <summary>
/// A row of background work (a training, an evaluation): what <see cref="WorkRun{TEntity}"/>, <see cref="WorkRecovery"/>
/// and <see cref="BackgroundWork"/> read and write of it. Everything else of the row belongs to its feature.
/// </summary>
public interface IBackgroundWork
{
    Guid Id { get; }

    /// <summary>One of <see cref="Hosting.WorkStates"/> (never <c>stalled</c>, which is only shown).</summary>
    string State { get; set; }

    /// <summary>Set by a cancel request (any node) before it deletes the Hangfire job; never written by a runner.</summary>
    bool CancelRequested { get; set; }

    /// <summary>Why it failed, when it did.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716:Identifiers should not match keywords",
        Justification = "The entities' column and the API's field are named Error; no VB client implements this interface.")]
    string? Error { get; set; }

    string? Backend { get; set; }

    /// <summary>The Hangfire job that runs it now (written by whoever enqueues it, never by a runner).</summary>
    string? JobId { get; set; }

    /// <summary>
    /// The worker running it (<see cref="Hosting.WorkerIdentity"/>) and its heartbeat: the column names are from the
    /// lease this once was. Hangfire decides who runs it; these only say who does and whether it still lives.
    /// </summary>
    string? LeaseOwner { get; set; }

    DateTimeOffset? LeaseHeartbeatUtc { get; set; }

    DateTimeOffset CreatedUtc { get; set; }

    DateTimeOffset? StartedUtc { get; set; }

    DateTimeOffset? FinishedUtc { get; set; }

    /// <summary>Optimistic concurrency token: every write of a runner is guarded by it and bumps it.</summary>
    long Version { get; set; }
}
