using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RnnRbm.Core.Model;

namespace RnnRbm.Web.Tests;

/// <summary>The repository's demo MIDI files, and API calls that set the stage for a browser test.</summary>
public static class TestData
{
    private static readonly string[] Splits = ["test", "valid", "train"];

    /// <summary>The repository root (where RnnRbm.sln is).</summary>
    public static string RepositoryRoot => TestEnvironment.RepositoryRoot;

    /// <summary>The first <paramref name="count"/> demo MIDI files, in name order.</summary>
    public static IReadOnlyList<string> DemoMidi(int count) =>
        [.. Directory.GetFiles(Path.Combine(RepositoryRoot, "datasets", "demo"), "*.mid").Order(StringComparer.Ordinal).Take(count)];

    /// <summary>
    /// Where the screenshots go: docs/screenshots when RNNRBM_UPDATE_SCREENSHOTS=1 (to refresh the README's
    /// pictures), else a temp folder, so that an ordinary test run leaves the work tree as it found it.
    /// </summary>
    public static string ScreenshotFolder
    {
        get
        {
            string folder = Environment.GetEnvironmentVariable("RNNRBM_UPDATE_SCREENSHOTS") == "1"
                ? Path.Combine(RepositoryRoot, "docs", "screenshots")
                : Path.Combine(Path.GetTempPath(), "rnnrbm-screenshots");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    /// <summary>Uploads demo files as a corpus through the API; returns its id.</summary>
    public static async Task<Guid> CreateCorpusAsync(HttpClient client, string name, int files)
    {
        using var form = new MultipartFormDataContent { { new StringContent(name), "name" } };
        foreach (string path in DemoMidi(files))
        {
            var content = new ByteArrayContent(await File.ReadAllBytesAsync(path));
            content.Headers.ContentType = new MediaTypeHeaderValue("audio/midi");
            form.Add(content, "files", Path.GetFileName(path));
        }
        using HttpResponseMessage response = await client.PostAsync(new Uri("/api/corpora", UriKind.Relative), form);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>
    /// Imports a <see cref="TinyModel"/> through the API; returns its id. Quick to evaluate, and other tests' models (the
    /// bundled one) keep their metrics.
    /// </summary>
    public static async Task<Guid> ImportTinyModelAsync(HttpClient client, string name)
    {
        var file = new ByteArrayContent(ModelFile.Write(TinyModel.Create(5, "made by the browser tests")));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var form = new MultipartFormDataContent { { new StringContent(name), "name" }, { file, "file", "tiny.rnnrbm" } };
        using HttpResponseMessage response = await client.PostAsync(new Uri("/api/models", UriKind.Relative), form);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>The corpus's accepted files per split (test, valid, train), as GET /api/corpora/{id} counts them.</summary>
    public static async Task<Dictionary<string, int>> SplitCountsAsync(HttpClient client, Guid corpus)
    {
        JsonElement counts = (await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/corpora/{corpus}", UriKind.Relative))).GetProperty("fileCounts");
        return Splits.ToDictionary(s => s, s => counts.GetProperty(s).GetInt32());
    }

    /// <summary>The id of the first model the API lists with this origin, or null.</summary>
    public static async Task<Guid?> ModelIdAsync(HttpClient client, string origin)
    {
        JsonElement models = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/models", UriKind.Relative));
        foreach (JsonElement model in models.EnumerateArray())
        {
            if (model.GetProperty("origin").GetString() == origin)
            {
                return model.GetProperty("id").GetGuid();
            }
        }
        return null;
    }

    /// <summary>A file with a long name that is no MIDI file: the upload rejects it with a reason.</summary>
    public const string RejectedFileName = "a-folk-tune-with-a-rather-long-file-name-that-is-not-midi.mid";

    /// <summary>Uploads demo files and one file that is no MIDI (<see cref="RejectedFileName"/>); returns the corpus's id.</summary>
    public static async Task<Guid> CreateCorpusWithARejectAsync(HttpClient client, string name, int files)
    {
        using var form = new MultipartFormDataContent { { new StringContent(name), "name" } };
        foreach (string path in DemoMidi(files))
        {
            var content = new ByteArrayContent(await File.ReadAllBytesAsync(path));
            content.Headers.ContentType = new MediaTypeHeaderValue("audio/midi");
            form.Add(content, "files", Path.GetFileName(path));
        }
        var broken = new ByteArrayContent("this is not a MIDI file at all"u8.ToArray());
        broken.Headers.ContentType = new MediaTypeHeaderValue("audio/midi");
        form.Add(broken, "files", RejectedFileName);
        using HttpResponseMessage response = await client.PostAsync(new Uri("/api/corpora", UriKind.Relative), form);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>Starts a one-epoch training of a tiny model through the API; returns its id.</summary>
    public static Task<Guid> StartTinyTrainingAsync(HttpClient client, Guid corpus, int epochs = 1) =>
        PostForIdAsync(client, "/api/trainings", new { corpusId = corpus, stepsPerQuarter = 2, hidden = 16, recurrent = 8, cdK = 1, epochs, seed = 7 });

    /// <summary>
    /// Starts a tiny training that runs until it is cancelled: many epochs and no early stopping (patience 0), since
    /// on a tiny corpus the default patience would end it within a minute or two, in the middle of a page test.
    /// </summary>
    public static Task<Guid> StartEndlessTrainingAsync(HttpClient client, Guid corpus) =>
        PostForIdAsync(client, "/api/trainings", new { corpusId = corpus, stepsPerQuarter = 2, hidden = 16, recurrent = 8, cdK = 1, epochs = 100_000, patience = 0, seed = 7 });

    /// <summary>Starts a small evaluation through the API (on the corpus's first split with files); returns its id.</summary>
    public static async Task<Guid> StartTinyEvaluationAsync(HttpClient client, Guid model, Guid corpus)
    {
        string split = (await SplitCountsAsync(client, corpus)).First(s => s.Value > 0).Key;
        return await PostForIdAsync(client, "/api/evaluations", new { modelId = model, corpusId = corpus, split, aisRuns = 2, aisSteps = 3, accSamples = 1, seed = 5 });
    }

    /// <summary>POSTs JSON and returns the created resource's id.</summary>
    public static async Task<Guid> PostForIdAsync(HttpClient client, string path, object body)
    {
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }
}
