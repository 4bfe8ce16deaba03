using System.CommandLine;
using System.Globalization;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Search;
using RnnRbm.Core.Training;
using Spectre.Console;

namespace RnnRbm.Cli;

/// <summary>
/// <c>rnnrbm search</c>: a hyperparameter search on this machine (<see cref="HyperparameterSearch"/>, docs/search.md)
/// within a wall-clock budget; the leaderboard as trials reach their rungs, and the best trial on valid saved as a
/// model whose manifest records the search.
/// </summary>
internal static class SearchCommand
{
    private const int LeaderboardRows = 8;

    public static Command Create(Option<bool> json)
    {
        var common = new CommonOptions();
        SearchSpace space = SearchSpace.Default;
        var data = new Option<string>("--data") { Description = "Folder of MIDI files, or a .zip. A folder with train/ (and valid/) subfolders trains on train/ and compares trials on valid/ (else on a held-out tenth of the files).", Required = true };
        var budget = new Option<double>("--budget-minutes") { Description = $"Wall-clock minutes for the whole search, in (0, {SearchOptions.Limits.MaxBudgetMinutes}].", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the best trial's model.", Required = true };
        var workers = new Option<int>("--workers") { Description = "Trials trained at once, each on one thread (default: one per processor).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the trials' settings (trial i trains with seed + i). Trial 0 is the default recipe.", DefaultValueFactory = _ => 1234 };
        var maxTrials = new Option<int>("--max-trials") { Description = "Most trials to start (0 = as many as the budget allows).", DefaultValueFactory = _ => 0 };
        var minEpochs = new Option<int>("--min-epochs") { Description = "Epochs of the first rung: every trial trains this long before it is compared.", DefaultValueFactory = _ => space.MinEpochs };
        var maxEpochs = new Option<int>("--max-epochs") { Description = "Most epochs of one trial (its last rung).", DefaultValueFactory = _ => space.MaxEpochs };
        var reduction = new Option<int>("--reduction") { Description = "Successive halving's factor: the best 1/N of a rung go on, each rung N times longer.", DefaultValueFactory = _ => space.Reduction };
        var hidden = new Option<int[]>("--hidden") { Description = $"H values to choose from (default: {string.Join(" ", space.Hidden)}).", AllowMultipleArgumentsPerToken = true };
        var recurrent = new Option<int[]>("--recurrent") { Description = $"U values to choose from (default: {string.Join(" ", space.Recurrent)}).", AllowMultipleArgumentsPerToken = true };
        var cdK = new Option<int[]>("--cd-k") { Description = $"CD-k values to choose from (default: {string.Join(" ", space.CdK)}).", AllowMultipleArgumentsPerToken = true };
        var minRate = new Option<double>("--min-learning-rate") { Description = "Smallest learning rate (sampled log-uniformly).", DefaultValueFactory = _ => space.MinLearningRate };
        var maxRate = new Option<double>("--max-learning-rate") { Description = "Largest learning rate.", DefaultValueFactory = _ => space.MaxLearningRate };

        var command = new Command("search", "Search hyperparameters for a corpus within a time budget and save the best model on valid.");
        command.Options.Add(data);
        common.AddGridTo(command);
        common.AddRangeTo(command);
        foreach (Option option in new Option[] { budget, output, workers, seed, maxTrials, minEpochs, maxEpochs, reduction, hidden, recurrent, cdK, minRate, maxRate, common.Backend })
        {
            command.Options.Add(option);
        }
        command.SetAction(result => CommandRunner.Run(result.GetValue(json), o =>
        {
            NumericsBackend backend = common.SelectBackend(result, o);
            MidiReadOptions readOptions = common.ReadOptions(result, TrainingRecipe.Default.Grid);
            SearchSpace chosen = space with
            {
                MinEpochs = result.GetValue(minEpochs),
                MaxEpochs = result.GetValue(maxEpochs),
                Reduction = result.GetValue(reduction),
                Hidden = result.GetValue(hidden) is { Length: > 0 } h ? h : space.Hidden,
                Recurrent = result.GetValue(recurrent) is { Length: > 0 } u ? u : space.Recurrent,
                CdK = result.GetValue(cdK) is { Length: > 0 } k ? k : space.CdK,
                MinLearningRate = result.GetValue(minRate),
                MaxLearningRate = result.GetValue(maxRate),
            };
            var options = new SearchOptions
            {
                Budget = TimeSpan.FromMinutes(Math.Min(result.GetValue(budget), SearchOptions.Limits.MaxBudgetMinutes + 1)),
                Workers = result.GetValue(workers),
                ThreadsPerTrial = 1,
                Seed = result.GetValue(seed),
                MaxTrials = result.GetValue(maxTrials),
            };
            IReadOnlyList<string> problems = [.. chosen.Problems(), .. options.Problems()];
            if (double.IsNaN(result.GetValue(budget)))
            {
                problems = [.. problems, "budgetMinutes must be a number."];
            }
            if (problems.Count > 0)
            {
                throw new UsageException(string.Join(" ", problems));
            }

            string dataPath = result.GetValue(data)!;
            (string trainPath, string? validPath) = TrainCommand.Split(dataPath, null);
            string? testPath = Directory.Exists(Path.Combine(dataPath, "test")) ? Path.Combine(dataPath, "test") : null;
            List<PianoRoll> train = TrainCommand.LoadCorpus(trainPath, readOptions, o, "train");
            List<PianoRoll>? valid = validPath is null ? null : TrainCommand.LoadCorpus(validPath, readOptions, o, "valid");
            TrainingSets sets = TrainingSets.Of(train, valid, options.Seed);
            if (sets.Valid.Count == 0)
            {
                throw new UsageException("A search compares trials on validation data: give a folder with valid/, or at least two training files.");
            }
            if (sets.ValidSource == TrainingSets.HeldOut)
            {
                o.Info($"no validation files: {sets.Valid.Count} of the {train.Count} training files are held out to compare trials on");
            }

            using var cancellation = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true; // end the epochs in flight, then save the best so far
                cancellation.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                cancellation.Cancel();
            });
            var printed = new Lock();
            double? shownLead = null;
            HyperparameterSearch search = null!;
            search = new HyperparameterSearch(chosen, options, sets, readOptions.Range.Count, backend)
            {
                Progress = trial =>
                {
                    // Trials report from their own threads: one report at a time, and the table only at rungs and ends.
                    lock (printed)
                    {
                        if (trial.State == TrialState.Running)
                        {
                            if (o.Json)
                            {
                                o.Result(TrialRecord("epoch", trial), "");
                            }
                            return;
                        }
                        o.Result(TrialRecord("trial", trial), Describe(trial));
                        IReadOnlyList<TrialSummary> board = search.Leaderboard();
                        // The table again whenever the lead changes (a redirected terminal keeps every version).
                        if (!o.Json && board.Count > 0 && board[0].Id == trial.Id && board[0].BestValidLogLikelihood is double lead && lead != shownLead)
                        {
                            shownLead = lead;
                            AnsiConsole.Write(Table(board));
                        }
                    }
                },
            };
            o.Info($"searching {options.Budget.TotalMinutes:G4} minutes on {options.Workers} worker(s): rungs at {string.Join(", ", search.Rungs)} epochs, " +
                $"the best 1/{chosen.Reduction} of each rung go on; every trial validates every {search.TrialStopping.ValidateEvery} epochs; Ctrl+C or SIGTERM stops and saves the best so far");
            SearchResult found;
            try
            {
                found = search.Run(cancellation.Token);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            o.Result(
                new
                {
                    @event = "search", trials = found.Trials.Count, seconds = found.Seconds, stopReason = found.StopReason,
                    bestTrial = found.Best?.Id, bestValidLogLikelihood = found.Best?.BestValidLogLikelihood, bestSettings = found.Best?.Settings,
                },
                $"search ended ({found.StopReason}) after {found.Seconds:F0} s and {found.Trials.Count} trials" +
                (found.Best is TrialSummary b ? $"; best: trial {b.Id} ({b.Settings}), valid LL {b.BestValidLogLikelihood:F4} at epoch {b.BestEpoch}" : "; no trial was validated"));
            if (found.BestModel is not TrainedTrial best || found.Best is null)
            {
                throw new UsageException("No trial reached a validation within the budget: give it more minutes (the first validation comes after the first rung's epochs).");
            }
            // The best trial on valid, measured once on test (when the corpus has one): the figures a search is judged by.
            IReadOnlyDictionary<string, double> metrics = testPath is null ? new Dictionary<string, double>()
                : Test(best, TrainCommand.LoadCorpus(testPath, readOptions, o, "test"), train, backend, o, cancellation.Token);
            Save(best, found, chosen, options, readOptions, backend, train, dataPath, metrics, result.GetValue(output)!, o, testPath is null);
        }));
        return command;
    }

