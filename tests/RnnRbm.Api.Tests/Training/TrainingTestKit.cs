using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;
using RnnRbm.Core.Model;

namespace RnnRbm.Api.Tests.Training;

/// <summary>Test data and polling for the training tests: corpora inserted straight into the database, tiny trainings.</summary>
internal static class TrainingTestKit
{
    /// <summary>The repository's demo MIDI files (datasets/demo), in name order.</summary>
    public static IReadOnlyList<string> DemoFiles { get; } =
        [.. Directory.GetFiles(TestEnvironment.RepositoryPath("datasets", "demo"), "*.mid").Order(StringComparer.Ordinal)];

    /// <summary>A corpus of the first <paramref name="train"/> demo files as train and the next <paramref name="valid"/> as valid.</summary>
    public static async Task<Guid> AddCorpusAsync(RnnRbmAppFactory app, int train = 4, int valid = 2, string name = "demo")
    {
        EnsureDatabase(app);
        using IServiceScope scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        var corpus = new CorpusEntity
        {
            Id = Guid.NewGuid(),
            Name = name,
            CreatedUtc = DateTimeOffset.UtcNow,
            SplitSource = "seeded",
            StatisticsJson = "{}",
        };
        for (int i = 0; i < train + valid; i++)
        {
            corpus.Files.Add(new CorpusFileEntity
            {
                Id = Guid.NewGuid(),
                FileName = Path.GetFileName(DemoFiles[i]),
                Split = i < train ? "train" : "valid",
                Accepted = true,
                Bytes = await File.ReadAllBytesAsync(DemoFiles[i]),
                StatsJson = "{}",
            });
        }
        db.Corpora.Add(corpus);
        await db.SaveChangesAsync();
        return corpus.Id;
    }

    /// <summary>Starts the host: the database exists from here (the initialiser runs at start).</summary>
    public static void EnsureDatabase(RnnRbmAppFactory app) => _ = app.Services;

    /// <summary>A tiny training on <paramref name="corpusId"/>: fast enough for tests, same code path as a real one.</summary>
    public static StartTrainingRequest Tiny(Guid corpusId, int epochs, ulong seed = 42, int cdK = 1) =>
        new(corpusId, StepsPerQuarter: 2, Hidden: 16, Recurrent: 8, CdK: cdK, Epochs: epochs, Seed: seed);

    public static async Task<TrainingResponse> StartAsync(HttpClient client, StartTrainingRequest request)
    {
        HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/trainings", UriKind.Relative), request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        TrainingResponse training = (await response.Content.ReadFromJsonAsync<TrainingResponse>())!;
        Assert.Equal($"/api/trainings/{training.Id}", response.Headers.Location?.OriginalString);
        return training;
    }

    public static async Task<TrainingResponse> GetAsync(HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<TrainingResponse>(new Uri($"/api/trainings/{id}", UriKind.Relative)))!;

    /// <summary>Polls the training until <paramref name="done"/> holds, or fails the test after <paramref name="timeoutSeconds"/>.</summary>
    public static Task<TrainingResponse> WaitForAsync(HttpClient client, Guid id, Func<TrainingResponse, bool> done, double timeoutSeconds = 60) =>
        Eventually.WaitForAsync(() => GetAsync(client, id), done, timeoutSeconds,
            t => $"Training {id} did not get there: state {t.State}, epoch {t.Epoch}/{t.Epochs}, error {t.Error}");

    public static Task<TrainingResponse> WaitUntilFinishedAsync(HttpClient client, Guid id, double timeoutSeconds = 60) =>
        WaitForAsync(client, id, t => WorkStates.IsFinished(t.State), timeoutSeconds);

    public static async Task<RnnRbmModel> DownloadModelAsync(HttpClient client, Guid modelId)
    {
        HttpResponseMessage response = await client.GetAsync(new Uri($"/api/models/{modelId}/file", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        return ModelFile.Read(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>The training's row as stored (a fresh context: no caching).</summary>
    public static TrainingEntity Row(RnnRbmAppFactory app, Guid id)
    {
        using IServiceScope scope = app.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>().Trainings.Single(t => t.Id == id);
    }

    public static void AssertSameParameters(RnnRbmParameters expected, RnnRbmParameters actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        for (int t = 0; t < expected.Tensors.Count; t++)
        {
            float[] e = expected.Tensors[t].Values, a = actual.Tensors[t].Values;
            for (int i = 0; i < e.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(e[i]) != BitConverter.SingleToInt32Bits(a[i]))
                {
                    Assert.Fail($"{expected.Tensors[t].Name}[{i}] differs: {e[i]:R} vs {a[i]:R}.");
                }
            }
        }
    }
}

/// <summary>Training tests share the CPU: run them one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class TrainingTestGroup
{
    public const string Name = "Training";
}
