using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Api.Corpora;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Training;
using SkiaSharp;

namespace RnnRbm.Api.Tests.Corpora;

public class CorporaApiTests(CorporaAppFixture fixture) : IClassFixture<CorporaAppFixture>
{
    private readonly HttpClient _client = fixture.App.CreateClient();

    [Fact]
    public async Task Upload_MidiFiles_Returns201WithReportAndStatistics()
    {
        var files = new[] { CorpusUploads.Demo(0), CorpusUploads.Demo(1), CorpusUploads.Demo(2) };
        using HttpResponseMessage response = await _client.Upload("three tunes", files);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Read<CorpusDetails>();
        Assert.Equal($"/api/corpora/{created.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("three tunes", created.Name);
        Assert.Equal(3, created.Files.Count);
        foreach ((string name, _) in files)
        {
            CorpusFile file = created.File(name);
            Assert.True(file.Accepted, file.Reason);
            Assert.NotNull(file.Stats);
            Assert.True(file.Stats.Steps > 0 && file.Stats.Notes > 0 && file.Stats.NoteSteps > 0);
            Assert.True(file.Split is "train" or "valid", file.Split);
        }
        Assert.Equal(created.Files.Sum(f => (long)f.Stats!.Steps), created.Steps.Total);
        Assert.Equal(2, created.StatisticsGrid.StepsPerQuarter);
        Assert.Equal("seeded", created.Split.Source);

        CorpusDetails fetched = await (await _client.GetAsync(new Uri($"/api/corpora/{created.Id}", UriKind.Relative))).Read<CorpusDetails>();
        Assert.Equal(88, fetched.PitchHistogram.Count);
        Assert.Equal(21, fetched.PitchHistogram[0].Pitch);
        Assert.Equal("C4", fetched.PitchHistogram.Single(p => p.Pitch == 60).Name);
        // Every sounding cell is one note-step of one pitch.
        Assert.Equal(fetched.Files.Sum(f => f.Stats!.NoteSteps), fetched.PitchHistogram.Sum(p => p.NoteSteps));
        Assert.True(fetched.Polyphony.MaxNotes >= 1);
        Assert.True(fetched.Polyphony.MeanNotesPerSoundingStep >= fetched.Polyphony.MeanNotesPerStep);
        Assert.True(fetched.Polyphony.MeanNotesPerStep > 0);
        Assert.NotEmpty(fetched.Tempos);
        Assert.Equal(created.Files.Select(f => (f.Id, f.Split)), fetched.Files.Select(f => (f.Id, f.Split)));

        var list = await (await _client.GetAsync(new Uri("/api/corpora", UriKind.Relative))).Read<List<CorpusSummary>>();
        CorpusSummary summary = Assert.Single(list, c => c.Id == created.Id);
        Assert.Equal(3, summary.FileCounts.Train + summary.FileCounts.Valid);
        Assert.Equal(created.Steps.Total, summary.Steps.Total);
    }

    [Fact]
    public async Task Upload_OfFilesAlreadyHeld_IsKept_AndNamesTheCorporaHoldingThem()
    {
        CorpusDetails first = await _client.UploadOk("held once", [CorpusUploads.Demo(30), CorpusUploads.Demo(31)]);
        Assert.NotNull(first.SameFilesAs); // (other corpora of the fixture, the demo one, may hold these files too)

        // The same two files: the same corpus again. One of them and a new one: shared in part.
        CorpusDetails again = await _client.UploadOk("held twice", [CorpusUploads.Demo(30), CorpusUploads.Demo(31)]);
        SameCorpus identical = Assert.Single(again.SameFilesAs!, c => c.Id == first.Id);
        Assert.Equal(("held once", 2, 2, true), (identical.Name, identical.SameFiles, identical.Files, identical.Identical));
        CorpusDetails part = await _client.UploadOk("held in part", [CorpusUploads.Demo(31), CorpusUploads.Demo(32)]);
        SameCorpus shared = Assert.Single(part.SameFilesAs!, c => c.Id == first.Id);
        Assert.Equal((1, false), (shared.SameFiles, shared.Identical));
    }

    [Fact]
    public async Task Details_SayTheKeysPlayed_AndOfferThemWithAMarginToTrainOn()
    {
        CorpusDetails created = await _client.UploadOk("played keys", [CorpusUploads.Demo(6), CorpusUploads.Demo(7)]);
        CorpusPitchRange played = created.PlayedPitches!;
        int[] sounding = [.. created.PitchHistogram.Where(p => p.NoteSteps > 0).Select(p => p.Pitch)];
        Assert.Equal((sounding.Min(), sounding.Max()), (played.Lowest, played.Highest));
        Assert.Equal((played.Lowest - TrainingLimits.CorpusPitchMargin, played.Highest + TrainingLimits.CorpusPitchMargin),
            (played.SuggestedLowest, played.SuggestedHighest));
    }

    [Fact]
    public async Task Responses_UseStableCamelCaseNames()
    {
        CorpusDetails created = await _client.UploadOk("names", [CorpusUploads.Demo(3)]);
        using JsonDocument doc = JsonDocument.Parse(await _client.GetStringAsync(new Uri($"/api/corpora/{created.Id}", UriKind.Relative)));
        JsonElement root = doc.RootElement;
        foreach (string property in new[] { "id", "name", "createdUtc", "split", "fileCounts", "statisticsGrid", "steps", "pitchHistogram", "polyphony", "tempos", "timeSignatures", "files" })
        {
            Assert.True(root.TryGetProperty(property, out _), property);
        }
        Assert.Equal(2, root.GetProperty("statisticsGrid").GetProperty("stepsPerQuarter").GetInt32());
        Assert.True(root.GetProperty("files")[0].GetProperty("stats").TryGetProperty("noteSteps", out _));
        Assert.True(root.GetProperty("files")[0].TryGetProperty("id", out _));
    }

    [Fact]
    public async Task PitchHistogramPng_Decodes()
    {
        CorpusDetails created = await _client.UploadOk("png", [CorpusUploads.Demo(4), CorpusUploads.Demo(5)]);
        using HttpResponseMessage response = await _client.GetAsync(new Uri($"/api/corpora/{created.Id}/pitch-histogram.png", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        using SKBitmap? image = SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.NotNull(image);
        Assert.True(image.Width > 100 && image.Height > 100);
    }

    [Fact]
    public async Task Upload_ZipWithSplitFolders_KeepsTheSplit_AndRejectsFilesElsewhere()
    {
        byte[] zip = CorpusUploads.Zip(
            ("train/a.mid", CorpusUploads.Demo(0).Bytes),
            ("train/b.mid", CorpusUploads.Demo(1).Bytes),
            ("valid/c.mid", CorpusUploads.Demo(2).Bytes),
            ("test/d.mid", CorpusUploads.Demo(3).Bytes),
            ("loose.mid", CorpusUploads.Demo(4).Bytes));

        CorpusDetails corpus = await _client.UploadOk("split by folders", [("set.zip", zip)]);

        Assert.Equal("archive", corpus.Split.Source);
        Assert.Equal("train", corpus.File("set.zip/train/a.mid").Split);
        Assert.Equal("train", corpus.File("set.zip/train/b.mid").Split);
        Assert.Equal("valid", corpus.File("set.zip/valid/c.mid").Split);
        Assert.Equal("test", corpus.File("set.zip/test/d.mid").Split);
        CorpusFile loose = corpus.File("set.zip/loose.mid");
        Assert.False(loose.Accepted);
        Assert.Null(loose.Split);
        Assert.Contains("outside the archive's train/, valid/ and test/ folders", loose.Reason, StringComparison.Ordinal);
        Assert.Equal(new CorpusFileCounts(2, 1, 1, 1), corpus.FileCounts);
    }

    [Fact]
    public async Task Upload_ZipInOneFolderHoldingSplitFolders_KeepsTheSplit()
    {
        byte[] zip = CorpusUploads.Zip(
            ("tunes/train/a.mid", CorpusUploads.Demo(0).Bytes),
            ("tunes/test/b.mid", CorpusUploads.Demo(1).Bytes));

        CorpusDetails corpus = await _client.UploadOk("wrapped", [("w.zip", zip)]);

        Assert.Equal("train", corpus.File("w.zip/tunes/train/a.mid").Split);
        Assert.Equal("test", corpus.File("w.zip/tunes/test/b.mid").Split);
    }

    [Fact]
    public async Task Upload_ZipWithoutFolders_SplitsNinetyTenBySeed_Deterministically()
    {
        (string Name, byte[] Bytes)[] entries = [.. Enumerable.Range(0, 20).Select(CorpusUploads.Demo)];
        byte[] zip = CorpusUploads.Zip(entries);
        byte[] reversed = CorpusUploads.Zip([.. entries.Reverse()]);

        CorpusDetails first = await _client.UploadOk("seeded 1", [("flat.zip", zip)], ("splitSeed", "42"));
        CorpusDetails again = await _client.UploadOk("seeded 2", [("flat.zip", reversed)], ("splitSeed", "42"));
        CorpusDetails other = await _client.UploadOk("seeded 3", [("flat.zip", zip)], ("splitSeed", "7"));

        static string[] Valid(CorpusDetails c) => [.. c.Files.Where(f => f.Split == "valid").Select(f => f.FileName).Order(StringComparer.Ordinal)];
        Assert.Equal("seeded", first.Split.Source);
        Assert.Equal(0.1, first.Split.ValidFraction);
        Assert.Equal(42UL, first.Split.SplitSeed);
        Assert.Equal(new CorpusFileCounts(18, 2, 0, 0), first.FileCounts);
        Assert.Equal(Valid(first), Valid(again)); // same files and seed, any order: same split
        Assert.NotEqual(Valid(first), Valid(other)); // these seeds happen to pick different files
    }

    [Fact]
    public async Task Upload_ValidFraction_IsHonoured()
    {
        (string Name, byte[] Bytes)[] files = [.. Enumerable.Range(0, 10).Select(CorpusUploads.Demo)];
        CorpusDetails corpus = await _client.UploadOk("fraction", files, ("validFraction", "0.3"), ("splitSeed", "1"));
        Assert.Equal(new CorpusFileCounts(7, 3, 0, 0), corpus.FileCounts);
    }

    [Theory]
    [InlineData("../evil.mid", "'..'")]
    [InlineData("songs/../../evil.mid", "'..'")]
    [InlineData("/etc/evil.mid", "absolute")]
    [InlineData("C:/evil.mid", "drive letter")]
    [InlineData("songs\\evil.mid", "backslash")]
    public async Task Upload_RejectsZipEntry_WhenItEscapesItsFolder(string entryName, string reasonPart)
    {
        byte[] zip = CorpusUploads.Zip((entryName, CorpusUploads.Demo(0).Bytes), ("good.mid", CorpusUploads.Demo(1).Bytes));

        CorpusDetails corpus = await _client.UploadOk("escape", [("e.zip", zip)]);

        CorpusFile evil = Assert.Single(corpus.Files, f => !f.Accepted);
        Assert.Contains("unsafe path", evil.Reason, StringComparison.Ordinal);
        Assert.Contains(reasonPart, evil.Reason, StringComparison.Ordinal);
        Assert.True(corpus.File("e.zip/good.mid").Accepted);
    }

    [Fact]
    public async Task Upload_RejectsNestedArchives_ByNameAndByContent()
    {
        byte[] inner = CorpusUploads.Zip(("x.mid", CorpusUploads.Demo(0).Bytes));
        byte[] zip = CorpusUploads.Zip(("inner.zip", inner), ("disguised.mid", inner), ("ok.mid", CorpusUploads.Demo(1).Bytes));

        CorpusDetails corpus = await _client.UploadOk("nested", [("outer.zip", zip)]);

        Assert.Contains("nested archives", corpus.File("outer.zip/inner.zip").Reason, StringComparison.Ordinal);
        Assert.Contains("nested archives", corpus.File("outer.zip/disguised.mid").Reason, StringComparison.Ordinal);
        Assert.True(corpus.File("outer.zip/ok.mid").Accepted);
        Assert.Equal(1, corpus.FileCounts.Train + corpus.FileCounts.Valid);
    }

    [Fact]
    public async Task Upload_RejectsGarbageMid_AndFormat2_WithReasons()
    {
        CorpusDetails corpus = await _client.UploadOk("bad files", [
            ("garbage.mid", CorpusUploads.Garbage()),
            ("format2.mid", CorpusUploads.Format2Midi()),
            ("empty.mid", []),
            CorpusUploads.Demo(0),
        ]);

        CorpusFile garbage = corpus.File("garbage.mid");
        Assert.False(garbage.Accepted);
        Assert.Null(garbage.Stats);
        Assert.Contains("not a MIDI file", garbage.Reason, StringComparison.Ordinal);
        CorpusFile format2 = corpus.File("format2.mid");
        Assert.False(format2.Accepted);
        Assert.Contains("format 2", format2.Reason, StringComparison.Ordinal);
        Assert.Contains("empty", corpus.File("empty.mid").Reason, StringComparison.Ordinal);
        Assert.Equal(3, corpus.FileCounts.Rejected);
    }

    [Fact]
    public async Task Upload_AcceptsMidiBytesUnderAnyName_AndUsesOnlySanitisedDisplayNames()
    {
        byte[] zip = CorpusUploads.Zip(("tune.bin", CorpusUploads.Demo(0).Bytes));
        CorpusDetails corpus = await _client.UploadOk("names", [("z.zip", zip), ("../../dir\\wicked\u0007.mid", CorpusUploads.Demo(1).Bytes)]);

        Assert.True(corpus.File("z.zip/tune.bin").Accepted);
        Assert.True(corpus.File("wicked.mid").Accepted);
    }

    [Fact]
    public async Task Upload_WhereNoFileIsAccepted_Is400WithEachReason_AndCreatesNothing()
    {
        using HttpResponseMessage response = await _client.Upload("all bad", [("garbage.mid", CorpusUploads.Garbage()), ("f2.mid", CorpusUploads.Format2Midi())]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        string[] reasons = (await response.Errors())["files"];
        Assert.Contains(reasons, r => r.StartsWith("garbage.mid: ", StringComparison.Ordinal) && r.Contains("not a MIDI file", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.StartsWith("f2.mid: ", StringComparison.Ordinal) && r.Contains("format 2", StringComparison.Ordinal));
        var list = await (await _client.GetAsync(new Uri("/api/corpora", UriKind.Relative))).Read<List<CorpusSummary>>();
        Assert.DoesNotContain(list, c => c.Name == "all bad");
    }

    [Fact]
    public async Task Upload_WithoutName_Is400NamingTheField()
    {
        using HttpResponseMessage response = await _client.Upload(null, [CorpusUploads.Demo(0)]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["name"], (await response.Errors()).Keys);
    }

    [Fact]
    public async Task Upload_WithoutFiles_Is400NamingTheField()
    {
        using HttpResponseMessage response = await _client.Upload("nothing", []);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["files"], (await response.Errors()).Keys);
    }

    [Fact]
    public async Task Upload_ListsEveryBadField()
    {
        using HttpResponseMessage response = await _client.Upload("  ", [], ("validFraction", "0.7"), ("splitSeed", "-3"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Dictionary<string, string[]> errors = await response.Errors();
        Assert.Equal(["files", "name", "splitSeed", "validFraction"], errors.Keys.Order(StringComparer.Ordinal));

        using HttpResponseMessage notANumber = await _client.Upload("x", [CorpusUploads.Demo(0)], ("validFraction", "lots"));
        Assert.Equal(["validFraction"], (await notANumber.Errors()).Keys);
    }

    [Fact]
    public async Task Delete_Returns204_ThenTheCorpusIsGone()
    {
        CorpusDetails corpus = await _client.UploadOk("to delete", [CorpusUploads.Demo(6)]);
        var uri = new Uri($"/api/corpora/{corpus.Id}", UriKind.Relative);

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync(uri)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync(uri)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.DeleteAsync(uri)).StatusCode);
        using IServiceScope scope = fixture.App.Services.CreateScope();
        Assert.DoesNotContain(scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>().CorpusFiles, f => f.CorpusId == corpus.Id);
    }

    [Theory]
    [InlineData("queued", HttpStatusCode.Conflict)]
    [InlineData("running", HttpStatusCode.Conflict)]
    [InlineData("succeeded", HttpStatusCode.NoContent)]
    public async Task Delete_IsRefused_WhileAQueuedOrRunningTrainingUsesTheCorpus(string state, HttpStatusCode expected)
    {
        CorpusDetails corpus = await _client.UploadOk("in use", [CorpusUploads.Demo(7)]);
        using (IServiceScope scope = fixture.App.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
            db.Trainings.Add(new TrainingEntity { Id = Guid.NewGuid(), CorpusId = corpus.Id, State = state, SettingsJson = "{}", CreatedUtc = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        using HttpResponseMessage response = await _client.DeleteAsync(new Uri($"/api/corpora/{corpus.Id}", UriKind.Relative));

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Conflict)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync(new Uri($"/api/corpora/{corpus.Id}", UriKind.Relative))).StatusCode);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("/pitch-histogram.png")]
    public async Task Get_UnknownId_Is404ProblemJson(string suffix)
    {
        using HttpResponseMessage response = await _client.GetAsync(new Uri($"/api/corpora/{Guid.NewGuid()}{suffix}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OpenApi_DescribesTheUploadAsMultipartWithABinaryArray()
    {
        using JsonDocument doc = JsonDocument.Parse(await _client.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative)));
        JsonElement post = doc.RootElement.GetProperty("paths").GetProperty("/api/corpora").GetProperty("post");
        JsonElement schema = post.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema");
        string text = schema.GetRawText();
        JsonElement properties = ResolveProperties(doc.RootElement, schema);
        JsonElement files = properties.GetProperty("files");
        Assert.Equal("array", files.GetProperty("type").GetString());
        Assert.Equal("binary", files.GetProperty("items").GetProperty("format").GetString());
        Assert.True(properties.TryGetProperty("name", out _), text);
        Assert.True(properties.TryGetProperty("validFraction", out _), text);
        Assert.True(properties.TryGetProperty("splitSeed", out _), text);
        JsonElement busy = post.GetProperty("responses").GetProperty("429");
        Assert.Equal("integer", busy.GetProperty("headers").GetProperty("Retry-After").GetProperty("schema").GetProperty("type").GetString());

        JsonElement png = doc.RootElement.GetProperty("paths").GetProperty("/api/corpora/{id}/pitch-histogram.png").GetProperty("get");
        Assert.True(png.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("image/png", out _));
    }

    /// <summary>The form's properties, whether Swashbuckle inlines them or combines one schema per parameter with allOf.</summary>
    private static JsonElement ResolveProperties(JsonElement root, JsonElement schema)
    {
        if (schema.TryGetProperty("properties", out JsonElement properties))
        {
            return properties;
        }
        var merged = new Dictionary<string, JsonElement>();
        foreach (JsonElement part in schema.GetProperty("allOf").EnumerateArray())
        {
            JsonElement resolved = part.TryGetProperty("$ref", out JsonElement reference)
                ? root.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
                : part;
            foreach (JsonProperty property in resolved.GetProperty("properties").EnumerateObject())
            {
                merged[property.Name] = property.Value;
            }
        }
        return JsonSerializer.SerializeToElement(merged);
    }
}
