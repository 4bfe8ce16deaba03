using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RnnRbm.Api.Corpora;
using RnnRbm.Api.Tests.Corpora;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Tests.Generation;

public class SteeringApiTests(GenerationAppFixture fixture) : IClassFixture<GenerationAppFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Melody_IsKeptExactly_OnTop_StepsFollowIt_AndTheHistoryRecordsTheRequest()
    {
        PianoRoll tune = Tune(24, seed: 3);
        HttpResponseMessage response = await _client.PostAsJsonAsync(new Uri("/api/generations", UriKind.Relative),
            new { modelId = fixture.ModelId, gibbsK = 5, seed = 9, temperature = 1.5, melody = Convert.ToBase64String(Midi(tune)), melodyOnTop = true });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using JsonDocument doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        JsonElement piece = doc.RootElement.GetProperty("piece");
        Assert.Equal(24, piece.GetProperty("steps").GetInt32());
        Assert.Equal(24, piece.GetProperty("melodySteps").GetInt32());
        Assert.Equal(1.5, piece.GetProperty("temperature").GetDouble());
        JsonElement[] steps = [.. piece.GetProperty("notes").EnumerateArray()];
        for (int t = 0; t < tune.Steps; t++)
        {
            int[] notes = [.. steps[t].EnumerateArray().Select(n => n.GetInt32())];
            IReadOnlyList<int> melody = tune.NotesAt(t);
            Assert.All(melody, n => Assert.Contains(n, notes));
            Assert.All(notes, n => Assert.True(melody.Count == 0 || n <= melody[^1], $"step {t}: {n} above the melody"));
        }
        JsonElement request = doc.RootElement.GetProperty("request");
        Assert.Equal(1.5, request.GetProperty("temperature").GetDouble());
        Assert.True(request.GetProperty("melodyOnTop").GetBoolean());
        Assert.False(piece.TryGetProperty("novelty", out _)); // an imported model: its corpus is not here

        // The stored request, posted again, gives the same piece.
        Dictionary<string, JsonElement> stored = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(request.GetRawText())!;
        stored["format"] = JsonSerializer.SerializeToElement("json");
        HttpResponseMessage again = await _client.PostGenerateAsync(stored);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using JsonDocument replay = JsonDocument.Parse(await again.Content.ReadAsStringAsync());
        Assert.Equal(piece.GetProperty("notes").GetRawText(), replay.RootElement.GetProperty("notes").GetRawText());
    }

    [Theory]
    [InlineData("temperature", 0.0, "temperature must lie in [0.05, 20]")]
    [InlineData("temperature", 25.0, "temperature must lie in [0.05, 20]")]
    public async Task Temperature_OutsideItsBounds_IsA400_NamingIt(string field, double value, string message)
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(new Dictionary<string, object> { ["modelId"] = fixture.ModelId, [field] = value });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, Assert.Single((await response.Errors())[field]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadMelodies_Are400s_SayingWhatIsWrong()
    {
        string tune = Convert.ToBase64String(Midi(Tune(10, seed: 1)));
        (object Body, string Field, string Message)[] cases =
        [
            (new { modelId = fixture.ModelId, melodyOnTop = true }, "melodyOnTop", "send a melody with it"),
            (new { modelId = fixture.ModelId, melody = "not base64!" }, "melody", "melody must be a MIDI file encoded as base64"),
            (new { modelId = fixture.ModelId, melody = Convert.ToBase64String("not a midi file"u8.ToArray()) }, "melody", "not a Standard MIDI File"),
            (new { modelId = fixture.ModelId, melody = tune, steps = 11 }, "melody", "melody lasts 10 steps"),
        ];
        foreach ((object body, string field, string message) in cases)
        {
            HttpResponseMessage response = await _client.PostGenerateAsync(body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(message, Assert.Single((await response.Errors())[field]), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Novelty_ForAModelOfAnUploadedCorpus_FindsTheCopiedFile()
    {
        // Three train files; a model that sounds nothing of its own (W = 0, bv = -20), so a melody is all it plays:
        // harmonizing one of the corpus's files copies it whole.
        PianoRoll[] files = [Tune(40, seed: 11), Tune(40, seed: 12), Tune(40, seed: 13)];
        CorpusDetails corpus = await _client.UploadOk("novelty", files.Select((f, i) => ($"f{i}.mid", Midi(f))));
        // The upload holds some files out for validation; the index is of the train files, the model's.
        int copied = files.Select((_, i) => i).First(i => corpus.File($"f{i}.mid").Split == "train");
        RnnRbmModel silent = GenerationTestData.SmallModel(2);
        foreach (float[] values in new[] { silent.Parameters.W, silent.Parameters.Wuv, silent.Parameters.Wuh })
        {
            Array.Clear(values);
        }
        Array.Fill(silent.Parameters.Bv, -20f);
        Guid model = await GenerationTestData.AddModelAsync(fixture.App, silent, "silent", corpus.Id);

        JsonElement copy = await PieceAsync(new { modelId = model, gibbsK = 2, seed = 1, melody = Convert.ToBase64String(Midi(files[copied])), format = "json" });
        JsonElement novelty = copy.GetProperty("novelty");
        Assert.Equal(16, novelty.GetProperty("threshold").GetInt32()); // 8 quarter notes at 2 steps per quarter
        Assert.True(novelty.GetProperty("warning").GetBoolean());
        JsonElement exact = novelty.GetProperty("exact");
        Assert.Equal(40, exact.GetProperty("steps").GetInt32());
        Assert.Equal($"f{copied}.mid", exact.GetProperty("file").GetString());
        Assert.Equal(0, exact.GetProperty("fileStart").GetInt32());

        JsonElement fresh = await PieceAsync(new { modelId = model, gibbsK = 2, seed = 1, melody = Convert.ToBase64String(Midi(Tune(40, seed: 99))), format = "json" });
        Assert.False(fresh.GetProperty("novelty").GetProperty("warning").GetBoolean());
    }

    private async Task<JsonElement> PieceAsync(object body)
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    // A tune of one note per step on the test models' 12 keys, with rests.
    private static PianoRoll Tune(int steps, int seed)
    {
        var random = new Random(seed);
        var roll = new PianoRoll(steps, GenerationTestData.Range);
        for (int t = 0; t < steps; t++)
        {
            if (random.Next(4) != 0)
            {
                roll[t, GenerationTestData.Range.Lowest + 3 + random.Next(GenerationTestData.Range.Count - 3)] = true;
            }
        }
        return roll;
    }

    private static byte[] Midi(PianoRoll roll) => MidiWriter.Write(roll, new MidiWriteOptions { Grid = GenerationTestData.Grid });
}

public class MusicalTermsApiTests(GenerationAppFixture fixture) : IClassFixture<GenerationAppFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Theory]
    [InlineData("{\"bars\":2}", 16)]                              // 2 bars of 4/4 at 2 steps per quarter
    [InlineData("{\"bars\":2,\"timeSignature\":\"3/4\"}", 12)]
    [InlineData("{\"seconds\":4,\"tempo\":120}", 16)]               // 8 quarters
    public async Task Lengths_InBarsOrSeconds_BecomeSteps_AndTheRequestKeepsThem(string length, int steps)
    {
        Dictionary<string, JsonElement> body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(length)!;
        body["modelId"] = JsonSerializer.SerializeToElement(fixture.ModelId);
        body["gibbsK"] = JsonSerializer.SerializeToElement(3);
        HttpResponseMessage response = await _client.PostAsJsonAsync(new Uri("/api/generations", UriKind.Relative), body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        using JsonDocument doc = JsonDocument.Parse(text);
        Assert.Equal(steps, doc.RootElement.GetProperty("piece").GetProperty("steps").GetInt32());
        Assert.Equal(steps, doc.RootElement.GetProperty("request").GetProperty("steps").GetInt32());
    }

    [Fact]
    public async Task Transpose_MovesEveryNote_AndTheRange()
    {
        JsonElement plain = await PieceAsync(new { modelId = fixture.ModelId, steps = 30, gibbsK = 4, seed = 3, format = "json" });
        JsonElement moved = await PieceAsync(new { modelId = fixture.ModelId, steps = 30, gibbsK = 4, seed = 3, transpose = -5, format = "json" });
        Assert.Equal(plain.GetProperty("pitchRange").GetProperty("lowest").GetInt32() - 5, moved.GetProperty("pitchRange").GetProperty("lowest").GetInt32());
        Assert.Equal(-5, moved.GetProperty("transpose").GetInt32());
        int[][] Notes(JsonElement piece) => [.. piece.GetProperty("notes").EnumerateArray().Select(s => s.EnumerateArray().Select(n => n.GetInt32()).ToArray())];
        Assert.Equal(Notes(plain).Select(s => s.Select(n => n - 5).ToArray()), Notes(moved));
    }

    [Fact]
    public async Task Key_MovesThePieceToThatTonic_ResolvedToSemitones()
    {
        HttpResponseMessage response = await _client.PostAsJsonAsync(new Uri("/api/generations", UriKind.Relative),
            new { modelId = fixture.ModelId, steps = 40, gibbsK = 4, seed = 8, key = "F# minor" });
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        using JsonDocument doc = JsonDocument.Parse(text);
        Assert.StartsWith("F# ", doc.RootElement.GetProperty("piece").GetProperty("key").GetString(), StringComparison.Ordinal);
        int semitones = doc.RootElement.GetProperty("request").GetProperty("transpose").GetInt32();
        Assert.InRange(semitones, -6, 5);
        Assert.False(doc.RootElement.GetProperty("request").TryGetProperty("key", out _)); // resolved: the request replays as semitones
    }

    [Fact]
    public async Task BadMusicalTerms_Are400s_SayingWhatIsWrong()
    {
        (object Body, string Field, string Message)[] cases =
        [
            (new { modelId = fixture.ModelId, steps = 10, bars = 2.0 }, "steps", "Give the length once"),
            (new { modelId = fixture.ModelId, bars = 2.0, timeSignature = "4/5" }, "timeSignature", "timeSignature must read like 4/4"),
            (new { modelId = fixture.ModelId, timeSignature = "3/4" }, "timeSignature", "send bars with it"),
            (new { modelId = fixture.ModelId, key = "H major" }, "key", "key must be a key such as"),
            (new { modelId = fixture.ModelId, key = "C", transpose = 2 }, "key", "Give transpose or key, not both"),
            (new { modelId = fixture.ModelId, transpose = 30 }, "transpose", "transpose must lie in [-24, 24]"),
            (new { modelId = fixture.ModelId, bars = 200.0, gibbsK = 1000 }, "bars", "steps × gibbsK must be at most"),
            (new { modelId = fixture.ModelId, bars = 2000.0 }, "bars", "bars gives 16000 steps"),
        ];
        foreach ((object body, string field, string message) in cases)
        {
            HttpResponseMessage response = await _client.PostGenerateAsync(body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(message, Assert.Single((await response.Errors())[field]), StringComparison.Ordinal);
        }
    }

    private async Task<JsonElement> PieceAsync(object body)
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
