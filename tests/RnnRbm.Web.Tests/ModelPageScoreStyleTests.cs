using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using RnnRbm.Core.Model;

namespace RnnRbm.Web.Tests;

/// <summary>The model page's "Score a piece" and style sections, and the time left of a long generation (issues 15 and 16).</summary>
[Collection(BrowserTestGroup.Name)]
public sealed class ModelPageScoreStyleTests(BrowserFixture fixture)
{
    public static TheoryData<int, int> Sizes => new() { { 1280, 800 }, { 390, 844 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task ScoreAPiece_ShowsTheFigure_TheSentence_AndTheCurve_AndNamesABadFile(int width, int height)
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid model = await TestData.ImportTinyModelAsync(client, $"Scored tiny model {width}");
        IPage page = await fixture.NewPageAsync(width, height);
        await page.GotoAsync($"/models/{model}");

        // Not a MIDI file: the problem is said beside the field.
        string notMidi = Path.Combine(Path.GetTempPath(), $"not-midi-{width}.mid");
        await File.WriteAllTextAsync(notMidi, "this is not a MIDI file");
        await page.GetByLabel("MIDI file", new() { Exact = true }).SetInputFilesAsync(notMidi);
        await page.GetByRole(AriaRole.Button, new() { Name = "Score it" }).ClickAsync();
        await Assertions.Expect(page.Locator("#score-file-error")).ToContainTextAsync("invalid MIDI file");

        string piece = TestData.DemoMidi(1)[0];
        await page.GetByLabel("MIDI file", new() { Exact = true }).SetInputFilesAsync(piece);
        await page.GetByRole(AriaRole.Button, new() { Name = "Score it" }).ClickAsync();

        await Assertions.Expect(page.Locator("#score-figure")).ToContainTextAsync(new Regex(@"-\d+\.\d{3} nats per step ± \d+\.\d{3} for nottingham_train_000\.mid"), new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#score-file-error")).ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("#score-summary")).ToContainTextAsync("The model gives this piece");
        await Assertions.Expect(page.Locator("#score-summary")).ToContainTextAsync("The most surprising step is step");
        await Assertions.Expect(page.Locator("#score-stats")).ToContainTextAsync("repeat the last chord");
        await Assertions.Expect(page.Locator("#score-curve-caption")).ToContainTextAsync("Surprise of each of the");

        // The curve has one point per step the API measured.
        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(piece)), "file", "p.mid" } };
        using HttpResponseMessage scored = await client.PostAsync(new Uri($"/api/models/{model}/score", UriKind.Relative), form);
        JsonElement score = JsonDocument.Parse(await scored.Content.ReadAsStringAsync()).RootElement;
        string points = (await page.Locator("svg.surprise-curve polyline.series-main").GetAttributeAsync("points"))!;
        Assert.Equal(score.GetProperty("steps").GetInt32(), points.Split(' ').Length);

