using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Evaluations;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Models;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Tests.Training;

namespace RnnRbm.Api.Tests.Evaluations;

/// <summary>Test data and polling for the evaluation tests: a tiny model and corpora inserted straight into the database.</summary>
internal static class EvaluationTestKit
{
    /// <summary>A node without an evaluation worker (or a training one): jobs wait, or a test runs them itself.</summary>
    public static readonly Dictionary<string, string?> WebNode = new() { ["RnnRbm:Role"] = "web" };

    /// <summary>A few seconds of measuring on two demo files.</summary>
    public static StartEvaluationRequest Quick(Guid model, Guid corpus, long seed = 7) =>
        new(model, corpus, AisRuns: 10, AisSteps: 20, AccSamples: 2, Seed: seed);

    /// <summary>Hours of AIS (a million transitions): it only ends by a cancel, a crash or a superseding runner.</summary>
    public static StartEvaluationRequest Endless(Guid model, Guid corpus) =>
        new(model, corpus, AisRuns: 100, AisSteps: 1_000_000, AccSamples: 1, Seed: 3);

    /// <summary>A <see cref="TinyModel"/> inserted straight into the database.</summary>
    public static async Task<Guid> AddTinyModelAsync(RnnRbmAppFactory app)
    {
        TrainingTestKit.EnsureDatabase(app);
        ModelEntity entity = ModelEntities.Create(TinyModel.Create(3, "inserted by the evaluation tests"), "tiny", ModelEntities.FromImport);
        using IServiceScope scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        db.Models.Add(entity);
        await db.SaveChangesAsync();
        return entity.Id;
    }

    /// <summary>A corpus of the first <paramref name="count"/> demo files, all in <paramref name="split"/>.</summary>
    public static async Task<Guid> AddCorpusAsync(RnnRbmAppFactory app, string split = "test", int count = 2)
    {
        TrainingTestKit.EnsureDatabase(app);
        using IServiceScope scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        var corpus = new CorpusEntity { Id = Guid.NewGuid(), Name = "eval demo", CreatedUtc = DateTimeOffset.UtcNow, SplitSource = "seeded", StatisticsJson = "{}" };
        foreach (string file in TrainingTestKit.DemoFiles.Take(count))
        {
            corpus.Files.Add(new CorpusFileEntity
            {
                Id = Guid.NewGuid(),
                FileName = Path.GetFileName(file),
                Split = split,
                Accepted = true,
                Bytes = await File.ReadAllBytesAsync(file),
                StatsJson = "{}",
            });
        }
        db.Corpora.Add(corpus);
        await db.SaveChangesAsync();
        return corpus.Id;
    }

    public static async Task<EvaluationResponse> StartAsync(HttpClient client, StartEvaluationRequest request)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/evaluations", UriKind.Relative), request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<EvaluationResponse>())!;
    }

    public static async Task<EvaluationResponse> GetAsync(HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<EvaluationResponse>(new Uri($"/api/evaluations/{id}", UriKind.Relative)))!;

    /// <summary>Polls the evaluation until <paramref name="done"/> holds, or fails the test after <paramref name="timeoutSeconds"/>.</summary>
    public static Task<EvaluationResponse> WaitForAsync(HttpClient client, Guid id, Func<EvaluationResponse, bool> done, double timeoutSeconds = 120) =>
        Eventually.WaitForAsync(() => GetAsync(client, id), done, timeoutSeconds,
            e => $"Evaluation {id} did not get there: state {e.State}, progress {e.Progress}, error {e.Error}");

    public static Task<EvaluationResponse> WaitUntilFinishedAsync(HttpClient client, Guid id, double timeoutSeconds = 120) =>
        WaitForAsync(client, id, e => WorkStates.IsFinished(e.State), timeoutSeconds);

    /// <summary>The evaluation's row as stored (a fresh context: no caching).</summary>
    public static EvaluationEntity Row(RnnRbmAppFactory app, Guid id)
    {
        using IServiceScope scope = app.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>().Evaluations.Single(e => e.Id == id);
    }

    public static ModelEntity ModelRow(RnnRbmAppFactory app, Guid id)
    {
        using IServiceScope scope = app.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>().Models.Single(m => m.Id == id);
    }

    /// <summary>Changes the evaluation's row behind the app's back, as another process (or a crash) leaves it.</summary>
    public static async Task UpdateRowAsync(RnnRbmAppFactory app, Guid id, Action<UpdateSettersBuilder<EvaluationEntity>> set)
    {
        using IServiceScope scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        int updated = await db.Evaluations.Where(e => e.Id == id).ExecuteUpdateAsync(set);
        Assert.Equal(1, updated);
    }
}
