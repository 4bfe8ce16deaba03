using Microsoft.AspNetCore.SignalR.Client;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Progress;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;
using static RnnRbm.ScaleOut.Tests.ScaleOutKit;

namespace RnnRbm.ScaleOut.Tests;

/// <summary>
/// Several processes of the real binary on one PostgreSQL database: a web node (API, no training) and worker nodes
/// (training, health only), as docker-compose.yml runs them.
/// </summary>
public class ScaleOutTests
{
    [PostgresFact]
    public async Task TwoWorkers_ShareOneDatabase_AndTheTrainingsSpreadOverBoth()
    {
        await using TestDatabase database = await TestDatabase.CreateAsync();
        await using NodeProcess web = await NodeProcess.StartAsync("web", database);
        await using NodeProcess a = await NodeProcess.StartAsync("worker", database);
        await using NodeProcess b = await NodeProcess.StartAsync("worker", database);
        Guid corpus = await AddCorpusAsync(database, train: 3);

        var ids = new List<Guid>();
        for (int i = 0; i < 4; i++)
        {
            ids.Add(await StartAsync(web.Client, Tiny(corpus, epochs: 3, seed: (ulong)i + 1)));
        }
        var workers = new HashSet<int>();
        foreach (Guid id in ids)
        {
            TrainingResponse done = await WaitForAsync(web.Client, id, t => WorkStates.IsFinished(t.State), 90, web, a, b);
            Assert.True(done.State == WorkStates.Succeeded, $"{done.State}: {done.Error}");
            Assert.Equal([1, 2, 3], done.History.Select(e => e.Epoch));
            workers.UnionWith((await EpochsAsync(database, id)).Select(e => PidOf(e.Worker)));
        }
        // Each worker takes one training at a time (RnnRbm:Workers = 1, trainings and evaluations together), so four queued at once must reach both;
        // the web node trains nothing.
        Assert.True(workers.SetEquals([a.Pid, b.Pid]), $"epochs ran on pids {string.Join(", ", workers)}; workers {a.Pid}, {b.Pid}; web {web.Pid}.");
    }

    [PostgresFact]
    public async Task KilledWorker_ItsTrainingCompletesOnTheOther_WithEachEpochOnce()
    {
        const int Epochs = 40; // enough that the kill lands mid-run even on a loaded machine
        await using TestDatabase database = await TestDatabase.CreateAsync();
        await using NodeProcess web = await NodeProcess.StartAsync("web", database);
        await using NodeProcess a = await NodeProcess.StartAsync("worker", database);
        await using NodeProcess b = await NodeProcess.StartAsync("worker", database);
        Guid corpus = await AddCorpusAsync(database, train: 4);

        Guid id = await StartAsync(web.Client, Tiny(corpus, epochs: Epochs));
        TrainingResponse running = await WaitForAsync(web.Client, id, t => t.Epoch >= 2 || WorkStates.IsFinished(t.State), 60, web, a, b);
        Assert.True(running.State == WorkStates.Running, $"The training should still run (else make epochs slower): {running.State}, epoch {running.Epoch}.");
        string owner = (await RowAsync(database, id)).LeaseOwner!;
        NodeProcess victim = PidOf(owner) == a.Pid ? a : b;
        NodeProcess survivor = victim == a ? b : a;
        Assert.Equal(victim.Pid, PidOf(owner));
        victim.Kill();
        int epochAtKill = (await RowAsync(database, id)).EpochsCompleted;

        // The web node shows it stalled (worker lost, waiting for another) before any takeover can happen: the first
        // state seen after running is stalled; had the survivor taken it over first, it would read running on to the
        // end, and the first other state would be succeeded (an order, not a stopwatch; the 60 s only bound a hang).
        TrainingResponse stalled = await WaitForAsync(web.Client, id, t => t.State != WorkStates.Running, 60, web, survivor, victim);
        Assert.Equal(WorkStates.Stalled, stalled.State);
        Assert.Null(stalled.EtaSeconds);

        // Recovery (on any node) moves it to the survivor once the dead worker has been silent for the takeover delay.
        TrainingResponse done = await WaitForAsync(web.Client, id, t => WorkStates.IsFinished(t.State), 120, web, survivor, victim);
        Assert.True(done.State == WorkStates.Succeeded, $"{done.State}: {done.Error}\n{survivor.Output()}");
        Assert.Equal(Enumerable.Range(1, Epochs), done.History.Select(e => e.Epoch));
        Assert.NotNull(done.ModelId);

        List<Api.Storage.TrainingEpochEntity> epochs = await EpochsAsync(database, id);
        Assert.Equal(Enumerable.Range(1, Epochs), epochs.Select(e => e.Epoch));
        // Every epoch the victim completed before it died was kept; the survivor ran the rest, none twice.
        Assert.All(epochs.Where(e => e.Epoch <= epochAtKill), e => Assert.Equal(victim.Pid, PidOf(e.Worker)));
        Assert.All(epochs.Where(e => e.Epoch > epochAtKill), e => Assert.Equal(survivor.Pid, PidOf(e.Worker)));
        Assert.InRange(epochAtKill, 2, Epochs - 1);
        // The epochs before the kill keep the wall times the victim measured (they were not run again).
        Assert.Equal(running.History.Select(e => e.Seconds), done.History.Take(running.History.Count).Select(e => e.Seconds));
    }

