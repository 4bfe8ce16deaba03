using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Evaluations;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Tests.Training;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Model;
using static RnnRbm.Api.Tests.Evaluations.EvaluationTestKit;

namespace RnnRbm.Api.Tests.Evaluations;

/// <summary>Evaluations share the CPU with trainings: run with them, one class at a time.</summary>
[Collection(TrainingTestGroup.Name)]
public class EvaluationsApiTests
{
    [Fact]
    public async Task TinyModel_IsEvaluated_AndItsManifestCarriesTheMetrics()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid model = await AddTinyModelAsync(app);
        Guid corpus = await AddCorpusAsync(app, "test", 2);

        HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/evaluations", UriKind.Relative), Quick(model, corpus));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        EvaluationResponse started = (await response.Content.ReadFromJsonAsync<EvaluationResponse>())!;
        Assert.Equal($"/api/evaluations/{started.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("test", started.Split);
        Assert.Equal(7, started.Seed);

        EvaluationResponse done = await WaitUntilFinishedAsync(client, started.Id);
        Assert.True(done.State == WorkStates.Succeeded, done.Error);
        Assert.Equal(1, done.Progress);
        Assert.NotNull(done.LogLikelihood);
        Assert.True(double.IsFinite(done.LogLikelihood!.Value) && done.LogLikelihood < 0, $"LL {done.LogLikelihood}");
        Assert.True(done.StandardError is >= 0, $"SE {done.StandardError}");
        Assert.True(done.Accuracy is >= 0 and <= 1, $"accuracy {done.Accuracy}");
        Assert.True(done.Steps > 0);
        Assert.Equal(2, done.Sequences);
        Assert.NotNull(done.Backend);
        Assert.False(done.CancelRequested);
        EvaluationEntity row = Row(app, started.Id);
        Assert.Null(row.LeaseOwner); // released with the result
        Assert.Null(row.LeaseHeartbeatUtc);

        using JsonDocument details = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/models/{model}", UriKind.Relative)));
        JsonElement metrics = details.RootElement.GetProperty("metrics");
        Assert.Equal(done.LogLikelihood.Value, metrics.GetProperty("test.logLikelihood").GetDouble(), 9);
        Assert.Equal(done.StandardError!.Value, metrics.GetProperty("test.logLikelihoodStandardError").GetDouble(), 9);
        Assert.Equal(done.Accuracy!.Value, metrics.GetProperty("test.accuracy").GetDouble(), 9);

        RnnRbmModel downloaded = await TrainingTestKit.DownloadModelAsync(client, model);
        Assert.Equal(done.LogLikelihood.Value, downloaded.Manifest.Metrics["test.logLikelihood"], 9);
        Assert.Equal(done.Accuracy.Value, downloaded.Manifest.Metrics["test.accuracy"], 9);

        // At-least-once: a second run of the finished evaluation's job returns without writing.
        string manifestBefore = ModelRow(app, model).ManifestJson;
        app.Services.GetRequiredService<WorkJob>().Run(EvaluationRun.Kind, started.Id, CancellationToken.None);
        Assert.Equal(manifestBefore, ModelRow(app, model).ManifestJson);
        Assert.Equal(row.Version, Row(app, started.Id).Version);
        Assert.Equal(done, await GetAsync(client, started.Id));

        List<EvaluationResponse> all = (await client.GetFromJsonAsync<List<EvaluationResponse>>(new Uri("/api/evaluations", UriKind.Relative)))!;
        Assert.Contains(all, e => e.Id == started.Id);
    }

    [Fact]
    public async Task ByDefault_TheScheduleIsSearchedFor_AndEveryFigureHasItsFloor()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid model = await AddTinyModelAsync(app);
        Guid corpus = await TrainingTestKit.AddCorpusAsync(app, train: 3, valid: 2); // train and valid splits

        EvaluationResponse started = await StartAsync(client, new StartEvaluationRequest(model, corpus, Split: "valid", AccSamples: 2, Seed: 9));
        Assert.Null(started.AisSteps);
        Assert.Equal(EvaluationsApi.DefaultAisTolerance, started.AisTolerance);
        Assert.Equal((int)EvaluationLimits.AisRuns.Default!.Value, started.AisRuns);

