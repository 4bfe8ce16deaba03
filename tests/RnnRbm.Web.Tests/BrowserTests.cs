using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using RnnRbm.Core.Evaluation;

namespace RnnRbm.Web.Tests;

/// <summary>A musician's path through the UI in a real browser: upload, train, watch, generate, listen.</summary>
[Collection(BrowserTestGroup.Name)]
public sealed partial class BrowserTests(BrowserFixture fixture)
{
    private static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(TestData.ScreenshotFolder, name), FullPage = true });

    [Fact]
    public async Task Upload_ShowsPerFileReport_WithTheRejectedFilesReason()
    {
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync("/corpora");
        string broken = Path.Combine(Directory.CreateTempSubdirectory("rnnrbm-web-").FullName, "broken.mid");
        await File.WriteAllBytesAsync(broken, "MThd this is not really a MIDI file"u8.ToArray());

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Browser upload");
        await page.Locator("#corpus-files").SetInputFilesAsync([.. TestData.DemoMidi(3), broken]);
        await Assertions.Expect(page.Locator("#files-chosen")).ToContainTextAsync("4 files chosen");
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();

        await Assertions.Expect(page.Locator("#upload-message .alert-success")).ToContainTextAsync("Browser upload");
        ILocator report = page.Locator("#upload-result table.file-report");
        await Assertions.Expect(report.Locator("tbody tr.accepted")).ToHaveCountAsync(3);
        ILocator rejected = report.Locator("tbody tr.rejected");
        await Assertions.Expect(rejected).ToHaveCountAsync(1);
        await Assertions.Expect(rejected).ToContainTextAsync("broken.mid");
        string reason = await rejected.Locator(".reason").InnerTextAsync();
        Assert.False(string.IsNullOrWhiteSpace(reason), "a rejected file shows why");
        await Assertions.Expect(page.Locator("#upload-result .rejected-list")).ToContainTextAsync(reason.Trim());

        // The statistics and the histogram image (loaded, not broken).
        await Assertions.Expect(page.Locator("#upload-result .stats")).ToContainTextAsync("Accepted files");
        ILocator histogram = page.Locator("#upload-result .histogram img");
        await histogram.ScrollIntoViewIfNeededAsync();
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('#upload-result .histogram img'); return i && i.complete && i.naturalWidth > 0; }");
        await Assertions.Expect(page.Locator("#corpora-list")).ToContainTextAsync("Browser upload");
        Assert.Empty(Errors.Of(page));
        await ScreenshotAsync(page, "corpora-upload.png");

        // The corpus's own page shows the same report.
        await page.Locator("#upload-result").GetByRole(AriaRole.Link, new() { Name = "Open its page" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Browser upload");
        await Assertions.Expect(page.Locator("table.file-report tbody tr")).ToHaveCountAsync(4);
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('.histogram img'); return i && i.complete && i.naturalWidth > 0; }");
        await ScreenshotAsync(page, "corpus.png");
    }

    [Fact]
    public async Task TrainForm_ShowsConstraintAndApiFieldErrorsBesideTheFields()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid corpus = await TestData.CreateCorpusAsync(client, "Validation corpus", 2);
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync($"/train?corpus={corpus}");
        await Assertions.Expect(page.Locator("#corpusId")).ToHaveValueAsync(corpus.ToString());
        // The fields come from the API's recipes: the recommended one first, then the tutorial's on request.
        await Assertions.Expect(page.Locator("#recipe-hint")).Not.ToHaveTextAsync("Loading the recipes…");
        await Assertions.Expect(page.Locator("#recipe")).ToHaveValueAsync("default");
        await Assertions.Expect(page.Locator("#stepsPerQuarter")).ToHaveValueAsync("2");
        await Assertions.Expect(page.Locator("#momentum")).ToHaveValueAsync("0.9");
        await Assertions.Expect(page.Locator("#hidden")).ToHaveValueAsync("100");
        await Assertions.Expect(page.Locator("#rnnPretrainEpochs")).ToHaveValueAsync("10");
        await page.Locator("#recipe").SelectOptionAsync("seed");
        await Assertions.Expect(page.Locator("#hidden")).ToHaveValueAsync("150");
        await Assertions.Expect(page.Locator("#rnnPretrainEpochs")).ToHaveValueAsync("0");
        await Assertions.Expect(page.Locator("#dt")).ToHaveValueAsync("0.3");
        await Assertions.Expect(page.Locator("#momentum")).ToHaveValueAsync("0");
        await Assertions.Expect(page.Locator("#patience")).ToHaveValueAsync("0");
        await Assertions.Expect(page.Locator("#keepBest")).Not.ToBeCheckedAsync();
        await page.Locator("#recipe").SelectOptionAsync("default");
        await Assertions.Expect(page.Locator("#patience")).ToHaveValueAsync(RnnRbm.Core.Training.TrainingRecipe.Default.Stopping.Patience.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await ScreenshotAsync(page, "train.png");

        // HTML constraint: caught in the page, written beside the field.
        await page.GetByLabel("Hidden units (RBM)").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start training" }).ClickAsync();
        await Assertions.Expect(page.Locator("#hidden-error")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("#hidden")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.EndsWith("/train", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);

        // A rule only the API knows (lowest above highest): its 400 field error lands beside the field too.
        await page.GetByLabel("Hidden units (RBM)").FillAsync("16");
        await page.GetByLabel("Lowest MIDI note").FillAsync("100");
        await page.GetByLabel("Highest MIDI note").FillAsync("50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start training" }).ClickAsync();
        await Assertions.Expect(page.Locator("#train-message .alert-error")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#highestPitch-error, #lowestPitch-error").Filter(new() { HasTextRegex = NonEmpty() })).Not.ToHaveCountAsync(0);
        Assert.Empty(Errors.Of(page));
    }

    [Fact]
    public async Task Training_UpdatesLiveWithoutReload_UntilItSucceeds()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid corpus = await TestData.CreateCorpusAsync(client, "Tiny training corpus", 3);
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync($"/train?corpus={corpus}");
        await Assertions.Expect(page.Locator("#corpusId")).ToHaveValueAsync(corpus.ToString());
        await Assertions.Expect(page.Locator("#recipe-hint")).Not.ToHaveTextAsync("Loading the recipes…");
        await page.GetByLabel("Steps per quarter note").First.CheckAsync();
        await page.Locator("#stepsPerQuarter").FillAsync("2");
        await page.GetByLabel("Hidden units (RBM)").FillAsync("16");
        await page.GetByLabel("Recurrent units (RNN)").FillAsync("8");
        await page.GetByLabel("Refinement passes while learning").FillAsync("1");
        await page.GetByLabel("Epochs", new() { Exact = true }).FillAsync("1");
        await page.GetByLabel("Seed").FillAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start training" }).ClickAsync();

        await page.WaitForURLAsync(TrainingUrl());
        // A marker that a reload would wipe: the page must reach "succeeded" by itself.
        await page.EvaluateAsync("() => { window.__noReload = true; }");
        await Assertions.Expect(page.Locator("#training-state")).ToHaveTextAsync("succeeded", new() { Timeout = 120_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__noReload === true"), "the page updated without reloading");
        await Assertions.Expect(page.Locator("#stat-epoch")).ToHaveTextAsync("1 / 1");
        await Assertions.Expect(page.Locator("#curve-caption")).ToContainTextAsync("1 epoch");
        await Assertions.Expect(page.Locator("#stat-train")).Not.ToHaveTextAsync("–");
        // The last planned epoch is always validated: its log-likelihood, the kept epoch and why training stopped.
        await Assertions.Expect(page.Locator("#stat-valid-ll")).ToContainTextAsync("(epoch 1)");
        await Assertions.Expect(page.Locator("#stopping-summary")).ToContainTextAsync("The model keeps epoch 1.");
        await Assertions.Expect(page.Locator("#model-link")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#cancel-button")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#training-settings")).ToContainTextAsync("16 / 8");
        Assert.Empty(Errors.Of(page));
        await ScreenshotAsync(page, "training.png");

        // Its model page: manifest, curve, download.
        await page.Locator("#model-link").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.Locator(".stats")).ToContainTextAsync("× 16 × 8");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { NameRegex = DownloadName() })).ToBeVisibleAsync();
        Assert.Empty(Errors.Of(page));
    }

    // The order in which the model page picks a corpus's split to evaluate on.
    private static readonly string[] SplitPreference = ["test", "valid", "train"];

    [Fact]
    public async Task ModelPage_StartsAnEvaluation_ShowsItsResult_AndCancelsAnother()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid corpus = await TestData.CreateCorpusAsync(client, "Evaluation corpus", 2);
        Guid model = await TestData.ImportTinyModelAsync(client, "Tiny model to evaluate");
        Dictionary<string, int> splits = await TestData.SplitCountsAsync(client, corpus);
        string split = splits.First(s => s.Value > 0).Key;
        string empty = splits.First(s => s.Value == 0).Key; // two files cannot fill three splits
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync($"/models/{model}");

        // The API's defaults: AIS runs and steps left empty (the converged search and its run count), the rest prefilled.
        await Assertions.Expect(page.GetByLabel("Estimate repeats")).ToHaveValueAsync("");
        await Assertions.Expect(page.GetByLabel("Estimate length")).ToHaveValueAsync("");
        await Assertions.Expect(page.GetByLabel("Accuracy samples")).ToHaveValueAsync(EvaluationLimits.DefaultAccSamples.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#evaluations-list")).ToContainTextAsync("No evaluation of this model yet");

        // Choosing the corpus chooses the first of test, valid, train that it has files in.
        await page.GetByLabel("Corpus", new() { Exact = true }).SelectOptionAsync(corpus.ToString());
        await Assertions.Expect(page.GetByLabel("Split")).ToHaveValueAsync(SplitPreference.First(name => splits[name] > 0));

        // The API's refusal (a split without files) is said in words, beside the field.
        await page.GetByLabel("Split").SelectOptionAsync(empty);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start evaluation" }).ClickAsync();
        await Assertions.Expect(page.Locator("#evaluation-message .alert-error")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#eval-split-error")).ToContainTextAsync($"no accepted {empty} files");

        // A small evaluation: its row goes from queued or running to its result, without a reload.
        await page.GetByLabel("Split").SelectOptionAsync(split);
        await page.GetByLabel("Estimate repeats").FillAsync("2");
        await page.GetByLabel("Estimate length").FillAsync("3");
        await page.GetByLabel("Accuracy samples").FillAsync("1");
        await page.GetByLabel("Seed", new() { Exact = true }).FillAsync("5");
        await page.EvaluateAsync("() => { window.__noReload = true; }");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start evaluation" }).ClickAsync();
        ILocator row = page.Locator("#evaluations-list tbody tr").First;
        await Assertions.Expect(row.Locator(".state .badge")).ToHaveTextAsync("succeeded", new() { Timeout = 60_000 });
        await Assertions.Expect(row.Locator(".ll")).ToContainTextAsync("±");
        await Assertions.Expect(row.Locator(".acc")).ToContainTextAsync("%");
        await Assertions.Expect(row.Locator(".seconds")).ToContainTextAsync(" s");
        await Assertions.Expect(row).ToContainTextAsync("seed 5");
        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#model-metrics")).ToContainTextAsync($"{split}.logLikelihood");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__noReload === true"), "the page updated without reloading");

        // One that would run for hours, cancelled from the keyboard.
        await page.GetByLabel("Estimate length").FillAsync("1000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start evaluation" }).ClickAsync();
        ILocator running = page.Locator("#evaluations-list tbody tr").First;
        await Assertions.Expect(running.Locator(".state .badge")).ToHaveTextAsync("running", new() { Timeout = 30_000 });
        await Assertions.Expect(running.Locator("progress")).ToBeVisibleAsync();
        await running.GetByRole(AriaRole.Button, new() { NameRegex = CancelName() }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(running.Locator(".state .badge")).ToHaveTextAsync("cancelled", new() { Timeout = 10_000 });
        await Assertions.Expect(running.Locator(".ll")).ToHaveTextAsync("–");
        Assert.Empty(Errors.Of(page));
        await ScreenshotAsync(page, "model-evaluations.png");
    }

    [Fact]
    public async Task Generate_ShowsPianoRoll_PlaysAudio_AndDownloadsMidi()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid model = await TestData.ModelIdAsync(client, "bundled") ?? throw new InvalidOperationException("The demo model was not seeded.");
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync($"/generate?model={model}");
        await Assertions.Expect(page.Locator("#modelId")).ToHaveValueAsync(model.ToString());
        await Assertions.Expect(page.Locator("#audio-status")).ToContainTextAsync("Pieces play in the page");

        await page.GetByLabel("Steps", new() { Exact = true }).FillAsync("64");
        await page.GetByLabel("Refinement passes per chord").FillAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "New seed", Exact = true }).ClickAsync();
        string seed = await page.Locator("#seed").InputValueAsync();
        Assert.Matches("^[0-9]+$", seed);
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate", Exact = true }).ClickAsync();

        await Assertions.Expect(page.Locator("#result-seed")).ToHaveTextAsync(seed);
        await Assertions.Expect(page.Locator("#result-player .player")).ToHaveAttributeAsync("data-steps", "64"); // the player (PlayerTests)
        // A playable <audio>: the browser decoded the server's Ogg Opus far enough to know its length.
        await page.WaitForFunctionAsync("() => { const a = document.querySelector('#player'); return a && a.readyState >= 1 && a.duration > 0; }");

        IDownload download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-midi").ClickAsync());
        Assert.Equal($"rnnrbm-seed-{seed}.mid", download.SuggestedFilename);
        string saved = Path.Combine(Directory.CreateTempSubdirectory("rnnrbm-web-").FullName, "piece.mid");
        await download.SaveAsAsync(saved);
        Assert.Equal("MThd"u8.ToArray(), (await File.ReadAllBytesAsync(saved))[..4]);

        // Listed once among the recent generations, ready to regenerate with the same seed; and sampled once: the
        // piano-roll, the MIDI and the audio are views of one stored generation, not three requests to /generate.
        ILocator row = page.Locator("#recent tbody tr").Filter(new() { HasText = seed });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        JsonElement history = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/generations?limit=100", UriKind.Relative));
        Assert.Single(history.GetProperty("items").EnumerateArray(), g => g.GetProperty("request").GetProperty("seed").ToString() == seed);
        Assert.Empty(Errors.Of(page));
        await ScreenshotAsync(page, "generate.png");

        await row.GetByRole(AriaRole.Button, new() { Name = $"Vary seed {seed} with a new seed" }).ClickAsync();
        await Assertions.Expect(page.Locator("#result-seed")).Not.ToHaveTextAsync(seed);
        await Assertions.Expect(page.Locator("#steps")).ToHaveValueAsync("64");
        await Assertions.Expect(page.Locator("#result-player .player")).ToHaveAttributeAsync("data-steps", "64");
    }

    [Fact]
    public async Task HomeModelsAndErrors_RenderInWords_OnLaptopAndPhone()
    {
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("#demo-model")).ToContainTextAsync("Nottingham");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Generate from it" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "API reference (Swagger)" })).ToHaveAttributeAsync("href", "/swagger");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Background jobs (Hangfire)" })).ToHaveAttributeAsync("href", "/hangfire");
        await Assertions.Expect(page.Locator("#server-status")).ToContainTextAsync("numerics");

        // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.Locator(".skip-link")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#main")).ToBeFocusedAsync();
        await ScreenshotAsync(page, "home.png");

        await page.GotoAsync("/models");
        await Assertions.Expect(page.Locator("#models-list table")).ToContainTextAsync("bundled");
        await ScreenshotAsync(page, "models.png");
        await page.Locator("#models-list tbody tr").Filter(new() { HasText = "bundled" }).First.GetByRole(AriaRole.Link).First.ClickAsync();
        await Assertions.Expect(page.Locator("#curve-title")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".curve-figure svg polyline").First).ToBeVisibleAsync();
        await ScreenshotAsync(page, "model.png");

        // Every script, style and font comes from the app itself.
        var foreign = new List<string>();
        page.Request += (_, r) => { if (!r.Url.StartsWith(fixture.BaseAddress.ToString(), StringComparison.Ordinal) && !r.Url.StartsWith("blob:", StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal)) { foreign.Add(r.Url); } };
        await page.GotoAsync("/trainings");
        await page.GotoAsync("/generate");
        // The select holds "Loading models…" (value "") until the models are listed: wait for a model, not for an option.
        await Assertions.Expect(page.Locator("#modelId")).Not.ToHaveValueAsync("");
        Assert.Empty(foreign);

        // An unknown corpus: the API's problem detail in words, no stack trace.
        await page.GotoAsync($"/corpora/{Guid.NewGuid()}");
        ILocator alert = page.Locator(".alert-error");
        await Assertions.Expect(alert).ToContainTextAsync("not found");
        Assert.DoesNotContain("   at ", await alert.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Empty(Errors.Of(page));

        IPage phone = await fixture.NewPageAsync(390, 844);
        await phone.GotoAsync("/");
        await Assertions.Expect(phone.Locator("#demo-model")).ToContainTextAsync("Nottingham");
        int overflow = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the phone page scrolls sideways by {overflow}px");
        await ScreenshotAsync(phone, "home-phone.png");
    }

    [GeneratedRegex(@"/trainings/[0-9a-f-]{36}$")]
    private static partial Regex TrainingUrl();

    [GeneratedRegex(@"\S")]
    private static partial Regex NonEmpty();

    [GeneratedRegex("^Cancel the evaluation")]
    private static partial Regex CancelName();

    [GeneratedRegex("^Download")]
    private static partial Regex DownloadName();
}
