using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using RnnRbm.Api.Corpora;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Training;
using RnnRbm.Core.Model;
using static RnnRbm.ScaleOut.Tests.ScaleOutKit;

namespace RnnRbm.ScaleOut.Tests;

/// <summary>The whole app (role all) in this process on PostgreSQL: its migrations, Hangfire's schema, one round trip.</summary>
public class PostgresAppTests
{
    [PostgresFact]
    public async Task OnPostgres_UploadTrainAndDownloadTheModel()
    {
        await using TestDatabase database = await TestDatabase.CreateAsync();
        string folder = Directory.CreateTempSubdirectory("rnnrbm-pg-app-").FullName;
        try
        {
            await using var app = new PostgresApp(database, folder);
            using HttpClient client = app.CreateClient();

            using var form = new MultipartFormDataContent { { new StringContent("demo on postgres"), "name" }, { new StringContent("0.25"), "validFraction" } };
            foreach (string file in DemoFiles.Take(4))
            {
                var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
                content.Headers.ContentType = new MediaTypeHeaderValue("audio/midi");
                form.Add(content, "files", Path.GetFileName(file));
            }
            using HttpResponseMessage uploaded = await client.PostAsync(new Uri("/api/corpora", UriKind.Relative), form);
            Assert.True(uploaded.StatusCode == HttpStatusCode.Created, await uploaded.Content.ReadAsStringAsync());
            CorpusDetails corpus = (await uploaded.Content.ReadFromJsonAsync<CorpusDetails>())!;

            Guid id = await StartAsync(client, Tiny(corpus.Id, epochs: 2));
            TrainingResponse done = await WaitForAsync(client, id, t => WorkStates.IsFinished(t.State), 60);
            Assert.True(done.State == WorkStates.Succeeded, $"{done.State}: {done.Error}");
            Assert.Equal([1, 2], done.History.Select(e => e.Epoch));

            using HttpResponseMessage download = await client.GetAsync(new Uri($"/api/models/{done.ModelId}/file", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            RnnRbmModel model = ModelFile.Read(await download.Content.ReadAsByteArrayAsync());
            Assert.Equal(2, model.Manifest.Training.EpochsCompleted);
            Assert.Equal(16, model.Manifest.Shape.Hidden);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder.
            }
        }
    }

    private sealed class PostgresApp(TestDatabase database, string folder) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("RnnRbm:Database", "postgres");
            builder.UseSetting("ConnectionStrings:Postgres", database.ConnectionString);
            builder.UseSetting("RnnRbm:DataFolder", folder);
            builder.UseSetting("RnnRbm:SeedDemo", "false");
            builder.UseSetting("RnnRbm:JobPollInterval", "00:00:00.200");
        }
    }
}
