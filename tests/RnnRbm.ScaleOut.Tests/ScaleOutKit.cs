using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;

namespace RnnRbm.ScaleOut.Tests;

/// <summary>Test data and polling shared by the scale-out tests: corpora inserted into the test database, tiny trainings.</summary>
internal static class ScaleOutKit
{
    /// <summary>The repository's demo MIDI files (datasets/demo), in name order.</summary>
    public static IReadOnlyList<string> DemoFiles { get; } =
        [.. Directory.GetFiles(Path.Combine(TestEnvironment.RepositoryRoot, "datasets", "demo"), "*.mid").Order(StringComparer.Ordinal)];

    /// <summary>A corpus of the first <paramref name="train"/> demo files as train and the next <paramref name="valid"/> as valid.</summary>
    public static async Task<Guid> AddCorpusAsync(TestDatabase database, int train, int valid = 1)
    {
        await using PostgresRnnRbmDbContext db = database.Context();
        var corpus = new CorpusEntity
        {
            Id = Guid.NewGuid(),
            Name = "demo",
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

    /// <summary>A tiny training: the same code path as a real one, epochs of about a second on this machine.</summary>
    public static StartTrainingRequest Tiny(Guid corpusId, int epochs, ulong seed = 42) =>
        // Patience 0: these tests are about the job system, so a training runs its planned epochs (early stopping would
        // end a long "busy" one at a time that depends on the machine).
        new(corpusId, StepsPerQuarter: 2, Hidden: 16, Recurrent: 8, CdK: 1, Epochs: epochs, Seed: seed, Patience: 0);

    public static async Task<Guid> StartAsync(HttpClient web, StartTrainingRequest request)
    {
        using HttpResponseMessage response = await web.PostAsJsonAsync(new Uri("/api/trainings", UriKind.Relative), request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/trainings: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<TrainingResponse>())!.Id;
    }

    public static async Task<TrainingResponse> GetAsync(HttpClient web, Guid id) =>
        (await web.GetFromJsonAsync<TrainingResponse>(new Uri($"/api/trainings/{id}", UriKind.Relative)))!;

    /// <summary>Polls the web node until <paramref name="done"/> holds, or fails with the nodes' logs after <paramref name="timeoutSeconds"/>.</summary>
    public static Task<TrainingResponse> WaitForAsync(HttpClient web, Guid id, Func<TrainingResponse, bool> done, double timeoutSeconds,
        params NodeProcess[] nodes) =>
        WaitForAsync(() => GetAsync(web, id), done, timeoutSeconds,
            t => $"Training {id}: state {t.State}, epoch {t.Epoch}/{t.Epochs}, error {t.Error}", nodes);

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds, or fails with where it stood and the nodes' logs.</summary>
    public static Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, double timeoutSeconds, Func<T, string> describe,
        params NodeProcess[] nodes) =>
        Eventually.WaitForAsync(read, done, timeoutSeconds,
            value => $"{describe(value)}\n{string.Join('\n', nodes.Select(n => n.Output()))}", pollMilliseconds: 200);

    /// <summary>The epochs recorded for a training (training_epochs), in order.</summary>
    public static async Task<List<TrainingEpochEntity>> EpochsAsync(TestDatabase database, Guid id)
    {
        await using PostgresRnnRbmDbContext db = database.Context();
        return await db.TrainingEpochs.AsNoTracking().Where(e => e.TrainingId == id).OrderBy(e => e.Epoch).ToListAsync();
    }

    public static async Task<TrainingEntity> RowAsync(TestDatabase database, Guid id)
    {
        await using PostgresRnnRbmDbContext db = database.Context();
        return await db.Trainings.AsNoTracking().SingleAsync(t => t.Id == id);
    }

    /// <summary>The process id in a lease owner's name ("host/pid/instance", WorkerIdentity).</summary>
    public static int PidOf(string worker) => int.Parse(worker.Split('/')[1], CultureInfo.InvariantCulture);
}
