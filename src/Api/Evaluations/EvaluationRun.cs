using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Evaluations;

/// <summary>
/// One run of an evaluation (background work of kind <see cref="Kind"/>): reads the model and the split, measures them
/// on the job's thread, and writes the result, with the claim, the progress writer and the Version-guarded writes of
/// <see cref="WorkRun{TEntity}"/>.
/// </summary>
/// <remarks>
/// Invariants, beside <see cref="WorkRun{TEntity}"/>'s:
/// <list type="number">
/// <item>Success is one write: the evaluation's results and the model's rewritten file and manifest together, so the
/// manifest is written at most once (a superseded runner writes nothing).</item>
/// <item>A cancel (Hangfire's token, the job deleted) stops the measuring within one AIS transition and ends the
/// evaluation cancelled, the model untouched.</item>
/// <item>A shutdown stops the measuring and hands the evaluation back queued; it is measured again from the start
/// (same seed, same result). So is one whose worker died, once recovery gives it to another.</item>
/// </list>
/// </remarks>
public sealed class EvaluationRun : WorkRun<EvaluationEntity>
{
    /// <summary>The kind's name: its Hangfire queue, and how its jobs name it.</summary>
    public const string Kind = "evaluation";

    private readonly NumericsBackend _backend;
    private double _progress; // share done, written by the evaluator's progress callback, read by the poller

    public EvaluationRun(WorkContext context, NumericsBackend backend)
        : base(context, backend.Name)
    {
        _backend = backend;
    }

    protected override void Work()
    {
        ModelEntity modelRow = Db.Models.Find(Row.ModelId)
            ?? throw new EvaluationInputException($"The model {Row.ModelId} no longer exists.");
        RnnRbmModel model = ModelFile.Read(modelRow.File);
        List<PianoRoll> rolls = LoadRolls(model, Row.Split, required: true);
        List<PianoRoll> training = LoadRolls(model, "train", required: false);
        // Without aisSteps: Core's converged search (its base chains too) at the requested tolerance; with it, the
        // explicit schedule exactly as before issue 10.
        EvaluationOptions search = EvaluationOptions.Converged;
        EvaluationOptions options = (Row.AisSteps is int k
            ? new EvaluationOptions { Schedule = AisSchedule.SalakhutdinovMurray(k) }
            : search with { AisConvergence = search.AisConvergence! with { Tolerance = Row.AisTolerance ?? EvaluationsApi.DefaultAisTolerance } }) with
        {
            AisRuns = Row.AisRuns,
            TrainingSequences = training.Count > 0 ? training : null,
            AccuracySamples = Row.AccSamples,
            Seed = (ulong)Row.Seed,
        };
        StartWriter();

        EvaluationResult? result = null;
        try
        {
            // Stopping fires on a cancel request, at shutdown, and when this runner was superseded: the evaluator
            // stops within one AIS transition or Gibbs step of every thread.
            result = new RnnRbmEvaluator(model.Parameters, _backend).Evaluate(rolls, options, OnProgress, Stopping);
        }
        catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
        {
            // Ended below, by what stopped it.
        }

        StopWriter();
        if (IsStale)
        {
            return;
        }
        if (CancelRequestedNow())
        {
            // Invariant 2, also when the measuring had just finished: a cancelled evaluation leaves the manifest alone.
            EndCancelled();
        }
        else if (result is null)
        {
            HandBack("it is measured again from the start (same seed, same result) by the next worker.");
        }
        else
        {
            Succeed(modelRow, result);
        }
    }

    protected override bool IsExpectedFailure(Exception ex) => ex is EvaluationInputException or InvalidModelFileException;

    protected override bool RecordProgress()
    {
        double progress = Volatile.Read(ref _progress);
        if (progress == Row.Progress)
        {
            return false;
        }
        Row.Progress = progress;
        return true;
    }

    protected override void ResetProgress()
    {
        Row.Progress = 0;
        Volatile.Write(ref _progress, 0);
    }

    /// <summary>
    /// The evaluator's progress, from one worker thread at a time. AIS is nearly all of the time; the chains' phases
    /// count as the first 5 % (as the CLI shows it). The poller writes it (with the heartbeat) twice a second.
    /// </summary>
    private void OnProgress(EvaluationProgress p)
    {
        if (p.Total > 0)
        {
            double next = p.Phase == "likelihood" ? 0.05 + (0.95 * p.Done / p.Total) : 0.05 * p.Done / p.Total;
            // Never backwards within a run (issue 15): each phase, and each doubling of the converged AIS search,
            // counts its own Done/Total from zero, and a figure that fell would read as lost work.
            if (next > Volatile.Read(ref _progress))
            {
                Volatile.Write(ref _progress, next);
            }
        }
    }

