using System.Net;
using RnnRbm.Api.Corpora;

namespace RnnRbm.Api.Tests.Corpora;

/// <summary>Corpus behaviour under non-default settings: limits, the API key, demo seeding. Each test has its own app.</summary>
public class CorporaSettingsTests
{
    [Fact]
    public async Task Upload_IsRefused_WhenZipsInflateBeyondTheCap_CountingBytesActuallyRead()
    {
        using RnnRbmAppFactory app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:MaxZipInflatedBytes"] = "2048" });
        using HttpClient client = app.CreateClient();
        // A MIDI signature and 1 MiB of zeros deflate to about 1 KiB: only counting inflated bytes catches it. (Without
        // the signature the entry is rejected after its first 12 bytes and the rest is never inflated.)
        byte[] bomb = CorpusUploads.Zip(("bomb.mid", [.. "MThd"u8, .. new byte[1024 * 1024]]));
        Assert.True(bomb.Length < 2048);

        using HttpResponseMessage response = await client.Upload("bomb", [("bomb.zip", bomb), CorpusUploads.Demo(0)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains((await response.Errors())["files"], e => e.Contains("MaxZipInflatedBytes", StringComparison.Ordinal));
        var list = await (await client.GetAsync(new Uri("/api/corpora", UriKind.Relative))).Read<List<CorpusSummary>>();
        Assert.Empty(list);

        // The cap is across the upload: two zips of about 1.7 KiB of MIDI each pass alone, not together.
        byte[] one = CorpusUploads.Zip(CorpusUploads.Demo(1));
        Assert.InRange(CorpusUploads.Demo(1).Bytes.Length, 1025, 2048);
        await client.UploadOk("one zip", [("one.zip", one)]);
        using HttpResponseMessage two = await client.Upload("two zips", [("one.zip", one), ("again.zip", one)]);
        Assert.Equal(HttpStatusCode.BadRequest, two.StatusCode);
    }

    [Fact]
    public async Task Upload_RejectsAnEntry_ThatInflatesBeyondThePerFileCap()
    {
        using RnnRbmAppFactory app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:MaxMidiFileBytes"] = "4096" });
        using HttpClient client = app.CreateClient();
        byte[] big = [.. "MThd"u8, .. new byte[10_000]];
        byte[] zip = CorpusUploads.Zip(("big.mid", big), CorpusUploads.Demo(0));

        CorpusDetails corpus = await client.UploadOk("caps", [("z.zip", zip), ("loose-big.mid", big)]);

        Assert.Contains("per-file limit", corpus.File("z.zip/big.mid").Reason, StringComparison.Ordinal);
        Assert.Contains("above the limit of 4096", corpus.File("loose-big.mid").Reason, StringComparison.Ordinal);
        Assert.True(corpus.File("z.zip/" + CorpusUploads.Demo(0).Name).Accepted);
    }

    [Fact]
    public async Task Upload_IsRefused_WhenAZipHoldsTooManyEntries()
    {
        using RnnRbmAppFactory app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:MaxZipEntries"] = "3" });
        using HttpClient client = app.CreateClient();
        byte[] zip = CorpusUploads.Zip([.. Enumerable.Range(0, 4).Select(CorpusUploads.Demo)]);

        using HttpResponseMessage response = await client.Upload("many", [("many.zip", zip)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains((await response.Errors())["files"], e => e.Contains("MaxZipEntries", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApiKey_IsRequiredForUploads_NotForReads()
    {
        using RnnRbmAppFactory app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:ApiKey"] = "s3cret" });
        using HttpClient client = app.CreateClient();

        using HttpResponseMessage without = await client.Upload("keyless", [CorpusUploads.Demo(0)]);
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal("application/problem+json", without.Content.Headers.ContentType?.MediaType);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/corpora", UriKind.Relative))
        {
            Content = CorpusUploads.Form("keyed", [CorpusUploads.Demo(0)]),
        };
        request.Headers.Add("X-Api-Key", "s3cret");
        using HttpResponseMessage with = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, with.StatusCode);
        var corpus = await with.Read<CorpusDetails>();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/corpora", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.DeleteAsync(new Uri($"/api/corpora/{corpus.Id}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task DemoSeeding_AddsTheNottinghamDemoOnce_AcrossRestarts()
    {
        var settings = new Dictionary<string, string?> { ["RnnRbm:SeedDemo"] = "true" };
        using var first = new RnnRbmAppFactory(settings);
        using HttpClient client = first.CreateClient();
        var list = await (await client.GetAsync(new Uri("/api/corpora", UriKind.Relative))).Read<List<CorpusSummary>>();
        CorpusSummary demo = Assert.Single(list, c => c.Name == "Nottingham demo");
        Assert.Equal(40, demo.FileCounts.Train + demo.FileCounts.Valid);
        Assert.Equal(new CorpusFileCounts(36, 4, 0, 0), demo.FileCounts);

        using var second = new RnnRbmAppFactory(settings, dataFolder: first.DataFolder);
        using HttpClient again = second.CreateClient();
        var afterRestart = await (await again.GetAsync(new Uri("/api/corpora", UriKind.Relative))).Read<List<CorpusSummary>>();
        Assert.Single(afterRestart, c => c.Name == "Nottingham demo");
        Assert.Equal(demo.Id, afterRestart.Single().Id);
    }
}
