using System.Text.RegularExpressions;

namespace RnnRbm.Client.Tests;

/// <summary>src/Client/README.md's walk-through: the code it quotes is RnnRbmQuickStart's, and that code runs.</summary>
public partial class QuickStartTests
{
    [Fact]
    public async Task QuickStart_TrainsAModel_AndSavesAMidiPieceAndAPng()
    {
        using RnnRbmAppFactory app = ContractKit.App(apiKey: null);
        using HttpClient http = app.CreateClient();
        using var output = new TempFolder("rnnrbm-quick-start-");

        RnnRbmQuickStart.Outcome outcome = await RnnRbmQuickStart.RunAsync(RnnRbmClientFactory.Create(http), ContractKit.DemoFiles.Take(3),
            output.Path, epochs: 1).WaitAsync(TimeSpan.FromSeconds(ContractKit.TrainingTimeoutSeconds));

        Assert.Equal(200, ContractKit.ReadMidi(await File.ReadAllBytesAsync(outcome.MidiPath)).Steps);
        await using FileStream png = File.OpenRead(outcome.PngPath);
        ContractKit.AssertPng(png);
    }

    [Fact]
    public void Readme_QuotesTheQuickStartCode_AsItIs()
    {
        string source = File.ReadAllText(TestEnvironment.RepositoryPath("src", "Client", "RnnRbmQuickStart.cs"));
        string readme = File.ReadAllText(TestEnvironment.RepositoryPath("src", "Client", "README.md"));
        Match quoted = QuickStart().Match(source);
        Assert.True(quoted.Success, "RnnRbmQuickStart.cs lost its // <quick-start> ... // </quick-start> markers.");

        string code = Dedent(quoted.Groups["code"].Value);

        Assert.True(readme.Replace("\r\n", "\n", StringComparison.Ordinal).Contains(code, StringComparison.Ordinal),
            "src/Client/README.md must quote the code between the quick-start markers of RnnRbmQuickStart.cs, unchanged " +
            "(without its indentation). Copy it again:\n" + code);
    }

    private static string Dedent(string block)
    {
        string[] lines = block.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n', ' ').Split('\n');
        int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart(' ').Length);
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart(' ')));
    }

    [GeneratedRegex(@"// <quick-start>\r?\n(?<code>.*?)\r?\n\s*// </quick-start>", RegexOptions.Singleline)]
    private static partial Regex QuickStart();
}
