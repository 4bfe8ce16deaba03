using System.Net;
using System.Net.Http.Json;
using RnnRbm.Api.Training;
using RnnRbm.Core.Model;
using RnnRbm.Core.Training;
using static RnnRbm.Api.Tests.Training.TrainingTestKit;

namespace RnnRbm.Api.Tests.Training;

[Collection(TrainingTestGroup.Name)]
public class TrainingImprovementsTests
{
    [Fact]
    public async Task Start_WithEveryImprovement_TrainsAndRecordsThemInSettingsAndManifest()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 2, valid: 1);
        StartTrainingRequest request = Tiny(corpus, epochs: 2) with
        {
            LearnU0 = true, CarryState = true, Transpose = 3, RbmPretrainEpochs = 1, RnnPretrainEpochs = 2, PretrainLearningRate = 0.05f,
            Recurrence = "gru",
        };
        TrainingResponse started = await StartAsync(client, request);
        Assert.Equal((true, true, 3, 1, 2, 0.05f), (started.Settings.LearnU0, started.Settings.CarryState, started.Settings.Transpose,
            started.Settings.RbmPretrainEpochs, started.Settings.RnnPretrainEpochs, started.Settings.PretrainLearningRate));

        TrainingResponse done = await WaitUntilFinishedAsync(client, started.Id);
        Assert.True(done.State == "succeeded", $"{done.State}: {done.Error}");
        RnnRbmModel model = await DownloadModelAsync(client, done.ModelId!.Value);
        TrainingInfo training = model.Manifest.Training;
        Assert.Equal((true, true, 3, 1, 2, 0.05f), (training.LearnU0, training.CarryState, training.Transpose,
            training.RbmPretrainEpochs, training.RnnPretrainEpochs, training.PretrainLearningRate));
        Assert.Contains(model.Parameters.U0, value => value != 0f); // learned, and kept by the model file
        Assert.Equal("gru", started.Settings.Recurrence);
        Assert.Equal(RecurrenceKind.Gru, model.Parameters.Shape.Kind);
    }

    [Fact]
    public async Task Start_WithTheSeedRecipe_ResolvesTheImprovementsOff_AndTheTutorialsValues()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:TrainingWorkers"] = "0" });
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 1, valid: 0);
        TrainingSettings settings = (await StartAsync(client, new StartTrainingRequest(corpus, Recipe: "seed"))).Settings;
        Assert.Equal("tanh", settings.Recurrence);
        Assert.Equal((false, false, 0, 0, 0, 0.01f), (settings.LearnU0, settings.CarryState, settings.Transpose,
            settings.RbmPretrainEpochs, settings.RnnPretrainEpochs, settings.PretrainLearningRate));
        Assert.Equal(new TrainingOptions { Seed = settings.Seed }, settings.Options);
        Assert.Equal((0.3, (int?)null, 0, false, "seed"), (settings.Dt!.Value, settings.StepsPerQuarter, settings.Patience, settings.KeepBest, settings.Recipe));
    }

    [Fact]
    public async Task Start_WithOnlyACorpus_UsesTheDefaultRecipe()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:TrainingWorkers"] = "0" });
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 1, valid: 0);
        TrainingSettings settings = (await StartAsync(client, new StartTrainingRequest(corpus))).Settings;
        Assert.Equal(TrainingRecipe.Default.Options with { Seed = settings.Seed }, settings.Options);
        Assert.Equal(TrainingRecipe.Default.Stopping.Patience, settings.Patience);
        Assert.Equal("default", settings.Recipe);
    }

    [Fact]
    public async Task Start_WithAnUnknownRecipe_Is400NamingTheRecipes()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:TrainingWorkers"] = "0" });
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 1, valid: 0);
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/trainings", UriKind.Relative), new { corpusId = corpus, recipe = "fast" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("recipe must be one of default, seed, quick; got 'fast'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
