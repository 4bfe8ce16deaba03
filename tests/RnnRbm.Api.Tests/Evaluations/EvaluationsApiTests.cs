using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Evaluations;
using RnnRbm.Api.Models;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Tests.Training;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Tests.Evaluations;

/// <summary>Evaluations share the CPU with trainings: run with them, one class at a time.</summary>
[Collection(TrainingTestGroup.Name)]
public class EvaluationsApiTests
{
    [Fact]
    public async Task TinyModel_IsEvaluated_AndItsManifestCarriesTheMetrics()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid model = await AddTinyModelAsync(app);
        Guid corpus = await AddCorpusAsync(app, "test", 2);

        HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/evaluations", UriKind.Relative),
            new StartEvaluationRequest(model, corpus, AisRuns: 10, AisSteps: 20, AccSamples: 2, Seed: 7));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        EvaluationResponse started = (await response.Content.ReadFromJsonAsync<EvaluationResponse>())!;
        Assert.Equal($"/api/evaluations/{started.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("test", started.Split);
        Assert.Equal(7, started.Seed);

        EvaluationResponse done = await WaitUntilFinishedAsync(client, started.Id);
        Assert.True(done.State == EvaluationStates.Succeeded, done.Error);
        Assert.Equal(1, done.Progress);
        Assert.NotNull(done.LogLikelihood);
        Assert.True(double.IsFinite(done.LogLikelihood!.Value) && done.LogLikelihood < 0, $"LL {done.LogLikelihood}");
        Assert.True(done.StandardError is >= 0, $"SE {done.StandardError}");
        Assert.True(done.Accuracy is >= 0 and <= 1, $"accuracy {done.Accuracy}");
        Assert.True(done.Steps > 0);
        Assert.Equal(2, done.Sequences);
        Assert.NotNull(done.Backend);

        using JsonDocument details = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/models/{model}", UriKind.Relative)));
        JsonElement metrics = details.RootElement.GetProperty("metrics");
        Assert.Equal(done.LogLikelihood.Value, metrics.GetProperty("test.logLikelihood").GetDouble(), 9);
        Assert.Equal(done.StandardError!.Value, metrics.GetProperty("test.logLikelihoodStandardError").GetDouble(), 9);
        Assert.Equal(done.Accuracy!.Value, metrics.GetProperty("test.accuracy").GetDouble(), 9);

        RnnRbmModel downloaded = await TrainingTestKit.DownloadModelAsync(client, model);
        Assert.Equal(done.LogLikelihood.Value, downloaded.Manifest.Metrics["test.logLikelihood"], 9);
        Assert.Equal(done.Accuracy.Value, downloaded.Manifest.Metrics["test.accuracy"], 9);

        // At-least-once: a second run of the finished evaluation's job returns without writing.
        string manifestBefore = ModelRow(app, model).ManifestJson;
        app.Services.GetRequiredService<EvaluationJob>().Run(started.Id, CancellationToken.None);
        Assert.Equal(manifestBefore, ModelRow(app, model).ManifestJson);
        Assert.Equal(done, await client.GetFromJsonAsync<EvaluationResponse>(new Uri($"/api/evaluations/{started.Id}", UriKind.Relative)));

        List<EvaluationResponse> all = (await client.GetFromJsonAsync<List<EvaluationResponse>>(new Uri("/api/evaluations", UriKind.Relative)))!;
        Assert.Contains(all, e => e.Id == started.Id);
    }

    [Fact]
    public async Task BadFields_Give400_ListingEachOne()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/evaluations", UriKind.Relative),
            new { split = "dev", aisRuns = 0, aisSteps = 2, accSamples = 10_001, seed = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        foreach (string field in new[] { "modelId", "corpusId", "split", "aisRuns", "aisSteps", "accSamples", "seed" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }
    }

    [Fact]
    public async Task UnknownModelOrCorpus_OrEmptySplit_Give400WithTheReason()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid model = await AddTinyModelAsync(app);
        Guid corpus = await AddCorpusAsync(app, "test", 2);

        JsonElement unknown = await PostInvalidAsync(client, new StartEvaluationRequest(Guid.NewGuid(), Guid.NewGuid()));
        Assert.Contains("No model", unknown.GetProperty("modelId")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("No corpus", unknown.GetProperty("corpusId")[0].GetString(), StringComparison.Ordinal);

        JsonElement empty = await PostInvalidAsync(client, new StartEvaluationRequest(model, corpus, Split: "valid"));
        Assert.Contains("no accepted valid files", empty.GetProperty("split")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownEvaluation_Gives404()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.GetAsync(new Uri($"/api/evaluations/{Guid.NewGuid()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Start_NeedsTheApiKey_WhenTheServerHasOne()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:ApiKey"] = "sesame" });
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/evaluations", UriKind.Relative), new StartEvaluationRequest(null, null));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using HttpResponseMessage list = await client.GetAsync(new Uri("/api/evaluations", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    private static ModelEntity ModelRow(RnnRbmAppFactory app, Guid id)
    {
        using IServiceScope scope = app.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>().Models.Single(m => m.Id == id);
    }

    private static async Task<JsonElement> PostInvalidAsync(HttpClient client, StartEvaluationRequest request)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/evaluations", UriKind.Relative), request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("errors").Clone();
    }

    private static async Task<EvaluationResponse> WaitUntilFinishedAsync(HttpClient client, Guid id, double timeoutSeconds = 120)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            EvaluationResponse evaluation = (await client.GetFromJsonAsync<EvaluationResponse>(new Uri($"/api/evaluations/{id}", UriKind.Relative)))!;
            if (EvaluationStates.IsFinished(evaluation.State))
            {
                return evaluation;
            }
            if (clock.Elapsed.TotalSeconds > timeoutSeconds)
            {
                Assert.Fail($"Evaluation {id} did not finish within {timeoutSeconds} s: state {evaluation.State}, progress {evaluation.Progress}.");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>An untrained model (V 88, H 16, U 8, two steps per quarter) inserted straight into the database.</summary>
    private static async Task<Guid> AddTinyModelAsync(RnnRbmAppFactory app)
    {
        TrainingTestKit.EnsureDatabase(app);
        var range = new PitchRange(21, 109);
        var shape = new ModelShape(range.Count, 16, 8);
        var manifest = new ModelManifest
        {
            Shape = ShapeInfo.From(shape),
            PitchRange = PitchRangeInfo.From(range),
            TimeGrid = TimeGridInfo.From(new TimeGrid.Beats(2)),
            Training = TrainingInfo.From(new TrainingOptions(), 0),
            Numerics = new NumericsInfo("test", "inserted by the evaluation tests"),
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        ModelEntity entity = ModelEntities.Create(new RnnRbmModel(RnnRbmTrainer.InitialParameters(shape, 3), manifest), "tiny", ModelEntities.FromImport);
        using IServiceScope scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        db.Models.Add(entity);
        await db.SaveChangesAsync();
        return entity.Id;
    }

    /// <summary>A corpus of the first <paramref name="count"/> demo files, all in <paramref name="split"/>.</summary>
    private static async Task<Guid> AddCorpusAsync(RnnRbmAppFactory app, string split, int count)
    {
        TrainingTestKit.EnsureDatabase(app);
        using IServiceScope scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        var corpus = new CorpusEntity { Id = Guid.NewGuid(), Name = "eval demo", CreatedUtc = DateTimeOffset.UtcNow, SplitSource = "seeded", StatisticsJson = "{}" };
        foreach (string file in TrainingTestKit.DemoFiles.Take(count))
        {
            corpus.Files.Add(new CorpusFileEntity
            {
                Id = Guid.NewGuid(),
                FileName = Path.GetFileName(file),
                Split = split,
                Accepted = true,
                Bytes = await File.ReadAllBytesAsync(file),
                StatsJson = "{}",
            });
        }
        db.Corpora.Add(corpus);
        await db.SaveChangesAsync();
        return corpus.Id;
    }
}
