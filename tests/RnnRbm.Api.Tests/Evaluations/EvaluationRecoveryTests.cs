using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RnnRbm.Api.Evaluations;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Tests.Training;
using RnnRbm.Core.Model;
using static RnnRbm.Api.Tests.Evaluations.EvaluationTestKit;

namespace RnnRbm.Api.Tests.Evaluations;

/// <summary>A crashed worker's evaluation is measured again, by one runner at a time, and written once.</summary>
[Collection(TrainingTestGroup.Name)]
public class EvaluationRecoveryTests
{
    [Fact]
    public async Task Start_MeasuresAgainAnEvaluationWhoseWorkerDied_AfterItsLeaseExpired_WithTheSameResult()
    {
        using var temp = new TempFolder("rnnrbm-eval-recovery-");
        string folder = temp.Path;
        Guid model, corpus, id;
        using (var a = new RnnRbmAppFactory(WebNode, dataFolder: folder))
        {
            using HttpClient client = a.CreateClient();
            model = await AddTinyModelAsync(a);
            corpus = await AddCorpusAsync(a);
            id = (await StartAsync(client, Quick(model, corpus, seed: 11))).Id;
            // As a process killed mid-run leaves it: running, leased by an owner silent for minutes, its job lost.
            DateTimeOffset then = DateTimeOffset.UtcNow.AddMinutes(-5);
            await UpdateRowAsync(a, id, s => s
                .SetProperty(e => e.State, WorkStates.Running)
                .SetProperty(e => e.Progress, 0.4)
                .SetProperty(e => e.LeaseOwner, "dead-host/1/0")
                .SetProperty(e => e.LeaseHeartbeatUtc, then)
                .SetProperty(e => e.StartedUtc, then)
                .SetProperty(e => e.JobId, (string?)null));
        }

        using var b = new RnnRbmAppFactory(dataFolder: folder);
        using HttpClient clientB = b.CreateClient();
        EvaluationResponse recovered = await WaitUntilFinishedAsync(clientB, id, timeoutSeconds: 60);
        Assert.True(recovered.State == WorkStates.Succeeded, $"{recovered.State}: {recovered.Error}");
        Assert.Null(Row(b, id).LeaseOwner);

        // Measured from the start: the same as an uninterrupted evaluation with that seed, to the last bit.
        EvaluationResponse straight = await WaitUntilFinishedAsync(clientB, (await StartAsync(clientB, Quick(model, corpus, seed: 11))).Id);
        Assert.Equal(WorkStates.Succeeded, straight.State);
        Assert.Equal(straight.LogLikelihood, recovered.LogLikelihood);
        Assert.Equal(straight.StandardError, recovered.StandardError);
        Assert.Equal(straight.Accuracy, recovered.Accuracy);
    }

    [Fact]
    public async Task GracefulStop_HandsARunningEvaluationBack_AndHangfireRunsItsJobAgainOnTheNextStart()
    {
        using var temp = new TempFolder("rnnrbm-eval-release-");
        string folder = temp.Path;
        Guid model, id;
        string? firstJob;
        using (var a = new RnnRbmAppFactory(dataFolder: folder))
        {
            using HttpClient client = a.CreateClient();
            model = await AddTinyModelAsync(a);
            Guid corpus = await AddCorpusAsync(a);
            id = (await StartAsync(client, Endless(model, corpus))).Id;
            await WaitForAsync(client, id, e => e.State == WorkStates.Running && e.Progress > 0, timeoutSeconds: 60);
            firstJob = Row(a, id).JobId;
        } // graceful stop: the worker stops within one AIS transition and hands the evaluation back

        using var b = new RnnRbmAppFactory(WebNode, dataFolder: folder);
        using HttpClient clientB = b.CreateClient();
        EvaluationResponse released = await GetAsync(clientB, id);
        Assert.Equal(WorkStates.Queued, released.State);
        Assert.Equal(0, released.Progress); // it is measured again from the start
        Assert.Null(released.Error);
        Assert.Null(Row(b, id).LeaseOwner);
        Assert.Empty(JsonSerializer.Deserialize<ModelManifest>(ModelRow(b, model).ManifestJson, ModelFile.JsonOptions)!.Metrics);

        b.Dispose();

        // Hangfire re-queued the same job at the shutdown: the next node with a worker runs it, from the start.
        using var c = new RnnRbmAppFactory(dataFolder: folder);
        using HttpClient clientC = c.CreateClient();
        await WaitForAsync(clientC, id, e => e.State == WorkStates.Running && e.Progress > 0, timeoutSeconds: 60);
        Assert.Equal(firstJob, Row(c, id).JobId); // Hangfire's own re-queue, not a recovery
        using HttpResponseMessage cancel = await clientC.PostAsync(new Uri($"/api/evaluations/{id}/cancel", UriKind.Relative), null);
        Assert.Equal(WorkStates.Cancelled, (await WaitUntilFinishedAsync(clientC, id, timeoutSeconds: 10)).State);
    }