    /// <summary>The bracket log-likelihood and the accuracies on test, with their floors, as <c>rnnrbm evaluate</c> names them.</summary>
    private static Dictionary<string, double> Test(TrainedTrial best, List<PianoRoll> test, List<PianoRoll> train, NumericsBackend backend, Output o, CancellationToken cancellation)
    {
        // Up to three doublings of the bracket's check: a well-trained model is sharp, and one check did not settle the
        // 60-minute Nottingham search's winner (docs/results.md); the doublings run only while the estimate moves.
        var options = new EvaluationOptions { Estimator = LikelihoodEstimator.Bracket, Bracket = new BracketOptions { MaxDoublings = 3 }, TrainingSequences = train };
        EvaluationResult r;
        try
        {
            r = o.WithProgress("evaluating the best trial on test", report =>
                new RnnRbmEvaluator(best.Parameters, backend).Evaluate(test, options, p => report((double)p.Done / Math.Max(1, p.Total)), cancellation));
        }
        catch (OperationCanceledException)
        {
            o.Info("interrupted: the best model is saved without its test figures");
            return [];
        }
        o.Result(
            new
            {
                @event = "test", logLikelihood = r.LogLikelihood, standardError = r.StandardError, converged = r.BracketConverged, accuracy = r.Accuracy,
                accuracyDeterministic = r.AccuracyDeterministic, baselineAccuracy = r.BaselineAccuracy, baselineLogLikelihood = r.BaselineLogLikelihood, steps = r.Steps,
            },
            string.Create(CultureInfo.InvariantCulture,
                $"test: log-likelihood {r.LogLikelihood:F4} ± {r.StandardError:F4} nats per step (bracket{(r.BracketConverged == true ? ", converged" : ", NOT converged")}; floor {r.BaselineLogLikelihood:F4}), ") +
            string.Create(CultureInfo.InvariantCulture, $"accuracy {100 * r.Accuracy:F2}% (deterministic {100 * r.AccuracyDeterministic:F2}%; floor: previous frame {100 * r.BaselineAccuracy:F2}%), {r.Steps:N0} steps"));
        var metrics = new Dictionary<string, double>();
        void Put(string name, double? value)
        {
            if (value is double v && double.IsFinite(v))
            {
                metrics[name] = v;
            }
        }
        Put("test.logLikelihood", r.LogLikelihood);
        Put("test.standardError", r.StandardError);
        Put("test.accuracy", r.Accuracy);
        Put("test.accuracyDeterministic", r.AccuracyDeterministic);
        Put("test.baselineAccuracy", r.BaselineAccuracy);
        Put("test.baselineLogLikelihood", r.BaselineLogLikelihood);
        return metrics;
    }

