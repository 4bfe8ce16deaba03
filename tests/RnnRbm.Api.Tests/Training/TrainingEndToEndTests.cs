using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Models;
using RnnRbm.Api.Training;
using RnnRbm.Core.Model;
using static RnnRbm.Api.Tests.Training.TrainingTestKit;

namespace RnnRbm.Api.Tests.Training;

[Collection(TrainingTestGroup.Name)]
public class TrainingEndToEndTests
{
    [Fact]
    public async Task UploadedCorpus_TrainsToAModel_ThroughThePublicApiOnly()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        using var form = new MultipartFormDataContent { { new StringContent("uploaded demo"), "name" } };
        foreach (string file in DemoFiles.Take(6))
        {
            var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
            content.Headers.ContentType = new MediaTypeHeaderValue("audio/midi");
            form.Add(content, "files", Path.GetFileName(file));
        }
        using HttpResponseMessage upload = await client.PostAsync(new Uri("/api/corpora", UriKind.Relative), form);
        string uploaded = await upload.Content.ReadAsStringAsync();
        Assert.True(upload.StatusCode == HttpStatusCode.Created, uploaded);
        Guid corpus = JsonDocument.Parse(uploaded).RootElement.GetProperty("id").GetGuid();

        TrainingResponse done = await WaitUntilFinishedAsync(client, (await StartAsync(client, Tiny(corpus, epochs: 1))).Id);
        Assert.Equal(WorkStates.Succeeded, done.State);
        Assert.Single(done.History);
        Assert.Equal("uploaded demo", (await DownloadModelAsync(client, done.ModelId!.Value)).Manifest.Corpus?.Name);
    }
}

[Collection(TrainingTestGroup.Name)]
public class TrainingValidationTests
{
    [Fact]
    public async Task Training_ReportsTheValidationLogLikelihood_TheKeptEpoch_AndWhyItStopped()
    {
        using var app = new RnnRbmAppFactory();
        Guid corpus = await AddCorpusAsync(app);
        using HttpClient client = app.CreateClient();
        StartTrainingRequest request = Tiny(corpus, epochs: 3) with { ValidateEvery = 1, Patience = 0 };
        TrainingResponse done = await WaitUntilFinishedAsync(client, (await StartAsync(client, request)).Id);

        Assert.Equal(WorkStates.Succeeded, done.State);
        Assert.Equal(3, done.History.Count);
        Assert.All(done.History, e => Assert.True(e.ValidLogLikelihood is double ll && double.IsFinite(ll) && ll < 0, $"epoch {e.Epoch}: {e.ValidLogLikelihood}"));
        StoppingResponse stopping = done.Stopping!;
        Assert.True(stopping.Validated);
        Assert.Equal("valid", stopping.ValidationSource);
        double best = done.History.Max(e => e.ValidLogLikelihood!.Value);
        Assert.Equal(done.History.First(e => e.ValidLogLikelihood == best).Epoch, stopping.BestEpoch);
        Assert.Equal(stopping.BestEpoch, stopping.KeptEpoch);
        Assert.Contains("planned 3 epochs", stopping.StopReason, StringComparison.Ordinal);
        Assert.Contains(stopping.Events, e => e.Kind == "stopped" && e.Message.Contains($"keeps epoch {stopping.BestEpoch}", StringComparison.Ordinal));

        // The model says the same, and the raw JSON uses the documented names.
        RnnRbmModel model = await DownloadModelAsync(client, done.ModelId!.Value);
        Assert.Equal(stopping.KeptEpoch, model.Manifest.Stopping!.KeptEpoch);
        string json = await client.GetStringAsync(new Uri($"/api/trainings/{done.Id}", UriKind.Relative));
        Assert.Contains("\"validLogLikelihood\":", json, StringComparison.Ordinal);
        Assert.Contains("\"keptEpoch\":", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Training_RejectsANegativePatience_NamingTheField()
    {
        using var app = new RnnRbmAppFactory();
        Guid corpus = await AddCorpusAsync(app);
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/trainings", UriKind.Relative),
            new { corpusId = corpus, patience = -1, validateEvery = -2 });
        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("patience must lie in [0, 100000]", body, StringComparison.Ordinal);
        Assert.Contains("validateEvery must lie in [0, 10000]", body, StringComparison.Ordinal);
    }
}
