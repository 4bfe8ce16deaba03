using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace RnnRbm.Web.Tests;

/// <summary>
/// Issue 15, the musician's pages: plain words with the exact terms one click away, defaults that work, the server's
/// connection said as it is, an app-styled 404, duplicate warnings; at a laptop's size and a phone's.
/// </summary>
[Collection(BrowserTestGroup.Name)]
public sealed partial class MusicianPagesTests(BrowserFixture fixture)
{
    private static readonly Guid DemoCorpus = new("6e077149-0000-4000-8000-00000000de70");

    private static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(TestData.ScreenshotFolder, name), FullPage = true });

    private static string Suffix(int width) => width < 600 ? "-phone" : "";

    public static TheoryData<int, int> Sizes => new() { { 1280, 800 }, { 390, 844 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task UnknownPages_GetTheAppsNotFoundPage_WithAWayHome_WhileTheApiKeepsProblemDetails(int width, int height)
    {
        IPage page = await fixture.NewPageAsync(width, height);
        foreach (string url in new[] { "/this-page-does-not-exist", "/trainings/not-a-guid" })
        {
            IResponse? response = await page.GotoAsync(url);
            Assert.Equal(404, response!.Status);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("This page does not exist");
            await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync(url);
        }
        await ScreenshotAsync(page, $"not-found{Suffix(width)}.png");
        await page.GetByRole(AriaRole.Link, new() { Name = "Go to the home page" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/$"));
        await Assertions.Expect(page.Locator("#demo-model")).ToContainTextAsync("Nottingham");
        Assert.Empty(Errors.Of(page));

        // The API, and a client that does not ask for HTML, keep application/problem+json.
        using HttpClient client = fixture.App.CreateRealClient();
        foreach (string url in new[] { "/api/this-does-not-exist", "/this-page-does-not-exist" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, UriKind.Relative));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using HttpResponseMessage answer = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task PlainWords_WithTheExactTermsOneClickAway_AndNamesNotIdsInMessages(int width, int height)
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid corpus = await TestData.CreateCorpusWithARejectAsync(client, $"Plain words corpus {width}", 2);
        Guid measured = await TestData.ImportTinyModelAsync(client, $"Measured tiny model {width}");
        Guid unmeasured = await TestData.ImportTinyModelAsync(client, $"Fresh tiny model {width}");
        Guid evaluation = await TestData.StartTinyEvaluationAsync(client, measured, corpus);
        Guid training = await TestData.StartTinyTrainingAsync(client, corpus);
        IPage page = await fixture.NewPageAsync(width, height);

        // A model with an evaluation: one plain sentence from its baselines.
        await page.GotoAsync($"/models/{measured}");
        await Assertions.Expect(page.Locator($"#evaluations-list tr[data-id=\"{evaluation}\"] .badge")).ToHaveTextAsync("succeeded", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#quality-line")).ToContainTextAsync(QualitySentence());
        await Assertions.Expect(page.Locator("#model-metrics")).ToContainTextAsync("How likely the");
        // The form's words, and the exact term behind the "?".
        ILocator aisHelp = page.Locator("a.term[href='/glossary#ais']").First;
        await Assertions.Expect(aisHelp).ToHaveAttributeAsync("title", new Regex("AIS runs"));

        // A model without: "not measured yet", and a button that measures it.
        await page.GotoAsync($"/models/{unmeasured}");
        await Assertions.Expect(page.Locator("#quality-line")).ToContainTextAsync("not measured yet");
        await page.GetByLabel("Corpus", new() { Exact = true }).SelectOptionAsync(corpus.ToString());
        // The split with files is chosen (two files cannot fill test); an empty one is refused naming the corpus.
        Dictionary<string, int> splits = await TestData.SplitCountsAsync(client, corpus);
        string empty = splits.First(s => s.Value == 0).Key;
        await Assertions.Expect(page.GetByLabel("Split")).Not.ToHaveValueAsync(empty);
        await page.GetByLabel("Split").SelectOptionAsync(empty);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start evaluation" }).ClickAsync();
        await Assertions.Expect(page.Locator("#eval-split-error")).ToContainTextAsync($"“Plain words corpus {width}”");
        Assert.DoesNotContain(corpus.ToString(), await page.Locator("#evaluation-message").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("Split").SelectOptionAsync(splits.First(s => s.Value > 0).Key);
        await page.GetByLabel("Estimate repeats").FillAsync("2");
        await page.GetByLabel("Estimate length").FillAsync("3");
        await page.GetByLabel("Accuracy samples").FillAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Measure it" }).ClickAsync();
        await Assertions.Expect(page.Locator("#quality-line")).ToContainTextAsync(QualitySentence(), new() { Timeout = 120_000 });
        await page.Locator("#quality-line").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(TestData.ScreenshotFolder, $"model-quality{Suffix(width)}.png") });

        // The models list: a quality column instead of "Final monitor".
        await page.GotoAsync("/models");
        ILocator list = page.Locator("#models-list table");
        await Assertions.Expect(list).ToContainTextAsync("Quality");
        await Assertions.Expect(list).Not.ToContainTextAsync("Final monitor");
        await Assertions.Expect(page.Locator("#models-list tr").Filter(new() { HasText = $"Measured tiny model {width}" })).ToContainTextAsync(QualityShort());

        // The training page names its corpus; its scores are said plainly, the exact term behind "?".
        await page.GotoAsync($"/trainings/{training}");
        await Assertions.Expect(page.Locator("#corpus-link")).ToHaveTextAsync($"Plain words corpus {width}");
        await Assertions.Expect(page.Locator("#training-stats")).Not.ToContainTextAsync("Monitor");
        await Assertions.Expect(page.Locator("#training-state")).ToHaveTextAsync("succeeded", new() { Timeout = 120_000 });

        // A rejected MIDI file: a plain reason, the exact one a click away.
        await page.GotoAsync($"/corpora/{corpus}");
        ILocator rejected = page.Locator("table.file-report tr.rejected");
        await Assertions.Expect(rejected.Locator(".reason")).ToHaveTextAsync("Not a MIDI file: it does not begin the way every MIDI file begins.");
        await rejected.Locator(".exact-reason summary").ClickAsync();
        await Assertions.Expect(rejected.Locator(".exact-reason code")).ToContainTextAsync("MThd or RIFF/RMID");

        // The generate page's jargon: plain label, the term in the glossary one click away.
        await page.GotoAsync("/generate");
        await Assertions.Expect(page.GetByLabel("Refinement passes per chord")).ToBeVisibleAsync();
        await page.Locator("a.term[href='/glossary#gibbs-steps']").ClickAsync();
        await page.WaitForURLAsync(new Regex("/glossary#gibbs-steps$"));
        await Assertions.Expect(page.Locator("#gibbs-steps")).ToContainTextAsync("Gibbs steps, k");
        await Assertions.Expect(page.Locator("#gibbs-steps")).ToBeInViewportAsync();
        await ScreenshotAsync(page, $"glossary{Suffix(width)}.png");

        // Field names in the API's messages become the form's labels.
        await page.GotoAsync($"/train?corpus={corpus}");
        await Assertions.Expect(page.Locator("#recipe-hint")).Not.ToHaveTextAsync("Loading the recipes…");
        await page.GetByLabel("Lowest MIDI note").FillAsync("100");
        await page.GetByLabel("Highest MIDI note").FillAsync("50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start training" }).ClickAsync();
        await Assertions.Expect(page.Locator("#highestPitch-error")).ToHaveTextAsync("“Highest MIDI note” (50) must be at least “Lowest MIDI note” (100).");
        Assert.Empty(Errors.Of(page));
    }

    [Fact]
    public async Task QuickTry_FillsTheDemoCorpus_TheQuickRecipe_AndTheCorpusOwnPitchRange()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        JsonElement played = (await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/corpora/{DemoCorpus}", UriKind.Relative))).GetProperty("playedPitches");
        int lowest = played.GetProperty("suggestedLowest").GetInt32(), highest = played.GetProperty("suggestedHighest").GetInt32();
        Assert.True(lowest < played.GetProperty("lowest").GetInt32() && highest > played.GetProperty("highest").GetInt32(), "a margin around the played keys");
        Assert.True(highest - lowest < 87, "narrower than the whole keyboard");

        foreach ((int width, int height) in new[] { (1280, 800), (390, 844) })
        {
            IPage page = await fixture.NewPageAsync(width, height);
            await page.GotoAsync("/train");
            await Assertions.Expect(page.Locator("#recipe option[value=\"quick\"]")).ToBeAttachedAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Fill in a quick try" }).ClickAsync();
            await Assertions.Expect(page.Locator("#train-message")).ToContainTextAsync("Quick try filled in");
            await Assertions.Expect(page.Locator("#corpusId")).ToHaveValueAsync(DemoCorpus.ToString());
            await Assertions.Expect(page.Locator("#recipe")).ToHaveValueAsync("quick");
            await Assertions.Expect(page.Locator("#hidden")).ToHaveValueAsync("64");
            await Assertions.Expect(page.Locator("#lowestPitch")).ToHaveValueAsync(lowest.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Assertions.Expect(page.Locator("#highestPitch")).ToHaveValueAsync(highest.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Assertions.Expect(page.Locator("#pitch-range-hint")).ToContainTextAsync("Nottingham demo");
            await Assertions.Expect(page.Locator("#train-button")).ToBeFocusedAsync();
            await ScreenshotAsync(page, $"train-quick{Suffix(width)}.png");
            if (width == 1280)
            {
                // It starts as filled in; cancelled here, the point being the request the page makes.
                await page.GetByRole(AriaRole.Button, new() { Name = "Start training" }).ClickAsync();
                await page.WaitForURLAsync(TrainingUrl());
                string id = TrainingUrl().Match(page.Url).Groups[1].Value;
                await Assertions.Expect(page.Locator("#training-settings")).ToContainTextAsync($"MIDI {lowest}–{highest}");
                await Assertions.Expect(page.Locator("#corpus-link")).ToHaveTextAsync("Nottingham demo");
                (await client.PostAsync(new Uri($"/api/trainings/{id}/cancel", UriKind.Relative), null)).EnsureSuccessStatusCode();
            }
            Assert.Empty(Errors.Of(page));
        }
    }

    [Fact]
    public async Task TheTrainingPage_SaysWhenTheServerIsGone_StopsClaimingLive_AndResumesWhenItIsBack()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid corpus = await TestData.CreateCorpusAsync(client, "Connection corpus", 3);
        // Running all along (cancelled at the end).
        Guid training = await TestData.StartEndlessTrainingAsync(client, corpus);
        foreach ((int width, int height) in new[] { (1280, 800), (390, 844) })
        {
            IPage page = await fixture.NewPageAsync(width, height);
            // "The server is gone": every request fails and the hub's socket closes, until it is back.
            bool down = false;
            var sockets = new List<IWebSocketRoute>();
            await page.Context.RouteAsync("**/*", async route => { if (down) { await route.AbortAsync(); } else { await route.ContinueAsync(); } });
            await page.RouteWebSocketAsync(new Regex("/hubs/progress"), async ws =>
            {
                if (down)
                {
                    await ws.CloseAsync();
                    return;
                }
                ws.ConnectToServer();
                lock (sockets) { sockets.Add(ws); }
            });
            await page.GotoAsync($"/trainings/{training}");
            ILocator live = page.Locator("#live-status");
            await Assertions.Expect(live).ToHaveClassAsync(new Regex(@"(^|\s)live(\s|$)"), new() { Timeout = 60_000 });
            await Assertions.Expect(page.Locator("#training-state")).ToHaveTextAsync("running", new() { Timeout = 60_000 });
            await Assertions.Expect(page.Locator("#server-status")).ToContainTextAsync("Server");
            // The label and the bar say the same share of the training.
            await Assertions.Expect(page.Locator("#epoch-label")).ToContainTextAsync("of the training");
            await AssertLabelAgreesWithBarAsync(page);

            down = true;
            IWebSocketRoute[] open;
            lock (sockets) { open = [.. sockets]; }
            foreach (IWebSocketRoute ws in open)
            {
                await ws.CloseAsync();
            }
            await Assertions.Expect(page.Locator("#connection-banner")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#connection-banner")).ToContainTextAsync("The server cannot be reached");
            await Assertions.Expect(live).Not.ToHaveClassAsync(new Regex(@"(^|\s)live(\s|$)"));
            await Assertions.Expect(live).Not.ToContainTextAsync("Live");
            await Assertions.Expect(page.Locator("#stat-eta")).ToHaveTextAsync("unknown (no connection)");
            await Assertions.Expect(page.Locator("#server-status")).ToHaveTextAsync("Server unreachable.");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(TestData.ScreenshotFolder, $"training-offline{(width < 600 ? "-phone" : "")}.png") });

            down = false;
            await Assertions.Expect(page.Locator("#connection-banner")).ToBeHiddenAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(live).ToHaveClassAsync(new Regex(@"(^|\s)live(\s|$)"), new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#stat-eta")).Not.ToHaveTextAsync("unknown (no connection)");
            await Assertions.Expect(page.Locator("#server-status")).ToContainTextAsync("numerics");
            await AssertLabelAgreesWithBarAsync(page);
            Assert.Empty(Errors.Of(page));
        }
        (await client.PostAsync(new Uri($"/api/trainings/{training}/cancel", UriKind.Relative), null)).EnsureSuccessStatusCode();
    }

    private static async Task AssertLabelAgreesWithBarAsync(IPage page)
    {
        // Read together, in one evaluation, so that no update falls between them.
        string[] both = await page.EvaluateAsync<string[]>("() => [document.getElementById('epoch-label').textContent, String(document.getElementById('epoch-progress').value)]");
        Match percent = LabelPercent().Match(both[0]);
        Assert.True(percent.Success, both[0]);
        int bar = (int)Math.Floor(100 * double.Parse(both[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(bar, int.Parse(percent.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task ImportingAModelTwice_OrUploadingTheSameFiles_WarnsAndOffersTheExistingOne(int width, int height)
    {
        using HttpClient client = fixture.App.CreateRealClient();
        string folder = Directory.CreateTempSubdirectory("rnnrbm-web-").FullName;
        string modelFile = Path.Combine(folder, $"twice-{width}.rnnrbm");
        await File.WriteAllBytesAsync(modelFile, RnnRbm.Core.Model.ModelFile.Write(TinyModel.Create(11, $"imported twice at {width}")));
        IPage page = await fixture.NewPageAsync(width, height);

        await page.GotoAsync("/models");
        await page.Locator("#model-file").SetInputFilesAsync(modelFile);
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await page.WaitForURLAsync(ModelUrl());
        string first = ModelUrl().Match(page.Url).Groups[1].Value;

        await page.GotoAsync("/models");
        await page.Locator("#model-file").SetInputFilesAsync(modelFile);
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        ILocator warning = page.Locator("#duplicate-warning");
        await Assertions.Expect(warning).ToContainTextAsync("You already have this model");
        await Assertions.Expect(warning.GetByRole(AriaRole.Link, new() { Name = $"twice-{width}" })).ToHaveAttributeAsync("href", $"/models/{first}");
        int before = await CountAsync(client, "/api/models", $"twice-{width}");
        Assert.Equal(2, before); // both kept until the person chooses
        await ScreenshotAsync(page, $"duplicate-model{Suffix(width)}.png");
        await warning.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Use the existing one") }).ClickAsync();
        await page.WaitForURLAsync(new Regex($"/models/{first}$"));
        Assert.Equal(1, await CountAsync(client, "/api/models", $"twice-{width}"));

        // The same MIDI files uploaded twice: warned; "Keep both" keeps both.
        string name = $"Twice uploaded {width}";
        await TestData.CreateCorpusAsync(client, name, 2);
        await page.GotoAsync("/corpora");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name + " again");
        await page.Locator("#corpus-files").SetInputFilesAsync([.. TestData.DemoMidi(2)]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        ILocator corpusWarning = page.Locator("#duplicate-warning");
        await Assertions.Expect(corpusWarning).ToContainTextAsync("You already have this corpus");
        await Assertions.Expect(corpusWarning).ToContainTextAsync(name);
        await corpusWarning.GetByRole(AriaRole.Button, new() { Name = "Keep both" }).ClickAsync();
        await Assertions.Expect(page.Locator("#duplicate-warning")).ToHaveCountAsync(0);
        Assert.Equal(1, await CountAsync(client, "/api/corpora", name + " again"));
        Assert.Empty(Errors.Of(page));
    }

    private static async Task<int> CountAsync(HttpClient client, string path, string name) =>
        (await client.GetFromJsonAsync<JsonElement>(new Uri(path, UriKind.Relative))).EnumerateArray().Count(e => e.GetProperty("name").GetString() == name);

    [GeneratedRegex(@"Predicts the next chord (\d+ % (better|worse) than|about as well as) repeating the last one")]
    private static partial Regex QualitySentence();

    [GeneratedRegex(@"(\d+ % (better|worse) than|as good as) repeating the last chord")]
    private static partial Regex QualityShort();

    [GeneratedRegex(@"(\d+) % of the training")]
    private static partial Regex LabelPercent();

    [GeneratedRegex(@"/trainings/([0-9a-f-]{36})$")]
    private static partial Regex TrainingUrl();

    [GeneratedRegex(@"/models/([0-9a-f-]{36})$")]
    private static partial Regex ModelUrl();
}
