using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Tests.Model;
using RnnRbm.Core.Training;

namespace RnnRbm.Core.Tests.Training;

public class TrainingLoopTests
{
    private static readonly ModelShape Shape = new(TrainerTests.Range.Count, 12, 10);
    private static readonly TrainingOptions Options = new() { Seed = 3, BatchSize = 16, CdK = 2, Epochs = 12 };

    [Fact]
    public void KeepsTheBestValidatedEpoch_AndStopsAfterPatience()
    {
        // Validation every epoch: better up to epoch 3, then flat and worse. Patience 4 stops at epoch 7, keeping epoch 3.
        var validation = new ScriptedValidation(-5.0, -4.0, -3.0, -3.2, -3.1, -3.3, -3.05, -2.0);
        using var loop = Loop(validation, new EarlyStoppingOptions { ValidateEvery = 1, Patience = 4 });
        RnnRbmParameters? atEpoch3 = null;
        while (!loop.Finished)
        {
            LoopEpoch step = loop.RunEpoch();
            if (step.Record?.Epoch == 3)
            {
                atEpoch3 = loop.Trainer.Parameters.Clone();
            }
        }
        Assert.Equal(7, loop.EpochsCompleted);
        Assert.Equal(3, loop.ResultEpoch);
        Assert.Equal(TrainerTests.Flatten(atEpoch3!), TrainerTests.Flatten(loop.ResultParameters()));
        Assert.NotEqual(TrainerTests.Flatten(atEpoch3!), TrainerTests.Flatten(loop.Trainer.Parameters));
        StoppingInfo state = loop.State;
        Assert.Equal(3, state.BestEpoch);
        Assert.Equal(-3.0, state.BestValidLogLikelihood);
        Assert.Equal(3, state.KeptEpoch);
        Assert.Contains("not improved for 4 epochs", state.StopReason, StringComparison.Ordinal);
        Assert.Equal([-5.0, -4.0, -3.0, -3.2, -3.1, -3.3, -3.05], loop.History.Select(r => r.ValidLogLikelihood!.Value));
        TrainingEvent stopped = Assert.Single(loop.Events, e => e.Kind == "stopped");
        Assert.Contains("keeps epoch 3", stopped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plateau_GoesBackToTheBest_AtHalfTheRate_AndAgainAfterTheNextPlateau_ThenPatienceStops()
    {
        // Best at epoch 2; plateau 2: cut at epoch 4 (back to epoch 2's parameters, rate × 0.5), again at epoch 6 (× 0.25);
        // an improvement at epoch 7 resets the count; patience 5 stops at epoch 12 (five epochs after 7), after a third cut at 9 and a fourth at 11.
        var validation = new ScriptedValidation(-4.0, -3.0, -3.1, -3.2, -3.05, -3.1, -2.9, -3.0, -3.0, -3.0, -3.0, -3.0);
        using var loop = Loop(validation, new EarlyStoppingOptions { ValidateEvery = 1, Patience = 5, PlateauEpochs = 2 });
        float[]? atEpoch2 = null;
        var rates = new List<float>();
        while (!loop.Finished)
        {
            LoopEpoch step = loop.RunEpoch();
            rates.Add((float)step.Record!.LearningRate!.Value);
            if (step.Record.Epoch == 2)
            {
                atEpoch2 = TrainerTests.Flatten(loop.Trainer.Parameters);
            }
            if (step.Record.Epoch == 4)
            {
                Assert.Equal(atEpoch2, TrainerTests.Flatten(loop.Trainer.Parameters)); // back at the best epoch
            }
        }
        float lr = Options.LearningRate;
        Assert.Equal([lr, lr, lr, lr, lr / 2, lr / 2, lr / 4, lr / 4, lr / 4, lr / 8, lr / 8, lr / 16], rates);
        Assert.Equal([4, 6, 9, 11], loop.Events.Where(e => e.Kind == "plateau").Select(e => e.Epoch));
        Assert.Contains("back at epoch 2 (-3.0000 nats per step)", loop.Events.First(e => e.Kind == "plateau").Message, StringComparison.Ordinal);
        Assert.Equal(12, loop.EpochsCompleted);
        Assert.Equal(7, loop.ResultEpoch);
        Assert.Equal(4, loop.State.Cuts);
        Assert.Equal(11, loop.State.LastCutEpoch);
        Assert.Equal(0, loop.State.Rollbacks);
    }

    [Fact]
    public void AutomaticCadence_WithAPlateauRule_ValidatesTwicePerPlateau_SoOneWorseReadingDoesNotCutTheRate()
    {
        // Plateau 4, automatic cadence: validations every 2 epochs (1, 3, 5, ...), whatever the timing. Best at 3; the
        // worse reading at 5 alone does not cut; the second at 7 (four epochs after the best) does; 9 is a new best; the
        // last planned epoch (12) is validated too.
        var validation = new ScriptedValidation(-4.0, -3.0, -3.1, -3.2, -2.9, -3.0, -3.0);
        using var loop = Loop(validation, new EarlyStoppingOptions { ValidateEvery = 0, Patience = 30, PlateauEpochs = 4 });
        while (!loop.Finished)
        {
            loop.RunEpoch();
        }
        Assert.Equal([1, 3, 5, 7, 9, 11, 12], loop.History.Where(r => r.ValidLogLikelihood is not null).Select(r => r.Epoch));
        Assert.Equal([7], loop.Events.Where(e => e.Kind == "plateau").Select(e => e.Epoch));
        Assert.Equal(9, loop.ResultEpoch);
    }

    [Theory]
    [InlineData(LikelihoodEstimator.Bracket)]
    [InlineData(LikelihoodEstimator.Ais)]
    public void TheBracketsCheck_RunsEveryFewValidations_AndTheOthersReadOnItsScale(LikelihoodEstimator estimator)
    {
        // The first pass reads 0.2 nats high; a check finds that move. With CheckEvery 3 the bracket checks validations
        // 1, 4 and 7 and adds the last check's move to the others, so every reading is on the checked scale; AIS always checks.
        double[] truth = [-4.0, -3.5, -3.4, -3.3, -3.35, -3.2, -3.1];
        var validation = new FirstPassValidation(truth, 0.2);
        using var loop = Loop(validation, new EarlyStoppingOptions { ValidateEvery = 1, Patience = 0, CheckEvery = 3, Estimator = estimator });
        for (int epoch = 0; epoch < truth.Length; epoch++)
        {
            loop.RunEpoch();
        }
        bool bracket = estimator == LikelihoodEstimator.Bracket;
        Assert.Equal(bracket ? [true, false, false, true, false, false, true] : truth.Select(_ => true), validation.Checks);
        Assert.Equal(truth, loop.History.Select(r => Math.Round(r.ValidLogLikelihood!.Value, 10)));
        Assert.Equal(bracket ? [true, null, null, true, null, null, true] : truth.Select(_ => (bool?)true), loop.History.Select(r => r.ValidConverged));
        Assert.Equal(7, loop.State.BestEpoch);
        Assert.Equal(7, loop.State.Validations);
        Assert.Equal(-0.2, loop.State.CheckShift!.Value, 10);
        Assert.Equal(bracket, loop.Events[0].Message.Contains("every 3 validations", StringComparison.Ordinal));
    }

    [Fact]
    public void TheBracketsChains_FollowTheChecks_AndTheReadingsBetweenChecksUseTheLastChecksChains()
    {
        // CheckEvery 2, tolerance 0.01: checks at validations 1, 3, 5, 7, 9, 11. Check 1's first pass closes its CSL gap
        // (no doubling, no measured move): the chains stay. Checks 3 and 5 move the estimate by 0.0001 (below 5% of the
        // tolerance): the next check halves its chains, 100 → 50 → 25, and no further. Check 9 moves it by 0.02 (above
        // the tolerance): the next check doubles them, and check 11 halves them again. The readings in between use the
        // chains of the check before them, whose move they add.
        double[] truth = [-4.1, -4.05, -4.0, -3.9, -3.8, -3.7, -3.6, -3.5, -3.4, -3.3, -3.2, -3.1];
        var validation = new FirstPassValidation(truth, 0.0001) { Moves = i => i switch { 0 => double.NaN, 8 => -0.02, _ => -0.0001 } };
        using var loop = Loop(validation, new EarlyStoppingOptions { ValidateEvery = 1, Patience = 0, CheckEvery = 2 });
        for (int epoch = 0; epoch < truth.Length; epoch++)
        {
            loop.RunEpoch();
        }
        Assert.Equal([true, false, true, false, true, false, true, false, true, false, true, false], validation.Checks);
        Assert.Equal([100, 100, 100, 100, 50, 50, 25, 25, 25, 25, 50, 50], validation.Chains);
        Assert.Equal(25, loop.State.CheckChains); // check 11 moved it by 0.0001 again
        Assert.Equal(50, loop.State.ShiftChains);
        Assert.Equal(4, loop.Events.Count(e => e.Kind == "note" && e.Message.Contains("the next check runs at", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheValidationSubset_HasTenSequencesWhenTheSplitHasThem_UnlessTheyAreTooLong()
    {
        // Forty pieces of 500 steps: 3,000 steps would be 6 of them; the subset takes 10 (5,000 steps, under 4 × 3,000).
        PianoRoll[] pieces = [.. Enumerable.Range(0, 40).Select(_ => new PianoRoll(500, PitchRange.Piano))];
        Assert.Equal(10, ValidationLikelihood.ChooseSubset(pieces, 3000, 1234).Count);
        // Short tunes: the steps decide (30 of 100 steps).
        PianoRoll[] tunes = [.. Enumerable.Range(0, 40).Select(_ => new PianoRoll(100, PitchRange.Piano))];
        Assert.Equal(30, ValidationLikelihood.ChooseSubset(tunes, 3000, 1234).Count);
        // Very long pieces: the subset stops at 4 × 3,000 steps (5 pieces of 2,500) rather than take 10.
        PianoRoll[] symphonies = [.. Enumerable.Range(0, 40).Select(_ => new PianoRoll(2500, PitchRange.Piano))];
        Assert.Equal(5, ValidationLikelihood.ChooseSubset(symphonies, 3000, 1234).Count);
        // A split with fewer sequences: all of them.
        Assert.Equal(4, ValidationLikelihood.ChooseSubset(pieces[..4], 3000, 1234).Count);
    }

    [Fact]
    public void SampledValidationSteps_ComeFromEverySequence()
    {
        PianoRoll[] pieces = [.. Enumerable.Range(0, 12).Select(i => new PianoRoll(i == 3 ? 0 : 700, PitchRange.Piano))];
        var options = new EarlyStoppingOptions { SampleSteps = true, ValidationSteps = 3000 };
        var validation = new ValidationLikelihood(pieces, options, NumericsBackend.Select(null), 1);
        Assert.Equal((11, 3000), (validation.Sequences, validation.Steps)); // every non-empty piece, 3,000 of their 7,700 steps
        var whole = new ValidationLikelihood(pieces, options with { ValidationSteps = 9000 }, NumericsBackend.Select(null), 1);
        Assert.Equal((11, 7700), (whole.Sequences, whole.Steps)); // fewer steps than asked: all of them
        Assert.Contains((options with { Estimator = LikelihoodEstimator.Ais }).Problems(), p => p.Contains("bracket", StringComparison.Ordinal));
        Assert.Empty(options.Problems());
    }

    [Fact]
    public void ACheckedReadingThatIsNotFinite_RollsBack_AndTheUncheckedOnesAfterItKeepTheLastFiniteMove()
    {
        // CheckEvery 2: validation 3 is checked and reads NaN (its move NaN too): one roll-back. Validation 4 is not
        // checked and must read on the last finite move's scale, not NaN (which would roll back again).
        double[] truth = [-4.0, -3.5, double.NaN, -3.4];
        var validation = new FirstPassValidation(truth, 0.2);
        using var loop = Loop(validation, new EarlyStoppingOptions { ValidateEvery = 1, Patience = 0, CheckEvery = 2 });
        for (int epoch = 0; epoch < truth.Length; epoch++)
        {
            loop.RunEpoch();
        }
        Assert.Equal([true, false, true, false], validation.Checks);
        Assert.Equal(1, loop.State.Rollbacks);
        Assert.Equal(-3.4, loop.History[3].ValidLogLikelihood!.Value, 10);
        Assert.Equal(4, loop.State.BestEpoch);
    }

    [Fact]
    public void SharpDrop_RollsBackToTheBest_AndHalvesTheLearningRate()
    {
        var validation = new ScriptedValidation(-4.0, -3.0, -9.0, -2.9);
        using var loop = Loop(validation, new EarlyStoppingOptions { ValidateEvery = 1, Patience = 0, DivergenceDrop = 1.0 });
        loop.RunEpoch();
        loop.RunEpoch();
        float[] best = TrainerTests.Flatten(loop.Trainer.Parameters);
        LoopEpoch dropped = loop.RunEpoch();
        TrainingEvent rollback = Assert.Single(dropped.Events);
        Assert.Equal("rollback", rollback.Kind);
        Assert.Contains("fell from -3.0000 (epoch 2) to -9.0000", rollback.Message, StringComparison.Ordinal);
        Assert.Equal(best, TrainerTests.Flatten(loop.Trainer.Parameters)); // back at epoch 2
        Assert.Equal(0.5f, loop.Trainer.LearningRateScale);
        LoopEpoch next = loop.RunEpoch();
        Assert.Equal(Options.LearningRate * 0.5f, (float)next.Record!.LearningRate!.Value);
        Assert.Equal(4, loop.State.BestEpoch); // -2.9 beats -3.0
        Assert.Equal(1, loop.State.Rollbacks);
    }

    [Fact]
    public void ARollback_StartsTheNextPlateauWindow_AsACutDoes()
    {
        // Best at 2; a sharp drop at 3 rolls back (rate × 0.5). Plateau 2 counts from the roll-back, not from the best
        // epoch: no cut at 4 (one epoch at the new rate), a cut at 5 (× 0.25).
        var validation = new ScriptedValidation(-4.0, -3.0, -9.0, -3.1, -3.2, -3.1);
        using var loop = Loop(validation, new EarlyStoppingOptions { ValidateEvery = 1, Patience = 0, PlateauEpochs = 2, DivergenceDrop = 1.0 });
        var rates = new List<float>();
        for (int epoch = 0; epoch < 6; epoch++)
        {
            rates.Add((float)loop.RunEpoch().Record!.LearningRate!.Value);
        }
        float lr = Options.LearningRate;
        Assert.Equal([lr, lr, lr, lr / 2, lr / 2, lr / 4], rates);
        Assert.Equal([3], loop.Events.Where(e => e.Kind == "rollback").Select(e => e.Epoch));
        Assert.Equal([5], loop.Events.Where(e => e.Kind == "plateau").Select(e => e.Epoch));
        Assert.Equal(5, loop.State.LastCutEpoch);
    }

    [Fact]
    public void TooManyRollbacks_StopTheTraining_KeepingTheBest()
    {
        var validation = new ScriptedValidation(-3.0, double.NaN, double.NaN);
        using var loop = Loop(validation, new EarlyStoppingOptions { ValidateEvery = 1, MaxRollbacks = 1 });
        while (!loop.Finished)
        {
            loop.RunEpoch();
        }
        Assert.Equal(3, loop.EpochsCompleted);
        Assert.Equal(2, loop.State.Rollbacks);
        Assert.Contains("diverged 2 times", loop.State.StopReason, StringComparison.Ordinal);
        Assert.Equal(1, loop.ResultEpoch);
    }

    [Fact]
    public void TheNextSearch_StartsOneDoublingBelowWhereTheLastEnded_AndAnUnconvergedEstimateIsSaidOnce()
    {
        var validation = new ScriptedValidation(-3.0, -2.5, -2.4, -2.3) { ConvergedFrom = 4, FinalSteps = k => 8 * k };
        using var loop = Loop(validation, new EarlyStoppingOptions { ValidateEvery = 1, AisSteps = 100, MaxAisSteps = 6400 });
        loop.RunEpoch(); // converged (the first): ended at 800, so the next search starts at 400
        LoopEpoch second = loop.RunEpoch(); // not converged: ended at 3200 → next 1600, and the event
        LoopEpoch third = loop.RunEpoch(); // not converged again: ended at 12800 → next clamped to 3200; no second event
        Assert.Equal([100, 400, 1600], validation.Schedules);
        Assert.Single(loop.Events, e => e.Kind == "schedule");
        Assert.Contains(second.Events, e => e.Kind == "schedule" && e.Message.Contains("had not converged at 3200", StringComparison.Ordinal));
        Assert.Empty(third.Events);
        Assert.Equal(3200, loop.State.AisSteps);
        Assert.Equal(3, loop.State.BestEpoch); // -2.4 is the best so far
        Assert.Equal([true, false, false], loop.History.Select(r => r.ValidConverged!.Value));
    }

    [Theory]
    [InlineData(LikelihoodEstimator.Bracket)]
    [InlineData(LikelihoodEstimator.Ais)]
    public void Resume_FromCheckpoint_ContinuesExactly_WithTheRealEstimate(LikelihoodEstimator estimator)
    {
        PianoRoll[] train = TrainerTests.SmallCorpus(new Random(4));
        PianoRoll[] valid = TrainerTests.SmallCorpus(new Random(6));
        var sets = new TrainingSets(train, valid, TrainingSets.Split);
        var options = Options with { Epochs = 4 };
        var stopping = new EarlyStoppingOptions { ValidateEvery = 2, AisRuns = 2, AisSteps = 10, ValidationSteps = 40, Estimator = estimator };
        NumericsBackend backend = NumericsBackend.Select(null);

        using var straight = new TrainingLoop(RnnRbmTrainer.InitialParameters(Shape, options.Seed), options, stopping, backend, sets);
        while (!straight.Finished)
        {
            straight.RunEpoch();
        }

        RnnRbmParameters parameters = RnnRbmTrainer.InitialParameters(Shape, options.Seed);
        TrainingResume checkpoint;
        using (var first = new TrainingLoop(parameters, options, stopping, backend, sets))
        {
            first.RunEpoch();
            first.RunEpoch();
            first.RunEpoch();
            checkpoint = first.Checkpoint();
        }
        using var second = new TrainingLoop(parameters.Clone(), options, stopping, backend, sets, resume: checkpoint);
        while (!second.Finished)
        {
            second.RunEpoch();
        }
        Assert.Equal(TrainerTests.Flatten(straight.ResultParameters()), TrainerTests.Flatten(second.ResultParameters()));
        Assert.Equal(straight.History.Select(r => r.ValidLogLikelihood), second.History.Select(r => r.ValidLogLikelihood));
        Assert.Equal(straight.State.BestEpoch, second.State.BestEpoch);
        Assert.True(straight.History[1].ValidLogLikelihood is double ll && double.IsFinite(ll) && ll < 0);
        Assert.Null(straight.History[0].ValidLogLikelihood); // every 2 epochs
        Assert.Equal(estimator == LikelihoodEstimator.Ais, straight.History[1].ValidAisSteps is not null);
        Assert.Contains(estimator == LikelihoodEstimator.Bracket ? "bracket" : "AIS", straight.Events[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBracketAndAisValidationEstimates_AgreeOnATrainedModel()
    {
        PianoRoll[] train = TrainerTests.SmallCorpus(new Random(4));
        PianoRoll[] valid = TrainerTests.SmallCorpus(new Random(6));
        NumericsBackend backend = NumericsBackend.Select(null);
        var trainer = new RnnRbmTrainer(RnnRbmTrainer.InitialParameters(Shape, Options.Seed), Options with { Epochs = 6 }, backend);
        for (int epoch = 0; epoch < 6; epoch++)
        {
            trainer.TrainEpoch(train);
        }
        var common = new EarlyStoppingOptions { ValidationSteps = 200, AisRuns = 8, AisSteps = 100 };
        ValidationEstimate bracket = new ValidationLikelihood(valid, common, backend, 0).Measure(trainer.Parameters, common.AisSteps);
        ValidationEstimate ais = new ValidationLikelihood(valid, common with { Estimator = LikelihoodEstimator.Ais }, backend, 0)
            .Measure(trainer.Parameters, common.AisSteps);
        Assert.True(bracket.Converged && ais.Converged, $"bracket {bracket}, AIS {ais}");
        Assert.Null(bracket.AisSteps);
        Assert.NotNull(ais.AisSteps);
        Assert.InRange(bracket.LogLikelihood, ais.LogLikelihood - 0.02, ais.LogLikelihood + 0.02);
        Assert.True(bracket.LogLikelihood < -1, $"a 12-hidden model after 6 epochs is far from deterministic: {bracket.LogLikelihood}");
    }

    [Fact]
    public void NoValidSplit_HoldsOutASeededTenth()
    {
        PianoRoll[] train = [.. Enumerable.Range(0, 20).SelectMany(i => TrainerTests.SmallCorpus(new Random(i)).Take(1))];
        TrainingSets sets = TrainingSets.Of(train, null, 11);
        Assert.Equal(TrainingSets.HeldOut, sets.ValidSource);
        Assert.Equal(2, sets.Valid.Count);
        Assert.Equal(18, sets.Train.Count);
        Assert.Empty(sets.Train.Intersect(sets.Valid));
        Assert.Equal(sets.Valid, TrainingSets.Of(train, [], 11).Valid); // seeded: the same files again
        Assert.Equal(TrainingSets.Split, TrainingSets.Of(train, train[..3], 11).ValidSource);
        Assert.Empty(TrainingSets.Of(train[..1], null, 11).Valid);
    }

    private static TrainingLoop Loop(IValidationEstimator validation, EarlyStoppingOptions stopping)
    {
        PianoRoll[] train = TrainerTests.SmallCorpus(new Random(4));
        var sets = new TrainingSets(train, TrainerTests.SmallCorpus(new Random(6)), TrainingSets.Split);
        return new TrainingLoop(RnnRbmTrainer.InitialParameters(Shape, Options.Seed), Options, stopping, NumericsBackend.Select(null), sets,
            threads: 0, resume: null, validation);
    }

    /// <summary>Returns the true values in order; a measurement without the check reads <c>bias</c> higher, as a first pass does.</summary>
    private sealed class FirstPassValidation(double[] values, double bias) : IValidationEstimator
    {
        public List<bool> Checks { get; } = [];

        public List<int> Chains { get; } = [];

        /// <summary>
        /// The move each check reports (by default −bias: the first pass reads bias high); NaN for a first pass that closed
        /// its CSL gap, so that no doubling ran (move 0, not <see cref="ValidationEstimate.Doubled"/>).
        /// </summary>
        public Func<int, double>? Moves { get; init; }

        public int Steps => 100;

        public int Sequences => 2;

        public ValidationEstimate Measure(RnnRbmParameters parameters, int aisSteps, bool check = true,
            int chains = EarlyStoppingOptions.MostBracketChains, CancellationToken cancellation = default)
        {
            double value = values[Checks.Count];
            Checks.Add(check);
            Chains.Add(chains);
            double move = Moves?.Invoke(Checks.Count - 1) ?? -bias;
            bool doubled = !double.IsNaN(move);
            return check
                ? new ValidationEstimate(value, !double.IsFinite(value) ? double.NaN : doubled ? move : 0, double.IsFinite(value), null, 0.01,
                    Doubled: doubled)
                : new ValidationEstimate(value + bias, 0, false, null, 0.01, Checked: false);
        }
    }

    /// <summary>Returns the scripted values in order, one per measurement, converged from measurement ConvergedFrom on (and the first).</summary>
    private sealed class ScriptedValidation(params double[] values) : IValidationEstimator
    {
        private int _next;

        public int ConvergedFrom { get; init; }

        public Func<int, int> FinalSteps { get; init; } = k => 2 * k;

        public List<int> Schedules { get; } = [];

        public int Steps => 100;

        public int Sequences => 2;

        public ValidationEstimate Measure(RnnRbmParameters parameters, int aisSteps, bool check = true,
            int chains = EarlyStoppingOptions.MostBracketChains, CancellationToken cancellation = default)
        {
            Schedules.Add(aisSteps);
            int index = _next++;
            bool converged = index == 0 || index >= ConvergedFrom;
            return new ValidationEstimate(values[index], converged ? 0 : 0.5, converged, FinalSteps(aisSteps), 0.01);
        }
    }
}
