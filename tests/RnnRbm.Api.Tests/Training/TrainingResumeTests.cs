using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;
using RnnRbm.Core.Model;
using static RnnRbm.Api.Tests.Training.TrainingTestKit;

namespace RnnRbm.Api.Tests.Training;

[Collection(TrainingTestGroup.Name)]
public class TrainingResumeTests
{
    private const int Epochs = 200; // enough that the stop lands mid-run: with the bracket validation a tiny epoch takes milliseconds

    // Both processes on one backend: "auto" measures at start, and on a loaded machine two processes can pick different
    // ones (their products differ in the last bit), which a bit-exact comparison would take for a resume defect.
    private static readonly Dictionary<string, string?> OneBackend = new() { ["RnnRbm:NumericsBackend"] = "simd" };

    [Fact]
    public async Task Restart_ResumesFromTheLastCheckpoint_WithEachEpochOnce_AndBitIdenticalParameters()
    {
        string folder = Directory.CreateTempSubdirectory("rnnrbm-resume-").FullName;
        try
        {
            Guid corpus;
            Guid id;
            IReadOnlyList<RnnRbm.Api.Models.EpochResponse> before;
            StartTrainingRequest request;
            using (var a = new RnnRbmAppFactory(OneBackend, dataFolder: folder))
            {
                using HttpClient client = a.CreateClient();
                corpus = await AddCorpusAsync(a, train: 8, valid: 1);
                // With momentum and clipping: the checkpoint must carry the velocity too.
                // With parameter averaging: and its moving average.
                request = Tiny(corpus, epochs: Epochs, seed: 99, cdK: 2) with { Momentum = 0.9f, ClipNorm = 50f, Patience = 0, AverageDecay = 0.9f }; // every planned epoch runs
                id = (await StartAsync(client, request)).Id;
                TrainingResponse running = await WaitForAsync(client, id, t => t.Epoch >= 2);
                Assert.Equal(WorkStates.Running, running.State); // else the test proves nothing: make epochs slower
                before = running.History;
            } // graceful stop: the worker stops at the next update and releases its lease

            TrainingEntity stopped = ReadRow(folder, id);
            Assert.Equal(WorkStates.Queued, stopped.State);
            Assert.Null(stopped.LeaseOwner);
            Assert.Null(stopped.Error);
            Assert.NotNull(stopped.Checkpoint);
            Assert.InRange(stopped.EpochsCompleted, before.Count, Epochs - 1);

            using var b = new RnnRbmAppFactory(OneBackend, dataFolder: folder);
            using HttpClient clientB = b.CreateClient();
            TrainingResponse done = await WaitUntilFinishedAsync(clientB, id, timeoutSeconds: 600);
            Assert.Equal(WorkStates.Succeeded, done.State);
            Assert.Equal(Enumerable.Range(1, Epochs), done.History.Select(e => e.Epoch));
            // The epochs run before the restart were kept, not run again (their wall times are those A measured).
            Assert.Equal(before.Select(e => e.Seconds), done.History.Take(before.Count).Select(e => e.Seconds));

            // The same training run without interruption learns exactly the same parameters.
            TrainingResponse straight = await WaitUntilFinishedAsync(clientB, (await StartAsync(clientB, request)).Id, timeoutSeconds: 600);
            Assert.Equal(WorkStates.Succeeded, straight.State);
            RnnRbmModel resumed = await DownloadModelAsync(clientB, done.ModelId!.Value);
            RnnRbmModel uninterrupted = await DownloadModelAsync(clientB, straight.ModelId!.Value);
            AssertSameParameters(uninterrupted.Parameters, resumed.Parameters);
            Assert.Equal(uninterrupted.Manifest.History.Select(e => e.Monitor), resumed.Manifest.History.Select(e => e.Monitor));
            Assert.Equal(uninterrupted.Manifest.History.Select(e => e.ValidMonitor), resumed.Manifest.History.Select(e => e.ValidMonitor));
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder; SQLite may hold it a moment longer.
            }
        }
    }

    private static TrainingEntity ReadRow(string folder, Guid id)
    {
        var options = new DbContextOptionsBuilder<SqliteRnnRbmDbContext>()
            .UseSqlite($"Data Source={Path.Combine(folder, "rnnrbm.db")};Pooling=False").Options;
        using var db = new SqliteRnnRbmDbContext(options);
        return db.Trainings.AsNoTracking().Single(t => t.Id == id);
    }
}

[Collection(TrainingTestGroup.Name)]
public class TrainingRecoveryTests
{
    [Fact]
    public async Task Start_ResumesATrainingWhoseWorkerDied_AfterItsLeaseExpired()
    {
        string folder = Directory.CreateTempSubdirectory("rnnrbm-recovery-").FullName;
        try
        {
            Guid id;
            using (var a = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:TrainingWorkers"] = "0" }, dataFolder: folder))
            {
                using HttpClient client = a.CreateClient();
                Guid corpus = await AddCorpusAsync(a, train: 2, valid: 0);
                id = (await StartAsync(client, Tiny(corpus, epochs: 2))).Id;
                // As a process killed mid-run leaves it: running, leased by an owner silent for minutes, its job lost.
                using IServiceScope scope = a.Services.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
                DateTimeOffset then = DateTimeOffset.UtcNow.AddMinutes(-5);
                await db.Trainings.Where(t => t.Id == id).ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.State, WorkStates.Running)
                    .SetProperty(t => t.LeaseOwner, "dead-host/1/0")
                    .SetProperty(t => t.LeaseHeartbeatUtc, then)
                    .SetProperty(t => t.StartedUtc, then)
                    .SetProperty(t => t.JobId, (string?)null));
            }

            using var b = new RnnRbmAppFactory(dataFolder: folder);
            using HttpClient clientB = b.CreateClient();
            TrainingResponse done = await WaitForAsync(clientB, id, t => WorkStates.IsFinished(t.State) || t.Epoch > 0, timeoutSeconds: 30);
            TrainingEntity row = Row(b, id);
            done = await WaitUntilFinishedAsync(clientB, id, timeoutSeconds: 30);
            Assert.True(done.State == WorkStates.Succeeded, $"{done.State}; job {row.JobId}, lease {row.LeaseOwner}");
            Assert.Equal([1, 2], done.History.Select(e => e.Epoch));
            Assert.NotNull(done.ModelId);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder.
            }
        }
    }
}
