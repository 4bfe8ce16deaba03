using System.Net;
using System.Net.Http.Json;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Training;
using RnnRbm.Core.Model;
using static RnnRbm.Api.Tests.Training.TrainingTestKit;

namespace RnnRbm.Api.Tests.Training;

[Collection(TrainingTestGroup.Name)]
public class TrainingCancelTests
{
    [Fact]
    public async Task Cancel_StopsARunningTraining_AndKeepsWhatItLearned()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 4, valid: 1);
        TrainingResponse started = await StartAsync(client, Tiny(corpus, epochs: 10000) with { Patience = 0 });
        await WaitForAsync(client, started.Id, t => t.State == WorkStates.Running && t.Epoch >= 1);

        HttpResponseMessage cancel = await client.PostAsync(new Uri($"/api/trainings/{started.Id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        // The wait only bounds a hang. Promptness is the mechanism's, asserted below: the server looks for deleted
        // jobs well within a second, and the run, told by the job's token, stopped in the middle of its epochs.
        TrainingResponse done = await WaitUntilFinishedAsync(client, started.Id);
        Assert.True(JobsSetup.CancellationCheckInterval <= TimeSpan.FromSeconds(1));

        Assert.Equal(WorkStates.Cancelled, done.State);
        Assert.True(done.CancelRequested);
        Assert.True(done.Epoch >= 1 && done.Epoch < 10000);
        Assert.Equal(Enumerable.Range(1, done.Epoch), done.History.Select(e => e.Epoch));
        RnnRbmModel model = await DownloadModelAsync(client, Assert.IsType<Guid>(done.ModelId));
        Assert.Equal(done.Epoch, model.Manifest.Training.EpochsCompleted);
        Assert.Equal(10000, model.Manifest.Training.EpochsPlanned);
        Assert.StartsWith("Cancelled during epoch", model.Manifest.Notes, StringComparison.Ordinal); // the run saw the cancel mid-epoch
        Assert.True(model.Parameters.AllFinite());

        // A finished training cannot be cancelled again.
        HttpResponseMessage again = await client.PostAsync(new Uri($"/api/trainings/{started.Id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Cancel_OfAQueuedTraining_EndsItAtOnce_WithoutAModel()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:TrainingWorkers"] = "0" });
        using HttpClient client = app.CreateClient();
        Guid corpus = await AddCorpusAsync(app, train: 1, valid: 0);
        TrainingResponse started = await StartAsync(client, Tiny(corpus, epochs: 5));

        HttpResponseMessage cancel = await client.PostAsync(new Uri($"/api/trainings/{started.Id}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        TrainingResponse body = (await cancel.Content.ReadFromJsonAsync<TrainingResponse>())!;
        Assert.Equal(WorkStates.Cancelled, body.State);
        Assert.Null(body.ModelId); // nothing was learned
        Assert.Equal(WorkStates.Cancelled, (await GetAsync(client, started.Id)).State);
    }
}
