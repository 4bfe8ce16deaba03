using System.Text.Json;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Cli.Tests;

public class SteeringCommandTests
{
    [Fact]
    public void Generate_HarmonizesAMelody_KeepingItExactly_AndChecksNoveltyAndStyleAgainstACorpus()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = temp.DemoCorpus(3);
        ModelFile.Save(TinyModel.Create(5, "cli test"), temp["m.rnnrbm"]);
        string melody = Directory.GetFiles(corpus, "*.mid").Order(StringComparer.Ordinal).First();
        using CliProcess generate = CliProcess.Run(temp.Path, "generate", "--model", "m.rnnrbm", "--melody", melody, "--melody-on-top", "--temperature", "0.8",
            "--gibbs-k", "3", "--seed", "4", "--corpus", corpus, "--out", "h.mid", "--json");
        Assert.True(generate.ExitCode == 0, generate.Stderr);

        var read = new MidiReadOptions { Grid = new TimeGrid.Beats(2) };
        PianoRoll tune = MidiReader.Read(File.ReadAllBytes(melody), read).Roll;
        PianoRoll piece = MidiReader.Read(File.ReadAllBytes(temp["h.mid"]), read).Roll;
        Assert.Equal(tune.Steps, piece.Steps); // --steps defaults to the melody's length
        for (int t = 0; t < tune.Steps; t++)
        {
            IReadOnlyList<int> notes = piece.NotesAt(t), melodyNotes = tune.NotesAt(t);
            Assert.All(melodyNotes, n => Assert.Contains(n, notes));
            Assert.All(notes, n => Assert.True(melodyNotes.Count == 0 || n <= melodyNotes[^1], $"step {t}: {n} above the melody"));
        }

        List<JsonElement> lines = [.. generate.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
        JsonElement generated = lines.Single(l => l.GetProperty("event").GetString() == "generated");
        Assert.Equal(0.8, generated.GetProperty("temperature").GetDouble());
        Assert.True(generated.GetProperty("melody").GetBoolean());
        JsonElement novelty = lines.Single(l => l.GetProperty("event").GetString() == "novelty");
        Assert.Equal(16, novelty.GetProperty("threshold").GetInt32()); // 8 quarter notes at 2 steps per quarter
        int exact = novelty.GetProperty("exact").GetProperty("steps").GetInt32();
        Assert.InRange(novelty.GetProperty("transposed").GetProperty("steps").GetInt32(), exact, piece.Steps);
        JsonElement style = lines.Single(l => l.GetProperty("event").GetString() == "style");
        Assert.InRange(style.GetProperty("distance").GetDouble(), 0, 1);
        Assert.Equal(piece.Steps, style.GetProperty("piece").GetProperty("steps").GetInt32());
    }

    [Fact]
    public void Generate_InBars_ToANamedKey()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        ModelFile.Save(TinyModel.Create(5, "cli test"), temp["m.rnnrbm"]);
        using CliProcess generate = CliProcess.Run(temp.Path, "generate", "--model", "m.rnnrbm", "--bars", "4", "--time-signature", "3/4", "--key", "D major",
            "--gibbs-k", "3", "--seed", "2", "--out", "k.mid", "--json");
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        JsonElement generated = generate.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(l => l.GetProperty("event").GetString() == "generated");
        Assert.Equal(24, generated.GetProperty("steps").GetInt32()); // 4 bars of 3 quarters at 2 steps per quarter
        Assert.StartsWith("D ", generated.GetProperty("key").GetString(), StringComparison.Ordinal);
        Assert.InRange(generated.GetProperty("transpose").GetInt32(), -6, 5);
    }

    [Theory]
    [InlineData("--temperature", "0", "temperature must lie in [0.05, 20]")]
    [InlineData("--key", "H major", "--key must be a key such as")]
    [InlineData("--melody-on-top", null, "--melody-on-top needs --melody")]
    public void Generate_RefusesBadSteering_SayingWhy(string option, string? value, string message)
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        ModelFile.Save(TinyModel.Create(5, "cli test"), temp["m.rnnrbm"]);
        string[] args = value is null
            ? ["generate", "--model", "m.rnnrbm", "--out", "x.mid", option]
            : ["generate", "--model", "m.rnnrbm", "--out", "x.mid", option, value];
        using CliProcess generate = CliProcess.Run(temp.Path, args);
        Assert.NotEqual(0, generate.ExitCode);
        Assert.Contains(message, generate.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(temp["x.mid"]));
    }
}