    private static void Save(TrainedTrial best, SearchResult found, SearchSpace space, SearchOptions options, MidiReadOptions readOptions, NumericsBackend backend,
        List<PianoRoll> train, string dataPath, IReadOnlyDictionary<string, double> metrics, string outPath, Output o, bool hint)
    {
        var corpus = new CorpusInfo(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataPath))), train.Count, train.Sum(r => (long)r.Steps), PianoRoll.Digest(train));
        RnnRbmModel model = found.Model(space, options, readOptions.Range, readOptions.Grid, corpus, backend, metrics)!;
        string? folder = Path.GetDirectoryName(Path.GetFullPath(outPath));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        ModelFile.Save(model, outPath);
        o.Result(new { @event = "saved", path = outPath, trial = found.Best!.Id, epochs = best.EpochsTrained, keptEpoch = best.Stopping.BestEpoch },
            $"saved {outPath} (trial {found.Best.Id}, epoch {best.Stopping.BestEpoch} of {best.EpochsTrained} trained)" +
            (hint ? $"; no test/ folder beside train/: measure it with rnnrbm evaluate --model {outPath} --data <test folder>" : ""));
    }

    private static object TrialRecord(string kind, TrialSummary t) => new
    {
        @event = kind, trial = t.Id, settings = t.Settings, state = t.State.Name(), rung = t.Rung, epochs = t.Epochs,
        validLogLikelihood = t.BestValidLogLikelihood, bestEpoch = t.BestEpoch, seconds = t.Seconds, stopReason = t.StopReason,
    };

    private static string Describe(TrialSummary t) =>
        string.Create(CultureInfo.InvariantCulture, $"trial {t.Id} ({t.Settings}): {t.State.Name()} after {t.Epochs} epochs, ") +
        (t.BestValidLogLikelihood is double ll ? string.Create(CultureInfo.InvariantCulture, $"best valid LL {ll:F4} at epoch {t.BestEpoch}") : "not validated yet") +
        (t.StopReason is string why ? $" ({why})" : "");

    private static Table Table(IReadOnlyList<TrialSummary> trials)
    {
        var table = new Table().AddColumns("#", "lr", "H", "U", "k", "mom", "pretrain", "state", "epochs", "valid LL");
        foreach (TrialSummary t in trials.Take(LeaderboardRows))
        {
            TrialSettings s = t.Settings;
            string pretrain = (s.RbmPretrainEpochs > 0 ? "RBM " : "") + (s.RnnPretrainEpochs > 0 ? "RNN" : "");
            table.AddRow(
                t.Id.ToString(CultureInfo.InvariantCulture), s.LearningRate.ToString("G2", CultureInfo.InvariantCulture), s.Hidden.ToString(CultureInfo.InvariantCulture),
                s.Recurrent.ToString(CultureInfo.InvariantCulture), s.CdK.ToString(CultureInfo.InvariantCulture), s.Momentum.ToString("G2", CultureInfo.InvariantCulture),
                pretrain.Trim().Length > 0 ? pretrain.Trim() : "-", t.State.Name(), t.Epochs.ToString(CultureInfo.InvariantCulture),
                t.BestValidLogLikelihood?.ToString("F4", CultureInfo.InvariantCulture) ?? "-");
        }
        if (trials.Count > LeaderboardRows)
        {
            table.Caption($"and {trials.Count - LeaderboardRows} more");
        }
        return table;
    }
}
