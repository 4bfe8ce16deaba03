using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace RnnRbm.Web.Tests;

/// <summary>POST /api/audio and GET /api/audio/status, with the real FluidSynth and opusenc and with them missing.</summary>
public sealed class AudioTests
{
    private static byte[] DemoMidi() => File.ReadAllBytes(TestData.DemoMidi(1)[0]);

    private static async Task<HttpResponseMessage> PostMultipartAsync(HttpClient client, byte[] midi)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(midi);
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/midi");
        form.Add(file, "file", "../../etc/passwd.mid"); // a hostile client name: must never become a path
        return await client.PostAsync(new Uri("/api/audio", UriKind.Relative), form);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Render_ReturnsOggOpus_WhenFluidSynthAndOpusencAreInstalled()
    {
        using var app = new RnnRbmAppFactory(realServer: true);
        using HttpClient client = app.CreateRealClient();
        JsonElement status = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/audio/status", UriKind.Relative));
        Assert.True(status.GetProperty("available").GetBoolean(), status.ToString());
        Assert.Equal("ogg", status.GetProperty("format").GetString());
        Assert.Equal("TimGM6mb.sf2", status.GetProperty("soundFont").GetString());

        using HttpResponseMessage response = await PostMultipartAsync(client, DemoMidi());
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, Encoding.UTF8.GetString(body));
        Assert.Equal("audio/ogg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("OggS"u8.ToArray(), body[..4]);
        Assert.Equal("OpusHead"u8.ToArray(), body[28..36]); // the first page's packet: an Opus stream
        Assert.True(body.Length > 2000);
    }

    [Fact]
    public async Task Render_AcceptsTheRawMidiBody_AndAnswersWav_WhenOpusencIsMissing()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:Audio:OpusEncPath"] = "/nonexistent/opusenc" }, realServer: true);
        using HttpClient client = app.CreateRealClient();
        using var content = new ByteArrayContent(DemoMidi());
        content.Headers.ContentType = new MediaTypeHeaderValue("audio/midi");
        using HttpResponseMessage response = await client.PostAsync(new Uri("/api/audio", UriKind.Relative), content);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/wav", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("RIFF"u8.ToArray(), body[..4]);
        Assert.Equal("WAVE"u8.ToArray(), body[8..12]);
        int channels = BitConverter.ToInt16(body, 22);
        int rate = BitConverter.ToInt32(body, 24);
        Assert.Equal((2, 44100), (channels, rate));
    }

    [Fact]
    public async Task Render_Answers503SayingFluidSynthIsMissing_AndStatusSaysSo()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:Audio:FluidSynthPath"] = "/nonexistent/fluidsynth" }, realServer: true);
        using HttpClient client = app.CreateRealClient();
        JsonElement status = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/audio/status", UriKind.Relative));
        Assert.False(status.GetProperty("available").GetBoolean());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("format").ValueKind);

        using HttpResponseMessage response = await PostMultipartAsync(client, DemoMidi());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        JsonElement problem = await ProblemAsync(response);
        Assert.Contains("FluidSynth is not installed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_RefusesWhatIsNotMidi_TooLarge_OrTooLong()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?>
        {
            ["RnnRbm:Audio:MaxMidiBytes"] = "4096",
            ["RnnRbm:Audio:MaxAudioSeconds"] = "1",
        }, realServer: true);
        using HttpClient client = app.CreateRealClient();

        using HttpResponseMessage notMidi = await PostMultipartAsync(client, "RIFF is not a MIDI file at all"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, notMidi.StatusCode);
        Assert.True((await ProblemAsync(notMidi)).GetProperty("errors").TryGetProperty("file", out _));

        byte[] big = new byte[5000];
        "MThd"u8.CopyTo(big);
        using HttpResponseMessage tooBig = await PostMultipartAsync(client, big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Contains("4,096 bytes", (await ProblemAsync(tooBig)).GetProperty("detail").GetString(), StringComparison.Ordinal);

        byte[] midi = DemoMidi();
        Assert.True(midi.Length <= 4096, "the demo file fits the cap");
        using HttpResponseMessage tooLong = await PostMultipartAsync(client, midi);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLong.StatusCode);
        Assert.Contains("1 s", (await ProblemAsync(tooLong)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Render_StopsASynthesiserThatHangs_With504()
    {
        string folder = Directory.CreateTempSubdirectory("rnnrbm-fake-synth-").FullName;
        string fake = Path.Combine(folder, "fluidsynth");
        string pidFile = Path.Combine(folder, "fluidsynth.pid");
        await File.WriteAllTextAsync(fake, $"#!/bin/sh\necho $$ > '{pidFile}'\nexec sleep 30\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?>
        {
            ["RnnRbm:Audio:FluidSynthPath"] = fake,
            ["RnnRbm:Audio:Timeout"] = "00:00:01",
        }, realServer: true);
        using HttpClient client = app.CreateRealClient();
        using HttpResponseMessage response = await PostMultipartAsync(client, DemoMidi());
        // The fake would sleep 30 s: the 504 comes from the timeout, and the hung synthesiser was killed (and reaped)
        // before the answer, not left running.
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        int pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(pid));
        Assert.Contains("too long", (await ProblemAsync(response)).GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_NeedsTheApiKey_WhenTheServerHasOne()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:ApiKey"] = "k" }, realServer: true);
        using HttpClient client = app.CreateRealClient();
        using HttpResponseMessage refused = await PostMultipartAsync(client, DemoMidi());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        client.DefaultRequestHeaders.Add("X-Api-Key", "k");
        using HttpResponseMessage accepted = await PostMultipartAsync(client, DemoMidi());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }
}