public class FillAndCountCommandTests
{
    [Fact]
    public void Generate_Fill_KeepsThePieceOutsideTheGap_AndSaysWhichCandidateItKept()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = temp.DemoCorpus(2);
        ModelFile.Save(TinyModel.Create(5, "cli test"), temp["m.rnnrbm"]);
        string pieceFile = Directory.GetFiles(corpus, "*.mid").Order(StringComparer.Ordinal).First();
        var read = new MidiReadOptions { Grid = new TimeGrid.Beats(2) };
        PianoRoll given = MidiReader.Read(File.ReadAllBytes(pieceFile), read).Roll;
        int end = Math.Min(given.Steps, 20);
        using CliProcess generate = CliProcess.Run(temp.Path, "generate", "--model", "m.rnnrbm", "--fill", pieceFile, "--gap-start", "8", "--gap-end", end.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--candidates", "3", "--gibbs-k", "2", "--seed", "6", "--out", "f.mid", "--json");
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        PianoRoll piece = MidiReader.Read(File.ReadAllBytes(temp["f.mid"]), read).Roll;
        for (int t = 0; t < given.Steps; t++)
        {
            if (t < 8 || t >= end)
            {
                Assert.Equal(given.NotesAt(t), t < piece.Steps ? piece.NotesAt(t) : []);
            }
        }
        JsonElement gap = generate.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(l => l.GetProperty("event").GetString() == "generated").GetProperty("gap");
        Assert.Equal(3, gap.GetProperty("candidates").GetInt32());
        Assert.Equal(3, gap.GetProperty("scores").GetArrayLength());
        Assert.InRange(gap.GetProperty("chosen").GetInt32(), 0, 2);
    }

    [Fact]
    public void Generate_Count_WritesOneNumberedFilePerSeed()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        ModelFile.Save(TinyModel.Create(5, "cli test"), temp["m.rnnrbm"]);
        using CliProcess generate = CliProcess.Run(temp.Path, "generate", "--model", "m.rnnrbm", "--steps", "16", "--gibbs-k", "2", "--seed", "40", "--count", "3", "--out", "p.mid", "--png", "p.png", "--json");
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        Assert.False(File.Exists(temp["p.mid"]));
        for (int i = 1; i <= 3; i++)
        {
            Assert.True(File.Exists(temp[$"p-{i}.mid"]), $"p-{i}.mid");
            Assert.True(File.Exists(temp[$"p-{i}.png"]), $"p-{i}.png");
        }
        ulong[] seeds = [.. generate.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.GetProperty("event").GetString() == "generated").Select(l => l.GetProperty("seed").GetUInt64())];
        Assert.Equal([40UL, 41UL, 42UL], seeds);
        // The second file is what seed 41 alone writes.
        using CliProcess alone = CliProcess.Run(temp.Path, "generate", "--model", "m.rnnrbm", "--steps", "16", "--gibbs-k", "2", "--seed", "41", "--out", "a.mid");
        Assert.True(alone.ExitCode == 0, alone.Stderr);
        Assert.Equal(File.ReadAllBytes(temp["a.mid"]), File.ReadAllBytes(temp["p-2.mid"]));
    }

    [Theory]
    [InlineData(new[] { "--count", "9" }, "count must lie in [1, 8]")]
    [InlineData(new[] { "--fill", "x.mid" }, "--fill needs --gap-start and --gap-end")]
    [InlineData(new[] { "--gap-start", "3" }, "--gap-start and --gap-end need --fill")]
    [InlineData(new[] { "--fill", "x.mid", "--gap-start", "1", "--gap-end", "3", "--steps", "4" }, "leave out --steps")]
    [InlineData(new[] { "--fill", "x.mid", "--gap-start", "1", "--gap-end", "3", "--candidates", "0" }, "candidates must lie in [1, 32]")]
    public void Generate_RefusesBadFillOrCount_SayingWhy(string[] extra, string message)
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        ModelFile.Save(TinyModel.Create(5, "cli test"), temp["m.rnnrbm"]);
        using CliProcess generate = CliProcess.Run(temp.Path, ["generate", "--model", "m.rnnrbm", "--out", "o.mid", .. extra]);
        Assert.NotEqual(0, generate.ExitCode);
        Assert.Contains(message, generate.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(temp["o.mid"]));
    }
}
