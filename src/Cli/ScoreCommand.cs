using System.CommandLine;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Rendering;

namespace RnnRbm.Cli;

/// <summary>
/// <c>rnnrbm score</c>: how typical one MIDI file is of the music a model learned (docs/evaluation.md, "Score a piece"),
/// measured as <c>POST /api/models/{id}/score</c> measures it (<see cref="PieceScorer"/>).
/// </summary>
internal static class ScoreCommand
{
    public static Command Create(Option<bool> json)
    {
        var common = new CommonOptions();
        var model = new Option<string>("--model") { Description = "The model file.", Required = true };
        var midi = new Option<string>("--midi") { Description = $"The MIDI file to score, read on the model's grid and pitch range (at most {ScoreLimits.MaxSteps} steps).", Required = true };
        var trainData = new Option<string?>("--train-data") { Description = "The model's training files (a folder or .zip), for the independent-notes floor beside the figure." };
        var png = new Option<string?>("--png") { Description = "Also write the surprise curve (each step's −log P given the piece so far) as a PNG image here." };
        var seed = new Option<ulong>("--seed") { Description = $"Seed of every random choice, in {ScoreLimits.Seed.Interval()}.", DefaultValueFactory = _ => (ulong)ScoreLimits.Seed.Default!.Value };

        var command = new Command("score", "How typical is a piece of the music a model learned: its log-likelihood per step (AIS) and the surprise of every step.");
        foreach (Option option in new Option[] { model, midi, trainData, png, seed, common.Backend })
        {
            command.Options.Add(option);
        }
        command.SetAction(result => CommandRunner.Run(result.GetValue(json), o =>
        {
            ulong chosenSeed = result.GetValue(seed);
            if (ScoreLimits.Seed.Problem(chosenSeed) is string bad)
            {
                throw new UsageException(bad.Replace("seed", "--seed", StringComparison.Ordinal));
            }
            RnnRbmModel loaded = ModelFile.Load(result.GetValue(model)!);
            NumericsBackend backend = common.SelectBackend(result, o);
            var read = new MidiReadOptions
            {
                Grid = loaded.Grid,
                Range = loaded.Range,
                Limits = MidiLimits.Default with { MaxSteps = ScoreLimits.MaxSteps },
            };
            string path = result.GetValue(midi)!;
            MidiReadResult piece = MidiReader.Read(File.ReadAllBytes(path), read);
            if (piece.Stats.Notes == 0)
            {
                throw new UsageException(piece.Stats.NotesOutsideRange > 0
                    ? $"{path}: all {piece.Stats.NotesOutsideRange} notes lie outside the model's pitch range {loaded.Range}; nothing is left to score."
                    : $"{path}: the piece has no note to score.");
            }
            double[]? floor = null;
            if (result.GetValue(trainData) is string train)
            {
                (List<PianoRoll> rolls, _) = CorpusFiles.Load(train, read with { Limits = MidiLimits.Default });
                rolls.RemoveAll(r => r.Steps == 0);
                if (rolls.Count == 0)
                {
                    throw new UsageException($"No usable MIDI file in the training files {train}.");
                }
                floor = Baselines.FitIndependentBernoullis(rolls);
            }
            using var cancellation = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                cancellation.Cancel();
            };
            Console.CancelKeyPress += onCancel;
            PieceScore score;
            try
            {
                score = o.WithProgress("scoring", report => PieceScorer.Score(loaded.Parameters, piece.Roll, floor, chosenSeed, backend, report, cancellation.Token));
            }
            catch (OperationCanceledException)
            {
                throw new UsageException("interrupted: nothing was measured.");
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            string summary = ScoreWords.Describe(score, null, null);
            if (result.GetValue(png) is string pngPath)
            {
                File.WriteAllBytes(pngPath, SurpriseCurveImage.RenderPng(score.Surprise, score.BaselineSurprise, title: $"{Path.GetFileName(path)}: surprise per step"));
            }
            o.Result(new
            {
                @event = "score",
                file = path,
                steps = score.Steps,
                grid = loaded.Grid.ToString(),
                notesOutsideRange = piece.Stats.NotesOutsideRange,
                seed = chosenSeed,
                logLikelihoodPerStep = score.LogLikelihood,
                standardError = score.StandardError,
                aisConverged = score.AisConverged,
                aisShift = score.AisShift,
                aisSchedule = score.AisSchedule,
                surprise = score.Surprise,
                surpriseStandardError = score.SurpriseStandardError,
                accuracy = score.Accuracy,
                baselineAccuracy = score.BaselineAccuracy,
                baselineLogLikelihood = score.BaselineLogLikelihood,
                baselineSurprise = score.BaselineSurprise,
                summary,
                seconds = score.Seconds,
                png = result.GetValue(png),
            }, string.Join(Environment.NewLine, Lines(path, piece, score, summary, result.GetValue(png))));
        }));
        return command;
    }

    private static IEnumerable<string> Lines(string path, MidiReadResult piece, PieceScore s, string summary, string? png)
    {
        yield return $"{path}: {s.Steps} steps" + (piece.Stats.NotesOutsideRange > 0 ? $" ({piece.Stats.NotesOutsideRange} notes outside the model's range left out)" : "");
        yield return $"log-likelihood {s.LogLikelihood:F4} ± {s.StandardError:F4} nats per step; AIS {(s.AisConverged == true ? "converged" : "NOT converged")} ({s.AisSchedule}), {s.Seconds:F1} s";
        yield return $"floor, independent notes: {(s.BaselineLogLikelihood is double b ? b.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "– (give --train-data)")}";
        yield return $"next-chord accuracy {100 * s.Accuracy:F1} % (floor, repeat the last chord: {100 * s.BaselineAccuracy:F1} %)";
        yield return summary;
        if (png is not null)
        {
            yield return $"surprise curve: {png}";
        }
    }
}
