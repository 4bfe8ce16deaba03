using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Searches;
using static RnnRbm.ScaleOut.Tests.ScaleOutKit;

namespace RnnRbm.ScaleOut.Tests;

/// <summary>
/// A search on a web node and two worker nodes sharing one PostgreSQL database (docker-compose.yml's shape): its
/// trials are jobs of their own, so both workers train them, and a killed worker's trials go on on the other.
/// </summary>
public class SearchScaleOutTests
{
    /// <summary>Tiny trials (H 8, U 6, CD-1) on successive halving's rungs <paramref name="minEpochs"/>, then ×2 up to <paramref name="maxEpochs"/>.</summary>
    private static StartSearchRequest Tiny(Guid corpusId, int minEpochs, int maxEpochs, int maxTrials) =>
        new(corpusId, BudgetMinutes: 20, Seed: 7, MaxTrials: maxTrials, MinEpochs: minEpochs, MaxEpochs: maxEpochs, Reduction: 2,
            Hidden: [8], Recurrent: [6], CdK: [1], Momentum: [0.5, 0.9], RbmPretrainEpochs: [0], RnnPretrainEpochs: [0]);

    [PostgresFact]
    public async Task TwoWorkers_BothTrainTrialsOfOneSearch_EachEpochOnce()
    {
        await using TestDatabase database = await TestDatabase.CreateAsync();
        await using NodeProcess web = await NodeProcess.StartAsync("web", database);
        await using NodeProcess a = await NodeProcess.StartAsync("worker", database);
        await using NodeProcess b = await NodeProcess.StartAsync("worker", database);
        Guid corpus = await AddCorpusAsync(database, train: 2);

        Guid id = await StartSearchAsync(web.Client, Tiny(corpus, minEpochs: 3, maxEpochs: 6, maxTrials: 6));
        SearchResponse done = await WaitForSearchAsync(web.Client, id, s => WorkStates.IsFinished(s.State), 300, web, a, b);
        Assert.True(done.State == WorkStates.Succeeded, $"{done.State}: {done.Error}");
        Assert.Equal(6, done.TrialsStarted);
        Assert.NotNull(done.ModelId);

        List<(SearchTrialEntity Trial, List<SearchTrialEpochEntity> Epochs)> trials = await TrialsAsync(database, id);
        Assert.Equal(6, trials.Count);
        // One worker (RnnRbm:Workers = 1) trains one trial at a time, and a trial waits in the queue for every free worker
        // whenever one can be made, so the second worker takes one as soon as it is free: six trials must reach both; the
        // web node trains none.
        HashSet<int> workers = [.. trials.SelectMany(t => t.Epochs).Select(e => PidOf(e.Worker))];
        Assert.True(workers.SetEquals([a.Pid, b.Pid]), $"trials trained on pids {string.Join(", ", workers)}; workers {a.Pid}, {b.Pid}; web {web.Pid}.");
        Assert.All(trials, t => Assert.Equal(Enumerable.Range(1, t.Trial.EpochsCompleted), t.Epochs.Select(e => e.Epoch)));
        Assert.Contains(trials, t => t.Trial.Rung == 1); // promoted: its second rung run as a later job
    }

