using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Jobs;

/// <summary>
/// Gives work whose worker is lost to another, ahead of new work: a running row whose heartbeat is older than
/// <see cref="RnnRbmOptions.TakeoverDelay"/> has its Hangfire job deleted (only if still processing: of several nodes
/// sweeping, one wins) and a new one enqueued on <see cref="WorkKinds.RecoveredQueue"/>, which every server serves
/// first. A queued row left without a live job (its enqueue failed) is enqueued there too. Runs on every node, at start
/// (before this node's server takes work) and every third of the takeover delay.
/// </summary>
/// <remarks>
/// Why not Hangfire alone: on PostgreSQL a dead worker's job does come back (sliding invisibility), but only after
/// <c>JobInvisibilityTimeout</c> and behind every new job (its fetch takes never-fetched jobs first); on SQLite
/// (no sliding invisibility, the timeout set above any job) it would come back after days.
/// </remarks>
internal sealed class WorkRecovery(
    IServiceScopeFactory scopes,
    WorkKinds kinds,
    IServiceProvider services,
    IOptions<RnnRbmOptions> options,
    ILogger<WorkRecovery> log) : BackgroundService
{
    private JobStorage Storage => services.GetRequiredService<JobStorage>();

    private BackgroundWork Queue => services.GetRequiredService<BackgroundWork>();

    private IBackgroundJobClient Jobs => services.GetRequiredService<IBackgroundJobClient>();

    private TimeSpan Interval => options.Value.TakeoverDelay / 3;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Hangfire keeps process-wide state (its log provider, cached filter attributes: AutomaticRetry takes a logger
        // when built) that each host's configuration overwrites. Build the job client and the job's filters now, while
        // this host's are current, so that a later host's disposal (several hosts share a test process) cannot break them.
        _ = Jobs;
        _ = JobFilterProviders.Providers.GetFilters(Job.FromExpression<WorkJob>(job => job.RunAsync("", Guid.Empty, CancellationToken.None)));
        await SweepSafelyAsync(cancellationToken); // before this node's server (registered after) fetches new work
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SweepSafelyAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "A failed sweep (a busy database) is tried again at the next tick; it must not stop the host.")]
    private async Task SweepSafelyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SweepAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogWarning(ex, "Recovery failed; it tries again in {Interval}.", Interval);
        }
    }

    internal async Task SweepAsync(CancellationToken cancellationToken)
    {
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        TimeSpan takeover = options.Value.TakeoverDelay;
        foreach (WorkKind kind in kinds.All)
        {
            List<WorkRow> rows = await kind.Active(db, cancellationToken);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            foreach (WorkRow row in rows)
            {
                string? job = JobState(row.JobId);
                bool waiting = job == EnqueuedState.StateName || job == ScheduledState.StateName || job == AwaitingState.StateName;
                bool lost;
                if (row.State == WorkStates.Running)
                {
                    bool silent = row.Heartbeat is not { } beat || now - beat >= takeover;
                    lost = silent && !waiting && (job != ProcessingState.StateName
                        // Take the job from the silent worker: of several nodes sweeping, one wins this state change.
                        || Jobs.ChangeState(row.JobId!, new DeletedState(), ProcessingState.StateName));
                }
                else
                {
                    // Queued: waiting, or handed back at a shutdown and re-queued (processing), is fine; so is a row whose
                    // endpoint is enqueuing it right now. Without a live job otherwise (its enqueue failed, say).
                    lost = !waiting && job != ProcessingState.StateName && (row.JobId is not null || now - row.CreatedUtc >= takeover);
                }
                if (!lost)
                {
                    continue;
                }
                string jobId = Queue.Enqueue(kind.Name, row.Id, kind.RecoveredQueue);
                await kind.SetJobId(db, row.Id, jobId, cancellationToken);
                log.LogWarning("Recovery: {Kind} {Id} was {State} with no live worker ({Worker}, heartbeat {Heartbeat:O}; job {OldJob} {JobState}); enqueued job {JobId} ahead of new work.",
                    kind.Name, row.Id, row.State, row.Worker ?? "none", row.Heartbeat, row.JobId ?? "none", job ?? "unknown", jobId);
            }
        }
    }

    private string? JobState(string? jobId)
    {
        if (jobId is null)
        {
            return null;
        }
        using Hangfire.Storage.IStorageConnection connection = Storage.GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }
}
