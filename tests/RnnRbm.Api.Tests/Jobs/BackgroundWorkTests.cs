using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RnnRbm.Api.Evaluations;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Searches;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Tests.Training;
using RnnRbm.Api.Training;
using static RnnRbm.Api.Tests.Training.TrainingTestKit;
using EvaluationKit = RnnRbm.Api.Tests.Evaluations.EvaluationTestKit;

namespace RnnRbm.Api.Tests.Jobs;

/// <summary>
/// The job system's promises beyond one kind (issue 11): a lost worker shows as stalled and is taken over after the
/// configured delay, ahead of new work; a node runs no more CPU-bound jobs than its budget, trainings and evaluations
/// together.
/// </summary>
[Collection(TrainingTestGroup.Name)]
public class BackgroundWorkTests
{
    [Fact]
    public async Task SilentWorker_ShowsStalledAfterHalfTheTakeoverDelay_AndIsTakenOverOnlyAfterTheDelay()
    {
        // A web node (no server: nothing runs the work) with a takeover delay of ten minutes: stalled after five.
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:Role"] = "web", ["RnnRbm:TakeoverDelay"] = "00:10:00" });
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 1, valid: 0);
        Guid id = (await StartAsync(client, Tiny(corpus, epochs: 5))).Id;
        string job = Row(app, id).JobId!;
        MarkProcessingOnADeadServer(app, job);
        WorkRecovery recovery = app.Services.GetServices<IHostedService>().OfType<WorkRecovery>().Single();

        await SetWorkerAsync(app, id, "live-host/2/0", DateTimeOffset.UtcNow.AddMinutes(-4));
        TrainingResponse running = await GetAsync(client, id);
        Assert.Equal(WorkStates.Running, running.State);

        await SetWorkerAsync(app, id, "lost-host/3/0", DateTimeOffset.UtcNow.AddMinutes(-6));
        TrainingResponse stalled = await GetAsync(client, id);
        Assert.Equal(WorkStates.Stalled, stalled.State);
        Assert.Null(stalled.EtaSeconds); // no frozen ETA
        await recovery.SweepAsync(CancellationToken.None);
        Assert.Equal(job, Row(app, id).JobId); // stalled, but not yet taken over: the delay is ten minutes

