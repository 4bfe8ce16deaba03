using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Training;
using RnnRbm.Api.Storage;

namespace RnnRbm.Web.Tests;

/// <summary>
/// The hub reads progress from the database, whoever writes it: here the test itself plays the part of a trainer in
/// another process by writing the row directly.
/// </summary>
public sealed class ProgressHubTests
{
    [Fact]
    public async Task Subscribe_ReturnsTheRowNow_ThenPushesEachChange_ToSubscribersOnly()
    {
        using var app = new RnnRbmAppFactory(realServer: true);
        Uri hubUrl = new(app.BaseAddress, "/hubs/progress");
        var id = Guid.NewGuid();
        await using (AsyncServiceScope scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
            db.Trainings.Add(new TrainingEntity
            {
                Id = id, CorpusId = Guid.NewGuid(), State = "running", SettingsJson = "{}", Epochs = 4, EpochFramesTotal = 1000,
                CreatedUtc = DateTimeOffset.UtcNow, StartedUtc = DateTimeOffset.UtcNow, Backend = "simd",
                LeaseOwner = "fake-worker", LeaseHeartbeatUtc = DateTimeOffset.UtcNow, // a live worker's heartbeat (else: stalled)
            });
            await db.SaveChangesAsync();
        }

        await using HubConnection follower = new HubConnectionBuilder().WithUrl(hubUrl).Build();
        await using HubConnection bystander = new HubConnectionBuilder().WithUrl(hubUrl).Build();
        var received = new List<TrainingResponse>();
        var bystanderReceived = 0;
        var succeeded = new TaskCompletionSource<TrainingResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pushes = Channel.CreateUnbounded<TrainingResponse>();
        follower.On<TrainingResponse>("progress", update =>
        {
            lock (received) { received.Add(update); }
            pushes.Writer.TryWrite(update);
            if (update.State == "succeeded") { succeeded.TrySetResult(update); }
        });
        bystander.On<TrainingResponse>("progress", _ => Interlocked.Increment(ref bystanderReceived));
        await follower.StartAsync();
        await bystander.StartAsync();

        TrainingResponse? now = await follower.InvokeAsync<TrainingResponse?>("Subscribe", id);
        Assert.NotNull(now);
        Assert.Equal(("running", 0, 4, "simd"), (now.State, now.Epoch, now.Epochs, now.Backend));
        Assert.Null(await bystander.InvokeAsync<TrainingResponse?>("Subscribe", Guid.NewGuid())); // unknown: null, no group

        // The "trainer" finishes two epochs, then succeeds, writing only the database (with its heartbeat, as a worker does).
        for (int epoch = 1; epoch <= 4; epoch++)
        {
            await UpdateAsync(app, id, t =>
            {
                t.EpochsCompleted = epoch;
                t.EpochFramesDone = 0;
                t.LeaseHeartbeatUtc = DateTimeOffset.UtcNow;
                t.HistoryJson = "[" + string.Join(",", Enumerable.Range(1, epoch).Select(e => $"{{\"epoch\":{e},\"monitor\":{-10 + e},\"validMonitor\":{-11 + e},\"seconds\":0.5,\"framesPerSecond\":2000}}")) + "]";
                if (epoch == 4)
                {
                    t.State = "succeeded";
                    t.FinishedUtc = DateTimeOffset.UtcNow;
                }
            });
            await NextPushAsync(pushes.Reader, u => u.Epoch == epoch); // the trainer goes on once the hub has pushed this epoch
        }

        TrainingResponse done = await succeeded.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(4, done.Epoch);
        Assert.Equal(4, done.History.Count);
        Assert.Equal((-6.0, -7.0), (done.History[^1].Train, done.History[^1].Valid));
        Assert.Equal(1.0, done.Progress.Fraction);
        Assert.Null(done.EtaSeconds);
        lock (received)
        {
            Assert.Contains(received, u => u.State == "running" && u.Epoch >= 1 && u.EtaSeconds is > 0);
        }
        Assert.Equal(0, bystanderReceived);
    }

    /// <summary>The first push that <paramref name="wanted"/> accepts; the deadline only bounds a hang.</summary>
    private static async Task<TrainingResponse> NextPushAsync(ChannelReader<TrainingResponse> pushes, Func<TrainingResponse, bool> wanted)
    {
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            TrainingResponse update = await pushes.ReadAsync(hang.Token);
            if (wanted(update))
            {
                return update;
            }
        }
    }

    [Fact]
    public async Task AWorkerThatFallsSilent_IsPushedAsStalled_ThoughItsRowDoesNotChange()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:Role"] = "web" }, realServer: true); // nothing runs it
        Uri hubUrl = new(app.BaseAddress, "/hubs/progress");
        var id = Guid.NewGuid();
        await using (AsyncServiceScope scope = app.Services.CreateAsyncScope())
        {
            // Its worker's last heartbeat is 5 s old: stalled (after half the 30 s takeover delay) ten seconds from now.
            var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
            db.Trainings.Add(new TrainingEntity
            {
                Id = id, CorpusId = Guid.NewGuid(), State = "running", SettingsJson = "{}", Epochs = 4, EpochFramesTotal = 1000,
                CreatedUtc = DateTimeOffset.UtcNow, StartedUtc = DateTimeOffset.UtcNow.AddSeconds(-20), Backend = "simd",
                LeaseOwner = "lost-worker", LeaseHeartbeatUtc = DateTimeOffset.UtcNow.AddSeconds(-5),
            });
            await db.SaveChangesAsync();
        }
        await using HubConnection follower = new HubConnectionBuilder().WithUrl(hubUrl).Build();
        var stalled = new TaskCompletionSource<TrainingResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        follower.On<TrainingResponse>("progress", update =>
        {
            if (update.State == "stalled") { stalled.TrySetResult(update); }
        });
        await follower.StartAsync();
        TrainingResponse? now = await follower.InvokeAsync<TrainingResponse?>("Subscribe", id);
        Assert.Equal("running", now!.State);

        TrainingResponse pushed = await stalled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(pushed.EtaSeconds);
    }

    private static async Task UpdateAsync(RnnRbmAppFactory app, Guid id, Action<TrainingEntity> change)
    {
        await using AsyncServiceScope scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        TrainingEntity training = await db.Trainings.SingleAsync(t => t.Id == id);
        change(training);
        training.Version++;
        await db.SaveChangesAsync();
    }
}
