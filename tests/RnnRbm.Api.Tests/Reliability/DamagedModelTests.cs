using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Models;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Tests.Models;

namespace RnnRbm.Api.Tests.Reliability;

/// <summary>
/// Issue 13, damaged stored models: a model whose stored bytes were damaged (one byte flipped in the database, as a bad
/// disk or a careless edit would) is listed as damaged and refused with 409 wherever its file would be used; a damaged
/// bundled model is restored from the bundle at start.
/// </summary>
public sealed class DamagedModelTests
{
    private static async Task<Guid> ImportAsync(HttpClient client, byte[] file)
    {
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", "small.rnnrbm");
        using HttpResponseMessage created = await client.PostAsync(new Uri("/api/models", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<ModelDetails>())!.Id;
    }

    /// <summary>Flips one byte in the middle of the stored file (its length stays, so only the checksum can tell).</summary>
    private static async Task DamageAsync(RnnRbmAppFactory app, Guid id)
    {
        using IServiceScope scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        byte[] file = await db.Models.Where(m => m.Id == id).Select(m => m.File).SingleAsync();
        file[file.Length / 2] ^= 0x40;
        await db.Models.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.File, file));
    }

    private static async Task<ModelSummary> ListedAsync(HttpClient client, Guid id) =>
        Assert.Single((await client.GetFromJsonAsync<List<ModelSummary>>(new Uri("/api/models", UriKind.Relative)))!, m => m.Id == id);

    private static async Task AssertConflictAsync(HttpResponseMessage response, Guid id)
    {
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The model's stored file is damaged.", problem.GetProperty("title").GetString());
        Assert.Contains($"Model {id} is marked damaged (the checksum does not match", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADamagedModel_IsListedDamaged_AndRefusedWith409ForDownloadAndGeneration()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid id = await ImportAsync(client, ModelsApiTests.SmallModelFile());
        Assert.Equal(("ok", null), ((await ListedAsync(client, id)).State, (await ListedAsync(client, id)).Damage));

        await DamageAsync(app, id);

        // Serving reads the bytes, so it checks them: never 200 with bad bytes.
        using (HttpResponseMessage download = await client.GetAsync(new Uri($"/api/models/{id}/file", UriKind.Relative)))
        {
            await AssertConflictAsync(download, id);
        }
        using (HttpResponseMessage generate = await client.PostAsJsonAsync(new Uri("/generate", UriKind.Relative), new { modelId = id, steps = 4 }))
        {
            await AssertConflictAsync(generate, id);
        }
        ModelSummary listed = await ListedAsync(client, id);
        Assert.Equal("damaged", listed.State);
        Assert.StartsWith("the checksum does not match", listed.Damage, StringComparison.Ordinal);
        ModelDetails details = (await client.GetFromJsonAsync<ModelDetails>(new Uri($"/api/models/{id}", UriKind.Relative)))!;
        Assert.Equal("damaged", details.State);
    }

    [Fact]
    public async Task ADamagedModel_IsListedDamaged_ByTheFirstListOfAProcess()
    {
        using var first = new RnnRbmAppFactory();
        Guid id;
        using (HttpClient client = first.CreateClient())
        {
            id = await ImportAsync(client, ModelsApiTests.SmallModelFile());
        }
        await DamageAsync(first, id);

        // A restart on the same database: nothing has read the file yet; the list itself checks it.
        using var second = new RnnRbmAppFactory(dataFolder: first.DataFolder);
        using HttpClient again = second.CreateClient();
        Assert.Equal("damaged", (await ListedAsync(again, id)).State);
    }

    [Fact]
    public async Task ADamagedBundledModel_IsRestoredFromTheBundleAtStart_KeepingItsIdAndMetrics()
    {
        string bundled = Directory.CreateTempSubdirectory("rnnrbm-bundled-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(bundled, "models"));
            byte[] file = ModelsApiTests.SmallModelFile("Nottingham");
            await File.WriteAllBytesAsync(Path.Combine(bundled, "models", "nottingham-default.rnnrbm"), file);
            var settings = new Dictionary<string, string?> { ["RnnRbm:SeedDemo"] = "true", ["RnnRbm:BundledDataFolder"] = bundled };

            using var first = new RnnRbmAppFactory(settings);
            Guid id;
            using (HttpClient client = first.CreateClient())
            {
                id = Assert.Single((await client.GetFromJsonAsync<List<ModelSummary>>(new Uri("/api/models", UriKind.Relative)))!).Id;
            }
            await DamageAsync(first, id);

            using var second = new RnnRbmAppFactory(settings, dataFolder: first.DataFolder);
            using HttpClient again = second.CreateClient();
            ModelSummary restored = Assert.Single((await again.GetFromJsonAsync<List<ModelSummary>>(new Uri("/api/models", UriKind.Relative)))!);
            Assert.Equal((id, "ok"), (restored.Id, restored.State));
            byte[] served = await again.GetByteArrayAsync(new Uri($"/api/models/{id}/file", UriKind.Relative));
            Assert.Equal(-3.25, RnnRbm.Core.Model.ModelFile.Read(served).Manifest.Metrics["test.logLikelihood"]);
            Assert.Contains(second.Logs.Lines, l => l.Message.Contains("is restored from", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(bundled, recursive: true);
        }
    }
}
