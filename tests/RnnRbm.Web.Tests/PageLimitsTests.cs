using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace RnnRbm.Web.Tests;

/// <summary>
/// The pages copy no limit: every number input of the Train, Generate, model (evaluation) and Corpora (upload) forms takes its min, max
/// and step from the API's options endpoint, which is Core's declaration, the one the API checks requests against.
/// A page input whose constraints differ from the API's, or that names no field the API declares, fails here.
/// </summary>
[Collection(BrowserTestGroup.Name)]
public sealed partial class PageLimitsTests(BrowserFixture fixture)
{
    /// <summary>Page (with {model} for the bundled model's id), its form, and the API's options for that form's request.</summary>
    public static TheoryData<string, string, string> Forms => new()
    {
        { "/train", "train-form", "/api/trainings/options" },
        { "/generate", "generate-form", "/api/generations/options" },
        { "/models/{model}", "evaluation-form", "/api/evaluations/options" },
        { "/corpora", "upload-form", "/api/corpora/options" },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public async Task EveryNumberInput_HasTheApisMinMaxAndStep(string pagePath, string formId, string optionsPath)
    {
        using HttpClient client = fixture.App.CreateRealClient();
        string path = await PathAsync(client, pagePath);
        JsonElement fields = (await client.GetFromJsonAsync<JsonElement>(new Uri(optionsPath, UriKind.Relative))).GetProperty("fields");

        // As served: no number input carries a limit of its own (the browser writes the API's in).
        string served = await client.GetStringAsync(new Uri(path, UriKind.Relative));
        string[] copied = [.. NumberInputTag().Matches(served).Select(m => m.Value).Where(tag => LimitAttribute().IsMatch(tag))];
        Assert.True(copied.Length == 0, $"{path} copies limits by hand: {string.Join(" ", copied)}");

        // As rendered: once the form has read the API's options, every number input has exactly the API's bounds.
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync(path);
        await page.Locator($"#{formId}[data-options=\"loaded\"]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        string rendered = await page.EvaluateAsync<string>(
            """
            (id) => JSON.stringify([...document.getElementById(id).querySelectorAll('input[type="number"]')].map((i) => ({
              field: i.dataset.field || i.id, min: i.getAttribute('min'), max: i.getAttribute('max'), step: i.getAttribute('step') })))
            """, formId);
        Input[] inputs = JsonSerializer.Deserialize<Input[]>(rendered, JsonSerializerOptions.Web)!;
        Assert.NotEmpty(inputs);

        var differences = new List<string>();
        foreach (Input input in inputs)
        {
            if (!fields.TryGetProperty(input.Field, out JsonElement api))
            {
                differences.Add($"{input.Field}: not a field of {optionsPath}");
                continue;
            }
            Compare(differences, input.Field, "min", input.Min, api.GetProperty("minimum"));
            Compare(differences, input.Field, "max", input.Max, api.GetProperty("maximum"));
            string step = api.GetProperty("wholeNumber").GetBoolean() ? "1" : "any";
            if (input.Step != step)
            {
                differences.Add($"{input.Field}: step {input.Step ?? "(none)"}, the API's {step}");
            }
        }
        Assert.True(differences.Count == 0, $"{path} differs from {optionsPath}: {string.Join("; ", differences)}");
        Assert.Empty(Errors.Of(page));
    }

    [Fact]
    public async Task TrainPage_StartsFromTheApisDefaults_AndTheRecipesValues()
    {
        using HttpClient client = fixture.App.CreateRealClient();
        JsonElement fields = (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/trainings/options", UriKind.Relative))).GetProperty("fields");
        IPage page = await fixture.NewPageAsync();
        await page.GotoAsync("/train");
        await Assertions.Expect(page.Locator("#recipe-hint")).Not.ToHaveTextAsync("Loading the recipes…");
        foreach (string field in new[] { "hidden", "recurrent", "batchSize", "cdK", "epochs", "transpose", "rbmPretrainEpochs", "rnnPretrainEpochs", "pretrainLearningRate" })
        {
            double expected = fields.GetProperty(field).GetProperty("default").GetDouble();
            string value = await page.Locator($"#{field}").InputValueAsync();
            Assert.True(double.Parse(value, CultureInfo.InvariantCulture) == expected, $"{field}: {value}, the API's default {expected}");
        }
        // The improvements the default recipe turns on, and its recurrence.
        await Assertions.Expect(page.Locator("#learnU0")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#carryState")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#recurrence")).ToHaveValueAsync("tanh");
    }

    private static void Compare(List<string> differences, string field, string name, string? page, JsonElement api)
    {
        double? expected = api.ValueKind == JsonValueKind.Number ? api.GetDouble() : null;
        double? actual = page is null ? null : double.Parse(page, CultureInfo.InvariantCulture);
        if (actual != expected)
        {
            differences.Add($"{field}: {name} {page ?? "(none)"}, the API's {(expected is double e ? e.ToString("R", CultureInfo.InvariantCulture) : "(none)")}");
        }
    }

    private static async Task<string> PathAsync(HttpClient client, string pagePath)
    {
        if (!pagePath.Contains("{model}", StringComparison.Ordinal))
        {
            return pagePath;
        }
        Guid? model = await TestData.ModelIdAsync(client, "bundled");
        Assert.True(model is not null, "the fixture seeds the bundled demo model");
        return pagePath.Replace("{model}", model.ToString(), StringComparison.Ordinal);
    }

    private sealed record Input(string Field, string? Min, string? Max, string? Step);

    [GeneratedRegex("<input [^>]*type=\"number\"[^>]*>")]
    private static partial Regex NumberInputTag();

    [GeneratedRegex(" (min|max|step)=\"")]
    private static partial Regex LimitAttribute();
}
