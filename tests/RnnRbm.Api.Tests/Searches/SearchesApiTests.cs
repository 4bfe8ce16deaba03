using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Searches;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Search;
using RnnRbm.Api.Tests.Training;
using RnnRbm.Core.Model;
using static RnnRbm.Api.Tests.Training.TrainingTestKit;

namespace RnnRbm.Api.Tests.Searches;

/// <summary>POST/GET /api/searches end to end on the demo corpus, with a tiny space (a few seconds on two cores).</summary>
[Collection(TrainingTestGroup.Name)]
public class SearchesApiTests
{
    /// <summary>Three tiny trials, rungs at 1 and 2 epochs: it ends when no trial is left, well within its budget.</summary>
    private static StartSearchRequest Tiny(Guid corpusId, double budgetMinutes = 5, int maxEpochs = 2, int? maxTrials = 3, int reduction = 2) =>
        new(corpusId, budgetMinutes, Seed: 7, MaxTrials: maxTrials, MinEpochs: 1, MaxEpochs: maxEpochs, Reduction: reduction,
            Hidden: [8], Recurrent: [6], CdK: [1], Momentum: [0.5, 0.9], RbmPretrainEpochs: [0], RnnPretrainEpochs: [0]);

    [Fact]
    public async Task Search_OnADemoCorpus_KeepsItsBestTrialAsAModelThatGenerates()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 2, valid: 1); // validation is most of an epoch here: keep it short

        SearchResponse started = await StartAsync(client, Tiny(corpus));
        Assert.Equal(WorkStates.Queued, started.State);
        Assert.Equal(5, started.BudgetMinutes);
        Assert.Equal([1, 2], started.Rungs);
        Assert.Equal([8], started.Settings.Hidden!);
        Assert.Equal(SearchSpaceDefaults.MinLearningRate, started.Settings.MinLearningRate);

        SearchResponse done = await WaitForAsync(client, started.Id, s => WorkStates.IsFinished(s.State));
        Assert.True(done.State == WorkStates.Succeeded, $"state {done.State}, error {done.Error}");
        Assert.Equal(3, done.TrialsStarted);
        Assert.Equal(3, done.Leaderboard.Count);
        Assert.Contains("no trial was left", done.StopReason, StringComparison.Ordinal);
        Assert.NotNull(done.StartedUtc);
        Assert.NotNull(done.FinishedUtc);
        double[] lls = [.. done.Leaderboard.Select(t => t.BestValidLogLikelihood!.Value)];
        Assert.Equal(lls.OrderDescending(), lls);
        SearchTrialResponse best = done.Best!;
        Assert.Equal(done.Leaderboard[0] with { Curve = null }, best with { Curve = null });
        // Each trial's curve: its validated epochs, ending at its best or after it; the best value is on it.
        Assert.All(done.Leaderboard, t => Assert.Contains(t.Curve!, p => p.Epoch == t.BestEpoch && p.LogLikelihood == t.BestValidLogLikelihood));
        Assert.Equal(best.Curve!.Select(p => p.Epoch), best.Curve!.Select(p => p.Epoch).Order());
        Assert.All(done.Leaderboard, t => Assert.Equal((8, 6, 1), (t.Settings.Hidden, t.Settings.Recurrent, t.Settings.CdK)));

        Guid modelId = done.ModelId!.Value;
        using (HttpResponseMessage model = await client.GetAsync(new Uri($"/api/models/{modelId}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, model.StatusCode);
            JsonElement details = await model.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("search", details.GetProperty("origin").GetString());
        }
        RnnRbmModel file = await DownloadModelAsync(client, modelId);
        Assert.Equal(best.BestValidLogLikelihood, file.Manifest.Stopping!.BestValidLogLikelihood);
        Assert.Equal(best.BestEpoch, file.Manifest.Stopping.BestEpoch);
        Assert.Equal((8, 6), (file.Manifest.Shape.Hidden, file.Manifest.Shape.Recurrent));
        SearchInfo search = file.Manifest.Search!;
        Assert.Equal((best.Id, 3, 7UL), (search.BestTrial, search.Trials, search.Seed));
        Assert.Equal([1, 2], search.Rungs);
        Assert.Equal(3, search.Leaderboard.Count);

        using (HttpResponseMessage generate = await client.PostAsJsonAsync(new Uri("/generate", UriKind.Relative), new { modelId, steps = 8 }))
        {
            Assert.Equal(HttpStatusCode.OK, generate.StatusCode);
        }
        List<SearchResponse> all = (await client.GetFromJsonAsync<List<SearchResponse>>(new Uri("/api/searches", UriKind.Relative)))!;
        Assert.Equal([started.Id], all.Select(s => s.Id));
    }

    [Fact]
    public async Task Cancel_EndsTheSearch_AndKeepsItsBestTrialSoFar()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 2, valid: 1); // validation is most of an epoch here: keep it short
        SearchResponse started = await StartAsync(client, Tiny(corpus, budgetMinutes: 60, maxEpochs: 5000, maxTrials: null, reduction: 3));
        SearchResponse running = await WaitForAsync(client, started.Id, s => s.Best is not null || WorkStates.IsFinished(s.State));
        Assert.Equal(WorkStates.Running, running.State);

        using (HttpResponseMessage cancel = await client.PostAsync(new Uri($"/api/searches/{started.Id}/cancel", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
            Assert.True((await cancel.Content.ReadFromJsonAsync<SearchResponse>())!.CancelRequested);
        }
        SearchResponse done = await WaitForAsync(client, started.Id, s => WorkStates.IsFinished(s.State));
        Assert.True(done.State == WorkStates.Cancelled, $"state {done.State}, error {done.Error}");
        Assert.Equal("cancelled", done.StopReason);
        Guid modelId = done.ModelId!.Value;
        RnnRbmModel file = await DownloadModelAsync(client, modelId);
        Assert.Equal(done.Best!.BestValidLogLikelihood, file.Manifest.Stopping!.BestValidLogLikelihood);
        Assert.Equal("cancelled", file.Manifest.Search!.StopReason);

        using HttpResponseMessage again = await client.PostAsync(new Uri($"/api/searches/{started.Id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Search_ThatValidatesNoTrial_FailsSayingSo()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 2, valid: 1);
        // A budget of under a millisecond ends before any trial reaches its first validation (epoch 5 of 100).
        SearchResponse started = await StartAsync(client, Tiny(corpus, budgetMinutes: 0.00001, maxEpochs: 100) with { MinEpochs = 100 });
        SearchResponse done = await WaitForAsync(client, started.Id, s => WorkStates.IsFinished(s.State));
        Assert.True(done.State == WorkStates.Failed, $"state {done.State}, best {done.Best?.BestValidLogLikelihood}");
        Assert.Contains("No trial was validated", done.Error, StringComparison.Ordinal);
        Assert.Null(done.ModelId);
        Assert.Null(done.Best);
        Assert.Contains("budget", done.StopReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_TrainsItsTrialsAsJobsOfTheirOwn_OnEveryWorkerWithRoom_EachEpochRecordedOnce()
    {
        // Two compute workers in this node: the search's trials must train on both at once.
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:Workers"] = "2" });
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 2, valid: 1);
        SearchResponse started = await StartAsync(client, Tiny(corpus, maxEpochs: 4, maxTrials: 4) with { MinEpochs = 2 });

        SearchResponse both = await WaitForAsync(client, started.Id, s => s.Workers == 2 || WorkStates.IsFinished(s.State));
        Assert.True(both.Workers == 2, $"never two trials at once: state {both.State}, trials {string.Join(", ", both.Leaderboard.Select(t => t.State))}");
        Assert.Equal(2, both.Leaderboard.Count(t => t.State == WorkStates.Running));

        SearchResponse done = await WaitForAsync(client, started.Id, s => WorkStates.IsFinished(s.State), 120);
        Assert.True(done.State == WorkStates.Succeeded, $"state {done.State}, error {done.Error}");
        Assert.Equal(4, done.TrialsStarted);
        Assert.Equal(0, done.Workers);
        Assert.All(done.Leaderboard, t => Assert.True(t.State is "paused" or "finished", t.State));

        using IServiceScope scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        List<SearchTrialEntity> trials = await db.SearchTrials.AsNoTracking().Where(t => t.SearchId == started.Id).OrderBy(t => t.Number).ToListAsync();
        Assert.Equal([0, 1, 2, 3], trials.Select(t => t.Number));
        // Successive halving from the rows: rung 0 (2 epochs) for all, the better half on to rung 1 (4 epochs) as later jobs.
        Assert.Contains(trials, t => t.Rung == 1 && t.EpochsCompleted == 4);
        Assert.Contains(trials, t => t.Rung == 0 && t.EpochsCompleted == 2);
        foreach (SearchTrialEntity trial in trials)
        {
            List<int> epochs = await db.SearchTrialEpochs.AsNoTracking().Where(e => e.TrialId == trial.Id).OrderBy(e => e.Epoch).Select(e => e.Epoch).ToListAsync();
            Assert.Equal(Enumerable.Range(1, trial.EpochsCompleted), epochs);
            Assert.Equal(WorkStates.Succeeded, trial.State);
        }
        Assert.Equal(done.Best!.Id, (await DownloadModelAsync(client, done.ModelId!.Value)).Manifest.Search!.BestTrial);
    }

    [Fact]
    public void Schedule_FromStoredTrials_PromotesTheBestPausedTrialOfARung_Once()
    {
        SearchSpace space = SearchSpace.Default with { MinEpochs = 1, MaxEpochs = 9, Reduction = 3 }; // rungs 1, 3, 9
        static TrialRow Row(int number, string state, string trialState, int target, int rung, string scores) =>
            new(Guid.NewGuid(), Guid.Empty, number, "{}", state, trialState, target, rung, scores, 0, "[]", null, null, 0, null, null, null, null, 0);
        List<TrialRow> trials =
        [
            Row(0, WorkStates.Succeeded, SearchTrials.Paused, 0, 0, "[-3]"),
            Row(1, WorkStates.Succeeded, SearchTrials.Paused, 0, 0, "[-2]"),
            Row(2, WorkStates.Succeeded, SearchTrials.Paused, 0, 0, "[-4]"),
            Row(3, WorkStates.Running, SearchTrials.Paused, 0, -1, "[]"),
        ];
        Assert.Equal((1, 0), SearchTrials.Schedule(trials, space).NextPromotion());

        // Once promoted (its target one rung further: queued, running, or past it), it is not chosen from that rung again.
        trials[1] = trials[1] with { State = WorkStates.Queued, TargetRung = 1 };
        Assert.Null(SearchTrials.Schedule(trials, space).NextPromotion());
        // A stopped or finished trial never goes on, however good.
        trials[1] = trials[1] with { State = WorkStates.Cancelled, TrialState = SearchTrials.Stopped, TargetRung = 0 };
        Assert.Null(SearchTrials.Schedule(trials, space).NextPromotion());
    }

    private static async Task<SearchResponse> StartAsync(HttpClient client, StartSearchRequest request)
    {
        HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/searches", UriKind.Relative), request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        SearchResponse search = (await response.Content.ReadFromJsonAsync<SearchResponse>())!;
        Assert.Equal($"/api/searches/{search.Id}", response.Headers.Location?.OriginalString);
        return search;
    }

    private static async Task<SearchResponse> GetAsync(HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<SearchResponse>(new Uri($"/api/searches/{id}", UriKind.Relative)))!;

    private static Task<SearchResponse> WaitForAsync(HttpClient client, Guid id, Func<SearchResponse, bool> done, double timeoutSeconds = 60) =>
        Eventually.WaitForAsync(() => GetAsync(client, id), done, timeoutSeconds,
            s => $"Search {id} did not get there: state {s.State}, {s.TrialsStarted} trials, best {s.Best?.BestValidLogLikelihood}, error {s.Error}");

    private static class SearchSpaceDefaults
    {
        public static double MinLearningRate => Core.Search.SearchSpace.Default.MinLearningRate;
    }
}

/// <summary>The request's rules, on a web node (nothing runs): each bad field is a 400 problem naming it.</summary>
public sealed class SearchRequestTests : IDisposable
{
    private readonly RnnRbmAppFactory _app = new(new Dictionary<string, string?> { ["RnnRbm:Role"] = "web", ["RnnRbm:MaxWorkHours"] = "2" });
    private readonly HttpClient _client;

    public SearchRequestTests() => _client = _app.CreateClient();

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    [Theory]
    [InlineData("""{"budgetMinutes": 0}""", "budgetMinutes", "budgetMinutes must")]
    [InlineData("""{"budgetMinutes": 5, "reduction": 1}""", "reduction", "reduction must")]
    [InlineData("""{"budgetMinutes": 5, "hidden": [0]}""", "hidden", "every hidden must")]
    [InlineData("""{"budgetMinutes": 5, "cdK": []}""", "cdK", "cdK must list")]
    [InlineData("""{"budgetMinutes": 5, "momentum": [1.5]}""", "momentum", "every momentum must")]
    [InlineData("""{"budgetMinutes": 5, "rnnPretrainEpochs": [-1]}""", "rnnPretrainEpochs", "every rnnPretrainEpochs must")]
    [InlineData("""{"budgetMinutes": 5, "minEpochs": 9, "maxEpochs": 3}""", "minEpochs", "minEpochs must")]
    [InlineData("""{"budgetMinutes": 5, "minLearningRate": 0.1, "maxLearningRate": 0.01}""", "minLearningRate", "minLearningRate and maxLearningRate must")]
    [InlineData("""{"budgetMinutes": 121}""", "budgetMinutes", "RnnRbm:MaxWorkHours")]
    [InlineData("""{"budgetMinutes": 5, "tries": 3}""", "tries", "not a field")]
    [InlineData("""{"budgetMinutes": 5}""", "corpusId", "No corpus has id")]
    public async Task BadField_Is400ProblemNamingIt(string body, string field, string message)
    {
        TrainingTestKit.EnsureDatabase(_app);
        string json = body.Replace("{", $"{{\"corpusId\": \"{Guid.NewGuid()}\", ", StringComparison.Ordinal);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await _client.PostAsync(new Uri("/api/searches", UriKind.Relative), content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out JsonElement messages), text);
        Assert.Contains(message, messages[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingBudget_Is400()
    {
        using var content = new StringContent($"{{\"corpusId\": \"{Guid.NewGuid()}\"}}", Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await _client.PostAsync(new Uri("/api/searches", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("budgetMinutes is required", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownId_Is404Problem()
    {
        Guid id = Guid.NewGuid();
        using HttpResponseMessage get = await _client.GetAsync(new Uri($"/api/searches/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("application/problem+json", get.Content.Headers.ContentType?.MediaType);
        using HttpResponseMessage cancel = await _client.PostAsync(new Uri($"/api/searches/{id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
    }

    [Fact]
    public async Task Options_AreCoresDeclaration()
    {
        JsonElement options = await _client.GetFromJsonAsync<JsonElement>(new Uri("/api/searches/options", UriKind.Relative));
        JsonElement fields = options.GetProperty("fields");
        Assert.Equal(Core.Search.SearchLimits.All.Select(l => l.Name).Order(StringComparer.Ordinal),
            fields.EnumerateObject().Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal(Core.Search.SearchOptions.Limits.MaxBudgetMinutes, fields.GetProperty("budgetMinutes").GetProperty("maximum").GetDouble());
    }
}
