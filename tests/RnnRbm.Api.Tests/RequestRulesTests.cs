using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Limits;
using RnnRbm.Core.Model;
using RnnRbm.Core.Training;

namespace RnnRbm.Api.Tests;

/// <summary>
/// One set of rules for every request body: read and checked one way (unknown fields and numbers sent as strings are
/// refused, naming the field), every bound declared once in Core and the same in the options endpoints, the OpenAPI
/// schema and the answers.
/// </summary>
public sealed class RequestRulesTests : IDisposable
{
    private const string SomeId = "00000000-0000-0000-0000-000000000001";

    // The three bodies, each with its required ids and nothing else wrong.
    public static TheoryData<string, string> Endpoints => new()
    {
        { "/generate", $$"""{"modelId": "{{SomeId}}"}""" },
        { "/api/trainings", $$"""{"corpusId": "{{SomeId}}"}""" },
        { "/api/evaluations", $$"""{"modelId": "{{SomeId}}", "corpusId": "{{SomeId}}"}""" },
        // budgetMinutes is required too, but left out: the tests add the field under test, and a field given twice is refused.
        { "/api/searches", $$"""{"corpusId": "{{SomeId}}"}""" },
    };

    /// <summary>The options endpoint of the feature that <paramref name="path"/> belongs to.</summary>
    private static string OptionsOf(string path) => path == "/generate" ? "/api/generations/options" : path + "/options";

    private readonly RnnRbmAppFactory _app = new(new Dictionary<string, string?> { ["RnnRbm:TrainingWorkers"] = "0", ["RnnRbm:Role"] = "web" });
    private readonly HttpClient _client;

