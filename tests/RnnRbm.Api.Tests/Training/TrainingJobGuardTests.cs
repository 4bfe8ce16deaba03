using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;
using static RnnRbm.Api.Tests.Training.TrainingTestKit;

namespace RnnRbm.Api.Tests.Training;

/// <summary>The job's guards: a second runner, in this process or another, never records an epoch twice.</summary>
[Collection(TrainingTestGroup.Name)]
public class TrainingJobGuardTests
{
    private static readonly Dictionary<string, string?> NoWorker = new() { ["RnnRbm:TrainingWorkers"] = "0" };

    [Fact]
    public async Task TwoProcessesRunningTheSameJob_RecordEachEpochOnce_AndMakeOneModel()
    {
        using var first = new RnnRbmAppFactory(NoWorker);
        using var second = new RnnRbmAppFactory(NoWorker, dataFolder: first.DataFolder);
        using HttpClient client = first.CreateClient();
        _ = second.Services;
        Guid corpus = await AddCorpusAsync(first, train: 4, valid: 1);
        Guid id = (await StartAsync(client, Tiny(corpus, epochs: 4))).Id;

        await Task.WhenAll(
            first.Services.GetRequiredService<WorkJob>().RunAsync(TrainingRun.Kind, id, CancellationToken.None),
            second.Services.GetRequiredService<WorkJob>().RunAsync(TrainingRun.Kind, id, CancellationToken.None),
            first.Services.GetRequiredService<WorkJob>().RunAsync(TrainingRun.Kind, id, CancellationToken.None));

        TrainingResponse done = await GetAsync(client, id);
        Assert.Equal(WorkStates.Succeeded, done.State);
        Assert.Equal([1, 2, 3, 4], done.History.Select(e => e.Epoch));
        using IServiceScope scope = first.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        Assert.Equal(1, await db.Models.CountAsync(m => m.TrainingId == id));

        // Run once more after the end (Hangfire may): nothing changes.
        long version = Row(first, id).Version;
        await second.Services.GetRequiredService<WorkJob>().RunAsync(TrainingRun.Kind, id, CancellationToken.None);
        Assert.Equal(version, Row(first, id).Version);
    }

    [Fact]
    public async Task SupersededRunner_StopsWithoutWritingAgain()
    {
        using var app = new RnnRbmAppFactory(NoWorker);
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 4, valid: 0);
        Guid id = (await StartAsync(client, Tiny(corpus, epochs: 10000) with { Patience = 0 })).Id;
        Task run = app.Services.GetRequiredService<WorkJob>().RunAsync(TrainingRun.Kind, id, CancellationToken.None);
        await WaitForAsync(client, id, t => t.Epoch >= 1);

        // Another runner takes the training over: it writes a newer Version and a fresh heartbeat.
        using (IServiceScope scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
            DateTimeOffset now = DateTimeOffset.UtcNow;
            await db.Trainings.Where(t => t.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Version, t => t.Version + 1000)
                .SetProperty(t => t.LeaseOwner, "another-process")
                .SetProperty(t => t.LeaseHeartbeatUtc, now));
        }
        TrainingEntity taken = Row(app, id);

        // The superseded runner notices and ends by itself (the wait only bounds a hang). Its run has ended and its
        // progress writer with it (a run stops and awaits its writer before it ends): nothing of it can write later.
        await run.WaitAsync(TimeSpan.FromSeconds(60));
        TrainingEntity after = Row(app, id);
        Assert.Equal(taken.Version, after.Version);
        Assert.Equal(taken.EpochsCompleted, after.EpochsCompleted);
        Assert.Equal(taken.HistoryJson, after.HistoryJson);
        Assert.Equal("another-process", after.LeaseOwner);
        Assert.Equal(WorkStates.Running, after.State);
        Assert.Null(after.ModelId);
    }
}
