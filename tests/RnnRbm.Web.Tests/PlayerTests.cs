using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace RnnRbm.Web.Tests;

/// <summary>
/// The piano-roll player (js/player.js) on a fresh generation with a primer, on a long one from the history, and on a
/// corpus file: what it draws is checked cell by cell against the JSON it was drawn from, and seeking, looping and
/// zooming against the audio element and the state the player exposes on its data- attributes.
/// </summary>
[Collection(BrowserTestGroup.Name)]
public sealed class PlayerTests(BrowserFixture fixture)
{
    private static readonly int[] Note = [0x2d, 0x5d, 0x8f];
    private static readonly int[] PrimerNote = [0xa8, 0x6b, 0x00];

    /// <summary>The colours at the centres of cells (step, pitch) of the player's canvas, from its exposed geometry.</summary>
    private const string ProbeCells = """
        ([selector, cells]) => {
          const root = document.querySelector(selector);
          const canvas = root.querySelector('canvas');
          const ctx = canvas.getContext('2d');
          const dpr = window.devicePixelRatio || 1;
          return cells.map(([t, p]) => {
            const r = root.cellRect(t, p);
            const x = Math.floor((r.x + r.width / 2) * dpr);
            const y = Math.floor((r.y + r.height / 2) * dpr);
            if (x < 0 || y < 0 || x >= canvas.width || y >= canvas.height) return [-1, -1, -1];
            const px = ctx.getImageData(x, y, 1, 1).data;
            return [px[0], px[1], px[2]];
          });
        }
        """;

    [Fact]
    public async Task GeneratedPiece_IsDrawnFromItsJson_WithThePrimerMarked_AndSeeksLoopsAndZooms()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid model = await TestData.ModelIdAsync(client, "bundled") ?? throw new InvalidOperationException("The demo model was not seeded.");
        IPage page = await fixture.NewPageAsync(1280, 800);
        await page.GotoAsync($"/generate?model={model}");
        await Assertions.Expect(page.Locator("#modelId")).ToHaveValueAsync(model.ToString());
        await Assertions.Expect(page.Locator("#audio-status")).ToContainTextAsync("Pieces play in the page");
        await page.GetByLabel("Steps", new() { Exact = true }).FillAsync("96");
        await page.GetByLabel("Refinement passes per chord").FillAsync("5");
        await page.Locator("#primer").SetInputFilesAsync(TestData.DemoMidi(1)[0]);
        await Assertions.Expect(page.GetByLabel("Start the piece with the primer (shaded in the player)")).ToBeCheckedAsync();

