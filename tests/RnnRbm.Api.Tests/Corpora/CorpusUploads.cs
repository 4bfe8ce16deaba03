using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RnnRbm.Api.Corpora;

namespace RnnRbm.Api.Tests.Corpora;

/// <summary>Test data for corpus uploads: the repository's demo MIDI files, hand-made bad files, zips, multipart bodies.</summary>
internal static class CorpusUploads
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);


    /// <summary>The demo MIDI files (datasets/demo), by name.</summary>
    public static IReadOnlyList<string> DemoPaths() =>
        [.. Directory.GetFiles(Path.Combine(TestEnvironment.RepositoryRoot, "datasets", "demo"), "*.mid").Order(StringComparer.Ordinal)];

    public static (string Name, byte[] Bytes) Demo(int index)
    {
        string path = DemoPaths()[index];
        return (Path.GetFileName(path), System.IO.File.ReadAllBytes(path));
    }

    /// <summary>A structurally valid SMF of format 2, which the reader refuses.</summary>
    public static byte[] Format2Midi() =>
    [
        .. "MThd"u8, 0, 0, 0, 6, 0, 2, 0, 1, 0, 96,
        .. "MTrk"u8, 0, 0, 0, 4, 0, 0xFF, 0x2F, 0,
    ];

    public static byte[] Garbage() => "this is not a MIDI file at all"u8.ToArray();

    public static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, byte[] bytes) in entries)
            {
                ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                using Stream stream = entry.Open();
                stream.Write(bytes);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>A multipart body with <c>name</c> (unless null), the files in field <c>files</c>, and extra fields.</summary>
    public static MultipartFormDataContent Form(string? name, IEnumerable<(string Name, byte[] Bytes)> files, params (string Field, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        if (name is not null)
        {
            form.Add(new StringContent(name), "name");
        }
        foreach ((string field, string value) in fields)
        {
            form.Add(new StringContent(value), field);
        }
        foreach ((string fileName, byte[] bytes) in files)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "files", fileName);
        }
        return form;
    }

    public static Task<HttpResponseMessage> Upload(this HttpClient client, string? name, IEnumerable<(string Name, byte[] Bytes)> files, params (string Field, string Value)[] fields) =>
        client.PostAsync(new Uri("/api/corpora", UriKind.Relative), Form(name, files, fields));

    /// <summary>Uploads and expects 201, returning the corpus.</summary>
    public static async Task<CorpusDetails> UploadOk(this HttpClient client, string name, IEnumerable<(string Name, byte[] Bytes)> files, params (string Field, string Value)[] fields)
    {
        using HttpResponseMessage response = await client.Upload(name, files, fields);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<CorpusDetails>(body, Json)!;
    }

    public static async Task<T> Read<T>(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<T>(Json))!;

    /// <summary>The errors of a validation problem, by field.</summary>
    public static async Task<Dictionary<string, string[]>> Errors(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("errors").Deserialize<Dictionary<string, string[]>>(Json)!;
    }

    public static CorpusFile File(this CorpusDetails corpus, string fileName) =>
        Assert.Single(corpus.Files, f => f.FileName == fileName);
}

/// <summary>One app shared by the tests that need no special settings (each test makes its own corpora).</summary>
public sealed class CorporaAppFixture : IDisposable
{
    public RnnRbmAppFactory App { get; } = new RnnRbmAppFactory();

    public void Dispose() => App.Dispose();
}
