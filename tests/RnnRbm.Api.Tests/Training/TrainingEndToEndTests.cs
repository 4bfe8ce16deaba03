using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Training;
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
