using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Limits;
using RnnRbm.Core.Model;
using RnnRbm.Core.Training;

namespace RnnRbm.Api.Tests.Reliability;

/// <summary>
/// Issue 13, hostile bodies: every JSON body of the service is read one way (Body&lt;T&gt;), so each attack below is
/// tried on all three endpoints and must get a 4xx problem that says what was wrong, never a 500.
/// </summary>
public sealed class HostileBodyTests : IDisposable
{
    private const string SomeId = "00000000-0000-0000-0000-000000000001";

    public static TheoryData<string> Paths => new() { "/generate", "/api/trainings", "/api/evaluations", "/api/searches" };

    private readonly RnnRbmAppFactory _app = new(new Dictionary<string, string?> { ["RnnRbm:Workers"] = "0", ["RnnRbm:Role"] = "web" });
    private readonly HttpClient _client;

    public HostileBodyTests() => _client = _app.CreateClient();

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    private async Task<(HttpStatusCode Status, string? MediaType, JsonElement Problem)> PostAsync(string path, HttpContent content)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await _client.PostAsync(new Uri(path, UriKind.Relative), content);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    private static byte[] Bytes(params object[] parts) =>
        [.. parts.SelectMany(p => p is string s ? Encoding.ASCII.GetBytes(s) : (byte[])p)];

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task InvalidUtf8InsideAString_Is400SayingWhere(string path)
    {
        // printf '{"corpusId":"\xff"}' of the attack run, in each id field and in a string field of each request.
        foreach (string field in new[] { "corpusId", "modelId", "recipe", "split", "format" })
        {
            using var content = new ByteArrayContent(Bytes($"{{\"{field}\":\"", new byte[] { 0xFF }, "\"}"));
            (HttpStatusCode status, string? type, JsonElement problem) = await PostAsync(path, content);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("application/problem+json", type);
            Assert.Equal("The request body is not valid UTF-8 JSON.", problem.GetProperty("title").GetString());
            Assert.Equal($"Byte {field.Length + 5} (0xFF) is not UTF-8, in the value of {field}. Send the JSON encoded as UTF-8; " +
                "characters beyond ASCII may also be written as \\u escapes.", problem.GetProperty("detail").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task InvalidUtf8InAFieldName_OrAnOverlongSequence_Is400(string path)
    {
        // A bad name after a good field, and an overlong encoding of '/' (0xC0 0xAF), which lenient decoders accept.
        foreach (byte[] body in new[] { Bytes("{\"seed\":1,\"", new byte[] { 0xC3, 0x28 }, "\":1}"), Bytes("{\"seed\":\"", new byte[] { 0xC0, 0xAF }, "\"}") })
        {
            using var content = new ByteArrayContent(body);
            (HttpStatusCode status, _, JsonElement problem) = await PostAsync(path, content);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("is not UTF-8, in ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("seed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task AFieldGivenTwice_Is400NamingIt(string path)
    {
        using var content = new StringContent("{\"seed\": 1, \"seed\": 2}");
        (HttpStatusCode status, _, JsonElement problem) = await PostAsync(path, content);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'seed'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, long> Caps => new()
    {
        { "/api/trainings", TrainingLimits.MaxBodyBytes },
        { "/api/evaluations", EvaluationLimits.MaxBodyBytes },
        { "/api/searches", RnnRbm.Core.Search.SearchLimits.MaxBodyBytes },
        // The primer's cap is RnnRbm:MaxMidiFileBytes (8 MiB by default).
        { "/generate", GenerationLimits.MaxBodyBytes(8 * 1024 * 1024) },
    };

    [Theory]
    [MemberData(nameof(Caps))]
    public async Task ABodyBeyondItsEndpointsCap_Is413_WhetherItsLengthIsDeclaredOrNot(string path, long cap)
    {
        Assert.True(cap >= BodyLimits.FieldsOnly);
        // Valid JSON, padded with whitespace one byte past the cap: only the size is wrong.
        string valid = $"{{\"corpusId\":\"{SomeId}\"}}";
        byte[] body = Encoding.ASCII.GetBytes(valid + new string(' ', (int)cap + 1 - valid.Length));
        foreach (HttpContent content in new HttpContent[] { new ByteArrayContent(body), new UnsizedContent(body) })
        {
            using (content)
            {
                (HttpStatusCode status, string? type, JsonElement problem) = await PostAsync(path, content);
                Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
                Assert.Equal("application/problem+json", type);
                Assert.Contains($"at most {cap} bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }
        // At the cap exactly it is read (and refused for what it says, not for its size).
        using var atCap = new ByteArrayContent(body[..^1]);
        (HttpStatusCode atCapStatus, _, _) = await PostAsync(path, atCap);
        Assert.Equal(HttpStatusCode.BadRequest, atCapStatus);
    }

    /// <summary>A body sent chunked, without Content-Length.</summary>
    private sealed class UnsizedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
