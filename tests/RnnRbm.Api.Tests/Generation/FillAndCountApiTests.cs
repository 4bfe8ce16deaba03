using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RnnRbm.Api.Tests.Corpora;
using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Tests.Generation;

/// <summary>Issue 16: filling a gap (fill, gapStart, gapEnd, candidates) and several pieces per request (count).</summary>
public class FillAndCountApiTests(GenerationAppFixture fixture) : IClassFixture<GenerationAppFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Fill_KeepsEveryStepOutsideTheGap_SaysHowItChose_AndItsStoredRequestGivesTheSamePiece()
    {
        byte[] file = Midi(Tune(40, seed: 21));
        PianoRoll given = GenerationTestData.ReadMidi(file);
        HttpResponseMessage response = await _client.PostAsJsonAsync(new Uri("/api/generations", UriKind.Relative),
            new { modelId = fixture.ModelId, gibbsK = 3, seed = 5, fill = Convert.ToBase64String(file), gapStart = 10, gapEnd = 20, candidates = 4, temperature = 0.9 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement piece = doc.RootElement.GetProperty("piece");
        Assert.Equal(given.Steps, piece.GetProperty("steps").GetInt32());
        Assert.Equal(10, piece.GetProperty("generatedSteps").GetInt32());
        JsonElement[] steps = [.. piece.GetProperty("notes").EnumerateArray()];
        for (int t = 0; t < given.Steps; t++)
        {
            if (t is < 10 or >= 20)
            {
                Assert.Equal(given.NotesAt(t), [.. steps[t].EnumerateArray().Select(n => n.GetInt32())]);
            }
        }
        JsonElement gap = piece.GetProperty("gap");
        Assert.Equal(10, gap.GetProperty("start").GetInt32());
        Assert.Equal(20, gap.GetProperty("end").GetInt32());
        Assert.Equal(4, gap.GetProperty("candidates").GetInt32());
        Assert.InRange(gap.GetProperty("chosen").GetInt32(), 0, 3);
        Assert.Equal(4, gap.GetProperty("scores").GetArrayLength());
        Assert.Equal(1, gap.GetProperty("weights").EnumerateArray().Sum(w => w.GetDouble()), 6);
        Assert.Equal(Math.Min(32, given.Steps - 20), gap.GetProperty("scoredSteps").GetInt32());

        JsonElement request = doc.RootElement.GetProperty("request");
        Assert.Equal(10, request.GetProperty("steps").GetInt32());
        Dictionary<string, JsonElement> stored = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(request.GetRawText())!;
        stored["format"] = JsonSerializer.SerializeToElement("json");
        HttpResponseMessage again = await _client.PostGenerateAsync(stored);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using JsonDocument replay = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.Equal(piece.GetProperty("notes").GetRawText(), replay.RootElement.GetProperty("notes").GetRawText());
    }

    [Theory]
    [InlineData("no-gap-end", "gapEnd", "gapEnd is required with fill")]
    [InlineData("beyond", "gapEnd", "lies beyond it")]
    [InlineData("reversed", "gapEnd", "gapEnd must be above gapStart")]
    [InlineData("too-many", "candidates", "candidates must lie in [1, 32]")]
    [InlineData("with-melody", "melody", "melody cannot be used with fill")]
    [InlineData("gap-alone", "gapStart", "send fill (the piece) with it")]
    [InlineData("not-midi", "fill", "fill must be a MIDI file encoded as base64")]
    [InlineData("too-much-work", "candidates", "count × candidates × (gapEnd − gapStart) × gibbsK must be at most 1000000")]
    public async Task Fill_BadRequests_AreA400_NamingTheField(string kind, string field, string message)
    {
        string piece = Convert.ToBase64String(Midi(Tune(30, seed: 2)));
        var body = new Dictionary<string, object> { ["modelId"] = fixture.ModelId, ["gibbsK"] = 2, ["fill"] = piece, ["gapStart"] = 4, ["gapEnd"] = 8 };
        switch (kind)
        {
            case "no-gap-end": body.Remove("gapEnd"); break;
            case "beyond": body["gapEnd"] = 500; break;
            case "reversed": body["gapEnd"] = 4; break;
            case "too-many": body["candidates"] = 33; break;
            case "with-melody": body["melody"] = piece; break;
            case "gap-alone": body.Remove("fill"); break;
            case "not-midi": body["fill"] = "not base64!"; break;
            case "too-much-work": body["gibbsK"] = 1000; body["candidates"] = 32; body["gapEnd"] = 100; break;
        }
        HttpResponseMessage response = await _client.PostGenerateAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains((await response.Errors())[field], m => m.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Count_SamplesDistinctSeeds_EachKeptInTheHistory_WithLinksAndOneZip()
    {
        HttpResponseMessage response = await _client.PostAsJsonAsync(new Uri("/api/generations", UriKind.Relative),
            new { modelId = fixture.ModelId, steps = 16, gibbsK = 2, seed = 100, count = 3 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement[] pieces = [.. doc.RootElement.GetProperty("pieces").EnumerateArray()];
        Assert.Equal([100UL, 101UL, 102UL], pieces.Select(p => p.GetProperty("seed").GetUInt64()));
        Assert.Equal(doc.RootElement.GetProperty("id").GetGuid(), pieces[0].GetProperty("id").GetGuid());
        var midis = new List<byte[]>();
        foreach (JsonElement p in pieces)
        {
            using JsonDocument kept = JsonDocument.Parse(await _client.GetStringAsync(new Uri($"/api/generations/{p.GetProperty("id").GetGuid()}", UriKind.Relative)));
            Assert.Equal(p.GetProperty("seed").GetUInt64(), kept.RootElement.GetProperty("request").GetProperty("seed").GetUInt64());
            Assert.False(kept.RootElement.GetProperty("request").TryGetProperty("count", out _)); // each row regenerates its own piece
            midis.Add(await _client.GetByteArrayAsync(new Uri(p.GetProperty("midi").GetString()!, UriKind.Relative)));
        }
        Assert.NotEqual(midis[0], midis[1]);

        HttpResponseMessage zip = await _client.GetAsync(new Uri(doc.RootElement.GetProperty("zip").GetString()!, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        Assert.Equal("application/zip", zip.Content.Headers.ContentType?.MediaType);
        using var archive = new ZipArchive(new MemoryStream(await zip.Content.ReadAsByteArrayAsync()));
        Assert.Equal(["rnnrbm-1-seed-100.mid", "rnnrbm-2-seed-101.mid", "rnnrbm-3-seed-102.mid"], archive.Entries.Select(e => e.FullName));
        for (int i = 0; i < 3; i++)
        {
            using var bytes = new MemoryStream();
            await using (Stream entry = archive.Entries[i].Open())
            {
                await entry.CopyToAsync(bytes);
            }
            Assert.Equal(midis[i], bytes.ToArray());
        }
    }

    [Fact]
    public async Task Count_OnGenerate_IsAJsonListOrAZip_AndEachPieceIsItsSeedsPiece()
    {
        HttpResponseMessage list = await _client.PostGenerateAsync(new { modelId = fixture.ModelId, steps = 12, gibbsK = 2, seed = 7, count = 2, format = "json" });
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using JsonDocument doc = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        JsonElement[] pieces = [.. doc.RootElement.EnumerateArray()];
        Assert.Equal([7UL, 8UL], pieces.Select(p => p.GetProperty("seed").GetUInt64()));
        Assert.Equal(2, list.Headers.GetValues("X-Generation-Id").Single().Split(',').Length);
        HttpResponseMessage single = await _client.PostGenerateAsync(new { modelId = fixture.ModelId, steps = 12, gibbsK = 2, seed = 8, format = "json" });
        using JsonDocument alone = JsonDocument.Parse(await single.Content.ReadAsStringAsync());
        Assert.Equal(alone.RootElement.GetProperty("notes").GetRawText(), pieces[1].GetProperty("notes").GetRawText());

        HttpResponseMessage zip = await _client.PostGenerateAsync(new { modelId = fixture.ModelId, steps = 12, gibbsK = 2, seed = 7, count = 2 });
        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        Assert.Equal("application/zip", zip.Content.Headers.ContentType?.MediaType);
        using var archive = new ZipArchive(new MemoryStream(await zip.Content.ReadAsByteArrayAsync()));
        Assert.Equal(2, archive.Entries.Count);
    }

    [Theory]
    [InlineData(9, 10, 1, "count", "count must lie in [1, 8]")]
    [InlineData(3, 1000, 1000, "gibbsK", "count × steps × gibbsK must be at most 1000000")]
    public async Task Count_OutOfBounds_IsA400(int count, int steps, int gibbsK, string field, string message)
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(new { modelId = fixture.ModelId, steps, gibbsK, count });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains((await response.Errors())[field], m => m.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Zip_WithoutIds_IsA400_AndWithAnUnknownOne_A404()
    {
        HttpResponseMessage none = await _client.GetAsync(new Uri("/api/generations/zip", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Contains("ids must name 1 to 8 generations", Assert.Single((await none.Errors())["ids"]), StringComparison.Ordinal);
        HttpResponseMessage unknown = await _client.GetAsync(new Uri($"/api/generations/zip?ids={Guid.NewGuid()}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    // A tune of one note per step on the test models' 12 keys, ending on a note (so the file keeps every step).
    private static PianoRoll Tune(int steps, int seed)
    {
        var random = new Random(seed);
        var roll = new PianoRoll(steps, GenerationTestData.Range);
        for (int t = 0; t < steps; t++)
        {
            if (random.Next(4) != 0 || t == steps - 1)
            {
                roll[t, GenerationTestData.Range.Lowest + random.Next(GenerationTestData.Range.Count)] = true;
            }
        }
        return roll;
    }

    private static byte[] Midi(PianoRoll roll) => MidiWriter.Write(roll, new MidiWriteOptions { Grid = GenerationTestData.Grid });
}
