using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RnnRbm.Api.Models;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;
using SkiaSharp;

namespace RnnRbm.Api.Tests.Models;

public class ModelsApiTests
{
    /// <summary>A small valid model file with a 3-epoch history and one metric.</summary>
    internal static byte[] SmallModelFile(string corpusName = "tiny")
    {
        var shape = new ModelShape(88, 16, 8);
        var manifest = new ModelManifest
        {
            Shape = ShapeInfo.From(shape),
            PitchRange = PitchRangeInfo.From(PitchRange.Piano),
            TimeGrid = TimeGridInfo.From(TimeGrid.Eighths),
            Training = TrainingInfo.From(new TrainingOptions { Epochs = 3, Seed = 11 }, 3),
            Corpus = new CorpusInfo(corpusName, 2, 321, "abc"),
            History = [new EpochRecord(1, -12, -13, 1, 100), new EpochRecord(2, -9, -10.5, 1, 110), new EpochRecord(3, -8, null, 1, 120)],
            Numerics = new NumericsInfo("simd", "test"),
            CreatedUtc = DateTimeOffset.UtcNow,
            Metrics = new Dictionary<string, double> { ["test.logLikelihood"] = -3.25 },
        };
        return ModelFile.Write(new RnnRbmModel(RnnRbmTrainer.InitialParameters(shape, 5), manifest));
    }

