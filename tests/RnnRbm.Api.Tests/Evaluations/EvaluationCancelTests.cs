using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Evaluations;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Tests.Training;
using RnnRbm.Core.Model;
using static RnnRbm.Api.Tests.Evaluations.EvaluationTestKit;

namespace RnnRbm.Api.Tests.Evaluations;

[Collection(TrainingTestGroup.Name)]
public class EvaluationCancelTests
{
    [Fact]
    public async Task Cancel_StopsARunningEvaluation_AndLeavesTheManifestAlone()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid model = await AddTinyModelAsync(app);
        Guid corpus = await AddCorpusAsync(app);
        ModelEntity before = ModelRow(app, model);
        EvaluationResponse started = await StartAsync(client, Endless(model, corpus));
        await WaitForAsync(client, started.Id, e => e.State == WorkStates.Running && e.Progress > 0, timeoutSeconds: 60);

        using HttpResponseMessage cancel = await client.PostAsync(new Uri($"/api/evaluations/{started.Id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.True((await cancel.Content.ReadFromJsonAsync<EvaluationResponse>())!.CancelRequested);
        // The wait only bounds a hang (the evaluation is endless: only the cancel ends it). Promptness is the
        // mechanism's: the server looks for deleted jobs well within a second, and the run stops within one transition.
        EvaluationResponse done = await WaitUntilFinishedAsync(client, started.Id);
        Assert.True(JobsSetup.CancellationCheckInterval <= TimeSpan.FromSeconds(1));

        Assert.Equal(WorkStates.Cancelled, done.State);
        Assert.True(done.CancelRequested);
        Assert.Null(done.LogLikelihood);
        Assert.Null(done.Accuracy);
        Assert.NotNull(done.FinishedUtc);
        Assert.InRange(done.Progress, 0, 1);
        ModelEntity after = ModelRow(app, model);
        Assert.Equal(before.ManifestJson, after.ManifestJson);
        Assert.Equal(before.File, after.File);
        Assert.Null(Row(app, started.Id).LeaseOwner);

        // A finished evaluation cannot be cancelled again.
        using HttpResponseMessage again = await client.PostAsync(new Uri($"/api/evaluations/{started.Id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        JsonElement problem = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("cancelled", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_SentToAWebNode_ReachesTheWorkerOfAnotherProcess()
    {
        using var worker = new RnnRbmAppFactory();
        using var web = new RnnRbmAppFactory(WebNode, dataFolder: worker.DataFolder);
        using HttpClient workerClient = worker.CreateClient();
        using HttpClient webClient = web.CreateClient();
        Guid model = await AddTinyModelAsync(worker);
        Guid corpus = await AddCorpusAsync(worker);
        EvaluationResponse started = await StartAsync(workerClient, Endless(model, corpus));
        await WaitForAsync(webClient, started.Id, e => e.State == WorkStates.Running, timeoutSeconds: 60);

        // The web node has no runner of it: it deletes the Hangfire job, whose token the worker's server fires within its check.
        using HttpResponseMessage cancel = await webClient.PostAsync(new Uri($"/api/evaluations/{started.Id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        EvaluationResponse done = await WaitUntilFinishedAsync(webClient, started.Id, timeoutSeconds: 5);
        Assert.Equal(WorkStates.Cancelled, done.State);
        Assert.Empty(JsonSerializer.Deserialize<ModelManifest>(ModelRow(web, model).ManifestJson, ModelFile.JsonOptions)!.Metrics);
    }

    [Fact]
    public async Task Cancel_OfAQueuedEvaluation_EndsItAtOnce()
    {
        using var app = new RnnRbmAppFactory(WebNode); // no worker: it stays queued
        using HttpClient client = app.CreateClient();
        Guid model = await AddTinyModelAsync(app);
        Guid corpus = await AddCorpusAsync(app);
        EvaluationResponse started = await StartAsync(client, Quick(model, corpus));

        using HttpResponseMessage cancel = await client.PostAsync(new Uri($"/api/evaluations/{started.Id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal(WorkStates.Cancelled, (await cancel.Content.ReadFromJsonAsync<EvaluationResponse>())!.State);
        Assert.Equal(WorkStates.Cancelled, (await GetAsync(client, started.Id)).State);

        // Its job, should a worker run it later, finds it finished and writes nothing.
        long version = Row(app, started.Id).Version;
        app.Services.GetRequiredService<WorkJob>().Run(EvaluationRun.Kind, started.Id, CancellationToken.None);
        Assert.Equal(version, Row(app, started.Id).Version);
    }

    [Fact]
    public async Task Cancel_OfAnUnknownEvaluation_Is404Problem()
    {
        using var app = new RnnRbmAppFactory(WebNode);
        using HttpClient client = app.CreateClient();
        using HttpResponseMessage response = await client.PostAsync(new Uri($"/api/evaluations/{Guid.NewGuid()}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Cancel_OfASucceededEvaluation_Is409_AndKeepsItsResult()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid model = await AddTinyModelAsync(app);
        Guid corpus = await AddCorpusAsync(app);
        EvaluationResponse done = await WaitUntilFinishedAsync(client, (await StartAsync(client, Quick(model, corpus))).Id);
        Assert.Equal(WorkStates.Succeeded, done.State);

        using HttpResponseMessage cancel = await client.PostAsync(new Uri($"/api/evaluations/{done.Id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
        Assert.Equal("application/problem+json", cancel.Content.Headers.ContentType?.MediaType);
        Assert.Equal(done, await GetAsync(client, done.Id));
    }
}
