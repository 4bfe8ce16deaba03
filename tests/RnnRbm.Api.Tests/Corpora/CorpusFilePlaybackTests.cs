using System.Net;
using System.Text.Json;
using RnnRbm.Api.Corpora;
using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Tests.Corpora;

/// <summary>GET /api/corpora/{id}/files/{fileId}/roll and /audio: "listen to my upload".</summary>
public class CorpusFilePlaybackTests(CorporaAppFixture fixture) : IClassFixture<CorporaAppFixture>
{
    private readonly HttpClient _client = fixture.App.CreateClient();

    /// <summary>A known roll on a 0.1 s grid: a rising line, then a held three-note chord, with a silent step between.</summary>
    private static PianoRoll KnownRoll()
    {
        var roll = new PianoRoll(8, PitchRange.Piano);
        roll[0, 60] = true;
        roll[1, 62] = true;
        roll[2, 64] = true;
        foreach (int pitch in new[] { 48, 55, 64 })
        {
            roll[4, pitch] = true;
            roll[5, pitch] = true;
            roll[6, pitch] = true;
        }
        return roll;
    }

    private static Uri Url(Guid corpus, Guid file, string view) => new($"/api/corpora/{corpus}/files/{file}/{view}", UriKind.Relative);

    [Fact]
    public async Task Roll_IsTheFileOnAFiftyMillisecondGrid_WhateverItsTempo()
    {
        // Written at 0.1 s per step and 90 bpm: read back at 0.05 s, every step of the source is two rows.
        byte[] midi = MidiWriter.Write(KnownRoll(), new MidiWriteOptions { Grid = new TimeGrid.Seconds(0.1), TempoBpm = 90 });
        CorpusDetails corpus = await _client.UploadOk("known roll", [("known.mid", midi), CorpusUploads.Demo(0)]);
        CorpusFile file = corpus.File("known.mid");

        using HttpResponseMessage response = await _client.GetAsync(Url(corpus.Id, file.Id, "roll"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        CorpusFileRoll roll = await response.Read<CorpusFileRoll>();

        Assert.Equal((corpus.Id, file.Id, "known.mid"), (roll.CorpusId, roll.FileId, roll.FileName));
        Assert.Equal(("seconds", 0.05), (roll.TimeGrid.Kind, roll.TimeGrid.Seconds));
        Assert.Equal((21, 109), (roll.PitchRange.Lowest, roll.PitchRange.End));
        PianoRoll known = KnownRoll();
        int[][] expected = [.. Enumerable.Range(0, 2 * known.Steps).Select(t => known.NotesAt(t / 2).ToArray())];
        Assert.Equal(expected.Length, roll.Steps);
        Assert.Equal(expected, roll.Notes.Select(n => n.ToArray()).ToArray());
        Assert.Equal(expected.Sum(n => n.Length), roll.NoteSteps);
        // The file ends with its silent last step; the grid puts the end within one step of it.
        Assert.InRange(roll.DurationSeconds, (roll.Steps - 1) * 0.05, roll.Steps * 0.05);
    }

    [Fact]
    public async Task Audio_RendersTheUploadedFile()
    {
        CorpusDetails corpus = await _client.UploadOk("to hear", [CorpusUploads.Demo(1)]);
        using HttpResponseMessage response = await _client.GetAsync(Url(corpus.Id, corpus.Files[0].Id, "audio"));
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, System.Text.Encoding.UTF8.GetString(body));
        Assert.Equal("audio/ogg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("OggS"u8.ToArray(), body[..4]);
    }

    [Theory]
    [InlineData("roll")]
    [InlineData("audio")]
    public async Task RollAndAudio_Answer404Problems_ForAnUnknownCorpusOrFile_OrAFileOfAnotherCorpus(string view)
    {
        CorpusDetails mine = await _client.UploadOk("mine", [CorpusUploads.Demo(2)]);
        CorpusDetails other = await _client.UploadOk("other", [CorpusUploads.Demo(3)]);
        Guid myFile = mine.Files[0].Id;

        (Uri Url, string Says)[] cases =
        [
            (Url(Guid.NewGuid(), myFile, view), "No corpus has id"),
            (Url(mine.Id, Guid.NewGuid(), view), "The corpus has no file with id"),
            (Url(other.Id, myFile, view), "The corpus has no file with id"),
        ];
        foreach ((Uri url, string says) in cases)
        {
            using HttpResponseMessage response = await _client.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            JsonElement problem = await ProblemAsync(response);
            Assert.Contains(says, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Not an id at all: no route takes it, and the answer is still a problem, not an empty page.
        using HttpResponseMessage notAnId = await _client.GetAsync(new Uri($"/api/corpora/{mine.Id}/files/not-an-id/{view}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, notAnId.StatusCode);
        await ProblemAsync(notAnId);
    }

    [Theory]
    [InlineData("roll")]
    [InlineData("audio")]
    public async Task RollAndAudio_Answer409WithTheReason_ForARejectedFile(string view)
    {
        CorpusDetails corpus = await _client.UploadOk("half bad", [CorpusUploads.Demo(4), ("bad.mid", CorpusUploads.Garbage())]);
        CorpusFile rejected = corpus.File("bad.mid");
        Assert.False(rejected.Accepted);

        using HttpResponseMessage response = await _client.GetAsync(Url(corpus.Id, rejected.Id, view));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        string detail = (await ProblemAsync(response)).GetProperty("detail").GetString()!;
        Assert.Contains("'bad.mid' was rejected", detail, StringComparison.Ordinal);
        Assert.Contains(rejected.Reason!, detail, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }
}
