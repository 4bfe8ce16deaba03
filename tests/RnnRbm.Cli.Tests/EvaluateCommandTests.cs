using System.Text.Json;

namespace RnnRbm.Cli.Tests;

public class EvaluateCommandTests
{
    private static readonly string[] TinyModel = ["--hidden", "16", "--recurrent", "8", "--epochs", "1", "--steps-per-quarter", "2", "--cd-k", "2"];
    private static readonly string[] QuickEvaluation = ["--ais-runs", "10", "--ais-steps", "30", "--acc-samples", "2", "--acc-gibbs-k", "3", "--seed", "5", "--backend", "simd"]; // one backend: "auto" measures, and two processes may pick two

    [Fact]
    public void Evaluate_ASmallModel_ReportsLikelihoodAccuracyAndSpeed_TheSameForTheSameSeed()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = TrainTinyModel(temp, files: 2);

        using CliProcess evaluate = CliProcess.Run(temp.Path, ["evaluate", "--model", "m.rnnrbm", "--data", corpus, "--json", .. QuickEvaluation]);
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        List<JsonElement> events = JsonLines(evaluate.Stdout);
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "numerics" && e.GetProperty("backend").GetString()!.Length > 0);
        JsonElement corpusEvent = Assert.Single(events, e => e.GetProperty("event").GetString() == "corpus");
        Assert.Equal(2, corpusEvent.GetProperty("sequences").GetInt32());
        JsonElement result = Assert.Single(events, e => e.GetProperty("event").GetString() == "evaluation");
        double ll = result.GetProperty("logLikelihood").GetDouble();
        Assert.InRange(ll, -70, -1); // 88 units: one epoch of learning leaves it near chance, 88·log ½ = -61
        Assert.InRange(result.GetProperty("standardError").GetDouble(), 0, 1);
        Assert.InRange(result.GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.Equal(corpusEvent.GetProperty("steps").GetInt64(), result.GetProperty("steps").GetInt64());
        Assert.Equal(10, result.GetProperty("aisRuns").GetInt32());
        Assert.Equal(30, result.GetProperty("aisTransitions").GetInt32());
        Assert.True(result.GetProperty("aisGflopPerSecond").GetDouble() > 0);

        using CliProcess again = CliProcess.Run(temp.Path, ["evaluate", "--model", "m.rnnrbm", "--data", corpus, "--json", "--threads", "1", .. QuickEvaluation]);
        Assert.True(again.ExitCode == 0, again.Stderr);
        JsonElement repeat = Assert.Single(JsonLines(again.Stdout), e => e.GetProperty("event").GetString() == "evaluation");
        Assert.Equal(ll, repeat.GetProperty("logLikelihood").GetDouble());
        Assert.Equal(result.GetProperty("accuracy").GetDouble(), repeat.GetProperty("accuracy").GetDouble());

        using CliProcess text = CliProcess.Run(temp.Path, ["evaluate", "--model", "m.rnnrbm", "--data", corpus, .. QuickEvaluation]);
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.Contains("log-likelihood", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("GFLOP/s", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("accuracy", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("numerics:", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void EstimatorBracket_ReportsTheEstimateBoundsRoundsAndCheck_TheSameOnOneThread()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = TrainTinyModel(temp, files: 1);
        string[] bracket = ["evaluate", "--model", "m.rnnrbm", "--data", corpus, "--json", "--no-accuracy", "--estimator", "bracket",
            "--bracket-chains", "4", "--bracket-burn-in", "5", "--bracket-samples", "8", "--bracket-is-samples", "20", "--bracket-doublings", "1",
            "--bracket-tolerance", "1e-9", "--seed", "3", "--backend", "simd"];

        using CliProcess evaluate = CliProcess.Run(temp.Path, bracket);
        using CliProcess single = CliProcess.Run(temp.Path, [.. bracket, "--threads", "1"]);

        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        JsonElement result = Assert.Single(JsonLines(evaluate.Stdout), e => e.GetProperty("event").GetString() == "evaluation");
        Assert.Equal("bracket", result.GetProperty("estimator").GetString());
        double estimate = result.GetProperty("logLikelihood").GetDouble(), lower = result.GetProperty("lowerBound").GetDouble();
        Assert.Equal(estimate - lower, result.GetProperty("bracketGap").GetDouble(), 12);
        JsonElement[] rounds = [.. result.GetProperty("bracketRounds").EnumerateArray()];
        Assert.Equal([4, 8], rounds.Select(r => r.GetProperty("chains").GetInt32()));
        Assert.Equal([8, 16], rounds.Select(r => r.GetProperty("samples").GetInt32()));
        Assert.Equal(estimate, rounds[1].GetProperty("estimate").GetDouble(), 12);
        Assert.Equal(estimate - rounds[0].GetProperty("estimate").GetDouble(), result.GetProperty("bracketShift").GetDouble(), 12);
        Assert.False(result.GetProperty("bracketConverged").GetBoolean()); // a tolerance of 1e-9 cannot be met
        Assert.True(single.ExitCode == 0, single.Stderr);
        Assert.Equal(estimate, Assert.Single(JsonLines(single.Stdout), e => e.GetProperty("event").GetString() == "evaluation").GetProperty("logLikelihood").GetDouble());
    }

    [Fact]
    public void MeasuredSteps_MeasuresASampleOfTheSteps_AndSaysSo()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = TrainTinyModel(temp, files: 1);
        string[] bracket = ["evaluate", "--model", "m.rnnrbm", "--data", corpus, "--no-accuracy", "--estimator", "bracket",
            "--bracket-chains", "4", "--bracket-burn-in", "5", "--bracket-samples", "8", "--bracket-is-samples", "20", "--seed", "3"];

        using CliProcess whole = CliProcess.Run(temp.Path, [.. bracket, "--json"]);
        using CliProcess sampled = CliProcess.Run(temp.Path, [.. bracket, "--json", "--measured-steps", "10"]);
        using CliProcess text = CliProcess.Run(temp.Path, [.. bracket, "--measured-steps", "10"]);
        using CliProcess withAccuracy = CliProcess.Run(temp.Path, ["evaluate", "--model", "m.rnnrbm", "--data", corpus, "--estimator", "bracket", "--measured-steps", "10"]);

        Assert.True(sampled.ExitCode == 0, sampled.Stderr);
        JsonElement all = Assert.Single(JsonLines(whole.Stdout), e => e.GetProperty("event").GetString() == "evaluation");
        JsonElement sample = Assert.Single(JsonLines(sampled.Stdout), e => e.GetProperty("event").GetString() == "evaluation");
        Assert.Equal(JsonValueKind.Null, all.GetProperty("sampledFrom").ValueKind);
        Assert.Equal(10, sample.GetProperty("steps").GetInt64());
        Assert.Equal(all.GetProperty("steps").GetInt64(), sample.GetProperty("sampledFrom").GetInt64());
        Assert.True(double.IsFinite(sample.GetProperty("logLikelihood").GetDouble()));
        Assert.Contains($"10 of their {all.GetProperty("steps").GetInt64():N0} steps (a seeded sample)", text.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, withAccuracy.ExitCode);
        Assert.Contains("the accuracy off", withAccuracy.Stderr + withAccuracy.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void EstimatorBracket_RejectsUnknownEstimatorsAndBadSettings_ByName()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = TrainTinyModel(temp, files: 1);

        using CliProcess unknown = CliProcess.Run(temp.Path, ["evaluate", "--model", "m.rnnrbm", "--data", corpus, "--estimator", "exact"]);
        using CliProcess bad = CliProcess.Run(temp.Path, ["evaluate", "--model", "m.rnnrbm", "--data", corpus, "--estimator", "bracket", "--bracket-chains", "3", "--bracket-samples", "10"]);

        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("--estimator is ais or bracket", unknown.Stderr + unknown.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("multiple of the chains", bad.Stderr + bad.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void AisCheck_MeasuresAgainWithTwiceTheTransitions_AndReportsTheShift()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = TrainTinyModel(temp, files: 1);

        using CliProcess evaluate = CliProcess.Run(temp.Path,
            ["evaluate", "--model", "m.rnnrbm", "--data", corpus, "--json", "--no-accuracy", "--ais-check", "--ais-runs", "10", "--ais-steps", "20", "--seed", "3"]);
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        List<JsonElement> events = JsonLines(evaluate.Stdout);
        double first = Assert.Single(events, e => e.GetProperty("event").GetString() == "evaluation").GetProperty("logLikelihood").GetDouble();
        JsonElement check = Assert.Single(events, e => e.GetProperty("event").GetString() == "aisCheck");
        Assert.Equal(40, check.GetProperty("aisTransitions").GetInt32());
        double second = check.GetProperty("logLikelihood").GetDouble();
        Assert.NotEqual(first, second); // really measured again, with another schedule
        Assert.Equal(second - first, check.GetProperty("shift").GetDouble(), 12);
        Assert.Equal(Math.Abs(second - first) < 0.01, check.GetProperty("converged").GetBoolean());
    }

    [Fact]
    public void Evaluate_WithoutAisSteps_SearchesForAConvergedSchedule_AndReportsTheFloors_FromTheSiblingTrainSplit()
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string train = temp.DemoCorpus(2, Path.Combine("music", "train"));
        string test = temp.DemoCorpus(1, Path.Combine("music", "test"));
        using CliProcess trained = CliProcess.Run(temp.Path, ["train", "--data", train, "--out", "m.rnnrbm", .. TinyModel]);
        Assert.True(trained.ExitCode == 0, trained.Stderr);

        using CliProcess evaluate = CliProcess.Run(temp.Path,
            ["evaluate", "--model", "m.rnnrbm", "--data", test, "--json", "--ais-runs", "4", "--ais-max-steps", "400", "--acc-samples", "2", "--acc-gibbs-k", "3"]);
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        JsonElement result = Assert.Single(JsonLines(evaluate.Stdout), e => e.GetProperty("event").GetString() == "evaluation");
        bool converged = result.GetProperty("aisConverged").GetBoolean();
        double shift = result.GetProperty("aisShift").GetDouble();
        Assert.Equal(Math.Abs(shift) < 0.01, converged);
        Assert.StartsWith("sm 100→", result.GetProperty("aisSchedule").GetString(), StringComparison.Ordinal);
        JsonElement rounds = result.GetProperty("aisRounds");
        Assert.True(rounds.GetArrayLength() >= 2);
        Assert.Equal(shift, rounds[rounds.GetArrayLength() - 1].GetProperty("shift").GetDouble(), 12);
        Assert.InRange(result.GetProperty("accuracyDeterministic").GetDouble(), 0, 1);
        Assert.InRange(result.GetProperty("baselineAccuracy").GetDouble(), 0, 1);
        Assert.True(result.GetProperty("baselineLogLikelihood").GetDouble() < 0);
        Assert.Equal(JsonValueKind.Null, result.GetProperty("baselineLogLikelihoodReason").ValueKind);
        Assert.EndsWith("train", result.GetProperty("trainData").GetString(), StringComparison.Ordinal);

        // A folder not named valid or test: no training split to fit the floor on, and the JSON says so.
        string loose = temp.DemoCorpus(1, "loose");
        using CliProcess alone = CliProcess.Run(temp.Path,
            ["evaluate", "--model", "m.rnnrbm", "--data", loose, "--json", "--no-accuracy", .. QuickEvaluation]);
        Assert.True(alone.ExitCode == 0, alone.Stderr);
        JsonElement plain = Assert.Single(JsonLines(alone.Stdout), e => e.GetProperty("event").GetString() == "evaluation");
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("baselineLogLikelihood").ValueKind);
        Assert.Contains("--train-data", plain.GetProperty("baselineLogLikelihoodReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("aisConverged").ValueKind); // an explicit schedule is not checked
    }

    [Theory]
    [InlineData("--ais-runs", "0", "AIS runs")]
    [InlineData("--ais-schedule", "cosine", "cosine")]
    [InlineData("--acc-start", "middle", "--acc-start")]
    [InlineData("--ais-tolerance", "0", "tolerance")]
    [InlineData("--ais-check", "true", "--ais-check needs --ais-steps")]
    public void Evaluate_WithBadOptions_SaysWhatIsWrong(string option, string value, string expected)
    {
        using var temp = new TempFolder("rnnrbm-cli-tests-");
        string corpus = TrainTinyModel(temp, files: 1);
        using CliProcess evaluate = CliProcess.Run(temp.Path, "evaluate", "--model", "m.rnnrbm", "--data", corpus, option, value);
        Assert.Equal(1, evaluate.ExitCode);
        Assert.Contains(expected, evaluate.Stderr, StringComparison.Ordinal);
    }

    private static List<JsonElement> JsonLines(string stdout) =>
        [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    // A tiny model m.rnnrbm trained in the folder on `files` demo tunes; returns the corpus folder.
    private static string TrainTinyModel(TempFolder temp, int files)
    {
        string corpus = temp.DemoCorpus(files);
        using CliProcess train = CliProcess.Run(temp.Path, ["train", "--data", corpus, "--out", "m.rnnrbm", .. TinyModel]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        return corpus;
    }
}