        await page.Locator("#score").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(TestData.ScreenshotFolder, $"model-score{Suffix(width)}.png") });
        Assert.Equal(0, await OverflowAsync(page));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Style_ShowsTheCorpusBesideTheGeneratedPieces_WithTheDistanceInWords(int width, int height)
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid corpus = await TestData.CreateCorpusAsync(client, $"Style corpus {width}", 3);
        Guid training = await TestData.StartTinyTrainingAsync(client, corpus);
        JsonElement trained = await Eventually.WaitForAsync(
            () => client.GetFromJsonAsync<JsonElement>(new Uri($"/api/trainings/{training}", UriKind.Relative)),
            t => t.TryGetProperty("modelId", out JsonElement id) && id.ValueKind == JsonValueKind.String,
            120, t => $"the training's model: {t.GetProperty("state")}");
        Guid model = trained.GetProperty("modelId").GetGuid();
        IPage page = await fixture.NewPageAsync(width, height);
        await page.GotoAsync($"/models/{model}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Compare with the corpus" }).ClickAsync();

        await Assertions.Expect(page.Locator("#style-distance")).ToContainTextAsync(new Regex(@"Distance 0\.\d{3}: the model's music is (very close to|close to|noticeably unlike|far from) its corpus"), new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#style-distance")).ToContainTextAsync("Jensen-Shannon");
        // The same figures as the API gives (the request's defaults: the same pieces).
        using HttpResponseMessage measured = await client.PostAsJsonAsync(new Uri($"/api/models/{model}/style", UriKind.Relative), new { });
        JsonElement style = JsonDocument.Parse(await measured.Content.ReadAsStringAsync()).RootElement;
        string distance = style.GetProperty("distance").GetDouble().ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(page.Locator("#style-distance")).ToContainTextAsync($"Distance {distance}");
        ILocator table = page.Locator("#style-table");
        await Assertions.Expect(table.Locator("thead")).ToContainTextAsync("Corpus");
        string empty = (100 * style.GetProperty("corpus").GetProperty("emptyStepRate").GetDouble()).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(table.Locator("tr").Filter(new() { HasText = "nothing sounds" })).ToContainTextAsync($"{empty} %");
        // Three charts, each with a corpus bar beside every generated one.
        await Assertions.Expect(page.Locator("svg.style-chart")).ToHaveCountAsync(3);
        Assert.Equal(12, await page.Locator("#style-pitch-classes rect.bar-corpus").CountAsync());
        Assert.Equal(12, await page.Locator("#style-pitch-classes rect.bar-generated").CountAsync());

        await page.Locator("#style").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(TestData.ScreenshotFolder, $"model-style{Suffix(width)}.png") });
        Assert.Equal(0, await OverflowAsync(page));
    }

    [Fact]
    public async Task Generate_ALongPiece_ShowsItsProgressAndTimeLeft_ThenThePiece()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        // A wide untrained model (1500 hidden units, half of them on at each Gibbs step): 3000 steps × k 200 take about ten
        // times what the bundled 150-unit model needs (1.7 s here for 5000 × 200), so the page polls many times while it runs.
        var file = new ByteArrayContent(ModelFile.Write(TinyModel.Create(9, "made by the browser tests", hidden: 1500)));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var form = new MultipartFormDataContent { { new StringContent("Wide slow model"), "name" }, { file, "file", "wide.rnnrbm" } };
        using HttpResponseMessage imported = await client.PostAsync(new Uri("/api/models", UriKind.Relative), form);
        string body = await imported.Content.ReadAsStringAsync();
        Assert.True(imported.IsSuccessStatusCode, body);
        Guid model = JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync($"/generate?model={model}");
        await Assertions.Expect(page.Locator("#modelId")).ToHaveValueAsync(model.ToString());
        await page.Locator("#steps").FillAsync("3000");
        await page.Locator("#gibbsK").FillAsync("200");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate", Exact = true }).ClickAsync();

        ILocator progress = page.Locator("#generate-progress");
        await Assertions.Expect(progress.Locator(".time-left")).ToContainTextAsync(new Regex(@"about \d+ s left|about \d+ min \d+ s left"), new() { Timeout = 60_000 });
        await Assertions.Expect(progress.Locator("progress")).ToHaveAttributeAsync("aria-valuetext", new Regex(@"^\d+ %$"));
        await page.Locator("#result-title").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(TestData.ScreenshotFolder, "generate-time-left.png") });

        await Assertions.Expect(page.Locator("#result-seed")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await Assertions.Expect(progress).ToBeHiddenAsync();
        // The player now asks for the audio of 3000 dense steps, minutes of rendering: closing the page aborts the
        // request, which ends the render, so that it does not hold an audio slot through the next tests.
        await page.Context.CloseAsync();
    }

    private static Task<int> OverflowAsync(IPage page) =>
        page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");

    private static string Suffix(int width) => width < 600 ? "-phone" : "";
}