        EvaluationResponse done = await WaitUntilFinishedAsync(client, started.Id, timeoutSeconds: 300);
        Assert.True(done.State == WorkStates.Succeeded, done.Error);
        Assert.NotNull(done.AisConverged);
        Assert.Equal(done.AisConverged, Math.Abs(done.AisShift!.Value) < EvaluationsApi.DefaultAisTolerance);
        Assert.StartsWith("sm 100→", done.AisSchedule, StringComparison.Ordinal);
        Assert.True(done.AisTransitions >= 200, $"K {done.AisTransitions}: the search doubles at least once");
        Assert.True(done.AccuracyDeterministic is >= 0 and <= 1, $"deterministic accuracy {done.AccuracyDeterministic}");
        Assert.True(done.BaselineAccuracy is > 0 and < 1, $"baseline accuracy {done.BaselineAccuracy}");
        Assert.True(done.BaselineLogLikelihood < 0, $"baseline LL {done.BaselineLogLikelihood}");
        Assert.Null(done.BaselineNote);
    }

    [Fact]
    public async Task ACorpusWithoutATrainSplit_HasNoBaselineLikelihood_AndSaysWhy()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid model = await AddTinyModelAsync(app);
        Guid corpus = await AddCorpusAsync(app, "test", 2);

        EvaluationResponse done = await WaitUntilFinishedAsync(client, (await StartAsync(client, Quick(model, corpus))).Id);

        Assert.True(done.State == WorkStates.Succeeded, done.Error);
        Assert.Null(done.BaselineLogLikelihood);
        Assert.Contains("no accepted train file", done.BaselineNote, StringComparison.Ordinal);
        Assert.NotNull(done.BaselineAccuracy);
        Assert.Null(done.AisConverged); // an explicit schedule is not checked
        Assert.Null(done.AisTolerance);
        Assert.Equal(20, done.AisTransitions);
    }

    [Theory]
    [InlineData("{\"aisTolerance\": 0}")]
    [InlineData("{\"aisTolerance\": 1.5}")]
    [InlineData("{\"aisTolerance\": 0.01, \"aisSteps\": 200}")]
    public async Task BadTolerance_OrOneBesideAnExplicitSchedule_Is400NamingIt(string body)
    {
        using var app = new RnnRbmAppFactory(WebNode);
        using HttpClient client = app.CreateClient();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await client.PostAsync(new Uri("/api/evaluations", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("aisTolerance", out _), errors.ToString());
    }

    [Fact]
    public async Task List_KeepsOneModelsEvaluations_WhenAskedFor()
    {
        using var app = new RnnRbmAppFactory(WebNode);
        using HttpClient client = app.CreateClient();
        Guid first = await AddTinyModelAsync(app);
        Guid second = await AddTinyModelAsync(app);
        Guid corpus = await AddCorpusAsync(app);
        Guid a = (await StartAsync(client, Quick(first, corpus))).Id;
        Guid b = (await StartAsync(client, Quick(second, corpus))).Id;

        List<EvaluationResponse> ofFirst = (await client.GetFromJsonAsync<List<EvaluationResponse>>(new Uri($"/api/evaluations?modelId={first}", UriKind.Relative)))!;
        Assert.Equal([a], ofFirst.Select(e => e.Id));
        List<EvaluationResponse> all = (await client.GetFromJsonAsync<List<EvaluationResponse>>(new Uri("/api/evaluations", UriKind.Relative)))!;
        Assert.Equal([b, a], all.Select(e => e.Id)); // newest first

        using HttpResponseMessage bad = await client.GetAsync(new Uri("/api/evaluations?modelId=not-an-id", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task BadFields_Give400_ListingEachOne()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/evaluations", UriKind.Relative),
            new { split = "dev", aisRuns = 0, aisSteps = 2, accSamples = 10_001, seed = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        foreach (string field in new[] { "modelId", "corpusId", "split", "aisRuns", "aisSteps", "accSamples", "seed" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }
    }

    [Theory]
    [InlineData("9007199254740992")]       // 2^53: a JavaScript client could not read it back exactly
    [InlineData("-1")]
    [InlineData("9223372036854775808")]    // beyond a 64-bit integer
    [InlineData("1e30")]
    [InlineData("1.5")]
    [InlineData("\"seven\"")]
    [InlineData("true")]
    public async Task Seed_OutsideZeroTo2Pow53_Is400NamingTheSeed(string seed)
    {
        using var app = new RnnRbmAppFactory(WebNode);
        using HttpClient client = app.CreateClient();
        Guid model = await AddTinyModelAsync(app);
        Guid corpus = await AddCorpusAsync(app);

        using HttpResponseMessage response = await PostRawAsync(client, $$"""{"modelId": "{{model}}", "corpusId": "{{corpus}}", "seed": {{seed}}}""");
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.Equal(["seed"], errors.EnumerateObject().Select(e => e.Name));
        Assert.Contains(seed.Trim('"'), errors.GetProperty("seed")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed_JustBelow2Pow53_IsAccepted_AndReadBackExactly()
    {
        using var app = new RnnRbmAppFactory(WebNode);
        using HttpClient client = app.CreateClient();
        Guid model = await AddTinyModelAsync(app);
        Guid corpus = await AddCorpusAsync(app);
        using HttpResponseMessage response = await PostRawAsync(client, $$"""{"modelId": "{{model}}", "corpusId": "{{corpus}}", "seed": 9007199254740991}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(EvaluationLimits.MaxSeed, (await response.Content.ReadFromJsonAsync<EvaluationResponse>())!.Seed);
    }

    [Theory]
    [InlineData("{ \"modelId\": ", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("[1, 2]", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("null", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("modelId=1", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType)]
    public async Task UnreadableBody_IsAProblemSayingWhy(string body, string mediaType, HttpStatusCode status)
    {
        using var app = new RnnRbmAppFactory(WebNode);
        using HttpClient client = app.CreateClient();
        using var content = new StringContent(body, Encoding.UTF8, mediaType);
        using HttpResponseMessage response = await client.PostAsync(new Uri("/api/evaluations", UriKind.Relative), content);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        // A 415 is the router's (the endpoint accepts JSON only): a title; a 400 also says what is wrong in the body.
        Assert.False(string.IsNullOrEmpty(problem.GetProperty(status == HttpStatusCode.BadRequest ? "detail" : "title").GetString()));
    }

    [Fact]
    public async Task UnknownModelOrCorpus_OrEmptySplit_Give400WithTheReason()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid model = await AddTinyModelAsync(app);
        Guid corpus = await AddCorpusAsync(app, "test", 2);

        JsonElement unknown = await PostInvalidAsync(client, new StartEvaluationRequest(Guid.NewGuid(), Guid.NewGuid()));
        Assert.Contains("No model", unknown.GetProperty("modelId")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("No corpus", unknown.GetProperty("corpusId")[0].GetString(), StringComparison.Ordinal);

        JsonElement empty = await PostInvalidAsync(client, new StartEvaluationRequest(model, corpus, Split: "valid"));
        Assert.Contains("no accepted valid files", empty.GetProperty("split")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownEvaluation_Gives404()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.GetAsync(new Uri($"/api/evaluations/{Guid.NewGuid()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task StartAndCancel_NeedTheApiKey_WhenTheServerHasOne()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:ApiKey"] = "sesame" });
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/evaluations", UriKind.Relative), new StartEvaluationRequest(null, null));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using HttpResponseMessage cancel = await client.PostAsync(new Uri($"/api/evaluations/{Guid.NewGuid()}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Unauthorized, cancel.StatusCode);
        Assert.Equal("application/problem+json", cancel.Content.Headers.ContentType?.MediaType);
        using HttpResponseMessage list = await client.GetAsync(new Uri("/api/evaluations", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    private static async Task<HttpResponseMessage> PostRawAsync(HttpClient client, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await client.PostAsync(new Uri("/api/evaluations", UriKind.Relative), content);
    }

    private static async Task<JsonElement> PostInvalidAsync(HttpClient client, StartEvaluationRequest request)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/evaluations", UriKind.Relative), request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("errors").Clone();
    }
}
