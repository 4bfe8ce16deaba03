using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Storage;
using SkiaSharp;

namespace RnnRbm.Api.Tests.Generation;

/// <summary>
/// POST /generate negotiates its answer with Accept, and every generation is a resource whose views (MIDI, PNG,
/// audio) render the stored piece without sampling again.
/// </summary>
public class GenerationResourceTests(GenerationAppFixture fixture) : IClassFixture<GenerationAppFixture>
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly string[] AudioTypes = ["audio/ogg", "audio/wav"];
    private readonly HttpClient _client = fixture.Client;
    private readonly Guid _model = fixture.ModelId;

    [Theory]
    [InlineData("image/png", "image/png")]
    [InlineData("application/json", "application/json")]
    [InlineData("audio/midi", "audio/midi")]
    [InlineData("*/*", "audio/midi")]
    [InlineData("application/json, text/plain, */*", "application/json")]
    [InlineData("image/*;q=0.9, audio/midi;q=0.5", "image/png")]
    public async Task Generate_AnswersWhatAcceptAsksFor(string accept, string answered)
    {
        HttpResponseMessage response = await PostWithAcceptAsync(accept, new { modelId = _model, steps = 16, gibbsK = 3, seed = 11 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(answered, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Generate_AcceptAndFormatGiveTheSameBytes()
    {
        var body = new { modelId = _model, steps = 24, gibbsK = 3, seed = 12 };
        HttpResponseMessage byAccept = await PostWithAcceptAsync("image/png", body);
        HttpResponseMessage byFormat = await _client.PostGenerateAsync(new { modelId = _model, steps = 24, gibbsK = 3, seed = 12, format = "png" });

        Assert.Equal(await byFormat.Content.ReadAsByteArrayAsync(), await byAccept.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Generate_FormatThatAcceptRefuses_Is406_NamingBoth()
    {
        HttpResponseMessage response = await PostWithAcceptAsync("audio/midi", new { modelId = _model, steps = 16, seed = 1, format = "png" });

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        string detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("'png'", detail, StringComparison.Ordinal);
        Assert.Contains("audio/midi", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_AcceptOfNoneOfItsTypes_Is406_ListingWhatItAnswers()
    {
        HttpResponseMessage response = await PostWithAcceptAsync("text/html", new { modelId = _model, steps = 16, seed = 1 });

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        string detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("audio/midi, image/png, application/json", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateGeneration_Is201_WithLocation_AndItsViewsAreThePieceGenerateAnswers()
    {
        var body = new { modelId = _model, steps = 40, gibbsK = 4, seed = 4242 };
        HttpResponseMessage created = await _client.PostAsJsonAsync(new Uri("/api/generations", UriKind.Relative), body);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        JsonElement generation = await created.Content.ReadFromJsonAsync<JsonElement>();
        Guid id = generation.GetProperty("id").GetGuid();
        Assert.Equal($"/api/generations/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("4242", Assert.Single(created.Headers.GetValues("X-Seed")));
        JsonElement piece = generation.GetProperty("piece");
        Assert.Equal(40, piece.GetProperty("notes").GetArrayLength());

        // One sampling, many views: each renders the stored piece, the same bytes POST /generate answers.
        byte[] midi = await GetBytesAsync($"/api/generations/{id}/midi", "audio/midi");
        Assert.Equal(await (await _client.PostGenerateAsync(body)).Content.ReadAsByteArrayAsync(), midi);
        Assert.Equal(piece.GetProperty("noteSteps").GetInt32(), GenerationTestData.ReadMidi(midi).CountActive());
        byte[] png = await GetBytesAsync($"/api/generations/{id}/png", "image/png");
        Assert.Equal(await (await _client.PostGenerateAsync(new { modelId = _model, steps = 40, gibbsK = 4, seed = 4242, format = "png" })).Content.ReadAsByteArrayAsync(), png);
        using SKBitmap image = SKBitmap.Decode(png);
        Assert.True(image.Width > 0 && image.Height > 0);

        JsonElement got = await _client.GetFromJsonAsync<JsonElement>(new Uri($"/api/generations/{id}", UriKind.Relative));
        Assert.Equal(piece.GetProperty("notes").ToString(), got.GetProperty("piece").GetProperty("notes").ToString());
    }

    [Fact]
    public async Task Views_RenderWithoutSampling_SoTheHistoryGrowsByOnePerGeneration()
    {
        int before = await HistoryTotalAsync();
        HttpResponseMessage created = await _client.PostAsJsonAsync(new Uri("/api/generations", UriKind.Relative), new { modelId = _model, steps = 16, gibbsK = 2 });
        Guid id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await GetBytesAsync($"/api/generations/{id}/midi", "audio/midi");
        await GetBytesAsync($"/api/generations/{id}/png", "image/png");
        await GetBytesAsync($"/api/generations/{id}/midi", "audio/midi");

        Assert.Equal(before + 1, await HistoryTotalAsync());
    }

    [Fact]
    public async Task Lists_LeaveThePieceOut()
    {
        await _client.PostAsJsonAsync(new Uri("/api/generations", UriKind.Relative), new { modelId = _model, steps = 8, gibbsK = 2 });
        JsonElement page = await _client.GetFromJsonAsync<JsonElement>(new Uri("/api/generations?limit=5", UriKind.Relative));

        Assert.All(page.GetProperty("items").EnumerateArray(), item => Assert.False(item.TryGetProperty("piece", out _)));
    }

    [Fact]
    public async Task AudioView_RendersThePiece_OrSaysWhyThisServerCannot()
    {
        HttpResponseMessage created = await _client.PostAsJsonAsync(new Uri("/api/generations", UriKind.Relative), new { modelId = _model, steps = 16, gibbsK = 2, seed = 3 });
        Guid id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        bool available = (await _client.GetFromJsonAsync<JsonElement>(new Uri("/api/audio/status", UriKind.Relative))).GetProperty("available").GetBoolean();

        HttpResponseMessage audio = await _client.GetAsync(new Uri($"/api/generations/{id}/audio", UriKind.Relative));

        if (available)
        {
            Assert.Equal(HttpStatusCode.OK, audio.StatusCode);
            Assert.Contains(audio.Content.Headers.ContentType?.MediaType, AudioTypes);
        }
        else
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, audio.StatusCode);
            Assert.Equal("application/problem+json", audio.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [InlineData("midi")]
    [InlineData("png")]
    [InlineData("audio")]
    public async Task Views_OfAnUnknownGeneration_Are404(string view)
    {
        HttpResponseMessage response = await _client.GetAsync(new Uri($"/api/generations/{Guid.NewGuid()}/{view}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Views_OfAGenerationRecordedBeforePiecesWereKept_Are409_SayingHowToGetItAgain()
    {
        var old = new GenerationEntity
        {
            Id = Guid.CreateVersion7(),
            ModelId = _model,
            CreatedUtc = DateTimeOffset.UtcNow.AddDays(-30),
            RequestJson = JsonSerializer.Serialize(new { modelId = _model, steps = 16, gibbsK = 2, seed = 1, tempo = 120.0, program = 0, format = "midi", includePrimer = false }, Web),
            Steps = 16,
            Notes = 3,
        };
        using (IServiceScope scope = fixture.App.Services.CreateScope())
        {
            RnnRbmDbContext db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
            db.Generations.Add(old);
            await db.SaveChangesAsync();
        }

        HttpResponseMessage response = await _client.GetAsync(new Uri($"/api/generations/{old.Id}/png", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("/generate", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        JsonElement got = await _client.GetFromJsonAsync<JsonElement>(new Uri($"/api/generations/{old.Id}", UriKind.Relative));
        Assert.False(got.TryGetProperty("piece", out _));
    }

    private async Task<HttpResponseMessage> PostWithAcceptAsync(string accept, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/generate", UriKind.Relative))
        {
            Content = new StringContent(JsonSerializer.Serialize(body, Web), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd(accept);
        return await _client.SendAsync(request);
    }

    private async Task<byte[]> GetBytesAsync(string path, string mediaType)
    {
        HttpResponseMessage response = await _client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<int> HistoryTotalAsync() =>
        (await _client.GetFromJsonAsync<JsonElement>(new Uri("/api/generations?limit=1", UriKind.Relative))).GetProperty("total").GetInt32();
}
