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

    [Fact]
    public async Task Generate_SeveralPieces_SideBySide_EachWithItsPlayer_AndOneKept()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid model = await TestData.ModelIdAsync(client, "bundled") ?? throw new InvalidOperationException("The demo model was not seeded.");
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync($"/generate?model={model}");
        await Assertions.Expect(page.Locator("#modelId")).ToHaveValueAsync(model.ToString());
        await page.GetByLabel("Steps").FillAsync("16");
        await page.GetByLabel("Refinement passes per chord").FillAsync("3");
        await page.GetByLabel("Pieces at once").FillAsync("3");
        await page.Locator("#seed").FillAsync("500");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate", Exact = true }).ClickAsync();

        ILocator cards = page.Locator("#result-pieces .piece-card");
        await Assertions.Expect(cards).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#result-pieces .piece-card .player")).ToHaveCountAsync(3);
        Assert.Equal(["500", "501", "502"], await cards.EvaluateAllAsync<string[]>("cs => cs.map(c => c.dataset.seed)"));
        await Assertions.Expect(page.Locator("#download-zip")).ToBeVisibleAsync();

        await cards.Nth(1).GetByRole(AriaRole.Button, new() { Name = "Keep this one" }).ClickAsync();
        await Assertions.Expect(cards.Nth(1)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("kept"));
        await Assertions.Expect(page.Locator("#seed")).ToHaveValueAsync("501");
        await Assertions.Expect(page.Locator("#count")).ToHaveValueAsync("1");
        Assert.Empty(Errors.Of(page));
    }

    [Fact]
    public async Task Generate_FillsAGapOfAnUploadedPiece_AndSaysWhichCandidateWasKept()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid model = await TestData.ModelIdAsync(client, "bundled") ?? throw new InvalidOperationException("The demo model was not seeded.");
        string pieceFile = TestData.DemoMidi(1)[0];
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync($"/generate?model={model}");
        await Assertions.Expect(page.Locator("#modelId")).ToHaveValueAsync(model.ToString());
        await page.GetByText("Steer the music").ClickAsync();
        await page.GetByLabel("Piece with a gap to fill (optional MIDI)").SetInputFilesAsync(pieceFile);
        await page.GetByLabel("Gap from step").FillAsync("2");
        await page.GetByLabel("Gap up to step (not included)").FillAsync("6");
        await page.GetByLabel("Candidates weighed").FillAsync("3");
        await page.GetByLabel("Refinement passes per chord").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#result-key")).ToContainTextAsync("gap filled: steps 3–6");
        await Assertions.Expect(page.Locator("#result-key")).ToContainTextAsync("of 3 kept");
        Assert.Empty(Errors.Of(page));
    }

    [Fact]
    public async Task Generate_InBarsOfThreeFour_Transposed_AndTwoLengthsAreRefusedUnderTheField()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid model = await TestData.ModelIdAsync(client, "bundled") ?? throw new InvalidOperationException("The demo model was not seeded.");
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync($"/generate?model={model}");
        await Assertions.Expect(page.Locator("#modelId")).ToHaveValueAsync(model.ToString());
        await page.GetByText("Steer the music").ClickAsync();
        await page.GetByLabel("Bars").FillAsync("2");
        await page.GetByLabel("Time signature").FillAsync("3/4");
        await page.GetByLabel("Seconds").FillAsync("5");
        await page.GetByLabel("Refinement passes per chord").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#bars-error")).ToContainTextAsync("Give the length once");

        await page.GetByLabel("Seconds").FillAsync("");
        await page.GetByLabel("Transpose (semitones)").FillAsync("2");
        await page.Locator("#seed").FillAsync("31");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#result-seed")).ToHaveTextAsync("31");
        JsonElement list = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/generations?limit=100", UriKind.Relative));
        JsonElement request = list.GetProperty("items").EnumerateArray().First(g => g.GetProperty("request").GetProperty("seed").ToString() == "31").GetProperty("request");
        Assert.Equal(12, request.GetProperty("steps").GetInt32()); // 2 bars of 3 quarters at the bundled model's 2 steps per quarter
        Assert.Equal(2, request.GetProperty("transpose").GetInt32());
    }
}
