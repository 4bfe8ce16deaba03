using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RnnRbm.Api.Tests;

/// <summary>The OpenAPI document lists the whole service, with its file responses and its errors documented.</summary>
public class OpenApiTests
{
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "patch", "head", "options"];

    [Fact]
    public async Task Document_ListsEveryEndpointOfTheService()
    {
        JsonElement paths = (await DocumentAsync()).GetProperty("paths");

        string[] expected =
        [
            "/generate",
            "/healthz",
            "/healthz/ready",
            "/api/generations",
            "/api/generations/{id}",
            "/api/generations/{id}/midi",
            "/api/generations/{id}/png",
            "/api/generations/{id}/audio",
            "/api/corpora",
            "/api/corpora/{id}",
            "/api/corpora/{id}/pitch-histogram.png",
            "/api/trainings",
            "/api/trainings/{id}",
            "/api/trainings/{id}/curve.png",
            "/api/trainings/{id}/cancel",
            "/api/evaluations",
            "/api/evaluations/{id}",
            "/api/evaluations/{id}/cancel",
            "/api/searches",
            "/api/searches/{id}",
            "/api/searches/{id}/cancel",
            "/api/models",
            "/api/models/{id}",
            "/api/models/{id}/file",
        ];
        string[] documented = [.. paths.EnumerateObject().Select(p => p.Name)];
        Assert.Empty(expected.Except(documented, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("/generate", "post", "audio/midi")]
    [InlineData("/api/generations/{id}/midi", "get", "audio/midi")]
    [InlineData("/api/generations/{id}/png", "get", "image/png")]
    [InlineData("/api/generations/{id}/audio", "get", "audio/ogg")]
    [InlineData("/api/generations/{id}/audio", "get", "audio/wav")]
    [InlineData("/api/audio", "post", "audio/ogg")]
    [InlineData("/api/audio", "post", "audio/wav")]
    [InlineData("/api/corpora/{id}/pitch-histogram.png", "get", "image/png")]
    [InlineData("/api/trainings/{id}/curve.png", "get", "image/png")]
    public async Task FileResponses_AreDocumentedAsBinary_WithTheirMediaType(string path, string method, string mediaType)
    {
        JsonElement content = SuccessContent(await DocumentAsync(), path, method);

        Assert.True(content.TryGetProperty(mediaType, out JsonElement media), $"{method} {path} does not document {mediaType}");
        Assert.Equal("binary", media.GetProperty("schema").GetProperty("format").GetString());
    }

    [Fact]
    public async Task ModelFileDownload_IsDocumentedAsBinary()
    {
        JsonElement content = SuccessContent(await DocumentAsync(), "/api/models/{id}/file", "get");

        JsonProperty media = Assert.Single(content.EnumerateObject());
        Assert.Equal("binary", media.Value.GetProperty("schema").GetProperty("format").GetString());
    }

    [Fact]
    public async Task Generate_DocumentsOneRepresentation_ItsRequestBounds_AndItsErrors()
    {
        JsonElement document = await DocumentAsync();
        JsonElement operation = document.GetProperty("paths").GetProperty("/generate").GetProperty("post");

        // One media type per success, so a generated client's method returns exactly one thing: the MIDI file.
        JsonProperty media = Assert.Single(SuccessContent(document, "/generate", "post").EnumerateObject());
        Assert.Equal("audio/midi", media.Name);
        string requestRef = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
        JsonElement request = document.GetProperty("components").GetProperty("schemas").GetProperty(requestRef.Split('/')[^1]);
        JsonElement steps = request.GetProperty("properties").GetProperty("steps");
        Assert.Equal(1, steps.GetProperty("minimum").GetInt32());
        Assert.Equal(10_000, steps.GetProperty("maximum").GetInt32());
        Assert.Equal(1000, request.GetProperty("properties").GetProperty("gibbsK").GetProperty("maximum").GetInt32());
        Assert.Equal(127, request.GetProperty("properties").GetProperty("program").GetProperty("maximum").GetInt32());
        string[] statuses = [.. operation.GetProperty("responses").EnumerateObject().Select(r => r.Name)];
        Assert.Superset(new HashSet<string>(["200", "400", "401", "404", "406", "413", "429"]), new HashSet<string>(statuses));
        Assert.True(operation.GetProperty("responses").GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
    }

    [Fact]
    public async Task EverySuccess_HasOneMediaType_ExceptAudioWhoseFormatDependsOnTheServer()
    {
        JsonElement paths = (await DocumentAsync()).GetProperty("paths");

        var several = new List<string>();
        foreach (JsonProperty path in paths.EnumerateObject())
        {
            foreach (JsonProperty operation in path.Value.EnumerateObject().Where(o => HttpMethods.Contains(o.Name)))
            {
                foreach (JsonProperty response in operation.Value.GetProperty("responses").EnumerateObject().Where(r => r.Name.StartsWith('2')))
                {
                    string[] types = response.Value.TryGetProperty("content", out JsonElement content) ? [.. content.EnumerateObject().Select(c => c.Name)] : [];
                    if (types.Length > 1 && !types.All(t => t.StartsWith("audio/", StringComparison.Ordinal)))
                    {
                        several.Add($"{operation.Name.ToUpperInvariant()} {path.Name} {response.Name}: {string.Join(", ", types)}");
                    }
                }
            }
        }
        Assert.Empty(several);
    }

    [Fact]
    public async Task TheApiKeyRequirement_SitsOnExactlyTheChanges_EachWithIts401()
    {
        JsonElement document = await DocumentAsync();
        Assert.Equal("header", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("apiKey").GetProperty("in").GetString());

        var wrong = new List<string>();
        foreach (JsonProperty path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (JsonProperty operation in path.Value.EnumerateObject().Where(o => HttpMethods.Contains(o.Name)))
            {
                bool change = operation.Name is "post" or "put" or "patch" or "delete";
                bool secured = operation.Value.TryGetProperty("security", out JsonElement security)
                    && security.EnumerateArray().Any(r => r.TryGetProperty("apiKey", out _));
                bool has401 = operation.Value.GetProperty("responses").TryGetProperty("401", out _);
                if (change != secured || change != has401)
                {
                    wrong.Add($"{operation.Name.ToUpperInvariant()} {path.Name}: security {secured}, 401 {has401}");
                }
            }
        }
        Assert.Empty(wrong);
    }

    [Theory]
    [InlineData("/generate")]
    [InlineData("/api/trainings")]
    [InlineData("/api/evaluations")]
    [InlineData("/api/searches")]
    public async Task RequestBodies_CarryAnExample(string path)
    {
        JsonElement document = await DocumentAsync();
        string reference = document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
        JsonElement schema = document.GetProperty("components").GetProperty("schemas").GetProperty(reference.Split('/')[^1]);

        // A whole example body, or an example on the required id (the rest have defaults).
        bool whole = schema.TryGetProperty("example", out JsonElement example) && example.ValueKind == JsonValueKind.Object;
        string id = path == "/generate" ? "modelId" : path is "/api/trainings" or "/api/searches" ? "corpusId" : "modelId";
        bool onId = schema.GetProperty("properties").GetProperty(id).TryGetProperty("example", out _);
        Assert.True(whole || onId, $"POST {path} documents no example");
        if (whole)
        {
            Assert.True(example.TryGetProperty(id, out _), $"POST {path}'s example lacks {id}");
        }
    }

    [Fact]
    public async Task EveryOperation_HasAUniqueOperationId_AndTheDocumentAServer()
    {
        JsonElement document = await DocumentAsync();

        string[] ids = [.. document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(o => HttpMethods.Contains(o.Name)))
            .Select(o => o.Value.TryGetProperty("operationId", out JsonElement id) ? id.GetString() ?? "" : "")];
        Assert.DoesNotContain("", ids);
        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.StartsWith("http://localhost", Assert.Single(document.GetProperty("servers").EnumerateArray()).GetProperty("url").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryOperationWithInput_DocumentsAClientError()
    {
        JsonElement paths = (await DocumentAsync()).GetProperty("paths");

        var without = new List<string>();
        foreach (JsonProperty path in paths.EnumerateObject())
        {
            // Health probes take no input: nothing a client sends can be wrong. Readiness documents its 503 instead.
            if (path.Name.StartsWith("/healthz", StringComparison.Ordinal))
            {
                continue;
            }
            foreach (JsonProperty operation in path.Value.EnumerateObject().Where(o => HttpMethods.Contains(o.Name)))
            {
                // A read with no parameters and no body (a list) takes no input that could be wrong.
                bool takesInput = operation.Value.TryGetProperty("requestBody", out _)
                    || (operation.Value.TryGetProperty("parameters", out JsonElement parameters) && parameters.GetArrayLength() > 0)
                    || path.Name.Contains('{', StringComparison.Ordinal);
                if (!takesInput)
                {
                    continue;
                }
                bool has4xx = operation.Value.GetProperty("responses").EnumerateObject().Any(r => r.Name.StartsWith('4'));
                if (!has4xx)
                {
                    without.Add($"{operation.Name.ToUpperInvariant()} {path.Name}");
                }
            }
        }
        Assert.Empty(without);
        Assert.True(paths.GetProperty("/healthz/ready").GetProperty("get").GetProperty("responses").TryGetProperty("503", out _));
    }

    private static JsonElement SuccessContent(JsonElement document, string path, string method)
    {
        Assert.True(document.GetProperty("paths").TryGetProperty(path, out JsonElement item), $"{path} is not documented");
        JsonElement responses = item.GetProperty(method).GetProperty("responses");
        return responses.GetProperty("200").GetProperty("content");
    }

    private static async Task<JsonElement> DocumentAsync()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        HttpResponseMessage response = await client.GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
