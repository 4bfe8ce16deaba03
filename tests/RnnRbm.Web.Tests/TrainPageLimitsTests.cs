using System.Text.RegularExpressions;
using RnnRbm.Core.Model;

namespace RnnRbm.Web.Tests;

/// <summary>The Train page copies the API's limits into its inputs: the improvements' fields must agree with Core's.</summary>
public sealed class TrainPageLimitsTests : IDisposable
{
    private readonly WebAppFactory _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task ImprovementFields_HaveTheApisLimitsAndDefaults()
    {
        using HttpClient client = _app.CreateRealClient();
        string html = await client.GetStringAsync(new Uri("/train", UriKind.Relative));
        var defaults = new TrainingOptions();
        Assert.Equal(("0", TrainingOptions.Limits.MaxTranspose.ToString(), defaults.Transpose.ToString()), Input(html, "transpose"));
        Assert.Equal(("0", TrainingOptions.Limits.MaxPretrainEpochs.ToString(), "0"), Input(html, "rbmPretrainEpochs"));
        Assert.Equal(("0", TrainingOptions.Limits.MaxPretrainEpochs.ToString(), "0"), Input(html, "rnnPretrainEpochs"));
        (string min, string max, string value) = Input(html, "pretrainLearningRate");
        Assert.Equal(TrainingOptions.Limits.MinLearningRate, float.Parse(min, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TrainingOptions.Limits.MaxLearningRate, float.Parse(max, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(defaults.PretrainLearningRate, float.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Matches(CheckboxPattern("learnU0"), html);
        Assert.Matches(CheckboxPattern("carryState"), html);
        Assert.Matches("<option value=\"tanh\" selected>", html);
        Assert.Matches("<option value=\"gru\">", html);
    }

    private static (string Min, string Max, string Value) Input(string html, string id)
    {
        Match input = Regex.Match(html, $"<input id=\"{id}\"[^>]*>");
        Assert.True(input.Success, $"no input {id}");
        string Attribute(string name) => Regex.Match(input.Value, $" {name}=\"([^\"]*)\"").Groups[1].Value;
        return (Attribute("min"), Attribute("max"), Attribute("value"));
    }

    // Unchecked by default: off is the seed.
    private static Regex CheckboxPattern(string id) => new($"<input id=\"{id}\" name=\"{id}\" type=\"checkbox\" data-field=\"{id}\">");
}