    public RequestRulesTests() => _client = _app.CreateClient();

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task UnknownField_Is400ProblemNamingIt(string path, string valid)
    {
        JsonElement problem = await PostExpecting400Async(path, valid.Replace("{", "{\"gibbs_k\": 5, ", StringComparison.Ordinal));
        Assert.Equal(["gibbs_k"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Contains("not a field", problem.GetProperty("errors").GetProperty("gibbs_k")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task NumberSentAsAString_Is400ProblemNamingTheField(string path, string valid)
    {
        RequestOptions options = await OptionsAsync(OptionsOf(path));
        foreach (string field in options.Fields.Keys)
        {
            JsonElement problem = await PostExpecting400Async(path, valid.Replace("{", $"{{\"{field}\": \"7\", ", StringComparison.Ordinal));
            Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
            Assert.Contains("\"7\"", problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task EveryBound_IsEnforced_WithAMessageSayingTheRange(string path, string valid)
    {
        RequestOptions options = await OptionsAsync(OptionsOf(path));
        foreach ((string field, FieldOptions bounds) in options.Fields)
        {
            var outside = new List<string>();
            if (bounds.Minimum is double min)
            {
                outside.Add(bounds.ExclusiveMinimum ? Text(min) : Text(min - (bounds.WholeNumber ? 1 : Math.Max(Math.Abs(min) * 0.5, 1e-3))));
            }
            if (bounds.Maximum is double max)
            {
                outside.Add(Text(max + (bounds.WholeNumber ? 1 : Math.Max(max * 0.5, 1e-3))));
            }
            foreach (string value in outside)
            {
                JsonElement problem = await PostExpecting400Async(path, valid.Replace("{", $"{{\"{field}\": {value}, ", StringComparison.Ordinal));
                JsonElement errors = problem.GetProperty("errors");
                Assert.True(errors.TryGetProperty(field, out JsonElement messages), $"{path} accepted {field} = {value}: {errors}");
                Assert.Contains(field + " must", messages[0].GetString(), StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("/api/generations/options")]
    [InlineData("/api/trainings/options")]
    [InlineData("/api/evaluations/options")]
    [InlineData("/api/searches/options")]
    public async Task Options_AreCoresDeclaration(string path)
    {
        IReadOnlyList<FieldLimit> core = path switch
        {
            "/api/generations/options" => GenerationLimits.All,
            "/api/trainings/options" => TrainingLimits.All,
            "/api/searches/options" => RnnRbm.Core.Search.SearchLimits.All,
            _ => EvaluationLimits.All,
        };
        RequestOptions options = await OptionsAsync(path);
        Assert.Equal(core.Select(l => l.Name).Order(StringComparer.Ordinal), options.Fields.Keys.Order(StringComparer.Ordinal));
        foreach (FieldLimit limit in core)
        {
            FieldOptions field = options.Fields[limit.Name];
            Assert.Equal((limit.Minimum, limit.Maximum, limit.Default, limit.WholeNumber, limit.ExclusiveMinimum),
                (field.Minimum, field.Maximum, field.Default, field.WholeNumber, field.ExclusiveMinimum));
        }
    }

    [Fact]
    public async Task Options_MatchTheApisFormerBounds_AndTheDefaultRecipe()
    {
        RequestOptions training = await OptionsAsync("/api/trainings/options");
        Assert.Equal(2048, training.Fields["hidden"].Maximum);
        Assert.Equal(100_000, training.Fields["epochs"].Maximum);
        Assert.Equal(10_000, training.Fields["batchSize"].Maximum);
        Assert.Equal(0.999, training.Fields["momentum"].Maximum);
        Assert.Equal(1e-7, training.Fields["learningRate"].Minimum);
        Assert.Equal(0.9, training.Fields["momentum"].Default);
        Assert.Equal(TrainingRecipe.Default.Options.Epochs, training.Fields["epochs"].Default);
        Assert.Equal(["default", "seed", "quick"], training.Choices["recipe"].Values);
        RequestOptions evaluation = await OptionsAsync("/api/evaluations/options");
        Assert.Equal(9007199254740991, evaluation.Fields["seed"].Maximum);
        Assert.True(evaluation.Fields["aisTolerance"].ExclusiveMinimum);
        RequestOptions generation = await OptionsAsync("/api/generations/options");
        Assert.Equal((1, 10_000, 200), (generation.Fields["steps"].Minimum, generation.Fields["steps"].Maximum, generation.Fields["steps"].Default));
        Assert.Equal("midi", generation.Choices["format"].Default);
    }

    [Theory]
    [InlineData("/generate")]
    [InlineData("/api/trainings")]
    [InlineData("/api/evaluations")]
    [InlineData("/api/searches")]
    public async Task OpenApiSchema_CarriesTheSameBounds_AndSaysTheDefaults(string path)
    {
        using HttpResponseMessage response = await _client.GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));
        JsonElement document = await response.Content.ReadFromJsonAsync<JsonElement>();
        JsonElement body = document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("requestBody");
        string reference = body.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
        JsonElement properties = document.GetProperty("components").GetProperty("schemas").GetProperty(reference.Split('/')[^1]).GetProperty("properties");
        // The body is documented once, as the request body: no parameter stands for it.
        Assert.False(document.GetProperty("paths").GetProperty(path).GetProperty("post").TryGetProperty("parameters", out _));

        foreach ((string field, FieldOptions bounds) in (await OptionsAsync(OptionsOf(path))).Fields)
        {
            JsonElement schema = properties.GetProperty(field);
            Assert.Equal(bounds.Minimum, Number(schema, "minimum"));
            Assert.Equal(bounds.Maximum, Number(schema, "maximum"));
            // The default is said, not declared: generated clients would fill it in and send it (issue 12).
            Assert.Null(Number(schema, "default"));
            if (bounds.Default is double fallback)
            {
                Assert.Contains($"When absent: {fallback.ToString(System.Globalization.CultureInfo.InvariantCulture)}", schema.GetProperty("description").GetString(), StringComparison.Ordinal);
            }
            Assert.Equal(bounds.ExclusiveMinimum, schema.TryGetProperty("exclusiveMinimum", out JsonElement exclusive) && exclusive.ValueKind != JsonValueKind.False);
        }
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task InvalidUtf8InAString_Is400NotA500(string path, string valid)
    {
        // An id field holding a byte that is not UTF-8 (issue 13's "\xff" case); every body has one.
        string idField = valid.Contains("modelId", StringComparison.Ordinal) ? "modelId" : "corpusId";
        byte[] json = [.. Encoding.UTF8.GetBytes($"{{\"{idField}\": \""), 0xff, .. "\"}"u8];
        using var content = new ByteArrayContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await _client.PostAsync(new Uri(path, UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static double? Number(JsonElement schema, string name) =>
        schema.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private async Task<RequestOptions> OptionsAsync(string path) =>
        (await _client.GetFromJsonAsync<RequestOptions>(new Uri(path, UriKind.Relative)))!;

    private async Task<JsonElement> PostExpecting400Async(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await _client.PostAsync(new Uri(path, UriKind.Relative), content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} {json}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }

    private sealed record FieldOptions(double? Minimum, double? Maximum, bool ExclusiveMinimum, bool WholeNumber, double? Default, string? Unit);

    private sealed record Choice(List<string> Values, string? Default);

    private sealed record RequestOptions(Dictionary<string, FieldOptions> Fields, Dictionary<string, Choice> Choices);
}
