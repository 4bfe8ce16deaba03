using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.Search;
using RnnRbm.Core.Tests.Model;
using RnnRbm.Core.Training;

namespace RnnRbm.Core.Tests.Search;

public class HyperparameterSearchTests
{
    // Small enough for seconds: 4 trials, rungs at 1, 2 and 4 epochs, the best half of each rung goes on.
    private static readonly SearchSpace Space = SearchSpace.Default with
    {
        Hidden = [8, 12], Recurrent = [6], CdK = [1, 2], Momentum = [0.5, 0.9], RbmPretrainEpochs = [0], RnnPretrainEpochs = [0],
        MinEpochs = 1, MaxEpochs = 4, Reduction = 2,
    };

    private static TrainingSets Data() =>
        new(TrainerTests.SmallCorpus(new Random(4)), TrainerTests.SmallCorpus(new Random(6)), TrainingSets.Split);

    [Fact]
    public void ASearch_KeepsTheBestOnValid_AndAContinuedTrialEndsAsAStraightTrainingWould()
    {
        var options = new SearchOptions { Budget = TimeSpan.FromMinutes(10), Workers = 2, ThreadsPerTrial = 1, Seed = 7, MaxTrials = 4 };
        var reports = new List<TrialSummary>();
        var search = new HyperparameterSearch(Space, options, Data(), TrainerTests.Range.Count, NumericsBackend.Select("simd"))
        {
            Progress = t =>
            {
                lock (reports)
                {
                    reports.Add(t);
                }
            },
        };
        SearchResult result = search.Run();

        Assert.Equal("no trial was left to start or continue", result.StopReason);
        Assert.Equal(4, result.Trials.Count);
        Assert.All(result.Trials, t => Assert.NotNull(t.BestValidLogLikelihood));
        // Rung 0 has all four; the best two of them go on to 2 epochs; the better of those to 4.
        Assert.Equal([4, 2, 1, 1], result.Trials.Select(t => t.Epochs).OrderDescending());
        TrialSummary best = result.Best!;
        Assert.Equal(result.Trials.Max(t => t.BestValidLogLikelihood), best.BestValidLogLikelihood);
        Assert.Equal(best, result.Trials[0]);
        Assert.Contains(reports, r => r.State == TrialState.Running);

        // The trial that reached 4 epochs was paused at 1 and 2 and continued from its checkpoints: its model must be
        // what one uninterrupted training with its settings gives.
        TrialSummary longest = result.Trials.Single(t => t.Epochs == 4);
        Assert.Equal(TrialState.Finished, longest.State);
        TrialSettings settings = Space.Sample(options.Seed, longest.Id);
        Assert.Equal(settings, longest.Settings);
        TrainingOptions trialOptions = settings.Options(Space.MaxEpochs, options.Seed + (ulong)longest.Id);
        using var straight = new TrainingLoop(RnnRbmTrainer.InitialParameters(settings.Shape(TrainerTests.Range.Count), trialOptions.Seed), trialOptions,
            search.TrialStopping, NumericsBackend.Select("simd"), Data(), threads: 1);
        while (!straight.Finished)
        {
            straight.RunEpoch();
        }
        Assert.Equal(straight.State.BestValidLogLikelihood, longest.BestValidLogLikelihood);
        if (best.Id == longest.Id)
        {
            Assert.Equal(TrainerTests.Flatten(straight.ResultParameters()), TrainerTests.Flatten(result.BestModel!.Parameters));
            Assert.Equal(4, result.BestModel.EpochsTrained);
        }
        Assert.Equal([.. straight.History.Select(r => r.ValidLogLikelihood).OfType<double>().Select((ll, i) => (i + 1, ll))], longest.Curve);
    }

    [Fact]
    public void TheBudget_CutsTheTrialsInFlight_AndStillKeepsTheBestSoFar()
    {
        var options = new SearchOptions { Budget = TimeSpan.FromSeconds(3), Workers = 1, ThreadsPerTrial = 1, Seed = 7 };
        var search = new HyperparameterSearch(Space with { MaxEpochs = 100_000, MinEpochs = 1 }, options, Data(), TrainerTests.Range.Count, NumericsBackend.Select("simd"));
        SearchResult result = search.Run();
        Assert.StartsWith("the budget of", result.StopReason, StringComparison.Ordinal);
        Assert.NotNull(result.Best);
        Assert.Contains(result.Trials, t => t.State == TrialState.Stopped);
        Assert.Equal(result.Best!.BestValidLogLikelihood, result.Trials.Max(t => t.BestValidLogLikelihood));
    }

    [Fact]
    public void ASearchWithoutValidationData_OrWithABadSpace_IsRefused()
    {
        var options = new SearchOptions { Budget = TimeSpan.FromMinutes(1) };
        var noValid = new TrainingSets(TrainerTests.SmallCorpus(new Random(4)), [], TrainingSets.Split);
        ArgumentException ex = Assert.Throws<ArgumentException>(() => new HyperparameterSearch(Space, options, noValid, TrainerTests.Range.Count, NumericsBackend.Select("simd")));
        Assert.Contains("validation sequences", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => new HyperparameterSearch(Space with { Reduction = 1 }, options with { Workers = 0 }, Data(), TrainerTests.Range.Count, NumericsBackend.Select("simd")));
        Assert.Contains("reduction must lie", ex.Message, StringComparison.Ordinal);
        Assert.Contains("workers must lie", ex.Message, StringComparison.Ordinal);
    }
}
