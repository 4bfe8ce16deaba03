using System.Text.Json;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;
using SkiaSharp;

namespace RnnRbm.Cli.Tests;

public class CommandTests
{
    private static readonly string[] SteeringTimes = ["plainMilliseconds", "temperatureMilliseconds", "harmonizeMilliseconds"];
    private static readonly string[] SmallModel = ["--hidden", "24", "--recurrent", "16", "--steps-per-quarter", "2", "--cd-k", "2"];

    [Fact]
    public void Train_ThenGenerate_WritesAModel_APlayableMidiFile_AndAPng()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = temp.DemoCorpus(4);
        using CliProcess train = CliProcess.Run(temp.Path, ["train", "--data", corpus, "--epochs", "2", "--out", "m.rnnrbm", "--json", .. SmallModel]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        List<JsonElement> events = JsonLines(train.Stdout);
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "numerics" && e.GetProperty("backend").GetString()!.Length > 0);
        JsonElement[] epochs = [.. events.Where(e => e.GetProperty("event").GetString() == "epoch")];
        Assert.Equal([1, 2], epochs.Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.All(epochs, e =>
        {
            Assert.True(double.IsFinite(e.GetProperty("monitor").GetDouble()));
            Assert.True(e.GetProperty("framesPerSecond").GetDouble() > 0);
            Assert.True(e.GetProperty("seconds").GetDouble() > 0);
        });

        RnnRbmModel model = ModelFile.Load(temp["m.rnnrbm"]);
        Assert.Equal(2, model.Manifest.Training.EpochsCompleted);
        Assert.Equal(2, model.Manifest.History.Count);
        Assert.Equal(new TimeGrid.Beats(2), model.Grid);
        // No valid/ folder: a seeded tenth (here one) of the four files is held out to validate on.
        Assert.Equal(3, model.Manifest.Corpus!.Sequences);
        Assert.Equal("held-out", model.Manifest.Stopping!.ValidationSource);
        // The last planned epoch is always validated, and the loop says why it stopped and which epoch it kept.
        Assert.True(double.IsFinite(epochs[^1].GetProperty("validLogLikelihood").GetDouble()));
        Assert.Equal(model.Manifest.History[^1].ValidLogLikelihood, epochs[^1].GetProperty("validLogLikelihood").GetDouble());
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "stopped"
            && e.GetProperty("message").GetString()!.Contains("planned 2 epochs", StringComparison.Ordinal));
        Assert.Equal(model.Manifest.Stopping.BestEpoch, model.Manifest.Stopping.KeptEpoch);
        Assert.False(string.IsNullOrEmpty(model.Manifest.Numerics.Backend));

        using CliProcess generate = CliProcess.Run(temp.Path, "generate", "--model", "m.rnnrbm", "--steps", "64", "--gibbs-k", "5", "--seed", "7", "--out", "a.mid", "--png", "a.png");
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        Assert.Contains("seed 7", generate.Stdout, StringComparison.Ordinal);
        MidiReadResult midi = MidiReader.Read(File.ReadAllBytes(temp["a.mid"]), new MidiReadOptions { Grid = new TimeGrid.Beats(2) });
        Assert.Equal(64, midi.Roll.Steps);
        using SKBitmap png = SKBitmap.Decode(temp["a.png"]);
        Assert.NotNull(png);
        Assert.True(png.Width >= 320 && png.Height >= 240);

