using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Training;
using RnnRbm.Core.Training;
using RnnRbm.Core.Model;
using SkiaSharp;
using static RnnRbm.Api.Tests.Training.TrainingTestKit;

namespace RnnRbm.Api.Tests.Training;

[Collection(TrainingTestGroup.Name)]
public class TrainingRunTests
{
    [Fact]
    public async Task Training_Succeeds_WithEachEpochOnce_AndYieldsADownloadableModel()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 4, valid: 2);

        TrainingResponse started = await StartAsync(client, Tiny(corpus, epochs: 2, seed: 7));
        Assert.Equal(WorkStates.Queued, started.State);
        Assert.Equal(7UL, started.Settings.Seed);
        TrainingResponse done = await WaitUntilFinishedAsync(client, started.Id);

        Assert.Equal(WorkStates.Succeeded, done.State);
        Assert.Null(done.Error);
        Assert.Equal(2, done.Epoch);
        Assert.Equal([1, 2], done.History.Select(e => e.Epoch));
        Assert.All(done.History, e =>
        {
            Assert.True(e.Train is double t && double.IsFinite(t) && t < 0, $"train monitor {e.Train}");
            Assert.True(e.Valid is double v && double.IsFinite(v) && v < 0, $"valid monitor {e.Valid}");
            Assert.True(e.FramesPerSecond > 0);
        });
        Assert.NotNull(done.Backend);
        Assert.NotNull(done.StartedUtc);
        Assert.NotNull(done.FinishedUtc);
        Assert.Equal(1.0, done.Progress.Fraction);
        Assert.Null(done.EtaSeconds);

        Guid modelId = Assert.IsType<Guid>(done.ModelId);
        RnnRbmModel model = await DownloadModelAsync(client, modelId);
        Assert.Equal(new ModelShape(88, 16, 8), model.Parameters.Shape);
        Assert.Equal(2, model.Manifest.Training.EpochsCompleted);
        Assert.Equal(7UL, model.Manifest.Training.Seed);
        Assert.Equal(new TimeGridInfo("beats", StepsPerQuarter: 2), model.Manifest.TimeGrid);
        Assert.Equal("demo", model.Manifest.Corpus?.Name);
        Assert.Equal(4, model.Manifest.Corpus?.Sequences);
        Assert.Null(model.Manifest.Checkpoint);
        Assert.Equal([1, 2], model.Manifest.History.Select(e => e.Epoch));

        foreach (string curve in new[] { $"/api/trainings/{done.Id}/curve.png", $"/api/models/{modelId}/curve.png" })
        {
            HttpResponseMessage png = await client.GetAsync(new Uri(curve, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, png.StatusCode);
            Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
            using SKBitmap? bitmap = SKBitmap.Decode(await png.Content.ReadAsByteArrayAsync());
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width > 100 && bitmap.Height > 100);
        }

        List<TrainingResponse>? all = await client.GetFromJsonAsync<List<TrainingResponse>>(new Uri("/api/trainings", UriKind.Relative));
        Assert.Contains(all!, t => t.Id == done.Id && t.State == WorkStates.Succeeded);
    }

    [Fact]
    public async Task TrainingJson_UsesTheContractsNames()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:TrainingWorkers"] = "0" });
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 1, valid: 0);

        HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/trainings", UriKind.Relative), new { corpusId = corpus });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement root = json.RootElement;
        foreach (string name in new[] { "id", "corpusId", "state", "epoch", "epochs", "settings", "history", "progress", "framesPerSecond", "etaSeconds", "backend", "error", "modelId", "createdUtc", "startedUtc", "finishedUtc" })
        {
            Assert.True(root.TryGetProperty(name, out _), $"missing '{name}'");
        }
        // The default recipe's values (docs/results.md), and a seed chosen and kept.
        JsonElement settings = root.GetProperty("settings");
        TrainingRecipe recipe = TrainingRecipe.Default;
        Assert.Equal("default", settings.GetProperty("recipe").GetString());
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("dt").ValueKind);
        Assert.Equal(2, settings.GetProperty("stepsPerQuarter").GetInt32());
        Assert.Equal(21, settings.GetProperty("lowestPitch").GetInt32());
        Assert.Equal(108, settings.GetProperty("highestPitch").GetInt32());
        Assert.Equal(recipe.Hidden, settings.GetProperty("hidden").GetInt32());
        Assert.Equal(recipe.Recurrent, settings.GetProperty("recurrent").GetInt32());
        Assert.Equal(recipe.Options.LearningRate, settings.GetProperty("learningRate").GetDouble(), 6);
        Assert.Equal(recipe.Options.Momentum, settings.GetProperty("momentum").GetDouble(), 6);
        Assert.Equal(recipe.Options.BatchSize, settings.GetProperty("batchSize").GetInt32());
        Assert.Equal(recipe.Options.CdK, settings.GetProperty("cdK").GetInt32());
        Assert.Equal(recipe.Options.RnnPretrainEpochs, settings.GetProperty("rnnPretrainEpochs").GetInt32());
        Assert.Equal(recipe.Options.Epochs, settings.GetProperty("epochs").GetInt32());
        Assert.Equal(recipe.Stopping.Patience, settings.GetProperty("patience").GetInt32());
        Assert.True(settings.GetProperty("keepBest").GetBoolean());
        ulong seed = settings.GetProperty("seed").GetUInt64();
        Assert.Equal("queued", root.GetProperty("state").GetString());

        // With no training worker, no Hangfire server runs in this process: nothing can fetch the job, so it stays
        // queued (a state, not a wait), and the stored settings keep the seed.
        Assert.Empty(app.Services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers());
        TrainingResponse again = await GetAsync(client, root.GetProperty("id").GetGuid());
        Assert.Equal(WorkStates.Queued, again.State);
        Assert.Equal(seed, again.Settings.Seed);
    }
}