        IResponse created = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Generate", Exact = true }).ClickAsync(),
            r => r.Url.EndsWith("/api/generations", StringComparison.Ordinal) && r.Request.Method == "POST");
        JsonElement piece = (await created.JsonAsync())!.Value.GetProperty("piece");
        Assert.True(piece.GetProperty("includePrimer").GetBoolean());
        int primerSteps = piece.GetProperty("primerSteps").GetInt32();
        int steps = piece.GetProperty("steps").GetInt32();
        Assert.True(primerSteps > 0);
        Assert.Equal(primerSteps + 96, steps);

        const string Player = "#result-player .player";
        await WaitForAudioAsync(page, "#player");
        ILocator player = page.Locator(Player);
        await Assertions.Expect(player).ToHaveAttributeAsync("data-steps", steps.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(player).ToHaveAttributeAsync("data-primer-steps", primerSteps.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(player).ToContainTextAsync($"Primer: the first {primerSteps} steps");
        // It opens at the start, readable (the whole piece would be too narrow in the card), then shows the whole piece.
        Assert.Equal(0, await NumberAsync(player, "data-view-start"));
        await AssertDrawnAsync(page, Player, piece, primerSteps);
        await player.GetByRole(AriaRole.Button, new() { Name = "Show the whole piece" }).ClickAsync();
        await Assertions.Expect(player).ToHaveAttributeAsync("data-view-steps", steps.ToString(CultureInfo.InvariantCulture));
        await AssertDrawnAsync(page, Player, piece, primerSteps);
        Assert.Empty(Errors.Of(page));
        await page.Locator("#result").ScreenshotAsync(new() { Path = Path.Combine(TestData.ScreenshotFolder, "player.png") });

        // Click to seek: the playhead and the audio go to the step under the pointer.
        double stepSeconds = await NumberAsync(player, "data-step-seconds");
        int target = primerSteps + 20;
        await ClickStepAsync(page, Player, target);
        await page.WaitForFunctionAsync(
            "([t, dt]) => { const d = document.querySelector('#result-player .player').dataset; const a = document.querySelector('#player');" +
            " return Math.abs(Number(d.playhead) - (t + 0.5)) < 0.6 && Math.abs(a.currentTime - Number(d.playhead) * dt) < dt; }",
            new object[] { target, stepSeconds });

        // A loop by keyboard: from the playhead, one second on, to there.
        ILocator roll = player.Locator("canvas");
        await Assertions.Expect(roll).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("[");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("]");
        await Assertions.Expect(player).ToHaveAttributeAsync("data-loop-start", target.ToString(CultureInfo.InvariantCulture));
        int loopEnd = (int)Math.Ceiling(target + 0.5 + (1 / stepSeconds) - 1e-9);
        Assert.InRange(int.Parse((await player.GetAttributeAsync("data-loop-end"))!, CultureInfo.InvariantCulture), loopEnd - 1, loopEnd);
        ILocator loopOn = player.GetByLabel("Loop", new() { Exact = true });
        await loopOn.FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(player).ToHaveAttributeAsync("data-loop-on", "true");
        await Assertions.Expect(player.Locator(".player-loop-range")).ToContainTextAsync($"(steps {target}–");

        // Zoom in: fewer steps in view (around the playhead), and the roll scrolls inside its box.
        await player.GetByRole(AriaRole.Button, new() { Name = "Zoom in" }).ClickAsync();
        await player.GetByRole(AriaRole.Button, new() { Name = "Zoom in" }).ClickAsync();
        double viewSteps = await NumberAsync(player, "data-view-steps");
        Assert.InRange(viewSteps, steps / 2.25 - 1, steps / 2.25 + 1);
        Assert.True(await player.Locator(".player-scroll").EvaluateAsync<bool>("s => s.scrollWidth > s.clientWidth"));
        await AssertDrawnAsync(page, Player, piece, primerSteps);

        // A loop by dragging across the roll (around the playhead, which the zoom kept in view) replaces the first.
        await DragStepsAsync(page, Player, target - 10, target + 10);
        await Assertions.Expect(player).ToHaveAttributeAsync("data-loop-start", (target - 10).ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(player).ToHaveAttributeAsync("data-loop-end", (target + 10).ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(player).ToHaveAttributeAsync("data-loop-on", "true");

        // Played, the loop brings the audio back to its start.
        await player.GetByRole(AriaRole.Button, new() { Name = "Play", Exact = true }).ClickAsync();
        await page.WaitForFunctionAsync("() => Number(document.querySelector('#result-player .player').dataset.loops) >= 1", null, new() { Timeout = 30_000 });
        double now = await page.Locator("#player").EvaluateAsync<double>("a => a.currentTime");
        Assert.InRange(now, (target - 10) * stepSeconds - 0.01, (target + 10) * stepSeconds + 0.5);
        await player.GetByRole(AriaRole.Button, new() { Name = "Pause", Exact = true }).ClickAsync();
        Assert.Empty(Errors.Of(page));
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task LongGeneration_FromTheHistory_OpensReadable_AndScrollsInItsOwnBox(int width, int height)
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid model = await TestData.ModelIdAsync(client, "bundled") ?? throw new InvalidOperationException("The demo model was not seeded.");
        ulong seed = (ulong)(4000 + width);
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/generations", UriKind.Relative),
            new { modelId = model, steps = 3000, gibbsK = 1, seed });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        JsonElement piece = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("piece");

        IPage page = await fixture.NewPageAsync(width, height);
        await page.GotoAsync("/generate");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Listen to seed {seed}" }).First.ClickAsync();
        const string Player = "#history-player .player";
        ILocator player = page.Locator(Player);
        // 3000 steps of the demo model last 12.5 minutes, beyond the audio preview's 10: the player says so, and the roll
        // is still there to read and to move through.
        await Assertions.Expect(player.Locator(".player-status")).ToContainTextAsync("600", new() { Timeout = 60_000 });
        await Assertions.Expect(player).ToHaveAttributeAsync("data-steps", "3000");
        // Readable: notes several pixels wide, a part of the piece in view, the rest a scroll away inside the box.
        Assert.True(await NumberAsync(player, "data-px-per-step") >= 4);
        Assert.True(await NumberAsync(player, "data-view-steps") < 3000);
        await AssertDrawnAsync(page, Player, piece, primerSteps: 0);
        await AssertFitsAsync(page, Player, width);

        // End: the playhead at the last step and the view following it; then the view there is drawn from the JSON too.
        await player.Locator("canvas").FocusAsync();
        await page.Keyboard.PressAsync("End");
        await page.WaitForFunctionAsync(
            "() => { const d = document.querySelector('#history-player .player').dataset; return Number(d.viewStart) + Number(d.viewSteps) > 2999; }");
        await AssertDrawnAsync(page, Player, piece, primerSteps: 0);
        await ClickStepAsync(page, Player, 2990);
        await page.WaitForFunctionAsync("() => Math.abs(Number(document.querySelector('#history-player .player').dataset.playhead) - 2990.5) < 0.6");
        Assert.Empty(Errors.Of(page));
    }

    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public async Task CorpusFile_PlaysItsUpload_DrawnFromItsRoll(int width, int height)
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid corpus = await TestData.CreateCorpusAsync(client, $"Player corpus {width}", 3);
        JsonElement details = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/corpora/{corpus}", UriKind.Relative));
        JsonElement file = details.GetProperty("files")[1];
        string name = file.GetProperty("fileName").GetString()!;
        JsonElement roll = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/corpora/{corpus}/files/{file.GetProperty("id").GetGuid()}/roll", UriKind.Relative));

        IPage page = await fixture.NewPageAsync(width, height);
        await page.GotoAsync($"/corpora/{corpus}");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Listen to {name}" }).ClickAsync();
        const string Player = "#file-player .player";
        await WaitForAudioAsync(page, "#file-audio");
        ILocator player = page.Locator(Player);
        await Assertions.Expect(player).ToHaveAttributeAsync("data-steps", roll.GetProperty("steps").GetInt32().ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(player).ToHaveAttributeAsync("data-primer-steps", "0");
        await AssertDrawnAsync(page, Player, roll, primerSteps: 0);

        await ClickStepAsync(page, Player, 30);
        await page.WaitForFunctionAsync("() => Math.abs(document.querySelector('#file-audio').currentTime - 30.5 * 0.05) < 0.05" +
            " && Math.abs(Number(document.querySelector('#file-player .player').dataset.playhead) - 30.5) < 0.6");
        await AssertFitsAsync(page, Player, width);
        int overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the corpus page scrolls sideways by {overflow}px at {width}px");
        Assert.Empty(Errors.Of(page));
        if (width < 600)
        {
            await player.ScrollIntoViewIfNeededAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(TestData.ScreenshotFolder, "player-phone.png") });
        }
    }

    [Fact]
    public async Task APrimerLeftOutOfThePiece_IsMarkedAtItsStart_AndSpaceOnTheRollPlaysAndPauses()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        Guid model = await TestData.ModelIdAsync(client, "bundled") ?? throw new InvalidOperationException("The demo model was not seeded.");
        string primer = Convert.ToBase64String(await File.ReadAllBytesAsync(TestData.DemoMidi(2)[1]));
        using HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/api/generations", UriKind.Relative),
            new { modelId = model, steps = 48, gibbsK = 3, seed = 777_001, primer });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        JsonElement piece = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("piece");
        Assert.False(piece.GetProperty("includePrimer").GetBoolean());
        int primerSteps = piece.GetProperty("primerSteps").GetInt32();

        IPage page = await fixture.NewPageAsync(1280, 800);
        await page.GotoAsync("/generate");
        await page.GetByRole(AriaRole.Button, new() { Name = "Listen to seed 777001" }).First.ClickAsync();
        const string Player = "#history-player .player";
        ILocator player = page.Locator(Player);
        await WaitForAudioAsync(page, "#history-audio");
        await Assertions.Expect(player).ToHaveAttributeAsync("data-primer-steps", "0");
        await Assertions.Expect(player).ToHaveAttributeAsync("data-primer-left-out", primerSteps.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(player).ToContainTextAsync($"continues a {primerSteps}-step primer that is not part of it");
        await AssertDrawnAsync(page, Player, piece, primerSteps: 0);

        await player.Locator("canvas").FocusAsync();
        await page.Keyboard.PressAsync(" ");
        await Assertions.Expect(player.GetByRole(AriaRole.Button, new() { Name = "Pause", Exact = true })).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#history-audio').currentTime > 0 && Number(document.querySelector('#history-player .player').dataset.playhead) > 0");
        await page.Keyboard.PressAsync(" ");
        await Assertions.Expect(player.GetByRole(AriaRole.Button, new() { Name = "Play", Exact = true })).ToBeVisibleAsync();
        Assert.True(await page.Locator("#history-audio").EvaluateAsync<bool>("a => a.paused"));
        Assert.Empty(Errors.Of(page));
    }

    [Fact]
    public async Task Upload_ThenListen_PlaysTheUploadedFileFromTheUploadReport()
    {
        IPage page = await fixture.NewPageAsync(1280, 800);
        await page.GotoAsync("/corpora");
        IReadOnlyList<string> files = TestData.DemoMidi(2);
        await page.GetByLabel("Name").FillAsync("Listen to my upload");
        await page.Locator("#corpus-files").SetInputFilesAsync(files);
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#upload-message .alert-success")).ToContainTextAsync("Listen to my upload");

        string name = Path.GetFileName(files[0]);
        await page.Locator("#upload-result").GetByRole(AriaRole.Button, new() { Name = $"Listen to {name}" }).ClickAsync();
        await WaitForAudioAsync(page, "#file-audio");

        using HttpClient client = fixture.App.CreateRealClient();
        JsonElement corpora = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/corpora", UriKind.Relative));
        Guid corpus = corpora.EnumerateArray().First(c => c.GetProperty("name").GetString() == "Listen to my upload").GetProperty("id").GetGuid();
        JsonElement details = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/corpora/{corpus}", UriKind.Relative));
        Guid file = details.GetProperty("files").EnumerateArray().First(f => f.GetProperty("fileName").GetString() == name).GetProperty("id").GetGuid();
        JsonElement roll = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/corpora/{corpus}/files/{file}/roll", UriKind.Relative));
        const string Player = "#upload-result .player";
        await Assertions.Expect(page.Locator(Player)).ToHaveAttributeAsync("data-steps", roll.GetProperty("steps").GetInt32().ToString(CultureInfo.InvariantCulture));
        await AssertDrawnAsync(page, Player, roll, primerSteps: 0);
        Assert.Empty(Errors.Of(page));
    }

    /// <summary>
    /// The player stays inside the viewport, its roll scrolling inside its own box, and it adds no sideways scroll to
    /// the page (the page's own overflow at 390 px, if any, is the layout's: measured with the player and without).
    /// </summary>
    private static async Task AssertFitsAsync(IPage page, string player, int width)
    {
        ILocator root = page.Locator(player);
        double right = await root.EvaluateAsync<double>("p => p.getBoundingClientRect().right");
        Assert.True(right <= width, $"the player reaches {right}px in a {width}px viewport");
        Assert.True(await root.Locator(".player-scroll").EvaluateAsync<bool>("s => s.scrollWidth > s.clientWidth"), "the roll does not scroll in its box");
        int[] overflow = await root.EvaluateAsync<int[]>(
            "p => { const o = () => document.documentElement.scrollWidth - document.documentElement.clientWidth; const with_ = o();" +
            " p.style.display = 'none'; const without = o(); p.style.display = ''; return [with_, without]; }");
        Assert.True(overflow[0] <= Math.Max(0, overflow[1]), $"the player widens the page: {overflow[0]}px sideways with it, {overflow[1]}px without");
    }

    private static async Task WaitForAudioAsync(IPage page, string audio) =>
        await page.WaitForFunctionAsync($"() => {{ const a = document.querySelector('{audio}'); return a && a.readyState >= 1 && a.duration > 0; }}",
            null, new() { Timeout = 60_000 });

    private static async Task<double> NumberAsync(ILocator player, string attribute) =>
        double.Parse((await player.GetAttributeAsync(attribute))!, CultureInfo.InvariantCulture);

    /// <summary>
    /// Every visible step's sounding cells carry a note colour (the primer's in its own), and the silent cells between
    /// the lowest and highest pitch drawn do not: the canvas shows the JSON's notes, no more, no fewer.
    /// </summary>
    private static async Task AssertDrawnAsync(IPage page, string player, JsonElement piece, int primerSteps)
    {
        ILocator root = page.Locator(player);
        double start = await NumberAsync(root, "data-view-start");
        double visible = await NumberAsync(root, "data-view-steps");
        double pps = await NumberAsync(root, "data-px-per-step");
        int low = (int)await NumberAsync(root, "data-lowest");
        int high = (int)await NumberAsync(root, "data-highest");
        Assert.True(pps >= 2, "cells this narrow cannot be probed");
        string? loopStart = await root.GetAttributeAsync("data-loop-start");
        string? loopEnd = await root.GetAttributeAsync("data-loop-end");
        double playhead = await NumberAsync(root, "data-playhead");
        bool Covered(int t) =>
            (t - start) * pps < 28 || // the pitch names at the left edge
            Math.Abs(t + 0.5 - playhead) < 1.5 + (2 / pps) || t == primerSteps || t == primerSteps - 1 ||
            (loopStart is { Length: > 0 } && loopEnd is { Length: > 0 } &&
                t >= int.Parse(loopStart, CultureInfo.InvariantCulture) - 1 && t <= int.Parse(loopEnd, CultureInfo.InvariantCulture));
        JsonElement notes = piece.GetProperty("notes");
        var on = new List<int[]>();
        var off = new List<int[]>();
        // Whole steps in view, away from what is drawn over the notes: the playhead, the primer's line, the loop's shade.
        for (int t = (int)Math.Ceiling(start) + 1; t < start + visible - 1 && t < notes.GetArrayLength(); t++)
        {
            if (Covered(t))
            {
                continue;
            }
            var sounding = notes[t].EnumerateArray().Select(p => p.GetInt32()).ToHashSet();
            foreach (int p in sounding)
            {
                on.Add([t, p]);
            }
            for (int p = low; p <= high; p += 5)
            {
                if (!sounding.Contains(p))
                {
                    off.Add([t, p]);
                }
            }
        }
        Assert.NotEmpty(on);
        // The geometry itself: a step is pps wide, left to right from the view's start; higher pitches higher up.
        int t0 = (int)Math.Ceiling(start) + 1;
        JsonElement a = await page.EvaluateAsync<JsonElement>($"([s, t, p]) => document.querySelector(s).cellRect(t, p)", new object[] { player, t0, low });
        JsonElement b = await page.EvaluateAsync<JsonElement>($"([s, t, p]) => document.querySelector(s).cellRect(t, p)", new object[] { player, t0 + 10, high });
        Assert.InRange(a.GetProperty("x").GetDouble(), ((t0 - start) * pps) - 1, ((t0 - start) * pps) + 1);
        Assert.InRange(b.GetProperty("x").GetDouble() - a.GetProperty("x").GetDouble(), (10 * pps) - 1, (10 * pps) + 1);
        Assert.True(b.GetProperty("y").GetDouble() < a.GetProperty("y").GetDouble());
        int[][] onColors = await page.EvaluateAsync<int[][]>(ProbeCells, new object[] { player, on });
        for (int i = 0; i < on.Count; i++)
        {
            int[] expected = on[i][0] < primerSteps ? PrimerNote : Note;
            Assert.True(onColors[i].SequenceEqual(expected), $"step {on[i][0]} pitch {on[i][1]} sounds but is drawn as ({string.Join(",", onColors[i])})");
        }
        int[][] offColors = await page.EvaluateAsync<int[][]>(ProbeCells, new object[] { player, off });
        for (int i = 0; i < off.Count; i++)
        {
            Assert.False(offColors[i].SequenceEqual(Note) || offColors[i].SequenceEqual(PrimerNote), $"step {off[i][0]} pitch {off[i][1]} is silent but drawn as a note");
        }
        if (primerSteps > 0)
        {
            // The primer's silent cells lie on its warm ground; the continuation's do not.
            int p = high; // the top row: a margin above the highest note, so silent at every step
            foreach (int t in new[] { primerSteps - 5, primerSteps + 5 }.Where(t => t > start + 1 && t < start + visible - 1 && !Covered(t)))
            {
                int[][] ground = await page.EvaluateAsync<int[][]>(ProbeCells, new object[] { player, new[] { new[] { t, p } } });
                Assert.True(ground[0].SequenceEqual([0xff, 0xf4, 0xd6]) == t < primerSteps, $"step {t}: ground ({string.Join(",", ground[0])})");
            }
        }
    }

    private static async Task<(float X, float Y)> StepPointAsync(IPage page, string player, int step)
    {
        ILocator root = page.Locator(player);
        await root.Locator("canvas").ScrollIntoViewIfNeededAsync();
        double start = await NumberAsync(root, "data-view-start");
        double pps = await NumberAsync(root, "data-px-per-step");
        LocatorBoundingBoxResult box = (await root.Locator("canvas").BoundingBoxAsync())!;
        double x = (step - start + 0.5) * pps;
        Assert.InRange(x, 0, box.Width);
        return ((float)(box.X + x), box.Y + (box.Height / 2));
    }

    private static async Task ClickStepAsync(IPage page, string player, int step)
    {
        (float x, float y) = await StepPointAsync(page, player, step);
        await page.Mouse.ClickAsync(x, y);
    }

    private static async Task DragStepsAsync(IPage page, string player, int from, int to)
    {
        (float x0, float y) = await StepPointAsync(page, player, from);
        (float x1, _) = await StepPointAsync(page, player, to);
        double pps = await NumberAsync(page.Locator(player), "data-px-per-step");
        // From the left edge of step `from` to the left edge of step `to`: the loop is [from, to).
        float half = (float)(pps / 2);
        await page.Mouse.MoveAsync(x0 - half + 1, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(x1 - half + 1, y, new() { Steps = 5 });
        await page.Mouse.UpAsync();
    }
}
