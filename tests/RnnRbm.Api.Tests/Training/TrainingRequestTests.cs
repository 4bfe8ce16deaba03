using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;
using RnnRbm.Core.Training;
using static RnnRbm.Api.Tests.Training.TrainingTestKit;

namespace RnnRbm.Api.Tests.Training;

[Collection(TrainingTestGroup.Name)]
public class TrainingRequestTests
{
    private static readonly Dictionary<string, string?> NoWorker = new() { ["RnnRbm:TrainingWorkers"] = "0" };

    public static TheoryData<string, string> BadFields => new()
    {
        { "dt", """{"dt": 0}""" },
        { "dt", """{"dt": 61}""" },
        { "stepsPerQuarter", """{"stepsPerQuarter": 0}""" },
        { "stepsPerQuarter", """{"stepsPerQuarter": 97}""" },
        { "lowestPitch", """{"lowestPitch": -1}""" },
        { "highestPitch", """{"highestPitch": 128}""" },
        { "highestPitch", """{"lowestPitch": 60, "highestPitch": 59}""" },
        { "hidden", """{"hidden": 0}""" },
        { "hidden", """{"hidden": 2049}""" },
        { "recurrent", """{"recurrent": 0}""" },
        { "learningRate", """{"learningRate": 0}""" },
        { "learningRate", """{"learningRate": 2}""" },
        { "batchSize", """{"batchSize": 0}""" },
        { "batchSize", """{"batchSize": 10001}""" },
        { "cdK", """{"cdK": 0}""" },
        { "cdK", """{"cdK": 1001}""" },
        { "epochs", """{"epochs": 0}""" },
        { "epochs", """{"epochs": 100001}""" },
        { "seed", """{"seed": 1.5}""" },
        { "seed", """{"seed": "seven"}""" },
        { "epochs", """{"epochs": 1e30}""" },
        { "learningRate", """{"learningRate": "fast"}""" },
        { "momentum", """{"momentum": 1}""" },
        { "momentum", """{"momentum": -0.5}""" },
        { "clipNorm", """{"clipNorm": -1}""" },
        { "learningRateDecay", """{"learningRateDecay": 0.4}""" },
        { "learningRateDecay", """{"learningRateDecay": 1.1}""" },
        { "transpose", """{"transpose": 25}""" },
        { "transpose", """{"transpose": -1}""" },
        { "rbmPretrainEpochs", """{"rbmPretrainEpochs": -1}""" },
        { "rnnPretrainEpochs", """{"rnnPretrainEpochs": 10001}""" },
        { "pretrainLearningRate", """{"pretrainLearningRate": 0}""" },
        { "learnU0", """{"learnU0": "yes"}""" },
        { "recurrence", """{"recurrence": "lstm"}""" },
        { "averageDecay", """{"averageDecay": 1}""" },
        { "averageEpochs", """{"averageEpochs": -1}""" },
        { "plateauEpochs", """{"plateauEpochs": -1}""" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Start_RejectsEachBadField_Naming_It(string field, string json)
    {
        using var app = new RnnRbmAppFactory(NoWorker);
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 1, valid: 0);
        string body = json.Replace("{", $"{{\"corpusId\": \"{corpus}\", ", StringComparison.Ordinal);

        Dictionary<string, string[]> errors = await PostExpecting400(client, body);
        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public async Task Start_ListsEveryBadField_AndRefusesBothGrids_AndBadCorpora()
    {
        using var app = new RnnRbmAppFactory(NoWorker);
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 1, valid: 0);

        Dictionary<string, string[]> errors = await PostExpecting400(client, $$"""{"corpusId": "{{corpus}}", "hidden": 0, "cdK": 0, "epochs": -3}""");
        Assert.Equal(["cdK", "epochs", "hidden"], errors.Keys.Order(StringComparer.Ordinal));

        errors = await PostExpecting400(client, $$"""{"corpusId": "{{corpus}}", "dt": 0.25, "stepsPerQuarter": 4}""");
        Assert.Equal(["dt", "stepsPerQuarter"], errors.Keys.Order(StringComparer.Ordinal));

        errors = await PostExpecting400(client, """{"epochs": 1}""");
        Assert.Equal(["corpusId"], errors.Keys);

        errors = await PostExpecting400(client, $$"""{"corpusId": "{{Guid.NewGuid()}}"}""");
        Assert.Contains("No corpus", errors["corpusId"][0], StringComparison.Ordinal);

        // A corpus whose only file was rejected (or is in valid) has nothing to learn from.
        Guid empty = Guid.NewGuid();
        using (IServiceScope scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
            db.Corpora.Add(new CorpusEntity
            {
                Id = empty, Name = "rejects", CreatedUtc = DateTimeOffset.UtcNow, SplitSource = "seeded", StatisticsJson = "{}",
                Files =
                [
                    new CorpusFileEntity { Id = Guid.NewGuid(), FileName = "bad.mid", Split = "train", Accepted = false, Reason = "not MIDI" },
                    new CorpusFileEntity { Id = Guid.NewGuid(), FileName = "v.mid", Split = "valid", Accepted = true, Bytes = await File.ReadAllBytesAsync(DemoFiles[0]) },
                ],
            });
            await db.SaveChangesAsync();
        }
        errors = await PostExpecting400(client, $$"""{"corpusId": "{{empty}}"}""");
        Assert.Contains("no accepted train files", errors["corpusId"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownIds_Are404ProblemJson()
    {
        using var app = new RnnRbmAppFactory(NoWorker);
        using HttpClient client = app.CreateClient();
        Guid id = Guid.NewGuid();
        foreach ((HttpMethod method, string path) in new[]
        {
            (HttpMethod.Get, $"/api/trainings/{id}"),
            (HttpMethod.Get, $"/api/trainings/{id}/curve.png"),
            (HttpMethod.Post, $"/api/trainings/{id}/cancel"),
            (HttpMethod.Get, $"/api/models/{id}"),
            (HttpMethod.Get, $"/api/models/{id}/file"),
            (HttpMethod.Get, $"/api/models/{id}/curve.png"),
            (HttpMethod.Delete, $"/api/models/{id}"),
        })
        {
            using HttpResponseMessage response = await client.SendAsync(new HttpRequestMessage(method, new Uri(path, UriKind.Relative)));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(id.ToString(), await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Changes_NeedTheApiKey_WhenTheServerHasOne()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:TrainingWorkers"] = "0", ["RnnRbm:ApiKey"] = "sesame" });
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 1, valid: 0);
        using HttpResponseMessage refused = await client.PostAsJsonAsync(new Uri("/api/trainings", UriKind.Relative), Tiny(corpus, epochs: 1));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/trainings", UriKind.Relative))).StatusCode);
        client.DefaultRequestHeaders.Add("X-Api-Key", "sesame");
        using HttpResponseMessage accepted = await client.PostAsJsonAsync(new Uri("/api/trainings", UriKind.Relative), Tiny(corpus, epochs: 1));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    private static async Task<Dictionary<string, string[]>> PostExpecting400(HttpClient client, string json)
    {
        using var content = new StringContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await client.PostAsync(new Uri("/api/trainings", UriKind.Relative), content);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument problem = JsonDocument.Parse(body);
        return problem.RootElement.GetProperty("errors").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(e => e.GetString()!).ToArray());
    }
}

/// <summary>The recipe's early stopping reaches an API training, with the request's own choices over it.</summary>
public class TrainingStoppingSettingsTests
{
    [Fact]
    public void PlateauEpochs_ComesFromTheRecipe_UnlessTheRequestGivesIt()
    {
        var corpus = Guid.NewGuid();

        Assert.Equal(TrainingRecipe.Default.Stopping.PlateauEpochs, Resolve(new StartTrainingRequest(corpus)).Stopping.PlateauEpochs);
        Assert.Equal(0, Resolve(new StartTrainingRequest(corpus, Recipe: "seed")).Stopping.PlateauEpochs);
        Assert.Equal(0, Resolve(new StartTrainingRequest(corpus, PlateauEpochs: 0)).Stopping.PlateauEpochs);
        Assert.Equal(25, Resolve(new StartTrainingRequest(corpus, PlateauEpochs: 25, Recipe: "seed")).Stopping.PlateauEpochs);
        // Settings stored before the field existed read as their recipe's rule.
        TrainingSettings stored = Resolve(new StartTrainingRequest(corpus)) with { PlateauEpochs = null };
        Assert.Equal(TrainingRecipe.Default.Stopping.PlateauEpochs, stored.Stopping.PlateauEpochs);
    }

    [Fact]
    public void AverageDecay_ReachesTheTrainer()
    {
        Assert.Equal(0.999f, Resolve(new StartTrainingRequest(Guid.NewGuid(), AverageDecay: 0.999f)).Options.AverageDecay);
        Assert.Equal(TrainingRecipe.Default.Options.AverageDecay, Resolve(new StartTrainingRequest(Guid.NewGuid())).Options.AverageDecay);
        Assert.Equal(TrainingRecipe.Default.Options.AverageEpochs, Resolve(new StartTrainingRequest(Guid.NewGuid())).Options.AverageEpochs);
        // One average: either field replaces the recipe's, and both together are refused by name.
        Assert.Equal((0.999f, 0f), Averaging(Resolve(new StartTrainingRequest(Guid.NewGuid(), AverageDecay: 0.999f))));
        Assert.Equal((0f, 3f), Averaging(Resolve(new StartTrainingRequest(Guid.NewGuid(), AverageEpochs: 3))));
        Assert.Contains("averageEpochs", TrainingSettings.Resolve(new StartTrainingRequest(Guid.NewGuid(), AverageDecay: 0.999f, AverageEpochs: 3)).Errors.Keys);

        static (float Decay, float Epochs) Averaging(TrainingSettings s) => (s.Options.AverageDecay, s.Options.AverageEpochs);
    }

    private static TrainingSettings Resolve(StartTrainingRequest request) =>
        TrainingSettings.Resolve(request).Settings ?? throw new InvalidOperationException("The request should resolve.");
}
