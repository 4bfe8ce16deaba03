using Microsoft.Playwright;

namespace RnnRbm.Web.Tests;

/// <summary>A server with an API key and without FluidSynth: the page says so in words and still offers the MIDI.</summary>
public sealed class LockedServerTests : IAsyncLifetime, IDisposable
{
    private const string Key = "s3cret-key";
    private readonly RnnRbmAppFactory _app = new(new Dictionary<string, string?>
    {
        ["RnnRbm:ApiKey"] = Key,
        ["RnnRbm:Audio:FluidSynthPath"] = "/nonexistent/fluidsynth",
    }, realServer: true, seedDemo: true);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        _ = _app.BaseAddress;
        _playwright = await Playwright.CreateAsync();
        _browser = await BrowserFixture.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        await _app.DisposeAsync();
    }

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Generate_AsksForTheKeyOn401_ThenOffersMidiWithoutAudio()
    {
        IBrowserContext context = await _browser!.NewContextAsync(new() { BaseURL = _app.BaseAddress.ToString(), AcceptDownloads = true });
        context.SetDefaultTimeout(30_000);
        IPage page = await context.NewPageAsync();
        Errors.Attach(page);
        await page.GotoAsync("/generate");
        await Assertions.Expect(page.Locator("#audio-status")).ToContainTextAsync("FluidSynth is not installed");
        // The select holds "Loading models…" (value "") until the models are listed: wait for a model, not for an option.
        await Assertions.Expect(page.Locator("#modelId")).Not.ToHaveValueAsync("");
        await page.GetByLabel("Steps", new() { Exact = true }).FillAsync("32");
        await page.GetByLabel("Refinement passes per chord").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate", Exact = true }).ClickAsync();

        ILocator alert = page.Locator("#generate-message .alert-error");
        try
        {
            await Assertions.Expect(alert).ToContainTextAsync("API key");
        }
        catch (PlaywrightException e)
        {
            throw new InvalidOperationException($"No API key alert; the form says: {await page.Locator("#generate-form").InnerTextAsync()}; errors: {string.Join(" | ", Errors.Of(page))}", e);
        }
        await alert.GetByRole(AriaRole.Button, new() { Name = "Enter the API key" }).ClickAsync();
        await Assertions.Expect(page.Locator("#api-key-dialog")).ToBeVisibleAsync();
        await page.Locator("#api-key-input").FillAsync(Key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#api-key-label")).ToContainTextAsync("✓");
        Assert.Equal(Key, await page.EvaluateAsync<string>("() => localStorage.getItem('rnnrbm.apiKey')"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Generate", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#result-player .player")).ToHaveAttributeAsync("data-steps", "32");
        await Assertions.Expect(page.Locator("#result-player")).ToContainTextAsync("download the MIDI file");
        await Assertions.Expect(page.Locator("#player")).ToHaveCountAsync(0);
        IDownload download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#download-midi").ClickAsync());
        Assert.StartsWith("rnnrbm-seed-", download.SuggestedFilename, StringComparison.Ordinal);
        Assert.Empty(Errors.Of(page));
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestData.ScreenshotFolder, "generate-no-audio.png"), FullPage = true });
    }
}