    private static Task<HttpResponseMessage> Import(HttpClient client, byte[]? bytes, string? name = null, string fileName = "small.rnnrbm")
    {
        var form = new MultipartFormDataContent();
        if (bytes is not null)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "file", fileName);
        }
        if (name is not null)
        {
            form.Add(new StringContent(name), "name");
        }
        return client.PostAsync(new Uri("/api/models", UriKind.Relative), form);
    }

    [Fact]
    public async Task Import_ThenList_Get_Download_Curve_AndDelete()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        byte[] file = SmallModelFile();

        using HttpResponseMessage created = await Import(client, file, name: "my model");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        ModelDetails model = (await created.Content.ReadFromJsonAsync<ModelDetails>())!;
        Assert.Equal($"/api/models/{model.Id}", created.Headers.Location?.OriginalString);
        Assert.Equal("my model", model.Name);
        Assert.Equal("import", model.Origin);

        List<ModelSummary> all = (await client.GetFromJsonAsync<List<ModelSummary>>(new Uri("/api/models", UriKind.Relative)))!;
        ModelSummary listed = Assert.Single(all);
        Assert.Equal(model.Id, listed.Id);
        Assert.Equal(file.LongLength, listed.FileBytes);
        Assert.Equal(new ShapeResponse(88, 16, 8), listed.Shape);
        Assert.Equal(3, listed.EpochsCompleted);
        Assert.Equal(-8, listed.FinalMonitor);

        using HttpResponseMessage details = await client.GetAsync(new Uri($"/api/models/{model.Id}", UriKind.Relative));
        using JsonDocument json = JsonDocument.Parse(await details.Content.ReadAsStringAsync());
        JsonElement root = json.RootElement;
        Assert.Equal(model.Id, root.GetProperty("id").GetGuid());
        JsonElement manifest = root.GetProperty("manifest");
        Assert.Equal(16, manifest.GetProperty("shape").GetProperty("hidden").GetInt32());
        Assert.Equal(108, manifest.GetProperty("pitchRange").GetProperty("highest").GetInt32());
        Assert.Equal("beats", manifest.GetProperty("timeGrid").GetProperty("kind").GetString());
        Assert.Equal(2, manifest.GetProperty("timeGrid").GetProperty("stepsPerQuarter").GetInt32());
        Assert.Equal(11UL, manifest.GetProperty("training").GetProperty("seed").GetUInt64());
        Assert.Equal(3, manifest.GetProperty("training").GetProperty("epochsCompleted").GetInt32());
        Assert.Equal("tiny", manifest.GetProperty("corpus").GetProperty("name").GetString());
        Assert.False(manifest.GetProperty("hasCheckpoint").GetBoolean());
        Assert.Equal(-3.25, root.GetProperty("metrics").GetProperty("test.logLikelihood").GetDouble());
        JsonElement curve = root.GetProperty("curve");
        Assert.Equal(3, curve.GetArrayLength());
        Assert.Equal(-10.5, curve[1].GetProperty("valid").GetDouble());
        Assert.Equal(JsonValueKind.Null, curve[2].GetProperty("valid").ValueKind);

        using HttpResponseMessage download = await client.GetAsync(new Uri($"/api/models/{model.Id}/file", UriKind.Relative));
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("my model.rnnrbm", download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(file, await download.Content.ReadAsByteArrayAsync());

        using HttpResponseMessage png = await client.GetAsync(new Uri($"/api/models/{model.Id}/curve.png", UriKind.Relative));
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        using (SKBitmap? bitmap = SKBitmap.Decode(await png.Content.ReadAsByteArrayAsync()))
        {
            Assert.NotNull(bitmap);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(new Uri($"/api/models/{model.Id}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri($"/api/models/{model.Id}", UriKind.Relative))).StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<List<ModelSummary>>(new Uri("/api/models", UriKind.Relative)))!);
    }

    [Fact]
    public async Task Import_OfAFileAlreadyHeld_IsKept_AndNamesTheModelWithTheSameContent()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        byte[] file = SmallModelFile("twice");

        using HttpResponseMessage first = await Import(client, file, name: "first");
        ModelDetails one = (await first.Content.ReadFromJsonAsync<ModelDetails>())!;
        Assert.Empty(one.SameContentAs!);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file)), one.ContentSha256);

        using HttpResponseMessage second = await Import(client, file, name: "second");
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        ModelDetails two = (await second.Content.ReadFromJsonAsync<ModelDetails>())!;
        Assert.NotEqual(one.Id, two.Id);
        SameModel same = Assert.Single(two.SameContentAs!);
        Assert.Equal((one.Id, "first"), (same.Id, same.Name));
        // Both are kept (the person chooses); GET shows the hash too.
        ModelDetails stored = (await client.GetFromJsonAsync<ModelDetails>(new Uri($"/api/models/{one.Id}", UriKind.Relative)))!;
        Assert.Equal(one.ContentSha256, stored.ContentSha256);

        // Another file: no duplicate named.
        using HttpResponseMessage other = await Import(client, SmallModelFile("another"), name: "third");
        Assert.Empty((await other.Content.ReadFromJsonAsync<ModelDetails>())!.SameContentAs!);
    }

    [Fact]
    public async Task Import_WithoutAName_IsNamedAfterTheFile()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage created = await Import(client, SmallModelFile(), fileName: "bach chorales.rnnrbm");
        Assert.Equal("bach chorales", (await created.Content.ReadFromJsonAsync<ModelDetails>())!.Name);
    }

    public static TheoryData<string, string> RefusedFiles => new()
    {
        { "corrupt", "checksum" },
        { "version", "version 3" },
        { "not a model", "signature" },
        { "truncated", "checksum" },
    };

    [Theory]
    [MemberData(nameof(RefusedFiles))]
    public async Task Import_RefusesABadFile_SayingWhy(string kind, string reason)
    {
        byte[] file = SmallModelFile();
        switch (kind)
        {
            case "corrupt":
                file[^100] ^= 0x40; // a weight bit flipped
                break;
            case "version":
                BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(8), 3); // a version this build does not know
                break;
            case "not a model":
                file = "MThd, not a model at all"u8.ToArray();
                break;
            case "truncated":
                file = file[..(file.Length - 1000)];
                break;
        }
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await Import(client, file);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument problem = JsonDocument.Parse(body);
        Assert.Contains(reason, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("file", out _));
        Assert.Empty((await client.GetFromJsonAsync<List<ModelSummary>>(new Uri("/api/models", UriKind.Relative)))!);
    }

    [Fact]
    public async Task Import_WithoutAFile_Is400NamingTheField()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await Import(client, null, name: "nothing");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("file", out _));
    }

    [Fact]
    public async Task ImportAndDelete_NeedTheApiKey_WhenTheServerHasOne()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:ApiKey"] = "sesame" });
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage refused = await Import(client, SmallModelFile());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/models", UriKind.Relative))).StatusCode);
    }
}
