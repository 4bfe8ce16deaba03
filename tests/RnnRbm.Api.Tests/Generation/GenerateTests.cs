using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RnnRbm.Core.PianoRolls;
using SkiaSharp;

namespace RnnRbm.Api.Tests.Generation;

public class GenerateTests(GenerationAppFixture fixture) : IClassFixture<GenerationAppFixture>
{
    private readonly HttpClient _client = fixture.Client;
    private readonly Guid _model = fixture.ModelId;

    [Fact]
    public async Task Generate_Midi_IsAudioMidiAttachment_WithTheRequestedSteps_AndTheSeedHeader()
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(new { modelId = _model, steps = 48, gibbsK = 5, seed = 7 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/midi", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".mid", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName, StringComparison.Ordinal);
        Assert.Equal("7", Assert.Single(response.Headers.GetValues("X-Seed")));
        Assert.True(Guid.TryParse(Assert.Single(response.Headers.GetValues("X-Generation-Id")), out _));
        PianoRoll roll = GenerationTestData.ReadMidi(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(48, roll.Steps);
        Assert.True(roll.CountActive() > 0, "the test model should sound some notes");
    }

    [Fact]
    public async Task Generate_WithoutSeed_PicksOne_ReturnsIt_AndThatSeedReproducesThePiece()
    {
        HttpResponseMessage first = await _client.PostGenerateAsync(new { modelId = _model, steps = 32, gibbsK = 3 });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        ulong seed = ulong.Parse(Assert.Single(first.Headers.GetValues("X-Seed")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(seed < (1UL << 53), "a drawn seed must survive a JavaScript number");

        HttpResponseMessage again = await _client.PostGenerateAsync(new { modelId = _model, steps = 32, gibbsK = 3, seed });
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await again.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("midi")]
    [InlineData("png")]
    [InlineData("json")]
    public async Task Generate_SameSeed_GivesIdenticalBytes(string format)
    {
        var body = new { modelId = _model, steps = 40, gibbsK = 4, seed = 1234, format };
        HttpResponseMessage a = await _client.PostGenerateAsync(body);
        HttpResponseMessage b = await _client.PostGenerateAsync(body);
        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        byte[] first = await a.Content.ReadAsByteArrayAsync();
        Assert.NotEmpty(first);
        Assert.Equal(first, await b.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Generate_DifferentSeeds_GiveDifferentPieces()
    {
        JsonElement one = await GenerateJsonAsync(new { modelId = _model, steps = 64, gibbsK = 5, seed = 1, format = "json" });
        JsonElement two = await GenerateJsonAsync(new { modelId = _model, steps = 64, gibbsK = 5, seed = 2, format = "json" });
        Assert.NotEqual(one.GetProperty("notes").GetRawText(), two.GetProperty("notes").GetRawText());
    }

    [Fact]
    public async Task Generate_Png_DecodesToAnImageOfSaneSize()
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(new { modelId = _model, steps = 50, gibbsK = 3, seed = 5, format = "png" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("5", Assert.Single(response.Headers.GetValues("X-Seed")));
        using SKBitmap? image = SKBitmap.Decode(await response.Content.ReadAsByteArrayAsync());
        Assert.NotNull(image);
        Assert.InRange(image.Width, 320, 4096);
        Assert.InRange(image.Height, 240, 4096);
    }

    [Fact]
    public async Task Generate_Json_HasOneRowPerStep_TheSeed_AndTheModelsRangeAndGrid()
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(new { modelId = _model, steps = 30, gibbsK = 3, seed = 99, format = "json" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        JsonElement json = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(99UL, json.GetProperty("seed").GetUInt64());
        Assert.Equal(_model, json.GetProperty("modelId").GetGuid());
        Assert.Equal(30, json.GetProperty("steps").GetInt32());
        Assert.Equal(60, json.GetProperty("pitchRange").GetProperty("lowest").GetInt32());
        Assert.Equal(72, json.GetProperty("pitchRange").GetProperty("end").GetInt32());
        Assert.Equal("beats", json.GetProperty("timeGrid").GetProperty("kind").GetString());
        Assert.Equal(2, json.GetProperty("timeGrid").GetProperty("stepsPerQuarter").GetInt32());
        JsonElement notes = json.GetProperty("notes");
        Assert.Equal(30, notes.GetArrayLength());
        int sounding = 0;
        foreach (JsonElement step in notes.EnumerateArray())
        {
            int[] pitches = [.. step.EnumerateArray().Select(p => p.GetInt32())];
            Assert.All(pitches, p => Assert.InRange(p, 60, 71));
            Assert.Equal(pitches.Order(), pitches);
            sounding += pitches.Length;
        }
        Assert.Equal(json.GetProperty("noteSteps").GetInt32(), sounding);
    }

    [Fact]
    public async Task Generate_MidiAndJson_OfOneSeed_AreTheSamePiece()
    {
        HttpResponseMessage midi = await _client.PostGenerateAsync(new { modelId = _model, steps = 24, gibbsK = 3, seed = 11 });
        JsonElement json = await GenerateJsonAsync(new { modelId = _model, steps = 24, gibbsK = 3, seed = 11, format = "json" });
        PianoRoll roll = GenerationTestData.ReadMidi(await midi.Content.ReadAsByteArrayAsync());
        int[][] fromJson = [.. json.GetProperty("notes").EnumerateArray().Select(s => s.EnumerateArray().Select(p => p.GetInt32()).ToArray())];
        Assert.Equal(fromJson, Enumerable.Range(0, roll.Steps).Select(t => roll.NotesAt(t).ToArray()).ToArray());
    }

    [Fact]
    public async Task Generate_Primer_ChangesTheContinuation_AndIncludePrimer_PrependsIt()
    {
        string primer = Convert.ToBase64String(GenerationTestData.PrimerMidi(16));
        JsonElement plain = await GenerateJsonAsync(new { modelId = _model, steps = 40, gibbsK = 5, seed = 3, format = "json" });
        JsonElement primed = await GenerateJsonAsync(new { modelId = _model, steps = 40, gibbsK = 5, seed = 3, format = "json", primer });
        JsonElement included = await GenerateJsonAsync(new { modelId = _model, steps = 40, gibbsK = 5, seed = 3, format = "json", primer, includePrimer = true });

        Assert.Equal(40, primed.GetProperty("steps").GetInt32());
        Assert.Equal(16, primed.GetProperty("primerSteps").GetInt32());
        Assert.NotEqual(plain.GetProperty("notes").GetRawText(), primed.GetProperty("notes").GetRawText());

        JsonElement[] rows = [.. included.GetProperty("notes").EnumerateArray()];
        Assert.Equal(56, rows.Length);
        for (int t = 0; t < 16; t++)
        {
            Assert.Equal([60 + (t % 12)], rows[t].EnumerateArray().Select(p => p.GetInt32()));
        }
        // The continuation after the included primer is the primed piece itself.
        Assert.Equal(primed.GetProperty("notes").EnumerateArray().Select(r => r.GetRawText()), rows[16..].Select(r => r.GetRawText()));
    }

    [Fact]
    public async Task Generate_AcceptsAPrimerAsADataUrl()
    {
        string primer = "data:audio/midi;base64," + Convert.ToBase64String(GenerationTestData.PrimerMidi(8));
        HttpResponseMessage response = await _client.PostGenerateAsync(new { modelId = _model, steps = 8, gibbsK = 2, seed = 1, primer });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Generate_InvalidPrimer_Is400_WithTheReason()
    {
        string notMidi = Convert.ToBase64String(Encoding.ASCII.GetBytes("MThd this is not a MIDI file at all"));
        HttpResponseMessage response = await _client.PostGenerateAsync(new { modelId = _model, primer = notMidi });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        string[] messages = await ErrorsOfAsync(response, "primer");
        Assert.StartsWith("invalid MIDI file: ", Assert.Single(messages), StringComparison.Ordinal);
        Assert.True(Assert.Single(messages).Length > "invalid MIDI file: ".Length + 3, "the reason must follow");
    }

    [Fact]
    public async Task Generate_PrimerThatIsNotBase64_Is400()
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(new { modelId = _model, primer = "%%% not base64 %%%" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("base64", Assert.Single(await ErrorsOfAsync(response, "primer")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_UnknownModel_Is404Problem()
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(new { modelId = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Generate_BadFields_Is400_ListingEachField()
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(
            new { modelId = _model, steps = 0, gibbsK = 100_000, program = 200, tempo = 0, format = "mp3" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["format", "gibbsK", "program", "steps", "tempo"], errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Contains("10000", errors.GetProperty("steps")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("midi, png, json", errors.GetProperty("format")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_StepsAboveTheServiceCap_Is400()
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(new { modelId = _model, steps = 10_001 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(await ErrorsOfAsync(response, "steps"));
    }

    [Fact]
    public async Task Generate_TooMuchWork_Is400_EvenWhenEachFieldIsWithinItsBounds()
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(new { modelId = _model, steps = 10_000, gibbsK = 1000 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("1000000", Assert.Single(await ErrorsOfAsync(response, "gibbsK")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_MissingModelId_Is400()
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(new { steps = 10 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(await ErrorsOfAsync(response, "modelId"));
    }

    [Theory]
    [InlineData("{ \"modelId\": ")]
    [InlineData("{ \"steps\": \"many\" }")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{ \"modelId\": \"00000000-0000-0000-0000-000000000001\", \"gibbs_k\": 5 }")]
    public async Task Generate_MalformedJson_Is400Problem(string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        HttpResponseMessage response = await _client.PostAsync(new Uri("/generate", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Generate_NotJson_Is415Problem()
    {
        using var content = new StringContent("modelId=1", Encoding.UTF8, "application/x-www-form-urlencoded");
        HttpResponseMessage response = await _client.PostAsync(new Uri("/generate", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<JsonElement> GenerateJsonAsync(object body)
    {
        HttpResponseMessage response = await _client.PostGenerateAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string[]> ErrorsOfAsync(HttpResponseMessage response, string field)
    {
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()!)];
    }
}
