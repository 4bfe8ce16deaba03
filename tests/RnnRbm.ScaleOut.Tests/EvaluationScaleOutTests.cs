using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Evaluations;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Models;
using RnnRbm.Api.Storage;
using static RnnRbm.ScaleOut.Tests.ScaleOutKit;

namespace RnnRbm.ScaleOut.Tests;

/// <summary>Evaluations across processes of the real binary on one PostgreSQL database: a web node and worker nodes.</summary>
public class EvaluationScaleOutTests
{
    [PostgresFact]
    public async Task KilledWorker_ItsEvaluationIsMeasuredAgainByTheOther_WithTheSameResult()
    {
        await using TestDatabase database = await TestDatabase.CreateAsync();
        await using NodeProcess web = await NodeProcess.StartAsync("web", database);
        await using NodeProcess a = await NodeProcess.StartAsync("worker", database);
        await using NodeProcess b = await NodeProcess.StartAsync("worker", database);
        Guid corpus = await AddCorpusAsync(database, train: 2, valid: 0);
        Guid model = await AddTinyModelAsync(database);
        // Some seconds of AIS on this machine: long enough to be killed in, short enough to be measured twice.
        var request = new StartEvaluationRequest(model, corpus, Split: "train", AisRuns: 100, AisSteps: 800, AccSamples: 1, Seed: 21);

        Guid id = await StartAsync(web.Client, request);
        EvaluationResponse running = await WaitForAsync(() => GetAsync(web.Client, id),
            e => (e.State == WorkStates.Running && e.Progress > 0.05) || WorkStates.IsFinished(e.State), 60, Describe, web, a, b);
        Assert.True(running.State == WorkStates.Running, $"The evaluation should still run (else give it more AIS steps): {running.State}.");
        string owner = (await RowAsync(database, id)).LeaseOwner!;
        NodeProcess victim = PidOf(owner) == a.Pid ? a : b;
        NodeProcess survivor = victim == a ? b : a;
        Assert.Equal(victim.Pid, PidOf(owner));
        victim.Kill();
        // Stalled before any takeover: the first state seen after running is stalled (taken over first, it would read
        // running on to the end).
        EvaluationResponse stalled = await WaitForAsync(() => GetAsync(web.Client, id), e => e.State != WorkStates.Running, 60, Describe, web, survivor, victim);
        Assert.Equal(WorkStates.Stalled, stalled.State);

        // The survivor's (or the web node's) recovery requeues it, ahead of new work, once the dead worker is silent for the takeover delay.
        EvaluationResponse done = await WaitForAsync(() => GetAsync(web.Client, id), e => WorkStates.IsFinished(e.State), 150, Describe, web, survivor, victim);
        Assert.True(done.State == WorkStates.Succeeded, $"{done.State}: {done.Error}\n{survivor.Output()}");
        Assert.Equal(done.LogLikelihood, ModelMetric(await ModelAsync(database, model), "train.logLikelihood"));

        // Measured from the start on the survivor: the same numbers as an evaluation nobody interrupted.
        Guid again = await StartAsync(web.Client, request);
        EvaluationResponse straight = await WaitForAsync(() => GetAsync(web.Client, again), e => WorkStates.IsFinished(e.State), 90, Describe, web, survivor);
        Assert.Equal(WorkStates.Succeeded, straight.State);
        Assert.Equal(straight.LogLikelihood, done.LogLikelihood);
        Assert.Equal(straight.StandardError, done.StandardError);
        Assert.Equal(straight.Accuracy, done.Accuracy);
    }

    [PostgresFact]
    public async Task Cancel_SentToTheWebNode_StopsTheEvaluationOnAWorker()
    {
        await using TestDatabase database = await TestDatabase.CreateAsync();
        await using NodeProcess web = await NodeProcess.StartAsync("web", database);
        await using NodeProcess worker = await NodeProcess.StartAsync("worker", database);
        Guid corpus = await AddCorpusAsync(database, train: 2, valid: 0);
        Guid model = await AddTinyModelAsync(database);
        Guid id = await StartAsync(web.Client, new StartEvaluationRequest(model, corpus, Split: "train", AisSteps: 1_000_000, AccSamples: 1));
        await WaitForAsync(() => GetAsync(web.Client, id), e => e.State == WorkStates.Running, 60, Describe, web, worker);

        using HttpResponseMessage cancel = await web.Client.PostAsync(new Uri($"/api/evaluations/{id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        EvaluationResponse done = await WaitForAsync(() => GetAsync(web.Client, id), e => WorkStates.IsFinished(e.State), 10, Describe, web, worker);
        Assert.Equal(WorkStates.Cancelled, done.State);
        Assert.Empty(ModelEntities.Manifest((await ModelAsync(database, model)).ManifestJson).Metrics);
    }

    private static string Describe(EvaluationResponse e) => $"Evaluation {e.Id}: state {e.State}, progress {e.Progress:P0}, error {e.Error}";

    private static async Task<Guid> AddTinyModelAsync(TestDatabase database)
    {
        await using PostgresRnnRbmDbContext db = database.Context();
        ModelEntity entity = ModelEntities.Create(TinyModel.Create(3, "inserted by the scale-out tests"), "tiny", ModelEntities.FromImport);
        db.Models.Add(entity);
        await db.SaveChangesAsync();
        return entity.Id;
    }

    private static async Task<Guid> StartAsync(HttpClient web, StartEvaluationRequest request)
    {
        using HttpResponseMessage response = await web.PostAsJsonAsync(new Uri("/api/evaluations", UriKind.Relative), request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/evaluations: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<EvaluationResponse>())!.Id;
    }

    private static async Task<EvaluationResponse> GetAsync(HttpClient web, Guid id) =>
        (await web.GetFromJsonAsync<EvaluationResponse>(new Uri($"/api/evaluations/{id}", UriKind.Relative)))!;

    private static async Task<EvaluationEntity> RowAsync(TestDatabase database, Guid id)
    {
        await using PostgresRnnRbmDbContext db = database.Context();
        return await db.Evaluations.AsNoTracking().SingleAsync(e => e.Id == id);
    }

    private static async Task<ModelEntity> ModelAsync(TestDatabase database, Guid id)
    {
        await using PostgresRnnRbmDbContext db = database.Context();
        return await db.Models.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    private static double? ModelMetric(ModelEntity model, string name) =>
        ModelEntities.Manifest(model.ManifestJson).Metrics.TryGetValue(name, out double value) ? value : null;
}
