using System.CommandLine;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Cli;

/// <summary>
/// <c>rnnrbm evaluate</c>: the paper's two measures of a model on a test set: log-likelihood per time step
/// (log Z_t by annealed importance sampling) and expected frame-level accuracy of next-step prediction.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(Option<bool> json)
    {
        var common = new CommonOptions();
        var defaults = new EvaluationOptions();
        AisConvergence convergenceDefaults = EvaluationOptions.Converged.AisConvergence!;
        var model = new Option<string>("--model") { Description = "The model file.", Required = true };
        var data = new Option<string>("--data") { Description = "Folder of MIDI files, or a .zip (e.g. datasets/nottingham/test).", Required = true };
        var runs = new Option<int?>("--ais-runs") { Description = $"AIS runs per time step (the paper: 100). Default: {defaults.AisRuns} with --ais-steps, {ConvergedRuns} for the converged search." };
        var aisSteps = new Option<int?>("--ais-steps") { Description = "AIS transitions K of an explicit schedule (the paper's: 14500). Absent: search for a converged schedule (--ais-tolerance)." };
        var tolerance = new Option<double>("--ais-tolerance") { Description = "Without --ais-steps: double the schedule (sm, per step, from --ais-start-steps) until doubling moves the mean log-likelihood by less than this many nats.", DefaultValueFactory = _ => convergenceDefaults.Tolerance };
        var startSteps = new Option<int>("--ais-start-steps") { Description = "Without --ais-steps: K of the converged search's first schedule.", DefaultValueFactory = _ => convergenceDefaults.InitialTransitions };
        var maxSteps = new Option<int>("--ais-max-steps") { Description = "Without --ais-steps: the converged search stops (and says it has not converged) rather than go beyond this K.", DefaultValueFactory = _ => convergenceDefaults.MaxTransitions };
        var stepTolerance = new Option<double>("--ais-step-tolerance") { Description = "Without --ais-steps: a time step stops doubling once its own last doubling moved it by at most this many nats, with a standard error at most this too.", DefaultValueFactory = _ => convergenceDefaults.StepTolerance };
        var baseSteps = new Option<int?>("--ais-base-k") { Description = $"Gibbs steps of the chains that estimate the marginals base. Default: {ConvergedBaseSteps} for the converged search, {defaults.AisBaseChainSteps} with --ais-steps (as before issue 10)." };
        var baseStart = new Option<string?>("--ais-base-start") { Description = "Where the marginals base's chains start: zeros or previous (the true previous frame). Default: previous for the converged search, zeros with --ais-steps (as before issue 10)." };
        var perStep = new Option<string?>("--per-step") { Description = "Also write every time step's log-likelihood, its AIS standard error and its schedule's K to this CSV file." };
        var dense = new Option<bool>("--ais-dense") { Description = "Without --ais-steps: dense products in the converged search instead of sums of the rows the binary units select (for comparison; slower)." };
        var trainData = new Option<string?>("--train-data") { Description = "The training split, for the per-pitch baseline log-likelihood. Default: the sibling train/ folder when --data is a folder named valid or test." };
        var schedule = new Option<string>("--ais-schedule") { Description = "sm (Salakhutdinov & Murray's three segments, scaled to --ais-steps), linear, or paper (their 14500).", DefaultValueFactory = _ => "sm" };
        var aisBase = new Option<string>("--ais-base") { Description = "AIS base distribution: marginals (each step's visible marginals from the prediction chains) or biases (the RBM's own visible biases).", DefaultValueFactory = _ => "marginals" };
        var samples = new Option<int>("--acc-samples") { Description = "Predictions sampled per time step for the accuracy.", DefaultValueFactory = _ => defaults.AccuracySamples };
        var gibbsK = new Option<int>("--acc-gibbs-k") { Description = "Gibbs steps per prediction.", DefaultValueFactory = _ => defaults.AccuracyGibbsSteps };
        var start = new Option<string>("--acc-start") { Description = "Where a prediction's chain starts: zeros (like generation) or previous (the true previous frame).", DefaultValueFactory = _ => defaults.AccuracyStart == PredictionStart.Zeros ? "zeros" : "previous" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice.", DefaultValueFactory = _ => defaults.Seed };
        var threads = new Option<int>("--threads") { Description = "Threads (0 = as many as help, at most 2). Results do not depend on it.", DefaultValueFactory = _ => 0 };
        var noLikelihood = new Option<bool>("--no-likelihood") { Description = "Skip the log-likelihood (AIS)." };
        var noAccuracy = new Option<bool>("--no-accuracy") { Description = "Skip the accuracy." };
        var bracketDefaults = new BracketOptions();
        var estimator = new Option<string>("--estimator") { Description = "How log Z_t is estimated: ais (annealed importance sampling) or bracket (importance sampling with a mixture of Gibbs samples' conditionals, bracketed by the conservative sampling-based lower bound; docs/evaluation.md).", DefaultValueFactory = _ => "ais" };
        var bracketChains = new Option<int>("--bracket-chains") { Description = "With --estimator bracket: Gibbs chains per step (half from the history's frames v_{t-1}, v_{t-2}, ..., half from zeros).", DefaultValueFactory = _ => bracketDefaults.Chains };
        var bracketBurnIn = new Option<int>("--bracket-burn-in") { Description = "With --estimator bracket: Gibbs steps of every chain before it contributes samples.", DefaultValueFactory = _ => bracketDefaults.BurnIn };
        var bracketSamples = new Option<int>("--bracket-samples") { Description = "With --estimator bracket: hidden samples M kept per step (a multiple of the chains).", DefaultValueFactory = _ => bracketDefaults.Samples };
        var bracketIs = new Option<int>("--bracket-is-samples") { Description = "With --estimator bracket: importance samples S per step.", DefaultValueFactory = _ => bracketDefaults.ImportanceSamples };
        var bracketTolerance = new Option<double>("--bracket-tolerance") { Description = "With --estimator bracket: converged when the CSL gap (estimate − lower bound), or the last doubling's move of the estimate, is below this many nats per step.", DefaultValueFactory = _ => bracketDefaults.Tolerance };
        var bracketDoublings = new Option<int>("--bracket-doublings") { Description = "With --estimator bracket: while not converged, run again with the chains, M and S doubled (the check), at most this many times.", DefaultValueFactory = _ => bracketDefaults.MaxDoublings };
        var measuredSteps = new Option<int>("--measured-steps") { Description = "With --estimator bracket and --no-accuracy: measure the log-likelihood of this many steps drawn (by --seed) from all the sequences' steps, each given its whole history: an unbiased estimate of the whole set's at a fraction of the cost (0 = every step).", DefaultValueFactory = _ => 0 };
        var check = new Option<bool>("--ais-check") { Description = $"With --ais-steps: measure the likelihood again with twice the transitions (same seed) and say whether the mean moved by less than {ConvergedShift} nats; triples the AIS time." };

        var command = new Command("evaluate", "Measure a model on MIDI files: log-likelihood per step (AIS) and frame-level accuracy.");
        foreach (Option option in new Option[] { model, data, trainData, runs, aisSteps, tolerance, startSteps, maxSteps, stepTolerance, dense, perStep, baseSteps, baseStart, schedule, aisBase, samples, gibbsK, start, seed, threads, noLikelihood, noAccuracy, check, estimator, bracketChains, bracketBurnIn, bracketSamples, bracketIs, bracketTolerance, bracketDoublings, measuredSteps, common.Backend })
        {
            command.Options.Add(option);
        }
        common.AddGridTo(command);
        command.SetAction(result => CommandRunner.Run(result.GetValue(json), o =>
        {
            NumericsBackend backend = common.SelectBackend(result, o);
            RnnRbmModel loaded = ModelFile.Load(result.GetValue(model)!);
            int? explicitSteps = result.GetValue(aisSteps);
            AisSchedule aisSchedule = AisSchedule.Default;
            AisConvergence? convergence = null;
            if (explicitSteps is int k)
            {
                try
                {
                    aisSchedule = AisSchedule.Create(result.GetValue(schedule)!, k);
                }
                catch (ArgumentException ex)
                {
                    throw new UsageException(ex.Message.Split(" (Parameter")[0]);
                }
            }
            else
            {
                if (!string.Equals(result.GetValue(schedule), "sm", StringComparison.OrdinalIgnoreCase))
                {
                    throw new UsageException($"--ais-schedule {result.GetValue(schedule)} needs --ais-steps (the schedules are sm, linear and paper; the converged search doubles sm).");
                }
                if (result.GetValue(check))
                {
                    throw new UsageException("--ais-check needs --ais-steps: without it the search for a converged schedule already checks the doubling.");
                }
                convergence = new AisConvergence
                {
                    Tolerance = result.GetValue(tolerance),
                    StepTolerance = result.GetValue(stepTolerance),
                    InitialTransitions = result.GetValue(startSteps),
                    MaxTransitions = result.GetValue(maxSteps),
                    SparseProducts = !result.GetValue(dense),
                };
            }
            LikelihoodEstimator chosen = result.GetValue(estimator) switch
            {
                "ais" => LikelihoodEstimator.Ais,
                "bracket" => LikelihoodEstimator.Bracket,
                var other => throw new UsageException($"--estimator is ais or bracket, not '{other}'."),
            };
            if (chosen == LikelihoodEstimator.Bracket && result.GetValue(check))
            {
                throw new UsageException("--ais-check is for AIS; the bracket checks itself (its gap, and --bracket-doublings).");
            }
            var options = new EvaluationOptions
            {
                LogLikelihood = !result.GetValue(noLikelihood),
                Estimator = chosen,
                Bracket = new BracketOptions
                {
                    Chains = result.GetValue(bracketChains),
                    BurnIn = result.GetValue(bracketBurnIn),
                    Samples = result.GetValue(bracketSamples),
                    ImportanceSamples = result.GetValue(bracketIs),
                    Tolerance = result.GetValue(bracketTolerance),
                    MaxDoublings = result.GetValue(bracketDoublings),
                },
                AisRuns = result.GetValue(runs) ?? (convergence is null ? defaults.AisRuns : ConvergedRuns),
                Schedule = aisSchedule,
                AisConvergence = convergence,
                AisBase = result.GetValue(aisBase) switch
                {
                    "marginals" => AisBase.Marginals,
                    "biases" => AisBase.VisibleBiases,
                    var other => throw new UsageException($"--ais-base is marginals or biases, not '{other}'."),
                },
                AisBaseChainSteps = result.GetValue(baseSteps) ?? (convergence is null ? defaults.AisBaseChainSteps : ConvergedBaseSteps),
                AisBaseChainStart = (result.GetValue(baseStart) ?? (convergence is null ? "zeros" : "previous")) switch
                {
                    "zeros" => PredictionStart.Zeros,
                    "previous" => PredictionStart.PreviousFrame,
                    var other => throw new UsageException($"--ais-base-start is zeros or previous, not '{other}'."),
                },
                Accuracy = !result.GetValue(noAccuracy),
                AccuracySamples = result.GetValue(samples),
                AccuracyGibbsSteps = result.GetValue(gibbsK),
                AccuracyStart = result.GetValue(start) switch
                {
                    "zeros" => PredictionStart.Zeros,
                    "previous" => PredictionStart.PreviousFrame,
                    var other => throw new UsageException($"--acc-start is zeros or previous, not '{other}'."),
                },
                Seed = result.GetValue(seed),
                Threads = result.GetValue(threads),
                MeasuredSteps = result.GetValue(measuredSteps),
            };
            IReadOnlyList<string> problems = options.Problems();
            if (problems.Count > 0)
            {
                throw new UsageException(string.Join(" ", problems));
            }

            var readOptions = new MidiReadOptions { Grid = common.Grid(result, loaded.Grid), Range = loaded.Range };
            string path = result.GetValue(data)!;
            (List<PianoRoll> rolls, List<MidiFileReport> reports) = CorpusFiles.Load(path, readOptions);
            foreach (MidiFileReport rejected in reports.Where(r => !r.Accepted))
            {
                o.Result(new { @event = "rejected", file = rejected.FileName, reason = rejected.Reason }, rejected.ToString());
            }
            rolls.RemoveAll(r => r.Steps == 0);
            if (rolls.Count == 0)
            {
                throw new UsageException($"No usable MIDI file in {path}.");
            }
            (List<PianoRoll>? training, string? trainingPath, string? noBaseline) = LoadTraining(result.GetValue(trainData), path, readOptions, o);
            options = options with { TrainingSequences = training };
            long steps = rolls.Sum(r => (long)r.Steps);
            o.Result(new { @event = "corpus", path, sequences = rolls.Count, rejected = reports.Count(r => !r.Accepted), steps, grid = readOptions.Grid.ToString() },
                $"data: {path}, {rolls.Count} sequences, {steps:N0} steps ({readOptions.Grid}, {readOptions.Range})");
            o.Info(options.LogLikelihood && chosen == LikelihoodEstimator.Bracket
                ? $"bracket: {options.Bracket.Chains} chains per step (history frames and zeros), burn-in {options.Bracket.BurnIn}, M {options.Bracket.Samples}, S {options.Bracket.ImportanceSamples}, tolerance {options.Bracket.Tolerance}, up to {options.Bracket.MaxDoublings} doublings; accuracy: {(options.Accuracy ? $"{options.AccuracySamples} samples per step, k {options.AccuracyGibbsSteps} from {Describe(options.AccuracyStart)}" : "skipped")}; seed {options.Seed}"
                : options.LogLikelihood
                ? $"AIS: {options.AisRuns} runs per step, {(convergence is null ? aisSchedule.ToString() : $"sm from {convergence.InitialTransitions}, doubled per step until the mean moves < {convergence.Tolerance} nats")}, base {Describe(options.AisBase)}; accuracy: {(options.Accuracy ? $"{options.AccuracySamples} samples per step, k {options.AccuracyGibbsSteps} from {Describe(options.AccuracyStart)}" : "skipped")}; seed {options.Seed}"
                : $"likelihood skipped; accuracy: {options.AccuracySamples} samples per step, k {options.AccuracyGibbsSteps} from {Describe(options.AccuracyStart)}; seed {options.Seed}");

            EvaluationResult measured = Run(loaded, backend, rolls, options, o);
            Report(measured, backend, trainingPath, noBaseline, o);
            if (result.GetValue(perStep) is string csv && measured.LogLikelihood is not null)
            {
                WritePerStep(csv, rolls, measured);
                o.Info($"per-step figures written to {csv}");
            }
            if (result.GetValue(check) && measured.LogLikelihood is double ll)
            {
                CheckConvergence(loaded, backend, rolls, options, ll, result.GetValue(schedule)!, o);
            }
        }));
        return command;
    }

    // The converged search's defaults live in Core (EvaluationOptions.Converged), shared with the service.
    private static readonly EvaluationOptions SearchDefaults = EvaluationOptions.Converged;
    private static readonly int ConvergedRuns = SearchDefaults.AisRuns;
    private static readonly int ConvergedBaseSteps = SearchDefaults.AisBaseChainSteps;

    /// <summary>
    /// The training split for the baseline log-likelihood: <paramref name="given"/>, or the sibling train/ of a
    /// data folder named valid or test. Returns the rolls and their path, or why there are none.
    /// </summary>
    private static (List<PianoRoll>? Rolls, string? Path, string? Reason) LoadTraining(string? given, string data, MidiReadOptions read, Output o)
    {
        string? path = given;
        if (path is null)
        {
            string folder = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(data)));
            string? parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(data)));
            if (Directory.Exists(data) && folder is "valid" or "test" && parent is not null && Directory.Exists(Path.Combine(parent, "train")))
            {
                path = Path.Combine(parent, "train");
            }
            else
            {
                return (null, null, "no --train-data, and --data is not a valid/ or test/ folder with a sibling train/");
            }
        }
        (List<PianoRoll> rolls, _) = CorpusFiles.Load(path, read);
        rolls.RemoveAll(r => r.Steps == 0);
        if (rolls.Count == 0)
        {
            throw new UsageException($"No usable MIDI file in the training split {path}.");
        }
        o.Info($"baseline: independent pitches fitted on {path} ({rolls.Count} sequences)");
        return (rolls, path, null);
    }

    private static void WritePerStep(string path, List<PianoRoll> rolls, EvaluationResult r)
    {
        using var writer = new StreamWriter(path);
        bool bracket = r.Estimator == LikelihoodEstimator.Bracket;
        writer.WriteLine(bracket ? "sequence,step,logLikelihood,standardError,lowerBound" : "sequence,step,logLikelihood,standardError,aisTransitions");
        int at = 0;
        for (int s = 0; s < rolls.Count; s++)
        {
            for (int t = 0; t < rolls[s].Steps; t++, at++)
            {
                writer.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{s},{t},{r.StepLogLikelihoods[at]:R},{r.StepStandardErrors[at]:R},{(bracket ? r.StepLowerBounds[at] : r.StepTransitions[at])}"));
            }
        }
    }

    /// <summary>Doubling the schedule moves a converged mean by less than this (issue 6's criterion).</summary>
    private const double ConvergedShift = 0.01;

    private static void CheckConvergence(RnnRbmModel model, NumericsBackend backend, List<PianoRoll> rolls, EvaluationOptions options,
        double logLikelihood, string scheduleName, Output o)
    {
        AisSchedule doubled = AisSchedule.Create(scheduleName, 2 * options.Schedule.Transitions);
        o.Info($"convergence check: the likelihood again with {doubled}");
        EvaluationResult again = Run(model, backend, rolls, options with { Schedule = doubled, Accuracy = false }, o);
        double shift = again.LogLikelihood!.Value - logLikelihood;
        bool converged = Math.Abs(shift) < ConvergedShift;
        o.Result(
            new { @event = "aisCheck", aisTransitions = doubled.Transitions, logLikelihood = again.LogLikelihood, standardError = again.StandardError, shift, converged, aisSeconds = again.AisSeconds },
            $"doubling the schedule to {doubled.Transitions} transitions gives {again.LogLikelihood:F4} ± {again.StandardError:F4}: the mean moves by {shift:+0.0000;-0.0000} nats, " +
            (converged
                ? $"under {ConvergedShift}: converged."
                : $"not under {ConvergedShift}: NOT converged. AIS underestimates log Z on average, so both figures are optimistic; raise --ais-steps."));
    }

    private static EvaluationResult Run(RnnRbmModel model, NumericsBackend backend, List<PianoRoll> rolls, EvaluationOptions options, Output o)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // stop the work and say so, rather than dying mid-line
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var evaluator = new RnnRbmEvaluator(model.Parameters, backend);
            return o.WithProgress("evaluating", report => evaluator.Evaluate(rolls, options,
                // AIS is nearly all of the time: the chains' phases count as the first 5 %.
                p => report(p.Phase == "likelihood" || !options.LogLikelihood ? (options.LogLikelihood ? 0.05 : 0) + ((options.LogLikelihood ? 0.95 : 1.0) * p.Done / p.Total) : 0.05 * p.Done / p.Total),
                cancellation.Token));
        }
        catch (OperationCanceledException)
        {
            throw new UsageException("interrupted: nothing was measured.");
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static void Report(EvaluationResult r, NumericsBackend backend, string? trainingPath, string? noBaseline, Output o)
    {
        var lines = new List<string>();
        if (r.LogLikelihood is double bll && r.Estimator == LikelihoodEstimator.Bracket)
        {
            lines.Add($"log-likelihood {bll:F4} ± {r.StandardError:F4} nats per step (bracket estimate, importance-sampling error; ± {r.SequenceStandardError:F4} over sequences)");
            lines.Add($"lower bound {r.LowerBound:F4} (CSL), gap {r.BracketGap:F4}; reverse bound {r.ReverseBound:F4}, gap {r.LogLikelihood - r.ReverseBound:F4}: {r.BracketSeconds:F1} s on {r.Threads} thread(s) [{backend.Name}]");
            foreach (BracketRound round in r.BracketRounds)
            {
                lines.Add($"  round C {round.Chains}, B {round.BurnIn}, M {round.Samples}, S {round.ImportanceSamples}: estimate {round.Estimate:F4}, CSL {round.LowerBound:F4} (gap {round.Gap:F4}), reverse {round.ReverseBound:F4} (gap {round.ReverseGap:F4}), {round.Seconds:F1} s");
            }
            string move = r.BracketShift is double shift ? $"the last doubling moved the estimate by {shift:+0.0000;-0.0000} nats" : "no doubling";
            lines.Add(r.BracketConverged == true
                ? $"converged: the CSL gap or the last doubling's move is below the tolerance ({move})"
                : $"NOT converged ({move}; CSL gap {r.BracketGap:F4}): the estimate is an upper bound in expectation, so it is optimistic; raise --bracket-chains or --bracket-doublings");
        }
        else if (r.LogLikelihood is double ll)
        {
            lines.Add($"log-likelihood {ll:F4} ± {r.StandardError:F4} nats per step (AIS error; ± {r.SequenceStandardError:F4} over sequences)");
            lines.Add($"AIS: {r.AisRuns} runs × {r.Steps:N0} steps, {r.AisSchedule}, base {Describe(r.AisBase)}: {r.AisSeconds:F1} s, {r.AisGflop:N0} GFLOP, {r.AisGflopPerSecond:F1} GFLOP/s on {r.Threads} thread(s) [{backend.Name}]");
            foreach (AisRound round in r.AisRounds)
            {
                lines.Add($"  round sm {round.Transitions}: {round.Steps:N0} steps, {round.Seconds:F1} s" + (round.Shift is double d ? $", mean moved {-d:+0.0000;-0.0000}" : ""));
            }
            if (r.AisConverged is bool converged)
            {
                lines.Add(converged
                    ? $"converged: the last doubling moved the mean by {r.AisShift:+0.0000;-0.0000} nats"
                    : $"NOT converged: the last doubling moved the mean by {r.AisShift:+0.0000;-0.0000} nats; AIS underestimates log Z on average, so the figure is optimistic (raise --ais-max-steps)");
            }
        }
        if (r.BaselineLogLikelihood is double baseLl)
        {
            lines.Add($"baseline log-likelihood {baseLl:F4} (independent pitches fitted on {trainingPath})");
        }
        else if (noBaseline is not null)
        {
            lines.Add($"baseline log-likelihood: none ({noBaseline})");
        }
        if (r.Accuracy is double acc)
        {
            lines.Add($"accuracy {100 * acc:F2}% (expected, {r.AccuracySamples} samples per step, k {r.AccuracyGibbsSteps} from {Describe(r.AccuracyStart)}): {r.AccuracySeconds:F1} s");
            lines.Add($"deterministic accuracy {100 * r.AccuracyDeterministic:F2}% (mean probability > 0.5)");
        }
        if (r.BaselineAccuracy is double baseAcc)
        {
            lines.Add($"baseline accuracy {100 * baseAcc:F2}% (the previous frame)");
        }
        lines.Add(r.SampledFrom is long all
            ? $"{r.Sequences} sequences, {r.Steps:N0} of their {all:N0} steps (a seeded sample) in {r.Seconds:F1} s"
            : $"{r.Sequences} sequences, {r.Steps:N0} steps in {r.Seconds:F1} s");
        o.Result(new
        {
            @event = "evaluation",
            logLikelihood = r.LogLikelihood,
            estimator = r.Estimator == LikelihoodEstimator.Bracket ? "bracket" : "ais",
            lowerBound = r.LowerBound,
            reverseBound = r.ReverseBound,
            bracketGap = r.BracketGap,
            bracketConverged = r.BracketConverged,
            bracketShift = r.BracketShift,
            bracketRounds = r.BracketRounds.Select(x => new { chains = x.Chains, burnIn = x.BurnIn, samples = x.Samples, importanceSamples = x.ImportanceSamples, estimate = x.Estimate, lowerBound = x.LowerBound, gap = x.Gap, reverseBound = x.ReverseBound, reverseGap = x.ReverseGap, seconds = x.Seconds }),
            bracketSeconds = r.BracketSeconds,
            standardError = r.StandardError,
            sequenceStandardError = r.SequenceStandardError,
            accuracy = r.Accuracy,
            truePositives = r.AccuracyCounts?.TruePositives,
            falsePositives = r.AccuracyCounts?.FalsePositives,
            falseNegatives = r.AccuracyCounts?.FalseNegatives,
            sequences = r.Sequences,
            steps = r.Steps,
            sampledFrom = r.SampledFrom,
            aisRuns = r.AisRuns,
            aisTransitions = r.AisTransitions,
            aisSchedule = r.AisSchedule,
            aisBase = Describe(r.AisBase),
            aisConverged = r.AisConverged,
            aisShift = r.AisShift,
            aisRounds = r.AisRounds.Select(x => new { transitions = x.Transitions, steps = x.Steps, shift = -x.Shift, seconds = x.Seconds }),
            accuracyDeterministic = r.AccuracyDeterministic,
            baselineAccuracy = r.BaselineAccuracy,
            baselineLogLikelihood = r.BaselineLogLikelihood,
            baselineLogLikelihoodReason = r.BaselineLogLikelihood is null ? noBaseline ?? "not measured" : null,
            trainData = trainingPath,
            aisSeconds = r.AisSeconds,
            aisGflop = r.AisGflop,
            aisGflopPerSecond = r.AisGflopPerSecond,
            accuracySamples = r.AccuracySamples,
            accuracyGibbsSteps = r.AccuracyGibbsSteps,
            accuracyStart = r.AccuracyStart.ToString(),
            accuracySeconds = r.AccuracySeconds,
            seconds = r.Seconds,
            threads = r.Threads,
            backend = backend.Name,
        }, string.Join(Environment.NewLine, lines));
    }

    private static string Describe(AisBase start) => start == AisBase.Marginals ? "marginals" : "biases";

    private static string Describe(PredictionStart start) => start == PredictionStart.Zeros ? "zeros" : "the previous frame";
}
