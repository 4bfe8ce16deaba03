using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RnnRbm.Api.Evaluations;
using RnnRbm.Api.Tests.Corpora;
using RnnRbm.Api.Tests.Evaluations;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Training;

namespace RnnRbm.Api.Tests.Reliability;

/// <summary>
/// Issue 13, jobs that cannot finish: a training or evaluation is sized before it is accepted (FLOP from its shape, CD-k,
/// epochs and the corpus's frames, at RnnRbm:WorkGflopsPerSecond) and refused beyond RnnRbm:MaxWorkHours with a 400
/// that says the estimate and what to lower; a running training reports progress after every update.
/// </summary>
public sealed class WorkBudgetTests
{
    private static RnnRbmAppFactory WebNode(string? maxHours = null)
    {
        var settings = new Dictionary<string, string?> { ["RnnRbm:Role"] = "web" };
        if (maxHours is not null)
        {
            settings["RnnRbm:MaxWorkHours"] = maxHours;
        }
        return new RnnRbmAppFactory(settings);
    }

    private static async Task<Guid> UploadDemoAsync(HttpClient client) =>
        (await client.UploadOk("demo", Enumerable.Range(0, 4).Select(CorpusUploads.Demo))).Id;

    [Fact]
    public void TheFlopCount_MatchesTheBenchmarksForTheSeedsShape()
    {
        // docs/benchmarks.md counts 1.16 MFLOP per frame for (88, 150, 100), CD-15.
        double perFrame = TrainingCost.FlopsPerFrame(ModelShape.Seed, 15);
        Assert.InRange(perFrame, 1.16e6 * 0.9, 1.16e6 * 1.1);
    }

    [Fact]
    public async Task ATrainingWithEveryFieldAtItsMaximum_Is400SayingTheEstimateAndWhatToLower()
    {
        using RnnRbmAppFactory app = WebNode();
        using HttpClient client = app.CreateClient();
        Guid corpus = await UploadDemoAsync(client);

        // The attack run's body: every size field at its documented maximum.
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/trainings", UriKind.Relative), new
        {
            corpusId = corpus, epochs = 100_000, hidden = 2048, recurrent = 2048, cdK = 1000, stepsPerQuarter = 96,
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The job is too large for this server.", problem.GetProperty("title").GetString());
        string detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("years of work", detail, StringComparison.Ordinal);
        Assert.Contains("beyond this server's budget of 24 hours per job. Lower stepsPerQuarter or dt", detail, StringComparison.Ordinal);
        Assert.Contains("epochs", detail, StringComparison.Ordinal);
        Assert.Contains("cdK", detail, StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty("epochs", out _));

        // The same corpus with the default recipe is accepted.
        using HttpResponseMessage ordinary = await client.PostAsJsonAsync(new Uri("/api/trainings", UriKind.Relative), new { corpusId = corpus });
        Assert.Equal(HttpStatusCode.Accepted, ordinary.StatusCode);
    }

    [Fact]
    public async Task TheBudget_IsASetting()
    {
        // 3.6 s of work per job: the default recipe's 300 epochs on four tunes are refused, by the same rule.
        using RnnRbmAppFactory app = WebNode(maxHours: "0.001");
        using HttpClient client = app.CreateClient();
        Guid corpus = await UploadDemoAsync(client);
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/trainings", UriKind.Relative), new { corpusId = corpus });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("budget of 0.001 hours", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEvaluationAtItsMaximum_Is400SayingTheEstimate_AndAnOrdinaryOneIsAccepted()
    {
        using RnnRbmAppFactory app = WebNode();
        using HttpClient client = app.CreateClient();
        Guid corpus = (await client.UploadOk("demo", Enumerable.Range(0, 4).Select(CorpusUploads.Demo), ("validFraction", "0.5"))).Id;
        Guid model = await EvaluationTestKit.AddTinyModelAsync(app);

        using HttpResponseMessage huge = await client.PostAsJsonAsync(new Uri("/api/evaluations", UriKind.Relative),
            new StartEvaluationRequest(model, corpus, Split: "valid", AisRuns: 100_000, AisSteps: 1_000_000, AccSamples: 10_000));
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        JsonElement problem = await huge.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("This evaluation (", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Lower aisSteps", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using HttpResponseMessage ordinary = await client.PostAsJsonAsync(new Uri("/api/evaluations", UriKind.Relative),
            new StartEvaluationRequest(model, corpus, Split: "valid"));
        Assert.Equal(HttpStatusCode.Accepted, ordinary.StatusCode);
    }

    [Fact]
    public void ATraining_ReportsProgressAfterEveryUpdate()
    {
        // The API's progress (EpochFramesDone) comes from this callback; it used to fire every 64 updates, which for a
        // large model was minutes without a visible move.
        var range = new PitchRange(21, 109);
        var roll = new PianoRoll(350, range);
        var options = new TrainingOptions { BatchSize = 50, CdK = 1, Epochs = 1, Seed = 1 };
        using var trainer = new RnnRbm.Core.Model.RnnRbmTrainer(RnnRbm.Core.Model.RnnRbmTrainer.InitialParameters(new ModelShape(range.Count, 8, 4), 1),
            options, RnnRbm.Core.Numerics.NumericsBackend.Choose("simd").Backend, threads: 1);
        var seen = new List<long>();
        EpochResult result = trainer.TrainEpoch([roll], p => seen.Add(p.Frames));
        Assert.Equal(7, result.Updates);
        Assert.Equal([50L, 100, 150, 200, 250, 300, 350], seen);
    }
}