        await SetWorkerAsync(app, id, "lost-host/3/0", DateTimeOffset.UtcNow.AddMinutes(-11));
        await recovery.SweepAsync(CancellationToken.None);
        TrainingEntity row = Row(app, id);
        Assert.NotEqual(job, row.JobId);
        using IStorageConnection connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        Assert.Equal(DeletedState.StateName, connection.GetStateData(job).Name); // taken from the lost worker
        StateData taken = connection.GetStateData(row.JobId!);
        Assert.Equal(EnqueuedState.StateName, taken.Name);
        Assert.Equal(WorkKinds.RecoveredQueue, taken.Data["Queue"]); // ahead of new work
    }

    [Fact]
    public async Task WorkOfALostWorker_RunsBeforeNewWork()
    {
        using var temp = new TempFolder("rnnrbm-recovered-first-");
        Guid lost, fresh;
        using (var a = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:Role"] = "web" }, dataFolder: temp.Path))
        {
            using HttpClient client = a.CreateClient();
            Guid corpus = await AddCorpusAsync(a, train: 2, valid: 0);
            lost = (await StartAsync(client, Tiny(corpus, epochs: 3, seed: 1))).Id;
            // As a worker that took the job and was killed leaves it: fetched, processing on a server that is gone,
            // the row running with a silent heartbeat.
            string job = Row(a, lost).JobId!;
            using IStorageConnection connection = a.Services.GetRequiredService<JobStorage>().GetConnection();
            using IFetchedJob fetched = connection.FetchNextJob([TrainingRun.Kind], CancellationToken.None);
            Assert.Equal(job, fetched.JobId);
            MarkProcessingOnADeadServer(a, job);
            await SetWorkerAsync(a, lost, "dead-host/1/0", DateTimeOffset.UtcNow.AddMinutes(-5));
            // New work, queued after it.
            fresh = (await StartAsync(client, Tiny(corpus, epochs: 3, seed: 2))).Id;
        }

        using var b = new RnnRbmAppFactory(dataFolder: temp.Path); // one worker: one job at a time
        using HttpClient clientB = b.CreateClient();
        TrainingResponse recovered = await WaitUntilFinishedAsync(clientB, lost);
        TrainingResponse next = await WaitUntilFinishedAsync(clientB, fresh);
        Assert.Equal(WorkStates.Succeeded, recovered.State);
        Assert.Equal(WorkStates.Succeeded, next.State);
        Assert.Equal([1, 2, 3], recovered.History.Select(e => e.Epoch));
        Assert.True(next.StartedUtc >= recovered.FinishedUtc,
            $"The new training started at {next.StartedUtc:O}, before the recovered one finished at {recovered.FinishedUtc:O}.");
    }

    [Fact]
    public async Task TrainingsAndEvaluations_ShareTheNodesBudget_OneServerOverBothQueues()
    {
        using var app = new RnnRbmAppFactory(); // RnnRbm:Workers defaults to 1
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 4, valid: 0);
        Guid model = await EvaluationKit.AddTinyModelAsync(app);
        Guid evalCorpus = await EvaluationKit.AddCorpusAsync(app);

        // The compute server (one worker: trainings, evaluations and search trials) and the coordination server (searches).
        var servers = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers();
        Assert.Equal(2, servers.Count);
        var server = Assert.Single(servers, s => s.Queues.Contains(WorkKinds.RecoveredQueue));
        Assert.Equal(1, server.WorkersCount);
        Assert.Equal([WorkKinds.RecoveredQueue, TrainingRun.Kind, EvaluationRun.Kind, SearchTrialRun.Kind], server.Queues);
        var coordination = Assert.Single(servers, s => s != server);
        Assert.Equal([SearchRun.Kind], coordination.Queues);
        Assert.Equal(JobsSetup.CoordinationWorkers, coordination.WorkersCount);

        Guid training = (await StartAsync(client, Tiny(corpus, epochs: 4))).Id;
        Guid evaluation = (await EvaluationKit.StartAsync(client, EvaluationKit.Quick(model, evalCorpus))).Id;
        TrainingResponse trained = await WaitUntilFinishedAsync(client, training);
        EvaluationResponse measured = await EvaluationKit.WaitUntilFinishedAsync(client, evaluation);
        Assert.Equal(WorkStates.Succeeded, trained.State);
        Assert.Equal(WorkStates.Succeeded, measured.State);
        // One after the other, never both at once.
        Assert.True(measured.StartedUtc >= trained.FinishedUtc || trained.StartedUtc >= measured.FinishedUtc,
            $"training {trained.StartedUtc:O}–{trained.FinishedUtc:O} overlaps evaluation {measured.StartedUtc:O}–{measured.FinishedUtc:O}.");
    }

    [Fact]
    public void ABudgetAboveTheCores_FailsAtStart()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:Workers"] = $"{Environment.ProcessorCount + 1}" });
        Exception error = Assert.ThrowsAny<Exception>(() => app.Services);
        Assert.Contains("cores", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Puts the job in the state a worker leaves it in when it takes it: processing, on a server (now gone).</summary>
    private static void MarkProcessingOnADeadServer(RnnRbmAppFactory app, string job)
    {
        // ProcessingState's constructor is Hangfire's own (a worker's): built here as that worker would.
        var processing = (ProcessingState)Activator.CreateInstance(typeof(ProcessingState),
            System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance, null, ["dead-server:1", "1"], null)!;
        Assert.True(app.Services.GetRequiredService<IBackgroundJobClient>().ChangeState(job, processing, EnqueuedState.StateName));
    }

    /// <summary>Makes the training look run by <paramref name="worker"/>, last heard of at <paramref name="heartbeat"/>.</summary>
    private static async Task SetWorkerAsync(RnnRbmAppFactory app, Guid id, string worker, DateTimeOffset heartbeat)
    {
        using IServiceScope scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        await db.Trainings.Where(t => t.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.State, WorkStates.Running)
            .SetProperty(t => t.LeaseOwner, worker)
            .SetProperty(t => t.LeaseHeartbeatUtc, heartbeat)
            .SetProperty(t => t.StartedUtc, heartbeat));
    }
}
