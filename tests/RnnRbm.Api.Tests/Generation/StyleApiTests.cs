using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RnnRbm.Api.Corpora;
using RnnRbm.Api.Tests.Corpora;
using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Tests.Generation;

public class StyleApiTests(GenerationAppFixture fixture) : IClassFixture<GenerationAppFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task Style_OfAModelWithItsCorpus_MeasuresBoth_AndRepeats()
    {
        // Chords of three notes on every step: a corpus with no rest and polyphony 3.
        PianoRoll chords = PianoRoll.FromNoteLists([.. Enumerable.Range(0, 40).Select(t => (IReadOnlyList<int>)[60 + (t % 3), 64 + (t % 3), 67 + (t % 3)])], GenerationTestData.Range);
        byte[] file = MidiWriter.Write(chords, new MidiWriteOptions { Grid = GenerationTestData.Grid });
        CorpusDetails corpus = await _client.UploadOk("style", Enumerable.Range(0, 4).Select(i => ($"c{i}.mid", file)));
        Guid model = await GenerationTestData.AddModelAsync(fixture.App, GenerationTestData.SmallModel(3), "style", corpus.Id);

        JsonElement first = await StyleAsync(model, new { pieces = 3, steps = 32, gibbsK = 4 });
        Assert.Equal(3, first.GetProperty("pieces").GetInt32());
        Assert.Equal(96, first.GetProperty("generated").GetProperty("steps").GetInt32());
        JsonElement theirs = first.GetProperty("corpus");
        Assert.Equal(0, theirs.GetProperty("emptyStepRate").GetDouble());
        Assert.Equal(1, theirs.GetProperty("polyphony")[3].GetDouble(), 12);
        Assert.Equal(corpus.Files.Count(f => f.Split == "train"), first.GetProperty("corpusFiles").GetInt32());
        Assert.InRange(first.GetProperty("distance").GetDouble(), 0, 1);
        JsonElement again = await StyleAsync(model, new { pieces = 3, steps = 32, gibbsK = 4 });
        Assert.Equal(first.GetRawText(), again.GetRawText());
    }

    [Fact]
    public async Task Style_OfAModelWithoutItsCorpus_HasNoCorpusNorDistance()
    {
        JsonElement style = await StyleAsync(fixture.ModelId, new { pieces = 2, steps = 16 });
        Assert.Equal(JsonValueKind.Null, style.GetProperty("corpus").ValueKind);
        Assert.Equal(JsonValueKind.Null, style.GetProperty("distance").ValueKind);
        Assert.Equal(32, style.GetProperty("generated").GetProperty("steps").GetInt32());
    }

    [Fact]
    public async Task Style_BadRequests_SayWhatIsWrong()
    {
        HttpResponseMessage missing = await _client.PostAsJsonAsync(new Uri($"/api/models/{Guid.NewGuid()}/style", UriKind.Relative), new { });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        (object Body, string Field, string Message)[] cases =
        [
            (new { pieces = 0 }, "pieces", "pieces must lie in [1, 32]"),
            (new { pieces = 32, steps = 1000, gibbsK = 100 }, "pieces", "pieces × steps × gibbsK must be at most 1000000"),
            (new { temperature = 100.0 }, "temperature", "temperature must lie in [0.05, 20]"),
        ];
        foreach ((object body, string field, string message) in cases)
        {
            HttpResponseMessage response = await _client.PostAsJsonAsync(new Uri($"/api/models/{fixture.ModelId}/style", UriKind.Relative), body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(message, Assert.Single((await response.Errors())[field]), StringComparison.Ordinal);
        }
    }

    private async Task<JsonElement> StyleAsync(Guid model, object body)
    {
        HttpResponseMessage response = await _client.PostAsJsonAsync(new Uri($"/api/models/{model}/style", UriKind.Relative), body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
