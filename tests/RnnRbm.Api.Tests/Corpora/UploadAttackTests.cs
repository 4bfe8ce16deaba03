using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Corpora;

namespace RnnRbm.Api.Tests.Corpora;

/// <summary>
/// Hostile uploads under the default settings (issue 13; docs/reliability.md lists each attack and its test): forged
/// zip directories, files without notes. Each must end in a clear answer naming the file, never a 500.
/// </summary>
public class UploadAttackTests(CorporaAppFixture fixture) : IClassFixture<CorporaAppFixture>
{
    private readonly HttpClient _client = fixture.App.CreateClient();

    [Fact]
    public async Task Upload_ZipWhoseEndRecordMiscountsItsEntries_Is400NamingTheFile()
    {
        byte[] zip = ForgeEndRecord(CorpusUploads.Zip(CorpusUploads.Demo(0), CorpusUploads.Demo(1)), entries: 1);

        using HttpResponseMessage response = await _client.Upload("miscounted", [("miscounted.zip", zip)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains((await response.Errors())["files"], e =>
            e.StartsWith("miscounted.zip: ", StringComparison.Ordinal) && e.Contains("end record declares 1 entries but its central directory holds 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upload_ZipWithMoreEntriesThanTheCap_IsRefusedOnTheRealCount_WhenItsEndRecordSaysOne()
    {
        // 5,001 entries (the default cap is 5,000) behind an end record that claims 1.
        byte[] zip = ForgeEndRecord(StoredZip(5001), entries: 1);

        using HttpResponseMessage response = await _client.Upload("many", [("many.zip", zip), CorpusUploads.Demo(0)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains((await response.Errors())["files"], e => e.Contains("'many.zip' holds more than 5000 entries", StringComparison.Ordinal));
        var list = await (await _client.GetAsync(new Uri("/api/corpora", UriKind.Relative))).Read<List<CorpusSummary>>();
        Assert.DoesNotContain(list, c => c.Name == "many");
    }

    [Fact]
    public async Task Upload_ZipWhoseCentralDirectoryLiesOutsideTheFile_IsRejectedWithTheReason()
    {
        byte[] zip = CorpusUploads.Zip(CorpusUploads.Demo(0));
        int eocd = EndRecord(zip);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(eocd + 16), 0x7FFF_0000);

        CorpusDetails corpus = await _client.UploadOk("outside", [("outside.zip", zip), CorpusUploads.Demo(1)]);

        Assert.Contains("lies outside the file", corpus.File("outside.zip").Reason, StringComparison.Ordinal);
        Assert.True(corpus.File(CorpusUploads.Demo(1).Name).Accepted);
    }

    [Fact]
    public async Task Upload_TruncatedZip_IsRejectedWithTheReason()
    {
        byte[] zip = CorpusUploads.Zip(CorpusUploads.Demo(0), CorpusUploads.Demo(1));

        using HttpResponseMessage response = await _client.Upload("truncated", [("cut.zip", zip[..(zip.Length / 2)])]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains((await response.Errors())["files"], e => e.StartsWith("cut.zip: not a readable zip archive", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upload_WithMoreFilesThanTheFormAllows_Is400SayingWhy()
    {
        // 10,001 one-byte files: the form reader's count limit (10,000 values and files) refuses them before any is read.
        using HttpResponseMessage response = await _client.Upload("swarm", Enumerable.Range(0, 10_001).Select(i => ($"f{i}.mid", new byte[] { 1 })));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("limit 10000 exceeded", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_RejectsFilesWithoutNotes_ByName_AndRefusesAnUploadOfNothingElse()
    {
        byte[] silent = [.. "MThd"u8, 0, 0, 0, 6, 0, 0, 0, 1, 0, 96, .. "MTrk"u8, 0, 0, 0, 5, 0x83, 0x00, 0xFF, 0x2F, 0];
        byte[] drums =
        [
            .. "MThd"u8, 0, 0, 0, 6, 0, 0, 0, 1, 0, 96,
            .. "MTrk"u8, 0, 0, 0, 12, 0, 0x99, 36, 100, 96, 0x89, 36, 0, 0, 0xFF, 0x2F, 0,
        ];

        CorpusDetails corpus = await _client.UploadOk("with silence", [("silent.mid", silent), ("drums.mid", drums), CorpusUploads.Demo(2)]);

        Assert.Equal("no notes to learn from: the file holds no notes", corpus.File("silent.mid").Reason);
        Assert.Contains("drum notes (channel 10) are left out", corpus.File("drums.mid").Reason, StringComparison.Ordinal);
        Assert.True(corpus.Steps.Total > 0);

        using HttpResponseMessage alone = await _client.Upload("only silence", [("silent.mid", silent), ("drums.mid", drums)]);
        Assert.Equal(HttpStatusCode.BadRequest, alone.StatusCode);
        string[] errors = (await alone.Errors())["files"];
        Assert.Contains("silent.mid: no notes to learn from: the file holds no notes", errors);
        Assert.Contains(errors, e => e.StartsWith("drums.mid: no notes to learn from", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upload_Zip64Archive_IsReadThroughItsZip64EndRecord_AndItsCountIsCheckedToo()
    {
        // Some tools write Zip64 end records even for small archives: the directory check must follow them.
        byte[] zip64 = ToZip64(CorpusUploads.Zip(("z64/a.mid", CorpusUploads.Demo(0).Bytes), ("z64/b.mid", CorpusUploads.Demo(1).Bytes)), entries: 2);

        CorpusDetails corpus = await _client.UploadOk("zip64", [("z64.zip", zip64)]);
        Assert.True(corpus.File("z64.zip/z64/a.mid").Accepted);
        Assert.True(corpus.File("z64.zip/z64/b.mid").Accepted);

        byte[] forged = ToZip64(CorpusUploads.Zip(CorpusUploads.Demo(0), CorpusUploads.Demo(1)), entries: 1);
        using HttpResponseMessage response = await _client.Upload("zip64 forged", [("forged64.zip", forged)]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains((await response.Errors())["files"], e =>
            e.StartsWith("forged64.zip: ", StringComparison.Ordinal) && e.Contains("declares 1 entries but its central directory holds 2", StringComparison.Ordinal));
    }

    /// <summary>
    /// The zip with a Zip64 end record and locator in front of its end record, whose fields then say "see Zip64"
    /// (APPNOTE 4.3.14-4.3.16); the Zip64 record claims <paramref name="entries"/> entries.
    /// </summary>
    internal static byte[] ToZip64(byte[] zip, ulong entries)
    {
        int eocd = EndRecord(zip);
        ReadOnlySpan<byte> end = zip.AsSpan(eocd);
        uint directorySize = BinaryPrimitives.ReadUInt32LittleEndian(end[12..]);
        uint directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(end[16..]);
        var record = new byte[56 + 20 + 22];
        Span<byte> z = record;
        "PK\x06\x06"u8.CopyTo(z);
        BinaryPrimitives.WriteUInt64LittleEndian(z[4..], 44);
        BinaryPrimitives.WriteUInt16LittleEndian(z[12..], 45);
        BinaryPrimitives.WriteUInt16LittleEndian(z[14..], 45);
        BinaryPrimitives.WriteUInt64LittleEndian(z[24..], entries);
        BinaryPrimitives.WriteUInt64LittleEndian(z[32..], entries);
        BinaryPrimitives.WriteUInt64LittleEndian(z[40..], directorySize);
        BinaryPrimitives.WriteUInt64LittleEndian(z[48..], directoryOffset);
        Span<byte> locator = z[56..];
        "PK\x06\x07"u8.CopyTo(locator);
        BinaryPrimitives.WriteUInt64LittleEndian(locator[8..], (ulong)eocd);
        BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);
        Span<byte> last = z[76..];
        end[..22].CopyTo(last);
        BinaryPrimitives.WriteUInt16LittleEndian(last[8..], ushort.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(last[10..], ushort.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(last[12..], uint.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(last[16..], uint.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(last[20..], 0);
        return [.. zip.AsSpan(0, eocd), .. record];
    }

    /// <summary>A zip of <paramref name="count"/> one-byte entries, stored (no compression).</summary>
    internal static byte[] StoredZip(int count)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (int i = 0; i < count; i++)
            {
                using Stream stream = zip.CreateEntry($"e{i}.mid", CompressionLevel.NoCompression).Open();
                stream.WriteByte((byte)'x');
            }
        }
        return buffer.ToArray();
    }

    /// <summary>The zip with its end-of-central-directory record claiming <paramref name="entries"/> entries.</summary>
    internal static byte[] ForgeEndRecord(byte[] zip, ushort entries)
    {
        int eocd = EndRecord(zip);
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(eocd + 8), entries);
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(eocd + 10), entries);
        return zip;
    }

    private static int EndRecord(byte[] zip) => zip.AsSpan().LastIndexOf("PK\x05\x06"u8);
}

/// <summary>
/// Uploads against the process-wide budget (RnnRbm:UploadConcurrency, RnnRbm:UploadMemoryBytes) and the caps that
/// stop reading early. Each test has its own app and settings. No sleeps: places are held through the budget itself.
/// </summary>
public class UploadBudgetTests
{
    [Fact]
    public async Task Uploads_BeyondTheBudget_Get429WithRetryAfter_AndAreAdmittedAgainOnceItFrees()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:UploadConcurrency"] = "8" });
        using HttpClient client = app.CreateClient();
        UploadBudget budget = app.Services.GetRequiredService<UploadBudget>();

        var held = new List<UploadBudget.Lease>();
        for (int i = 0; i < 8; i++)
        {
            held.Add(Assert.IsType<UploadBudget.Lease>(budget.TryAdmit()));
        }
        Assert.Null(budget.TryAdmit());

        HttpResponseMessage[] refused = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.Upload($"refused {i}", [CorpusUploads.Demo(i)])));
        foreach (HttpResponseMessage response in refused)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture) >= 1);
            Assert.Contains("RnnRbm:UploadConcurrency", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            response.Dispose();
        }
        var none = await (await client.GetAsync(new Uri("/api/corpora", UriKind.Relative))).Read<List<CorpusSummary>>();
        Assert.Empty(none);

        held.ForEach(l => l.Dispose());
        Assert.Equal(0, budget.InFlight);

        // Eight at once now fit the eight places: every one is admitted.
        HttpResponseMessage[] admitted = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.Upload($"admitted {i}", [CorpusUploads.Demo(i)])));
        foreach (HttpResponseMessage response in admitted)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            response.Dispose();
        }
        // Every place and byte came back.
        Assert.Equal(0, budget.InFlight);
        Assert.Equal(0, budget.HeldBytes);
    }

    [Fact]
    public async Task Upload_WhoseAcceptedFilesExceedItsShareOfMemory_Is400NamingTheSetting_WhateverTheLoad()
    {
        // Share: 64 KiB / 2 = 32 KiB, of which the read buffer takes 4 KiB.
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?>
        {
            ["RnnRbm:MaxMidiFileBytes"] = "4096",
            ["RnnRbm:UploadConcurrency"] = "2",
            ["RnnRbm:UploadMemoryBytes"] = "65536",
        });
        using HttpClient client = app.CreateClient();
        UploadBudget budget = app.Services.GetRequiredService<UploadBudget>();
        long room = budget.ShareBytes - 4096;
        var files = new List<(string Name, byte[] Bytes)>();
        for (int i = 0; files.Sum(f => (long)f.Bytes.Length) <= room; i++)
        {
            if (CorpusUploads.Demo(i).Bytes.Length <= 4096)
            {
                files.Add(CorpusUploads.Demo(i));
            }
        }

        using HttpResponseMessage response = await client.Upload("too much", files);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains((await response.Errors())["files"], e => e.Contains("RnnRbm:UploadMemoryBytes / RnnRbm:UploadConcurrency", StringComparison.Ordinal));
        Assert.Equal(0, budget.HeldBytes);
        await client.UploadOk("fits", files.Take(2));
    }

    [Fact]
    public async Task Upload_LargerThanTheRequestCap_Is413ProblemJson_AndCreatesNothing()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:MaxRequestBytes"] = "8192" });
        using HttpClient client = app.CreateClient();

        using HttpResponseMessage response = await client.Upload("too big", [("big.mid", [.. "MThd"u8, .. new byte[64 * 1024]])]);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("RnnRbm:MaxRequestBytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var none = await (await client.GetAsync(new Uri("/api/corpora", UriKind.Relative))).Read<List<CorpusSummary>>();
        Assert.Empty(none);
    }

    [Fact]
    public async Task Upload_StopsReadingAnEntry_AtThePerFileCap_AndNonMidiEntries_AfterTheirSignature()
    {
        // Whole, these entries inflate to 6 × 40 KiB, far past the 20 KiB cap on the upload; read only up to each
        // entry's per-file cap (4 KiB + 1) or signature (12 bytes), they stay under it, so the upload is answered file by file.
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?>
        {
            ["RnnRbm:MaxMidiFileBytes"] = "4096",
            ["RnnRbm:MaxZipInflatedBytes"] = "20480",
        });
        using HttpClient client = app.CreateClient();
        byte[] bigMidi = [.. "MThd"u8, .. new byte[40 * 1024]];
        byte[] zeros = new byte[40 * 1024];
        (string Name, byte[] Bytes) demo = CorpusUploads.Demo(0);
        Assert.True(demo.Bytes.Length <= 4096);
        byte[] zip = CorpusUploads.Zip(("a.mid", bigMidi), ("b.mid", bigMidi), ("c.mid", bigMidi), ("x.bin", zeros), ("y.bin", zeros), ("z.bin", zeros), demo);

        CorpusDetails corpus = await client.UploadOk("early stops", [("bomb.zip", zip)]);

        foreach (string name in new[] { "a.mid", "b.mid", "c.mid" })
        {
            Assert.Contains("above the per-file limit (RnnRbm:MaxMidiFileBytes)", corpus.File("bomb.zip/" + name).Reason, StringComparison.Ordinal);
        }
        foreach (string name in new[] { "x.bin", "y.bin", "z.bin" })
        {
            Assert.Equal("not a MIDI file (no MThd or RIFF/RMID signature)", corpus.File("bomb.zip/" + name).Reason);
        }
        Assert.True(corpus.File("bomb.zip/" + demo.Name).Accepted);
    }
}