    [PostgresFact]
    public async Task KilledWorker_ItsTrialIsTakenUpByTheOther_FromItsCheckpoint_WithEachEpochOnce()
    {
        await using TestDatabase database = await TestDatabase.CreateAsync();
        await using NodeProcess web = await NodeProcess.StartAsync("web", database);
        await using NodeProcess a = await NodeProcess.StartAsync("worker", database);
        await using NodeProcess b = await NodeProcess.StartAsync("worker", database);
        Guid corpus = await AddCorpusAsync(database, train: 2);

        // Rungs of 20 and 40 epochs: the kill lands within a trial's first segment even on a loaded machine.
        Guid id = await StartSearchAsync(web.Client, Tiny(corpus, minEpochs: 20, maxEpochs: 40, maxTrials: 3));
        SearchTrialEntity running = await WaitForAsync(() => FirstSegmentAsync(database, id), t => t is not null, 120,
            t => $"no trial of search {id} is two epochs into its first rung", web, a, b) ?? throw new InvalidOperationException();
        NodeProcess victim = PidOf(running.LeaseOwner!) == a.Pid ? a : b;
        NodeProcess survivor = victim == a ? b : a;
        victim.Kill();
        int epochAtKill = (await TrialsAsync(database, id)).Single(t => t.Trial.Id == running.Id).Trial.EpochsCompleted;

        // Recovery (on any node) gives the lost trial's job, and the search's coordinator if it ran there, to the survivor.
        SearchResponse done = await WaitForSearchAsync(web.Client, id, s => WorkStates.IsFinished(s.State), 400, web, survivor, victim);
        Assert.True(done.State == WorkStates.Succeeded, $"{done.State}: {done.Error}\n{survivor.Output()}");
        Assert.NotNull(done.ModelId);

        List<(SearchTrialEntity Trial, List<SearchTrialEpochEntity> Epochs)> trials = await TrialsAsync(database, id);
        Assert.All(trials, t => Assert.Equal(Enumerable.Range(1, t.Trial.EpochsCompleted), t.Epochs.Select(e => e.Epoch)));
        (SearchTrialEntity trial, List<SearchTrialEpochEntity> epochs) = trials.Single(t => t.Trial.Id == running.Id);
        // Every epoch the victim completed before it died was kept; the survivor resumed from that checkpoint, none twice.
        Assert.InRange(epochAtKill, 2, 19);
        Assert.True(trial.EpochsCompleted > epochAtKill, $"trial {trial.Number} stopped at epoch {trial.EpochsCompleted}, where the kill left it.");
        Assert.All(epochs.Where(e => e.Epoch <= epochAtKill), e => Assert.Equal(victim.Pid, PidOf(e.Worker)));
        Assert.All(epochs.Where(e => e.Epoch > epochAtKill), e => Assert.Equal(survivor.Pid, PidOf(e.Worker)));
        Assert.Equal(WorkStates.Succeeded, trial.State);
    }

    private static async Task<Guid> StartSearchAsync(HttpClient web, StartSearchRequest request)
    {
        using HttpResponseMessage response = await web.PostAsJsonAsync(new Uri("/api/searches", UriKind.Relative), request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/searches: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<SearchResponse>())!.Id;
    }

    private static Task<SearchResponse> WaitForSearchAsync(HttpClient web, Guid id, Func<SearchResponse, bool> done, double timeoutSeconds,
        params NodeProcess[] nodes) =>
        WaitForAsync(async () => (await web.GetFromJsonAsync<SearchResponse>(new Uri($"/api/searches/{id}", UriKind.Relative)))!, done, timeoutSeconds,
            s => $"Search {id}: state {s.State}, {s.TrialsStarted} trials, {s.Workers} training, error {s.Error}", nodes);

    /// <summary>A trial of the search training its first rung on a worker, two or more epochs in; null when none is.</summary>
    private static async Task<SearchTrialEntity?> FirstSegmentAsync(TestDatabase database, Guid id)
    {
        await using Api.Storage.PostgresRnnRbmDbContext db = database.Context();
        return await db.SearchTrials.AsNoTracking()
            .Where(t => t.SearchId == id && t.State == WorkStates.Running && t.TargetRung == 0 && t.EpochsCompleted >= 2 && t.LeaseOwner != null)
            .OrderBy(t => t.Number).FirstOrDefaultAsync();
    }

    private static async Task<List<(SearchTrialEntity Trial, List<SearchTrialEpochEntity> Epochs)>> TrialsAsync(TestDatabase database, Guid id)
    {
        await using Api.Storage.PostgresRnnRbmDbContext db = database.Context();
        List<SearchTrialEntity> trials = await db.SearchTrials.AsNoTracking().Where(t => t.SearchId == id).OrderBy(t => t.Number).ToListAsync();
        List<Guid> ids = [.. trials.Select(t => t.Id)];
        List<SearchTrialEpochEntity> epochs = await db.SearchTrialEpochs.AsNoTracking().Where(e => ids.Contains(e.TrialId)).OrderBy(e => e.Epoch).ToListAsync();
        return [.. trials.Select(t => (t, epochs.Where(e => e.TrialId == t.Id).ToList()))];
    }
}
