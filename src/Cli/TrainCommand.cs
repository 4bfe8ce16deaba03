using System.CommandLine;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Training;

namespace RnnRbm.Cli;

/// <summary><c>rnnrbm train</c>: learn a model from a folder or zip of MIDI files; Ctrl+C saves what was learned.</summary>
internal static class TrainCommand
{
    public static Command Create(Option<bool> json)
    {
        var common = new CommonOptions();
        var data = new Option<string>("--data") { Description = "Folder of MIDI files, or a .zip. A folder with train/ (and valid/) subfolders trains on train/ and monitors valid/.", Required = true };
        var validData = new Option<string?>("--valid-data") { Description = "MIDI files to measure the monitor on after each epoch (default: the data's valid/ folder, if any)." };
        var recipe = new Option<string>("--recipe") { Description = $"Where every default below comes from: {TrainingRecipe.Names}. 'default' is the project's general recipe (docs/results.md); 'seed' is the tutorial's exactly; 'quick' a first model in a few minutes on a small corpus.", DefaultValueFactory = _ => TrainingRecipe.Default.Name };
        var hidden = new Option<int?>("--hidden") { Description = $"H, hidden units of each RBM, in {TrainingLimits.Hidden.Interval()} (recipe: {TrainingRecipe.Default.Hidden}, seed {TrainingRecipe.Seed.Hidden})." };
        var recurrent = new Option<int?>("--recurrent") { Description = $"U, hidden units of the RNN, in {TrainingLimits.Recurrent.Interval()} (recipe: {TrainingRecipe.Default.Recurrent}, seed {TrainingRecipe.Seed.Recurrent})." };
        var learningRate = new Option<float?>("--learning-rate") { Description = $"SGD learning rate, in {TrainingLimits.LearningRate.Interval()} (recipe: {TrainingRecipe.Default.Options.LearningRate} with momentum {TrainingRecipe.Default.Options.Momentum}; seed {TrainingRecipe.Seed.Options.LearningRate})." };
        var batchSize = new Option<int?>("--batch-size") { Description = $"Longest chunk of steps per update, in {TrainingLimits.BatchSize.Interval()} (recipe: {TrainingRecipe.Default.Options.BatchSize})." };
        var momentum = new Option<float?>("--momentum") { Description = $"Nesterov momentum coefficient, in {TrainingLimits.Momentum.Interval()} (0 = plain SGD, the seed's)." };
        var decay = new Option<float?>("--learning-rate-decay") { Description = $"Epoch e learns at learning-rate·decay^(e-1), decay in {TrainingLimits.LearningRateDecay.Interval()} (1 = constant)." };
        var clipNorm = new Option<float?>("--clip-norm") { Description = $"Scale each update's gradient down to this L2 norm when it is larger, in {TrainingLimits.ClipNorm.Interval()} (0 = off)." };
        var cdK = new Option<int?>("--cd-k") { Description = $"Gibbs steps of contrastive divergence, in {TrainingLimits.CdK.Interval()} (recipe: {TrainingRecipe.Default.Options.CdK}, seed {TrainingRecipe.Seed.Options.CdK})." };
        var learnU0 = new Option<bool?>("--learn-u0") { Description = "Learn the RNN's initial state u0 (false: u0 = 0, the seed)." };
        var carryState = new Option<bool?>("--carry-state") { Description = "Carry the RNN state across the chunks of a sequence (truncated BPTT; false: each chunk restarts from u0, the seed)." };
        var transpose = new Option<int?>("--transpose") { Description = $"Shift each training sequence by a random number of semitones in [-N, N], among the shifts that keep its notes in range (0 = off; N in {TrainingLimits.Transpose.Interval()})." };
        var rbmPretrain = new Option<int?>("--rbm-pretrain-epochs") { Description = $"Before epoch 1, train W, bv, bh as a plain RBM on shuffled frames for N epochs, N in {TrainingLimits.RbmPretrainEpochs.Interval()} (the paper's initialisation; 0 = off)." };
        var rnnPretrain = new Option<int?>("--rnn-pretrain-epochs") { Description = $"Before epoch 1 (after RBM pretraining), train the RNN to predict each frame by cross-entropy for N epochs, N in {TrainingLimits.RnnPretrainEpochs.Interval()} (the paper's; 0 = off; recipe: {TrainingRecipe.Default.Options.RnnPretrainEpochs}, seed {TrainingRecipe.Seed.Options.RnnPretrainEpochs})." };
        var averageDecay = new Option<float?>("--average-decay") { Description = $"Validate and save a moving average of the parameters over about 1/(1 - decay) updates, decay in {TrainingLimits.AverageDecay.Interval()} (0 = off; recipe: {TrainingRecipe.Default.Options.AverageDecay}); giving it replaces the recipe's --average-epochs." };
        var averageEpochs = new Option<float?>("--average-epochs") { Description = $"Validate and save a moving average of the parameters over about this many epochs, in {TrainingLimits.AverageEpochs.Interval()} (0 = off; recipe: {TrainingRecipe.Default.Options.AverageEpochs}); giving --average-decay instead replaces it." };
        var pretrainRate = new Option<float?>("--pretrain-learning-rate") { Description = $"SGD learning rate of both pretrainings, in {TrainingLimits.PretrainLearningRate.Interval()}." };
        var epochs = new Option<int?>("--epochs") { Description = $"Most passes over the training data, in {TrainingLimits.Epochs.Interval()} (early stopping may end sooner)." };
        var recurrenceKind = new Option<string?>("--recurrence") { Description = "The RNN's recurrence: tanh (the paper's) or gru (a gated recurrent unit)." };
        recurrenceKind.AcceptOnlyFromAmong("tanh", "gru");
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice.", DefaultValueFactory = _ => 1234 };
        var threads = new Option<int>("--threads") { Description = "Threads for one update (0 = as many as help, at most 2). Results do not depend on it.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Where to write the model file.", Required = true };
        var patience = new Option<int?>("--patience") { Description = $"Stop after this many epochs without a better validation log-likelihood, in {TrainingLimits.Patience.Interval()} (0 = never stop early; recipe: {TrainingRecipe.Default.Stopping.Patience}, seed {TrainingRecipe.Seed.Stopping.Patience})." };
        var plateau = new Option<int?>("--plateau") { Description = $"After this many epochs without a better validation log-likelihood, go back to the best epoch and halve the learning rate (0 = never; recipe: {TrainingRecipe.Default.Stopping.PlateauEpochs}, seed {TrainingRecipe.Seed.Stopping.PlateauEpochs})." };
        var validateEvery = new Option<int>("--validate-every") { Description = $"Epochs between validation log-likelihoods, in {TrainingLimits.ValidateEvery.Interval()} (0 = automatic: about 20% of the training time, or half the plateau when the plateau rule is on).", DefaultValueFactory = _ => 0 };
        var validationSteps = new Option<int>("--validation-steps") { Description = "Steps of validation data the log-likelihood is measured on (whole sequences, seeded; at least 10 sequences when the split has them, up to 4 times these steps).", DefaultValueFactory = _ => new EarlyStoppingOptions().ValidationSteps };
        var validationSampling = new Option<string>("--validation-sampling") { Description = "What the validation log-likelihood measures: sequences (default; whole sequences, seeded, as --validation-steps says) or steps (--validation-steps steps drawn from every validation sequence, each given its whole history; bracket estimator only).", DefaultValueFactory = _ => "sequences" };
        var validationEstimator = new Option<string>("--validation-estimator") { Description = "How the validation log-likelihood is estimated: bracket (default; checked by doubling its samples) or ais (the converged AIS search, slower on sharp models).", DefaultValueFactory = _ => "bracket" };
        var keepLast = new Option<bool?>("--keep-last") { Description = "Save the last epoch instead of the best one on validation (the seed recipe's behaviour)." };
        var noValidation = new Option<bool>("--no-validation") { Description = "Do not measure the validation log-likelihood (no early stopping, no divergence check on valid)." };
        var saveEvery = new Option<int>("--save-every") { Description = "Also save a snapshot every N epochs (model.e0025.rnnrbm beside --out), to choose the stopping epoch on valid afterwards; 0 = never.", DefaultValueFactory = _ => 0 };

        var command = new Command("train", "Train an RNN-RBM on MIDI files and save the model.");
        command.Options.Add(data);
        command.Options.Add(validData);
        common.AddGridTo(command);
        common.AddRangeTo(command);
        foreach (Option option in new Option[] { recipe, hidden, recurrent, recurrenceKind, learningRate, decay, momentum, clipNorm, batchSize, cdK, epochs,
            learnU0, carryState, transpose, rbmPretrain, rnnPretrain, pretrainRate, averageDecay, averageEpochs, seed, threads, output, saveEvery,
            patience, plateau, validateEvery, validationSteps, validationSampling, validationEstimator, keepLast, noValidation, common.Backend })
        {
            command.Options.Add(option);
        }
        command.SetAction(result => CommandRunner.Run(result.GetValue(json), o =>
        {
            NumericsBackend backend = common.SelectBackend(result, o);
            TrainingRecipe chosen = TrainingRecipe.Find(result.GetValue(recipe))
                ?? throw new UsageException($"--recipe must be one of {TrainingRecipe.Names}; got '{result.GetValue(recipe)}'.");
            MidiReadOptions readOptions = common.ReadOptions(result, chosen.Grid);
            TrainingOptions r = chosen.Options;
            TrainingOptions options = (r with
            {
                LearningRate = result.GetValue(learningRate) ?? r.LearningRate,
                BatchSize = result.GetValue(batchSize) ?? r.BatchSize,
                CdK = result.GetValue(cdK) ?? r.CdK,
                Epochs = result.GetValue(epochs) ?? r.Epochs,
                Seed = result.GetValue(seed),
                Momentum = result.GetValue(momentum) ?? r.Momentum,
                ClipNorm = result.GetValue(clipNorm) ?? r.ClipNorm,
                LearningRateDecay = result.GetValue(decay) ?? r.LearningRateDecay,
                LearnU0 = result.GetValue(learnU0) ?? r.LearnU0,
                CarryState = result.GetValue(carryState) ?? r.CarryState,
                Transpose = result.GetValue(transpose) ?? r.Transpose,
                RbmPretrainEpochs = result.GetValue(rbmPretrain) ?? r.RbmPretrainEpochs,
                RnnPretrainEpochs = result.GetValue(rnnPretrain) ?? r.RnnPretrainEpochs,
                PretrainLearningRate = result.GetValue(pretrainRate) ?? r.PretrainLearningRate,
            }).WithAveraging(result.GetValue(averageDecay), result.GetValue(averageEpochs)); // one average: a given setting replaces the recipe's
            var stopping = chosen.Stopping with
            {
                Validate = !result.GetValue(noValidation),
                Patience = result.GetValue(patience) ?? chosen.Stopping.Patience,
                PlateauEpochs = result.GetValue(plateau) ?? chosen.Stopping.PlateauEpochs,
                ValidateEvery = result.GetValue(validateEvery),
                ValidationSteps = result.GetValue(validationSteps),
                SampleSteps = result.GetValue(validationSampling) switch
                {
                    "sequences" => false,
                    "steps" => true,
                    var other => throw new UsageException($"--validation-sampling is sequences or steps, not '{other}'."),
                },
                Estimator = result.GetValue(validationEstimator) switch
                {
                    "bracket" => LikelihoodEstimator.Bracket,
                    "ais" => LikelihoodEstimator.Ais,
                    var other => throw new UsageException($"--validation-estimator is bracket or ais, not '{other}'."),
                },
                KeepBest = result.GetValue(keepLast) is bool last ? !last : chosen.Stopping.KeepBest,
                Seed = options.Seed,
            };
            IReadOnlyList<string> problems = [.. options.Problems(), .. stopping.Problems()];
            if (result.GetValue(saveEvery) < 0)
            {
                problems = [.. problems, $"--save-every must be 0 (never) or a number of epochs; got {result.GetValue(saveEvery)}."];
            }
            if (problems.Count > 0)
            {
                throw new UsageException(string.Join(" ", problems));
            }
            ModelShape shape;
            try
            {
                shape = new ModelShape(readOptions.Range.Count, result.GetValue(hidden) ?? chosen.Hidden, result.GetValue(recurrent) ?? chosen.Recurrent,
                    result.GetValue(recurrenceKind) is string kind ? ShapeInfo.ParseRecurrence(kind) : chosen.Recurrence);
            }
            catch (ArgumentOutOfRangeException)
            {
                throw new UsageException($"--hidden and --recurrent must lie in {TrainingLimits.Hidden.Interval()}.");
            }

            string dataPath = result.GetValue(data)!;
            (string trainPath, string? validPath) = Split(dataPath, result.GetValue(validData));
            List<PianoRoll> train = LoadCorpus(trainPath, readOptions, o, "train");
            List<PianoRoll>? valid = validPath is null ? null : LoadCorpus(validPath, readOptions, o, "valid");
            var session = new TrainingSession(shape, options, stopping, readOptions, backend, result.GetValue(threads), o)
            {
                SaveEvery = result.GetValue(saveEvery),
            };
            TrainingSets sets = TrainingSets.Of(train, valid, options.Seed);
            if (sets.ValidSource == TrainingSets.HeldOut)
            {
                o.Info($"no validation files: {sets.Valid.Count} of the {train.Count} training files are held out to validate on");
            }
            session.Run(sets, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataPath))), result.GetValue(output)!);
        }));
        return command;
    }

    internal static (string Train, string? Valid) Split(string data, string? valid)
    {
        if (Directory.Exists(Path.Combine(data, "train")))
        {
            string ownValid = Path.Combine(data, "valid");
            return (Path.Combine(data, "train"), valid ?? (Directory.Exists(ownValid) ? ownValid : null));
        }
        return (data, valid);
    }

    internal static List<PianoRoll> LoadCorpus(string path, MidiReadOptions options, Output output, string role)
    {
        (List<PianoRoll> rolls, List<MidiFileReport> reports) = CorpusFiles.Load(path, options);
        foreach (MidiFileReport rejected in reports.Where(r => !r.Accepted))
        {
            output.Result(new { @event = "rejected", file = rejected.FileName, reason = rejected.Reason }, rejected.ToString());
        }
        long steps = rolls.Sum(r => (long)r.Steps);
        long outside = reports.Where(r => r.Accepted).Sum(r => (long)r.Stats!.NotesOutsideRange);
        output.Result(
            new { @event = "corpus", role, path, accepted = rolls.Count, rejected = reports.Count - rolls.Count, steps, notesOutsideRange = outside, grid = options.Grid.ToString() },
            $"{role}: {rolls.Count} files accepted, {reports.Count - rolls.Count} rejected, {steps:N0} steps ({options.Grid}, {options.Range})" +
            (outside > 0 ? $", {outside} notes outside the range left out" : ""));
        rolls.RemoveAll(r => r.Steps == 0);
        if (rolls.Count == 0)
        {
            throw new UsageException($"No usable MIDI file in {path} ({role}).");
        }
        return rolls;
    }
}