    [Fact]
    public async Task AFreshHeartbeatOfAnotherWorker_IsLeftAlone_ByRecoveryAndByASecondJob()
    {
        using var app = new RnnRbmAppFactory(WebNode);
        using HttpClient client = app.CreateClient();
        Guid model = await AddTinyModelAsync(app);
        Guid corpus = await AddCorpusAsync(app);
        Guid id = (await StartAsync(client, Quick(model, corpus))).Id;
        await UpdateRowAsync(app, id, s => s
            .SetProperty(e => e.State, WorkStates.Running)
            .SetProperty(e => e.LeaseOwner, "live-host/2/0")
            .SetProperty(e => e.LeaseHeartbeatUtc, DateTimeOffset.UtcNow)
            .SetProperty(e => e.JobId, (string?)null));
        EvaluationEntity held = Row(app, id);

        await app.Services.GetServices<IHostedService>().OfType<WorkRecovery>().Single().SweepAsync(CancellationToken.None);
        app.Services.GetRequiredService<WorkJob>().Run(EvaluationRun.Kind, id, CancellationToken.None);

        EvaluationEntity after = Row(app, id);
        Assert.Null(after.JobId); // not enqueued again
        Assert.Equal(held.Version, after.Version); // not written
        Assert.Equal("live-host/2/0", after.LeaseOwner);
        Assert.Equal(WorkStates.Running, after.State);
    }

    [Fact]
    public async Task SupersededRunner_StopsWithoutWriting_AndLeavesTheManifestAlone()
    {
        using var app = new RnnRbmAppFactory(WebNode);
        using HttpClient client = app.CreateClient();
        Guid model = await AddTinyModelAsync(app);
        Guid corpus = await AddCorpusAsync(app);
        string manifest = ModelRow(app, model).ManifestJson;
        Guid id = (await StartAsync(client, Endless(model, corpus))).Id;
        Task run = app.Services.GetRequiredService<WorkJob>().RunAsync(EvaluationRun.Kind, id, CancellationToken.None);
        await WaitForAsync(client, id, e => e.State == WorkStates.Running, timeoutSeconds: 60);

        // Another runner takes the evaluation over (its worker was silent, say): a newer Version, a fresh heartbeat.
        await UpdateRowAsync(app, id, s => s
            .SetProperty(e => e.Version, e => e.Version + 1000)
            .SetProperty(e => e.LeaseOwner, "another-process")
            .SetProperty(e => e.LeaseHeartbeatUtc, DateTimeOffset.UtcNow));
        EvaluationEntity taken = Row(app, id);

        // The superseded runner notices and ends by itself (the wait only bounds a hang). Its run has ended and its
        // progress writer with it (a run stops and awaits its writer before it ends): nothing of it can write later.
        await run.WaitAsync(TimeSpan.FromSeconds(60));
        EvaluationEntity after = Row(app, id);
        Assert.Equal(taken.Version, after.Version);
        Assert.Equal("another-process", after.LeaseOwner);
        Assert.Equal(WorkStates.Running, after.State);
        Assert.Null(after.LogLikelihood);
        Assert.Equal(manifest, ModelRow(app, model).ManifestJson);
    }
}
