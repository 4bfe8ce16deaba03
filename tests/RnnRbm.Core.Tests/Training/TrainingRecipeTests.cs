using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Training;

namespace RnnRbm.Core.Tests.Training;

public class TrainingRecipeTests
{
    [Fact]
    public void Default_IsTheSearchsWinner_WithEverythingElseAsBefore()
    {
        // docs/training.md, "Recipes": the search's winner on both validation splits, on the previous default's optimiser,
        // state, u0, epochs, early stopping and grid, with parameter averaging over 5 epochs.
        TrainingRecipe recipe = TrainingRecipe.Default;
        Assert.Equal((100, 50), (recipe.Hidden, recipe.Recurrent));
        Assert.Equal(new TrainingOptions
        {
            LearningRate = 0.0047f,
            Momentum = 0.9f,
            CdK = 25,
            BatchSize = 100,
            Epochs = 300,
            CarryState = true,
            LearnU0 = true,
            RbmPretrainEpochs = 0,
            RnnPretrainEpochs = 10,
            AverageEpochs = 5,
        }, recipe.Options);
        Assert.Equal(new EarlyStoppingOptions { Patience = 40, PlateauEpochs = 20 }, recipe.Stopping);
        Assert.Equal(TimeGrid.Eighths, recipe.Grid);
        Assert.Equal(RecurrenceKind.Tanh, recipe.Recurrence);
        Assert.Contains("H 100, U 50, CD-25", recipe.Description, StringComparison.Ordinal);
        Assert.Contains("0.0047 after 10 epochs of RNN pretraining", recipe.Description, StringComparison.Ordinal);
        Assert.Contains("averaged over 5 epochs", recipe.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Quick_KeepsTheSettingsItWasMeasuredWith_WhateverTheDefault()
    {
        // Measured on the demo (TrainingRecipe.Quick's remarks) as the previous default's options with CD-10, lr 0.001 and
        // 150 epochs: no pretraining, although today's default pretrains the RNN.
        TrainingRecipe quick = TrainingRecipe.Quick;
        Assert.Equal((64, 64), (quick.Hidden, quick.Recurrent));
        Assert.Equal(new TrainingOptions
        {
            LearningRate = 0.001f,
            Momentum = 0.9f,
            CdK = 10,
            BatchSize = 100,
            Epochs = 150,
            CarryState = true,
            LearnU0 = true,
        }, quick.Options);
        Assert.Equal(new EarlyStoppingOptions { Patience = 20, PlateauEpochs = 10 }, quick.Stopping);
        Assert.Equal(TimeGrid.Eighths, quick.Grid);
    }
}