    [PostgresFact]
    public async Task StoppedWorker_HandsItsTrainingBack_AndHangfireGivesTheSameJobToTheOther()
    {
        const int Epochs = 40;
        await using TestDatabase database = await TestDatabase.CreateAsync();
        await using NodeProcess web = await NodeProcess.StartAsync("web", database);
        await using NodeProcess a = await NodeProcess.StartAsync("worker", database);
        await using NodeProcess b = await NodeProcess.StartAsync("worker", database);
        Guid corpus = await AddCorpusAsync(database, train: 4);

        Guid id = await StartAsync(web.Client, Tiny(corpus, epochs: Epochs));
        await WaitForAsync(web.Client, id, t => t.Epoch >= 2 || WorkStates.IsFinished(t.State), 60, web, a, b);
        TrainingEntity before = await RowAsync(database, id);
        Assert.Equal(WorkStates.Running, before.State);
        NodeProcess stopped = PidOf(before.LeaseOwner!) == a.Pid ? a : b;
        NodeProcess other = stopped == a ? b : a;
        Assert.Equal(0, stopped.Terminate(TimeSpan.FromSeconds(30))); // SIGTERM: a graceful stop
        int epochAtStop = (await EpochsAsync(database, id)).Count;

        TrainingResponse done = await WaitForAsync(web.Client, id, t => WorkStates.IsFinished(t.State), 180, web, other, stopped);
        Assert.True(done.State == WorkStates.Succeeded, $"{done.State}: {done.Error}\n{other.Output()}");
        List<TrainingEpochEntity> epochs = await EpochsAsync(database, id);
        Assert.Equal(Enumerable.Range(1, Epochs), epochs.Select(e => e.Epoch));
        Assert.InRange(epochAtStop, 2, Epochs - 1);
        Assert.All(epochs.Where(e => e.Epoch <= epochAtStop), e => Assert.Equal(stopped.Pid, PidOf(e.Worker)));
        Assert.All(epochs.Where(e => e.Epoch > epochAtStop), e => Assert.Equal(other.Pid, PidOf(e.Worker)));
        // Handed back through Hangfire: the job the stopped worker re-queued is the one the other ran, no recovery needed.
        Assert.Equal(before.JobId, (await RowAsync(database, id)).JobId);
    }

