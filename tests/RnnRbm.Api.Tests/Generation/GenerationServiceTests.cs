using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Generation;

namespace RnnRbm.Api.Tests.Generation;

/// <summary>Generation against settings of its own: the concurrency limit, the API key, the model cache, the history.</summary>
public class GenerationServiceTests
{
    [Fact]
    public async Task Generate_WhenEverySlotIsTaken_Is429_WithRetryAfter_AndServesAgainOnceFreed()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:GenerationConcurrency"] = "1", ["RnnRbm:GenerationSlotWait"] = "00:00:00" });
        using HttpClient client = app.CreateClient();
        Guid model = await GenerationTestData.AddModelAsync(app);
        var slots = app.Services.GetRequiredService<GenerationSlots>();

        IDisposable held = slots.TryAcquire() ?? throw new InvalidOperationException("the only slot should be free");
        HttpResponseMessage refused = await client.PostGenerateAsync(new { modelId = model, steps = 8, gibbsK = 2 });
        Assert.Null(slots.TryAcquire()); // still held: the refused request did not take or free it
        held.Dispose();
        HttpResponseMessage served = await client.PostGenerateAsync(new { modelId = model, steps = 8, gibbsK = 2 });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        TimeSpan? retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task Generate_WaitsForASlot_AndIsServedWhenOneFrees()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:GenerationConcurrency"] = "1", ["RnnRbm:GenerationSlotWait"] = "00:01:00" });
        using HttpClient client = app.CreateClient();
        Guid model = await GenerationTestData.AddModelAsync(app);
        var slots = app.Services.GetRequiredService<GenerationSlots>();

        IDisposable held = slots.TryAcquire() ?? throw new InvalidOperationException("the only slot should be free");
        Task<HttpResponseMessage> waiting = client.PostGenerateAsync(new { modelId = model, steps = 8, gibbsK = 2 });
        await Eventually.WaitForAsync(() => Task.FromResult(slots.Waiting), n => n == 1, timeoutSeconds: 60, n => $"{n} requests waiting");
        Assert.False(waiting.IsCompleted);
        held.Dispose();

        Assert.Equal(HttpStatusCode.OK, (await waiting).StatusCode);
        Assert.Equal(0, slots.Waiting);
    }

    [Fact]
    public async Task Generate_RequiresTheApiKey_WhenOneIsConfigured()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:ApiKey"] = "s3cret" });
        using HttpClient client = app.CreateClient();
        Guid model = await GenerationTestData.AddModelAsync(app);
        var body = new { modelId = model, steps = 8, gibbsK = 2 };

        HttpResponseMessage without = await client.PostGenerateAsync(body);
        client.DefaultRequestHeaders.Add("X-Api-Key", "wrong");
        HttpResponseMessage wrong = await client.PostGenerateAsync(body);
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        client.DefaultRequestHeaders.Add("X-Api-Key", "s3cret");
        HttpResponseMessage with = await client.PostGenerateAsync(body);
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        HttpResponseMessage history = await client.GetAsync(new Uri("/api/generations", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        Assert.Equal(HttpStatusCode.OK, history.StatusCode); // reads stay open
    }

    [Fact]
    public async Task Generate_KeepsTheModelParsed_ButADeletedModelStopsGenerating()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid model = await GenerationTestData.AddModelAsync(app);
        var cache = app.Services.GetRequiredService<ModelCache>();

        Assert.Equal(HttpStatusCode.OK, (await client.PostGenerateAsync(new { modelId = model, steps = 8, gibbsK = 2 })).StatusCode);
        Assert.True(cache.Contains(model));
        await GenerationTestData.DeleteModelAsync(app, model);
        HttpResponseMessage after = await client.PostGenerateAsync(new { modelId = model, steps = 8, gibbsK = 2 });

        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.False(cache.Contains(model));
    }

    [Fact]
    public async Task Generations_ListsWhatWasServed_MostRecentFirst_AndItsRequestRegeneratesThePiece()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid model = await GenerationTestData.AddModelAsync(app, name: "tiny");
        string primer = Convert.ToBase64String(GenerationTestData.PrimerMidi(8));

        HttpResponseMessage first = await client.PostGenerateAsync(new { modelId = model, steps = 12, gibbsK = 2, format = "json" });
        HttpResponseMessage second = await client.PostGenerateAsync(new { modelId = model, steps = 20, gibbsK = 3, seed = 42, primer, tempo = 90, program = 40 });
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostGenerateAsync(new { modelId = model, steps = 0 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        string firstId = Assert.Single(first.Headers.GetValues("X-Generation-Id"));
        string secondId = Assert.Single(second.Headers.GetValues("X-Generation-Id"));

        JsonElement page = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/generations", UriKind.Relative));
        Assert.Equal(2, page.GetProperty("total").GetInt32()); // the refused request is not history
        JsonElement[] items = [.. page.GetProperty("items").EnumerateArray()];
        Assert.Equal([secondId, firstId], items.Select(i => i.GetProperty("id").GetString()));
        Assert.Equal("tiny", items[0].GetProperty("modelName").GetString());
        Assert.Equal(20, items[0].GetProperty("steps").GetInt32());
        Assert.True(items[0].GetProperty("hasPrimer").GetBoolean());
        Assert.False(items[0].GetProperty("request").TryGetProperty("primer", out _), "lists leave the primer out");
        JsonElement firstRequest = items[1].GetProperty("request");
        Assert.Equal(first.Headers.GetValues("X-Seed").Single(), firstRequest.GetProperty("seed").GetUInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("json", firstRequest.GetProperty("format").GetString());
        Assert.Equal(12, firstRequest.GetProperty("steps").GetInt32());

        JsonElement limited = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/generations?limit=1&offset=1", UriKind.Relative));
        Assert.Equal(firstId, Assert.Single(limited.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());

        // The detail's request, posted back, regenerates the same bytes.
        JsonElement detail = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/generations/{secondId}", UriKind.Relative));
        JsonElement request = detail.GetProperty("request");
        Assert.Equal(primer, request.GetProperty("primer").GetString());
        HttpResponseMessage again = await client.PostAsJsonAsync(new Uri("/generate", UriKind.Relative), request);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(await second.Content.ReadAsByteArrayAsync(), await again.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Generations_RefuseALimitAbove100_AndAnUnknownIdIs404()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();

        HttpResponseMessage tooMany = await client.GetAsync(new Uri("/api/generations?limit=101", UriKind.Relative));
        HttpResponseMessage missing = await client.GetAsync(new Uri($"/api/generations/{Guid.NewGuid()}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Generations_FilterByModel_AndKeepTheHistoryOfADeletedModel()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid kept = await GenerationTestData.AddModelAsync(app, name: "kept");
        Guid gone = await GenerationTestData.AddModelAsync(app, name: "gone");
        Assert.Equal(HttpStatusCode.OK, (await client.PostGenerateAsync(new { modelId = kept, steps = 4, gibbsK = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostGenerateAsync(new { modelId = gone, steps = 4, gibbsK = 1 })).StatusCode);
        await GenerationTestData.DeleteModelAsync(app, gone);

        JsonElement onlyKept = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/generations?modelId={kept}", UriKind.Relative));
        JsonElement onlyGone = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/generations?modelId={gone}", UriKind.Relative));

        Assert.Equal("kept", Assert.Single(onlyKept.GetProperty("items").EnumerateArray()).GetProperty("modelName").GetString());
        Assert.Equal(JsonValueKind.Null, Assert.Single(onlyGone.GetProperty("items").EnumerateArray()).GetProperty("modelName").ValueKind);
    }
}
