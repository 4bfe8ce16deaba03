using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace RnnRbm.Web.Tests;

/// <summary>"Find the best model": start a search from the page, watch its leaderboard and curves, stop it, generate from the best.</summary>
[Collection(BrowserTestGroup.Name)]
public sealed partial class SearchPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task ASearch_StartedFromThePage_ShowsItsTries_AndStoppingKeepsTheBestToGenerateFrom()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid corpus = await TestData.CreateCorpusAsync(client, "Search corpus", 4);
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync($"/searches?corpus={corpus}");
        await Assertions.Expect(page.Locator("#corpusId")).ToHaveValueAsync(corpus.ToString());

        // A bad budget: the API's message beside the field.
        await page.GetByLabel("Time budget (minutes)").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start the search" }).ClickAsync();
        await Assertions.Expect(page.Locator("#budgetMinutes-error")).Not.ToBeEmptyAsync();
        Assert.Matches(SearchUrlOrNot(), page.Url);

        await page.GetByLabel("Time budget (minutes)").FillAsync("30");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start the search" }).ClickAsync();
        await page.WaitForURLAsync(SearchUrl());
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Search on Search corpus");
        // The first measured try: the best-so-far line, a curve, the leaderboard (try 0 is the recommended recipe).
        await Assertions.Expect(page.Locator("#best-summary")).ToContainTextAsync("nats per step", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#curves path").First).ToBeAttachedAsync();
        await Assertions.Expect(page.Locator("#leaderboard table")).ToContainTextAsync("(recommended recipe)");
        await Assertions.Expect(page.Locator("#generate-link")).ToBeHiddenAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Stop and keep the best" }).ClickAsync();
        await Assertions.Expect(page.Locator("#search-state")).ToHaveTextAsync("cancelled", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#generate-link")).ToBeVisibleAsync();
        Assert.Empty(Errors.Of(page));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(TestData.ScreenshotFolder, "search.png"), FullPage = true });

        // On a phone the page fits: the leaderboard scrolls inside its own box.
        string searchUrl = page.Url;
        IPage phone = await fixture.NewPageAsync(390, 844);
        await phone.GotoAsync(searchUrl);
        await Assertions.Expect(phone.Locator("#leaderboard table")).ToBeVisibleAsync();
        int overflow = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the search page scrolls sideways by {overflow}px on a phone");

        await page.Locator("#generate-link").ClickAsync();
        await page.WaitForURLAsync(GenerateUrl());
        string modelId = GenerateUrl().Match(page.Url).Groups[1].Value;
        await Assertions.Expect(page.Locator("#modelId")).ToHaveValueAsync(modelId);

        // The list of searches names the corpus and the state.
        await page.GotoAsync("/searches");
        await Assertions.Expect(page.Locator("#searches-list table")).ToContainTextAsync("Search corpus");
        await Assertions.Expect(page.Locator("#searches-list table")).ToContainTextAsync("cancelled");
        Assert.Empty(Errors.Of(page));
    }

    [GeneratedRegex(@"/searches/[0-9a-f-]{36}$")]
    private static partial Regex SearchUrl();

    [GeneratedRegex(@"/searches(\?.*)?$")]
    private static partial Regex SearchUrlOrNot();

    [GeneratedRegex(@"/generate\?model=([0-9a-f-]{36})$")]
    private static partial Regex GenerateUrl();
}
