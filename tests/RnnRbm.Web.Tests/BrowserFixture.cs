using Microsoft.Playwright;

namespace RnnRbm.Web.Tests;

/// <summary>
/// One app (with the bundled demo model) and one headless Debian Chromium for all browser tests of the collection.
/// Playwright never downloads a browser here: it launches /usr/bin/chromium.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public RnnRbmAppFactory App { get; } = new(realServer: true, seedDemo: true);

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseAddress => App.BaseAddress;

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
            ],
        });

    public async Task InitializeAsync()
    {
        _ = App.BaseAddress; // start the server before the browser
        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchAsync(_playwright);
    }

    /// <summary>A fresh page (own context: own local storage) at a laptop's size.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        IBrowserContext context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(30_000);
        IPage page = await context.NewPageAsync();
        Errors.Attach(page);
        return page;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserTestGroup : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>Collects the page's script errors, so that a test can assert there were none.</summary>
public static class Errors
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, List<string>> Seen = [];

    public static void Attach(IPage page)
    {
        var list = Seen.GetOrCreateValue(page);
        page.PageError += (_, error) => { lock (list) { list.Add(error); } };
    }

    public static IReadOnlyList<string> Of(IPage page)
    {
        var list = Seen.GetOrCreateValue(page);
        lock (list)
        {
            return [.. list];
        }
    }
}
