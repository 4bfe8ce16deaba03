using Microsoft.Playwright;

namespace RnnRbm.Web.Tests;

/// <summary>Every page at a phone's width (390 × 844): nothing sits off-screen, tables scroll in their own box or become cards.</summary>
[Collection(BrowserTestGroup.Name)]
public sealed class PhoneLayoutTests(BrowserFixture fixture)
{
    [Fact]
    public async Task EveryPage_WithData_FitsAPhone_WithoutSidewaysScrolling()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid corpus = await TestData.CreateCorpusWithARejectAsync(client, "A phone's corpus with a long-named file", 3);
        Guid model = await TestData.ImportTinyModelAsync(client, "Tiny model for the phone");
        Guid training = await TestData.StartTinyTrainingAsync(client, corpus);
        Guid evaluation = await TestData.StartTinyEvaluationAsync(client, model, corpus);
        Guid search = await TestData.PostForIdAsync(client, "/api/searches", new { corpusId = corpus, budgetMinutes = 1 });
        (await client.PostAsync(new Uri($"/api/searches/{search}/cancel", UriKind.Relative), null)).EnsureSuccessStatusCode();

        IPage phone = await fixture.NewPageAsync(390, 844);
        // Each page, and what shows that it has drawn its data.
        (string Url, string Ready)[] pages =
        [
            ("/", "#demo-model a"),
            ("/corpora", "#corpora-list table, #corpora-list li"),
            ($"/corpora/{corpus}", "table.file-report tbody tr.rejected"),
            ($"/train?corpus={corpus}", "#recipe option[value=\"seed\"]"),
            ("/trainings", "#trainings-list table"),
            ($"/trainings/{training}", "#training-state.badge-succeeded"),
            ("/searches", "#searches-list table"),
            ($"/searches/{search}", "#search-state .badge"),
            ("/models", "#models-list table"),
            ($"/models/{model}", $"#evaluations-list tr[data-id=\"{evaluation}\"] .badge-succeeded"),
            ($"/generate?model={model}", "#recent table, #recent p"),
            ("/glossary", "#glossary dl"),
            ("/this-page-does-not-exist", "h1"),
        ];
        var wide = new List<string>();
        foreach ((string url, string ready) in pages)
        {
            await phone.GotoAsync(url);
            try
            {
                await Assertions.Expect(phone.Locator(ready).First).ToBeAttachedAsync(new() { Timeout = 120_000 });
            }
            catch (PlaywrightException e)
            {
                throw new InvalidOperationException($"{url} never showed {ready}: {await phone.Locator("main").InnerTextAsync()}", e);
            }
            if (url.StartsWith("/generate", StringComparison.Ordinal))
            {
                // With a piece drawn too.
                await phone.GetByLabel("Steps", new() { Exact = true }).FillAsync("32");
                await phone.GetByLabel("Refinement passes per chord").FillAsync("2");
                await phone.GetByRole(AriaRole.Button, new() { Name = "Generate", Exact = true }).ClickAsync();
                await Assertions.Expect(phone.Locator("#result-seed")).ToBeVisibleAsync();
            }
            // Every picture loaded (the histogram is lazy), so that the page is measured, and pictured, whole.
            await phone.EvaluateAsync("() => Promise.all([...document.images].map((i) => { i.loading = 'eager'; return i.decode().catch(() => null); }))");
            int overflow = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            if (Shots.TryGetValue(url.Split('?')[0].Split('/')[1], out string? shot))
            {
                await phone.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(TestData.ScreenshotFolder, shot), FullPage = true });
            }
            if (overflow > 0)
            {
                // Name the widest culprits (elements whose right edge passes the viewport), for the failure message.
                string culprits = await phone.EvaluateAsync<string>(Culprits);
                wide.Add($"{url} is {overflow}px too wide ({culprits})");
            }
        }
        Assert.True(wide.Count == 0, string.Join("; ", wide));

        // The corpus page's file report: each file a card, its name on one readable line, the rejection reason in view.
        await phone.GotoAsync($"/corpora/{corpus}");
        ILocator rejected = phone.Locator("table.file-report tbody tr.rejected").First;
        await rejected.ScrollIntoViewIfNeededAsync();
        await Assertions.Expect(rejected.Locator(".file-name")).ToBeVisibleAsync();
        LocatorBoundingBoxResult name = (await rejected.Locator(".file-name").BoundingBoxAsync())!;
        Assert.True(name.Width >= 200, $"the file name gets {name.Width}px");
        await Assertions.Expect(rejected.Locator(".reason").First).ToBeVisibleAsync();
        await Assertions.Expect(rejected.Locator(".reason").First).ToBeInViewportAsync(new() { Ratio = 0.5f });
        Assert.Empty(Errors.Of(phone));
    }

    // The phone pictures of docs/screenshots (README), by the URL's first segment: the list's picture is overwritten by
    // its details page's, the one kept.
    private static readonly Dictionary<string, string> Shots = new()
    {
        ["corpora"] = "corpus-phone.png",
        ["generate"] = "generate-phone.png",
        ["models"] = "model-phone.png",
        ["trainings"] = "training-phone.png",
        ["this-page-does-not-exist"] = "not-found-phone.png",
    };

    private const string Culprits = """
        () => [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && ![...e.children].some((c) => c.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
          .filter((e) => !e.closest('.table-scroll, [hidden], dialog:not([open])'))
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''} right ${Math.round(e.getBoundingClientRect().right)}`)
          .join(', ')
        """;
}
