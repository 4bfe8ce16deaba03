using RnnRbm.Core.Search;
using RnnRbm.Core.Training;

namespace RnnRbm.Core.Tests.Search;

public class SearchSpaceTests
{
    [Fact]
    public void TrialZero_IsTheDefaultRecipe_AndTheOthersAreSeededDrawsInsideTheSpace()
    {
        SearchSpace space = SearchSpace.Default;
        TrialSettings first = space.Sample(1234, 0);
        TrainingRecipe recipe = TrainingRecipe.Default;
        Assert.Equal(new TrialSettings(recipe.Options.LearningRate, recipe.Hidden, recipe.Recurrent, recipe.Options.CdK, recipe.Options.Momentum,
            recipe.Options.RbmPretrainEpochs, recipe.Options.RnnPretrainEpochs), first);
        // The default recipe is the search's winner, so the space holds it whole, its RNN pretraining too.
        Assert.Equal("lr 0.0047, H 100, U 50, CD-25, momentum 0.9, RNN pretraining 10", first.ToString());

        TrialSettings[] draws = [.. Enumerable.Range(1, 200).Select(i => space.Sample(1234, i))];
        Assert.All(draws, d => Assert.True(space.Holds(d), d.ToString()));
        Assert.Equal(draws, Enumerable.Range(1, 200).Select(i => space.Sample(1234, i))); // a function of (seed, index)
        Assert.NotEqual(draws, Enumerable.Range(1, 200).Select(i => space.Sample(99, i)));
        Assert.True(draws.Select(d => d.Hidden).Distinct().Count() == space.Hidden.Count); // every choice comes up
        Assert.InRange(draws.Count(d => d.LearningRate < 0.00224), 60, 140); // log-uniform: the geometric middle halves it
    }

    [Fact]
    public void ASpaceWithoutTheRecipe_DrawsTrialZeroToo()
    {
        SearchSpace space = SearchSpace.Default with { Hidden = [20, 40] };
        Assert.Contains(space.Sample(1, 0).Hidden, space.Hidden);
    }

    [Fact]
    public void Rungs_GrowByTheReduction_UpToTheMaximum()
    {
        Assert.Equal([10, 30, 90, 270, 300], SearchSpace.Default.Rungs());
        Assert.Equal([1, 2, 4], (SearchSpace.Default with { MinEpochs = 1, MaxEpochs = 4, Reduction = 2 }).Rungs());
        Assert.Equal([5], (SearchSpace.Default with { MinEpochs = 5, MaxEpochs = 5 }).Rungs());
    }

    [Fact]
    public void Problems_NameTheField()
    {
        Assert.Empty(SearchSpace.Default.Problems());
        var bad = SearchSpace.Default with { Hidden = [0], CdK = [], MinLearningRate = 0.1, MaxLearningRate = 0.01, Reduction = 1, MinEpochs = 500 };
        IReadOnlyList<string> problems = bad.Problems();
        Assert.Contains(problems, p => p.StartsWith("every hidden must lie in", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("cdK must list 1 to", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("minLearningRate and maxLearningRate", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("reduction must lie in [2,", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("minEpochs must lie in [1, maxEpochs", StringComparison.Ordinal));
        Assert.Contains((SearchSpace.Default with { Momentum = [0.5, 1.5] }).Problems(), p => p.StartsWith("every momentum", StringComparison.Ordinal));
    }
}
