using System.Text.Json;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Cli.Tests;

public class ScoreCommandTests
{
    [Fact]
    public void Score_APiece_PrintsItsFigure_EachStepsSurprise_TheFloors_AndWritesTheCurve()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = temp.DemoCorpus(3);
        ModelFile.Save(TinyModel.Create(4, "made by the CLI tests"), Path.Combine(temp.Path, "m.rnnrbm"));
        string piece = Directory.GetFiles(corpus, "*.mid").Order(StringComparer.Ordinal).First();
        string[] args = ["score", "--model", "m.rnnrbm", "--midi", piece, "--train-data", corpus, "--seed", "11", "--backend", "simd", "--png", "curve.png"];

        using CliProcess json = CliProcess.Run(temp.Path, [.. args, "--json"]);
        Assert.True(json.ExitCode == 0, json.Stderr);
        JsonElement score = Assert.Single(JsonLines(json.Stdout), e => e.GetProperty("event").GetString() == "score");
        int steps = MidiReader.Read(File.ReadAllBytes(piece), new MidiReadOptions { Grid = new TimeGrid.Beats(2) }).Roll.Steps;
        Assert.Equal(steps, score.GetProperty("steps").GetInt32());
        double[] surprise = [.. score.GetProperty("surprise").EnumerateArray().Select(x => x.GetDouble())];
        Assert.Equal(steps, surprise.Length);
        Assert.Equal(-surprise.Average(), score.GetProperty("logLikelihoodPerStep").GetDouble(), 9);
        Assert.Equal(steps, score.GetProperty("baselineSurprise").GetArrayLength());
        Assert.InRange(score.GetProperty("baselineAccuracy").GetDouble(), 0, 1);
        // The untrained tiny model finds the tune far less likely than notes fitted on the corpus do.
        Assert.True(score.GetProperty("logLikelihoodPerStep").GetDouble() < score.GetProperty("baselineLogLikelihood").GetDouble());
        Assert.Contains("no more likely than notes drawn independently", score.GetProperty("summary").GetString(), StringComparison.Ordinal);
        byte[] png = File.ReadAllBytes(Path.Combine(temp.Path, "curve.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);

        using CliProcess text = CliProcess.Run(temp.Path, args);
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Contains($"log-likelihood {score.GetProperty("logLikelihoodPerStep").GetDouble():F4}", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("repeat the last chord", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("The most surprising step is step", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_BadInput_SaysWhatIsWrong()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        ModelFile.Save(TinyModel.Create(4, "made by the CLI tests"), Path.Combine(temp.Path, "m.rnnrbm"));
        File.WriteAllText(Path.Combine(temp.Path, "not.mid"), "not a MIDI file");
        File.WriteAllBytes(Path.Combine(temp.Path, "silent.mid"), MidiWriter.Write(new PianoRoll(8, new PitchRange(21, 109)), new MidiWriteOptions { Grid = new TimeGrid.Beats(2) }));
        File.WriteAllBytes(Path.Combine(temp.Path, "long.mid"), MidiWriter.Write(
            PianoRoll.FromNoteLists([.. Enumerable.Range(0, ScoreLimits.MaxSteps + 1).Select(_ => (IReadOnlyList<int>)[60])], new PitchRange(21, 109)),
            new MidiWriteOptions { Grid = new TimeGrid.Beats(2) }));
        (string File, string Message)[] cases =
        [
            ("not.mid", "invalid MIDI file"),
            ("silent.mid", "the piece has no note to score"),
            ("long.mid", $"above the limit of {ScoreLimits.MaxSteps}"),
        ];
        foreach ((string file, string message) in cases)
        {
            using CliProcess bad = CliProcess.Run(temp.Path, ["score", "--model", "m.rnnrbm", "--midi", file, "--backend", "simd"]);
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains(message, bad.Stderr, StringComparison.Ordinal);
        }
    }

    private static List<JsonElement> JsonLines(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
}