    [PostgresFact]
    public async Task KilledWorker_ItsTrainingRunsBeforeNewWork_OnTheNextFreeWorker()
    {
        await using TestDatabase database = await TestDatabase.CreateAsync();
        await using NodeProcess web = await NodeProcess.StartAsync("web", database);
        await using NodeProcess a = await NodeProcess.StartAsync("worker", database);
        await using NodeProcess b = await NodeProcess.StartAsync("worker", database);
        Guid corpus = await AddCorpusAsync(database, train: 4);

        // Both workers busy (one training each), then new work waits in the queue. The lost training is long enough
        // (100 tiny epochs) to be still running when the other has started, however slowly the second worker starts.
        Guid lost = await StartAsync(web.Client, Tiny(corpus, epochs: 100, seed: 1));
        Guid busy = await StartAsync(web.Client, Tiny(corpus, epochs: 10000, seed: 2));
        await WaitForAsync(web.Client, lost, t => t.Epoch >= 1 || WorkStates.IsFinished(t.State), 60, web, a, b);
        await WaitForAsync(web.Client, busy, t => t.Epoch >= 1 || WorkStates.IsFinished(t.State), 60, web, a, b);
        Guid fresh = await StartAsync(web.Client, Tiny(corpus, epochs: 2, seed: 3));
        TrainingEntity row = await RowAsync(database, lost);
        Assert.Equal(WorkStates.Running, row.State);
        NodeProcess victim = PidOf(row.LeaseOwner!) == a.Pid ? a : b;
        NodeProcess survivor = victim == a ? b : a;
        victim.Kill();

        // Recovery moves the lost training's job to the recovered queue; the survivor is still busy meanwhile.
        await WaitForAsync(() => RowAsync(database, lost), t => t.JobId != row.JobId, 90,
            t => $"Training {lost} was not re-enqueued: job {t.JobId}, heartbeat {t.LeaseHeartbeatUtc:O}", web, survivor);
        Assert.Equal(WorkStates.Queued, (await GetAsync(web.Client, fresh)).State);
        // Free the survivor: it takes the lost training first, then the new one.
        using (HttpResponseMessage cancel = await web.Client.PostAsync(new Uri($"/api/trainings/{busy}/cancel", UriKind.Relative), null))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, cancel.StatusCode);
        }
        TrainingResponse recovered = await WaitForAsync(web.Client, lost, t => WorkStates.IsFinished(t.State), 180, web, survivor);
        TrainingResponse next = await WaitForAsync(web.Client, fresh, t => WorkStates.IsFinished(t.State), 120, web, survivor);
        Assert.Equal(WorkStates.Succeeded, recovered.State);
        Assert.Equal(WorkStates.Succeeded, next.State);
        Assert.Equal(Enumerable.Range(1, 100), (await EpochsAsync(database, lost)).Select(e => e.Epoch));
        Assert.True(next.StartedUtc >= recovered.FinishedUtc,
            $"The new training started at {next.StartedUtc:O}, before the recovered one finished at {recovered.FinishedUtc:O}.");
    }

    [PostgresFact]
    public async Task WebNode_ServesTheProgress_OfATrainingRunningInAWorker()
    {
        await using TestDatabase database = await TestDatabase.CreateAsync();
        await using NodeProcess web = await NodeProcess.StartAsync("web", database);
        await using NodeProcess worker = await NodeProcess.StartAsync("worker", database);
        Guid corpus = await AddCorpusAsync(database, train: 4);

        // The browser's way: the progress hub on the web node, which reads the database.
        var updates = new List<TrainingResponse>();
        var succeeded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using HubConnection hub = new HubConnectionBuilder().WithUrl(new Uri(web.Address, ProgressHub.Path)).Build();
        hub.On<TrainingResponse>(ProgressHub.ProgressMessage, u =>
        {
            lock (updates)
            {
                updates.Add(u);
            }
            if (u.State == WorkStates.Succeeded)
            {
                succeeded.TrySetResult();
            }
        });
        await hub.StartAsync();

        Guid id = await StartAsync(web.Client, Tiny(corpus, epochs: 6));
        await hub.InvokeAsync<TrainingResponse?>("Subscribe", id);
        TrainingResponse running = await WaitForAsync(web.Client, id, t => t.Epoch >= 1 || WorkStates.IsFinished(t.State), 60, web, worker);
        Assert.Equal(WorkStates.Running, running.State);
        Assert.True(running.Progress.EpochFramesTotal > 0, "the worker's progress reached the web node");
        TrainingResponse done = await WaitForAsync(web.Client, id, t => WorkStates.IsFinished(t.State), 60, web, worker);
        Assert.Equal(WorkStates.Succeeded, done.State);
        Assert.Equal(Enumerable.Range(1, 6), done.History.Select(e => e.Epoch));
        Assert.All(await EpochsAsync(database, id), e => Assert.Equal(worker.Pid, PidOf(e.Worker)));

        // The web node pushed live updates of the worker's run, through to the end.
        await succeeded.Task.WaitAsync(TimeSpan.FromSeconds(60)); // the push of the end; the deadline only bounds a hang
        List<TrainingResponse> seen = Snapshot(updates);
        Assert.Contains(seen, u => u.State == WorkStates.Running && u.Epoch >= 1);
        Assert.Contains(seen, u => u.State == WorkStates.Succeeded && u.Epoch == 6);

        using HttpResponseMessage model = await web.Client.GetAsync(new Uri($"/api/models/{done.ModelId}", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.OK, model.StatusCode);
    }

    private static List<TrainingResponse> Snapshot(List<TrainingResponse> updates)
    {
        lock (updates)
        {
            return [.. updates];
        }
    }
}