    /// <summary>Invariant 1: the results and the model's metrics in one guarded write.</summary>
    private void Succeed(ModelEntity modelRow, EvaluationResult result)
    {
        lock (Gate)
        {
            // The model row is read again just before the write: another node's evaluation of the same model may have
            // added its metrics meanwhile (keeps the window to this write).
            Db.Entry(modelRow).Reload();
            if (Db.Entry(modelRow).State == EntityState.Detached)
            {
                throw new EvaluationInputException($"The model {Row.ModelId} was deleted during its evaluation.");
            }
            RnnRbmModel model = ModelFile.Read(modelRow.File);
            var metrics = new Dictionary<string, double>(model.Manifest.Metrics);
            void Metric(string name, double? value)
            {
                if (value is double v && double.IsFinite(v))
                {
                    metrics[$"{Row.Split}.{name}"] = v;
                }
            }
            Metric("logLikelihood", result.LogLikelihood);
            Metric("logLikelihoodStandardError", result.StandardError);
            Metric("accuracy", result.Accuracy);
            ModelManifest manifest = model.Manifest with { Metrics = metrics };
            modelRow.File = ModelFile.Write(new RnnRbmModel(model.Parameters, manifest));
            modelRow.ContentSha256 = ContentHash.Of(modelRow.File);
            modelRow.ManifestJson = JsonSerializer.Serialize(manifest, ModelFile.JsonOptions);

            Row.State = WorkStates.Succeeded;
            Row.Progress = 1;
            Row.LogLikelihood = Finite(result.LogLikelihood);
            Row.StandardError = Finite(result.StandardError);
            Row.Accuracy = Finite(result.Accuracy);
            Row.AccuracyDeterministic = Finite(result.AccuracyDeterministic);
            Row.BaselineAccuracy = Finite(result.BaselineAccuracy);
            Row.BaselineLogLikelihood = Finite(result.BaselineLogLikelihood);
            Row.BaselineNote = result.BaselineLogLikelihood is null
                ? $"the corpus has no accepted train file that gives a non-empty piano-roll at the model's grid and range" : null;
            Row.AisSchedule = result.LogLikelihood is null ? null : result.AisSchedule;
            Row.AisTransitions = result.LogLikelihood is null ? null : result.AisTransitions;
            Row.AisConverged = result.AisConverged;
            Row.AisShift = Finite(result.AisShift);
            Row.Sequences = result.Sequences;
            Row.Steps = result.Steps;
            Row.Seconds = result.Seconds;
            Row.Gflops = result.AisGflopPerSecond;
            Row.FinishedUtc = DateTimeOffset.UtcNow;
            ClearWorker();
            if (TrySave("record the result"))
            {
                Log.LogInformation("Evaluation {Id} of model {Model} on {Split}: LL {LogLikelihood} ± {Error}, accuracy {Accuracy}.",
                    Id, Row.ModelId, Row.Split, Row.LogLikelihood, Row.StandardError, Row.Accuracy);
            }
        }
    }

    private void EndCancelled()
    {
        lock (Gate)
        {
            Row.State = WorkStates.Cancelled;
            Row.FinishedUtc = DateTimeOffset.UtcNow;
            ClearWorker();
            if (TrySave("record the cancel"))
            {
                Log.LogInformation("Evaluation {Id} cancelled at {Progress:P0}; the model's manifest is unchanged.", Id, Row.Progress);
            }
        }
    }

    private static double? Finite(double? value) => value is double v && double.IsFinite(v) ? v : null;

    /// <summary>
    /// The split's accepted files at the model's grid and range, empty rolls left out, in a fixed order (file name,
    /// then id) as Training.TrainingData reads a corpus (which only reads train and valid, hence this). A required
    /// split with none is the evaluation's failure; the train split (for the baseline) may be empty.
    /// </summary>
    private List<PianoRoll> LoadRolls(RnnRbmModel model, string split, bool required)
    {
        Guid corpusId = Row.CorpusId;
        var files = Db.CorpusFiles.AsNoTracking()
            .Where(f => f.CorpusId == corpusId && f.Accepted && f.Bytes != null && f.Split == split)
            .OrderBy(f => f.FileName).ThenBy(f => f.Id)
            .Select(f => new { f.FileName, f.Bytes })
            .ToList();
        var options = new MidiReadOptions { Grid = model.Grid, Range = model.Range };
        var rolls = new List<PianoRoll>();
        foreach (var file in files)
        {
            try
            {
                PianoRoll roll = MidiReader.Read(file.Bytes!, options).Roll;
                if (roll.Steps > 0)
                {
                    rolls.Add(roll);
                }
            }
            catch (InvalidMidiException ex)
            {
                Log.LogWarning("Evaluation {Id} skips {File}: {Reason}", Id, file.FileName, ex.Reason);
            }
        }
        if (rolls.Count == 0 && required)
        {
            throw new EvaluationInputException(
                $"No accepted {split} file of corpus {corpusId} gives a non-empty piano-roll at {model.Grid}, {model.Range}.");
        }
        return rolls;
    }
}

/// <summary>The evaluation's input cannot be used (the model or corpus is gone, or the split is empty at the model's grid).</summary>
public sealed class EvaluationInputException : Exception
{
    public EvaluationInputException()
    {
    }

    public EvaluationInputException(string message) : base(message)
    {
    }

    public EvaluationInputException(string message, Exception inner) : base(message, inner)
    {
    }
}
