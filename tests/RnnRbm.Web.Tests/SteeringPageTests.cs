using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Web.Tests;

[Collection(BrowserTestGroup.Name)]
public sealed class SteeringPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Generate_HarmonizesAnUploadedMelody_InANamedKey_AndSaysSo()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid model = await TestData.ModelIdAsync(client, "bundled") ?? throw new InvalidOperationException("The demo model was not seeded.");
        string melody = TestData.DemoMidi(1)[0];
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync($"/generate?model={model}");
        await Assertions.Expect(page.Locator("#modelId")).ToHaveValueAsync(model.ToString());

        await page.GetByText("Steer the music").ClickAsync();
        await page.GetByLabel("Melody to harmonize (optional MIDI)").SetInputFilesAsync(melody);
        await page.GetByLabel("Temperature").FillAsync("0.9");
        await page.GetByLabel("Key of the piece").SelectOptionAsync("D minor");
        await page.GetByLabel("Refinement passes per chord").FillAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate", Exact = true }).ClickAsync();

        await Assertions.Expect(page.Locator("#result-key")).ToContainTextAsync("Key: D ");
        await Assertions.Expect(page.Locator("#result-key")).ToContainTextAsync("your melody kept on every step");
        await Assertions.Expect(page.Locator("#result-key")).ToContainTextAsync("temperature 0.9");
        string seed = (await page.Locator("#result-seed").TextContentAsync())!;

        // The stored generation: the melody's length, its notes kept (moved with the piece), the key resolved to semitones.
        JsonElement list = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/generations?limit=100", UriKind.Relative));
        Guid id = list.GetProperty("items").EnumerateArray().First(g => g.GetProperty("request").GetProperty("seed").ToString() == seed).GetProperty("id").GetGuid();
        JsonElement generation = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/generations/{id}", UriKind.Relative));
        JsonElement piece = generation.GetProperty("piece");
        int shift = generation.GetProperty("request").GetProperty("transpose").GetInt32();
        PianoRoll tune = MidiReader.Read(await File.ReadAllBytesAsync(melody), new MidiReadOptions { Grid = new TimeGrid.Beats(2) }).Roll;
        Assert.Equal(tune.Steps, piece.GetProperty("melodySteps").GetInt32());
        JsonElement[] steps = [.. piece.GetProperty("notes").EnumerateArray()];
        for (int t = 0; t < tune.Steps; t++)
        {
            int[] notes = [.. steps[t].EnumerateArray().Select(n => n.GetInt32())];
            Assert.All(tune.NotesAt(t), n => Assert.Contains(n + shift, notes));
        }
        await Assertions.Expect(page.Locator("#result-player .player")).ToHaveAttributeAsync("data-steps", tune.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(Errors.Of(page));
    }
}
