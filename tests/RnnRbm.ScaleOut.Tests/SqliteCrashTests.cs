using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using RnnRbm.Api.Evaluations;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Models;
using RnnRbm.Core.Model;
using static RnnRbm.ScaleOut.Tests.ScaleOutKit;

namespace RnnRbm.ScaleOut.Tests;

/// <summary>
/// Issue 13: the embedded single-node server (SQLite, no other node to take over) killed with SIGKILL in the middle of
/// an evaluation loses nothing: restarted on the same data folder, its recovery requeues the evaluation, which is
/// measured again from the start and ends with the numbers of a run nobody interrupted.
/// </summary>
public sealed class SqliteCrashTests : IDisposable
{
    private readonly TempFolder _data = new("rnnrbm-sqlite-node-");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task AnEvaluationOfAKilledSingleNode_CompletesAfterTheRestart_WithTheSameNumbers()
    {
        Guid model, corpus, id;
        // Some seconds of AIS on this machine (a quarter of the PostgreSQL scale-out test's: here one node measures it
        // three times, on a machine other work shares): long enough to be killed in.
        StartEvaluationRequest request;
        await using (NodeProcess first = await NodeProcess.StartSqliteAsync(_data.Path))
        {
            corpus = await UploadCorpusAsync(first.Client);
            model = await ImportTinyModelAsync(first.Client);
            request = new StartEvaluationRequest(model, corpus, Split: "train", AisRuns: 100, AisSteps: 200, AccSamples: 1, Seed: 21);
            id = await StartAsync(first.Client, request);
            EvaluationResponse running = await WaitForAsync(() => GetAsync(first.Client, id),
                e => (e.State == WorkStates.Running && e.Progress > 0.05) || WorkStates.IsFinished(e.State), 120, Describe, first);
            Assert.True(running.State == WorkStates.Running, $"The evaluation should still run (else give it more AIS steps): {running.State}.");
            first.Kill();
        }

        await using NodeProcess second = await NodeProcess.StartSqliteAsync(_data.Path);
        // Its own recovery finds the row running with a silent worker (the killed process) and requeues it.
        EvaluationResponse done = await WaitForAsync(() => GetAsync(second.Client, id), e => WorkStates.IsFinished(e.State), 300, Describe, second);
        Assert.True(done.State == WorkStates.Succeeded, $"{done.State}: {done.Error}\n{second.Output()}");

        Guid again = await StartAsync(second.Client, request);
        EvaluationResponse straight = await WaitForAsync(() => GetAsync(second.Client, again), e => WorkStates.IsFinished(e.State), 300, Describe, second);
        Assert.Equal(WorkStates.Succeeded, straight.State);
        Assert.Equal(straight.LogLikelihood, done.LogLikelihood);
        Assert.Equal(straight.StandardError, done.StandardError);
        Assert.Equal(straight.Accuracy, done.Accuracy);
    }

    private static string Describe(EvaluationResponse e) => $"Evaluation {e.Id}: state {e.State}, progress {e.Progress:P0}, error {e.Error}";

    private static async Task<Guid> UploadCorpusAsync(HttpClient client)
    {
        using var form = new MultipartFormDataContent { { new StringContent("two tunes"), "name" }, { new StringContent("0"), "validFraction" } };
        foreach (string path in Directory.GetFiles(TestEnvironment.RepositoryPath("datasets", "demo"), "*.mid").Order(StringComparer.Ordinal).Take(2))
        {
            var file = new ByteArrayContent(await File.ReadAllBytesAsync(path));
            file.Headers.ContentType = new MediaTypeHeaderValue("audio/midi");
            form.Add(file, "files", Path.GetFileName(path));
        }
        using HttpResponseMessage response = await client.PostAsync(new Uri("/api/corpora", UriKind.Relative), form);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<IdOnly>())!.Id;
    }

    private static async Task<Guid> ImportTinyModelAsync(HttpClient client)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(ModelFile.Write(TinyModel.Create(3, "imported by the SQLite crash test")));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "tiny.rnnrbm");
        using HttpResponseMessage response = await client.PostAsync(new Uri("/api/models", UriKind.Relative), form);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ModelDetails>())!.Id;
    }

    private static async Task<Guid> StartAsync(HttpClient client, StartEvaluationRequest request)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/evaluations", UriKind.Relative), request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<EvaluationResponse>())!.Id;
    }

    private static async Task<EvaluationResponse> GetAsync(HttpClient client, Guid id) =>
        (await client.GetFromJsonAsync<EvaluationResponse>(new Uri($"/api/evaluations/{id}", UriKind.Relative)))!;

    private sealed record IdOnly(Guid Id);
}