        using CliProcess again = CliProcess.Run(temp.Path, "generate", "--model", "m.rnnrbm", "--steps", "64", "--gibbs-k", "5", "--seed", "7", "--out", "b.mid");
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(File.ReadAllBytes(temp["a.mid"]), File.ReadAllBytes(temp["b.mid"]));
    }

    [Fact]
    public void Train_CtrlC_SavesWhatWasLearned()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = temp.DemoCorpus(10);
        using CliProcess train = CliProcess.Start(temp.Path, ["train", "--data", corpus, "--epochs", "100000", "--out", "m.rnnrbm", "--json", .. SmallModel]);
        train.WaitForLine(line => line.Contains("\"event\":\"epoch\"", StringComparison.Ordinal), 120);
        train.Interrupt();
        train.WaitForExit(60);
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.Contains("\"event\":\"interrupted\"", train.Stdout, StringComparison.Ordinal);
        RnnRbmModel model = ModelFile.Load(temp["m.rnnrbm"]);
        Assert.InRange(model.Manifest.Training.EpochsCompleted, 1, 99_999);
        Assert.Equal(model.Manifest.Training.EpochsCompleted, model.Manifest.History.Count);
    }

    [Fact]
    public void Inspect_ReportsEachFile_AndWhyABadOneIsRejected()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = temp.DemoCorpus(2);
        File.WriteAllBytes(Path.Combine(corpus, "broken.mid"), [0x4D, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 2, 0, 1, 0, 96]);
        using CliProcess inspect = CliProcess.Run(temp.Path, "inspect", corpus, "--steps-per-quarter", "2");
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
        string[] lines = inspect.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Count(l => l.StartsWith("ok", StringComparison.Ordinal)));
        string failure = Assert.Single(lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.Contains("broken.mid", failure, StringComparison.Ordinal);
        Assert.Contains("format 2", failure, StringComparison.Ordinal);
        Assert.Contains("2 accepted, 1 rejected", inspect.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_FromACorruptModel_FailsWithTheReason()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        File.WriteAllBytes(temp["bad.rnnrbm"], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
        using CliProcess generate = CliProcess.Run(temp.Path, "generate", "--model", "bad.rnnrbm", "--out", "x.mid");
        Assert.Equal(1, generate.ExitCode);
        Assert.Contains("invalid model file", generate.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(temp["x.mid"]));
    }

    [Fact]
    public void Train_WithTheImprovements_ReportsPretraining_AndRecordsThemInTheModel()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = temp.DemoCorpus(3);
        using CliProcess train = CliProcess.Run(temp.Path, ["train", "--data", corpus, "--epochs", "1", "--out", "m.rnnrbm", "--json",
            "--recurrence", "gru", "--learn-u0", "--carry-state", "--transpose", "4", "--rbm-pretrain-epochs", "2", "--rnn-pretrain-epochs", "3", "--pretrain-learning-rate", "0.02",
            .. SmallModel]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        JsonElement[] pretrain = [.. JsonLines(train.Stdout).Where(e => e.GetProperty("event").GetString() == "pretrain")];
        Assert.Equal(["rbm 1/2", "rbm 2/2", "rnn 1/3", "rnn 2/3", "rnn 3/3"],
            pretrain.Select(e => $"{e.GetProperty("stage").GetString()} {e.GetProperty("epoch").GetInt32()}/{e.GetProperty("epochs").GetInt32()}"));
        Assert.All(pretrain, e => Assert.True(double.IsFinite(e.GetProperty("crossEntropy").GetDouble())));

        RnnRbmModel model = ModelFile.Load(temp["m.rnnrbm"]);
        Assert.Equal(RecurrenceKind.Gru, model.Parameters.Shape.Kind);
        TrainingInfo training = model.Manifest.Training;

        using CliProcess generate = CliProcess.Run(temp.Path, "generate", "--model", "m.rnnrbm", "--steps", "16", "--gibbs-k", "2", "--out", "g.mid");
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        Assert.Equal((true, true, 4, 2, 3, 0.02f), (training.LearnU0, training.CarryState, training.Transpose,
            training.RbmPretrainEpochs, training.RnnPretrainEpochs, training.PretrainLearningRate));
    }

    [Fact]
    public void Train_WithSampledValidationSteps_MeasuresThemFromEveryHeldOutSequence()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = temp.DemoCorpus(20);
        using CliProcess train = CliProcess.Run(temp.Path, ["train", "--data", corpus, "--epochs", "1", "--out", "m.rnnrbm", "--json",
            "--validation-sampling", "steps", "--validation-steps", "40", .. SmallModel]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        List<JsonElement> lines = JsonLines(train.Stdout);
        JsonElement note = Assert.Single(lines, e => e.GetProperty("event").GetString() == "decision" && e.GetProperty("epoch").GetInt32() == 0);
        Assert.Matches(@"^The validation log-likelihood is measured on 40 steps drawn from all 2 held-out training sequences", note.GetProperty("message").GetString());
        JsonElement epoch = Assert.Single(lines, e => e.GetProperty("event").GetString() == "epoch");
        Assert.True(double.IsFinite(epoch.GetProperty("validLogLikelihood").GetDouble()));
        Assert.Equal(40, ModelFile.Load(temp["m.rnnrbm"]).Manifest.Stopping!.ValidationSteps);
    }

    [Theory]
    [InlineData("--transpose", "25", "--dt", "0.3", "transpose must be")]
    [InlineData("--rnn-pretrain-epochs", "-1", "--dt", "0.3", "rnnPretrainEpochs must be")]
    [InlineData("--dt", "0.3", "--steps-per-quarter", "2", "not both")]
    [InlineData("--epochs", "0", "--dt", "0.3", "epochs must lie")]
    [InlineData("--backend", "cuda", "--dt", "0.3", "cuda")]
    [InlineData("--hidden", "0", "--dt", "0.3", "--hidden")]
    [InlineData("--validation-sampling", "frames", "--dt", "0.3", "--validation-sampling is sequences or steps")]
    [InlineData("--validation-sampling", "steps", "--validation-estimator", "ais", "needs the bracket estimator")]
    public void Train_WithBadOptions_SaysWhatIsWrong(string a, string b, string c, string d, string expected)
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = temp.DemoCorpus(1);
        using CliProcess train = CliProcess.Run(temp.Path, "train", "--data", corpus, "--out", "m.rnnrbm", a, b, c, d);
        Assert.Equal(1, train.ExitCode);
        Assert.Contains(expected, train.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(temp["m.rnnrbm"]));
    }

    [Fact]
    public void Bench_ReportsSpeedPerBackend_AsJson()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = temp.DemoCorpus(3);
        using CliProcess bench = CliProcess.Run(300, temp.Path, "bench", "--data", corpus, "--backend", "simd", "--json");
        Assert.True(bench.ExitCode == 0, bench.Stderr);
        JsonElement result = Assert.Single(JsonLines(bench.Stdout), e => e.GetProperty("event").GetString() == "bench");
        Assert.Equal("simd", result.GetProperty("backend").GetString());
        Assert.True(result.GetProperty("trainFramesPerSecond").GetDouble() > 0);
        // The speed the service's work budget is set in (RnnRbm:WorkGflopsPerSecond): frames/s × FLOP per frame.
        Assert.Equal(result.GetProperty("trainFramesPerSecond").GetDouble() * RnnRbm.Core.Training.TrainingCost.FlopsPerFrame(RnnRbm.Core.Model.ModelShape.Seed, 15) / 1e9,
            result.GetProperty("trainGflopsPerSecond").GetDouble(), 6);
        Assert.True(result.GetProperty("generateMilliseconds").GetDouble() > 0);
    }

    [Fact]
    public void BenchModel_TimesGenerationOfThatFile_OnOneCoreAndOnAll()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string model = RnnRbm.TestKit.TestEnvironment.RepositoryPath("models", "nottingham-default.rnnrbm");
        using CliProcess bench = CliProcess.Run(120, temp.Path, "bench", "--model", model, "--json");
        Assert.True(bench.ExitCode == 0, bench.Stderr);
        List<JsonElement> lines = JsonLines(bench.Stdout);
        Assert.Equal(["generation", "steering", "fill"], lines.Select(l => l.GetProperty("event").GetString()));
        JsonElement result = lines[0];
        Assert.All(SteeringTimes, name => Assert.True(lines[1].GetProperty(name).GetDouble() > 0, name));
        JsonElement fill = lines[2];
        Assert.True(fill.GetProperty("plainMilliseconds").GetDouble() > 0);
        Assert.Equal(fill.GetProperty("candidates").GetArrayLength(), fill.GetProperty("fillMilliseconds").GetArrayLength());
        Assert.All(fill.GetProperty("fillMilliseconds").EnumerateArray(), ms => Assert.True(ms.GetDouble() > 0));
        Assert.Equal("nottingham-default.rnnrbm", result.GetProperty("model").GetString());
        Assert.True(result.GetProperty("generateMilliseconds").GetDouble() > 0);
        Assert.Equal(Environment.ProcessorCount, result.GetProperty("cores").GetInt32());
        Assert.True(result.GetProperty("allCoresPiecesPerSecond").GetDouble() > 0);

        File.WriteAllBytes(temp["bad.rnnrbm"], [1, 2, 3]);
        using CliProcess bad = CliProcess.Run(temp.Path, "bench", "--model", "bad.rnnrbm");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("bad.rnnrbm is not a valid model file", bad.Stderr, StringComparison.Ordinal);
        using CliProcess missing = CliProcess.Run(temp.Path, "bench", "--model", "none.rnnrbm");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("No model file at none.rnnrbm", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Search_RanksItsTrialsOnValid_AndSavesTheBestWithTheSearchInItsManifest()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = temp.DemoCorpus(6);
        using CliProcess search = CliProcess.Run(300, temp.Path, "search", "--data", corpus, "--budget-minutes", "5", "--out", "best.rnnrbm", "--json",
            "--max-trials", "4", "--min-epochs", "1", "--max-epochs", "2", "--reduction", "2", "--hidden", "8", "12", "--recurrent", "6", "--cd-k", "1", "--workers", "2");
        Assert.True(search.ExitCode == 0, search.Stderr);
        List<JsonElement> lines = JsonLines(search.Stdout);
        Assert.Contains(lines, l => l.GetProperty("event").GetString() == "info" && l.GetProperty("message").GetString()!.Contains("held out", StringComparison.Ordinal));
        List<JsonElement> trials = [.. lines.Where(l => l.GetProperty("event").GetString() == "trial")];
        Assert.Equal(4, trials.Select(t => t.GetProperty("trial").GetInt32()).Distinct().Count());
        JsonElement summary = Assert.Single(lines, l => l.GetProperty("event").GetString() == "search");
        Assert.Equal(4, summary.GetProperty("trials").GetInt32());
        Assert.Equal("no trial was left to start or continue", summary.GetProperty("stopReason").GetString());
        double best = summary.GetProperty("bestValidLogLikelihood").GetDouble();
        Assert.Equal(trials.Max(t => t.GetProperty("validLogLikelihood").GetDouble()), best);

        RnnRbmModel model = ModelFile.Load(temp["best.rnnrbm"]);
        Assert.NotNull(model.Manifest.Search);
        Assert.Equal(4, model.Manifest.Search!.Trials);
        Assert.Equal(summary.GetProperty("bestTrial").GetInt32(), model.Manifest.Search.BestTrial);
        Assert.Equal([1, 2], model.Manifest.Search.Rungs);
        Assert.Equal(best, model.Manifest.Search.Leaderboard[0].BestValidLogLikelihood);
        Assert.Equal(best, model.Manifest.Stopping!.BestValidLogLikelihood);
        Assert.Equal(summary.GetProperty("bestSettings").GetProperty("hidden").GetInt32(), model.Manifest.Shape.Hidden);
        Assert.DoesNotContain(lines, l => l.GetProperty("event").GetString() == "test"); // no test/ folder: nothing to measure
    }

    [Fact]
    public void Search_OnACorpusWithSplits_ComparesOnValid_AndMeasuresTheBestOnceOnTest()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string files = temp.DemoCorpus(8);
        string corpus = temp["corpus"];
        string[] demo = [.. Directory.GetFiles(files, "*.mid").Order(StringComparer.Ordinal)];
        foreach ((string split, int from, int count) in new[] { ("train", 0, 4), ("valid", 4, 2), ("test", 6, 2) })
        {
            Directory.CreateDirectory(Path.Combine(corpus, split));
            foreach (string file in demo.Skip(from).Take(count))
            {
                File.Copy(file, Path.Combine(corpus, split, Path.GetFileName(file)));
            }
        }
        using CliProcess search = CliProcess.Run(300, temp.Path, "search", "--data", corpus, "--budget-minutes", "5", "--out", "best.rnnrbm", "--json",
            "--max-trials", "2", "--min-epochs", "1", "--max-epochs", "1", "--hidden", "8", "--recurrent", "6", "--cd-k", "1");
        Assert.True(search.ExitCode == 0, search.Stderr);
        List<JsonElement> lines = JsonLines(search.Stdout);
        Assert.Equal(["train", "valid", "test"], lines.Where(l => l.GetProperty("event").GetString() == "corpus").Select(l => l.GetProperty("role").GetString()));
        JsonElement test = Assert.Single(lines, l => l.GetProperty("event").GetString() == "test");
        double ll = test.GetProperty("logLikelihood").GetDouble();
        Assert.True(ll < 0);
        Assert.InRange(test.GetProperty("baselineAccuracy").GetDouble(), 0, 1);
        RnnRbmModel model = ModelFile.Load(temp["best.rnnrbm"]);
        Assert.Equal(ll, model.Manifest.Metrics["test.logLikelihood"]);
        Assert.Equal(test.GetProperty("accuracy").GetDouble(), model.Manifest.Metrics["test.accuracy"]);
    }

    [Theory]
    [InlineData("--budget-minutes", "0", "budgetMinutes must lie in (0,")]
    [InlineData("--reduction", "1", "reduction must lie in [2,")]
    [InlineData("--hidden", "0", "every hidden must lie in")]
    public void Search_WithBadOptions_SaysWhatIsWrong(string option, string value, string expected)
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = temp.DemoCorpus(2);
        string[] args = option == "--budget-minutes"
            ? ["search", "--data", corpus, "--out", "m.rnnrbm", option, value]
            : ["search", "--data", corpus, "--out", "m.rnnrbm", "--budget-minutes", "1", option, value];
        using CliProcess search = CliProcess.Run(temp.Path, args);
        Assert.Equal(1, search.ExitCode);
        Assert.Contains(expected, search.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(temp["m.rnnrbm"]));
    }

    private static List<JsonElement> JsonLines(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
}
