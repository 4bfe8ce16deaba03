using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;

namespace RnnRbm.Api.Progress;

/// <summary>Settings of the progress hub (section <c>RnnRbm:Progress</c>).</summary>
public sealed class ProgressOptions
{
    public const string Section = "RnnRbm:Progress";

    /// <summary>How often the followed trainings' rows are read.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// Reads the followed trainings from the database every <see cref="ProgressOptions.PollInterval"/> and pushes each
/// changed one to its group. Reading the database, rather than listening to the trainer, is what makes this work
/// whichever process (or machine) runs the training: the row is the only thing they share.
/// </summary>
internal sealed class ProgressPoller(
    IServiceScopeFactory scopes,
    IHubContext<ProgressHub> hub,
    ProgressSubscriptions subscriptions,
    IOptions<ProgressOptions> options,
    IOptions<RnnRbmOptions> work,
    ILogger<ProgressPoller> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PollOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A locked or briefly unreachable database must not end the live pages for good: try again next tick.
                log.LogWarning(ex, "Reading training progress failed; retrying");
            }
        }
    }

    internal async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Guid> followed = subscriptions.Followed();
        if (followed.Count == 0)
        {
            return;
        }
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        List<TrainingEntity> rows = await db.Trainings.AsNoTracking().Where(t => followed.Contains(t.Id))
            .Select(TrainingsApi.WithoutCheckpoint).ToListAsync(cancellationToken);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach (TrainingEntity row in rows)
        {
            // Every write of progress bumps Version: an unchanged version is an unchanged training, unless its worker
            // went silent (stalled is shown, never written: compare the state shown).
            TrainingResponse response = TrainingsApi.ToResponse(row, now, work.Value.StalledAfter);
            if (!subscriptions.Changed(row.Id, row.Version, response.State))
            {
                continue;
            }
            // The same response as GET /api/trainings/{id}, from the same code: the page and the API never disagree.
            await hub.Clients.Group(ProgressHub.Group(row.Id)).SendAsync(ProgressHub.ProgressMessage, response, cancellationToken);
        }
    }
}
