using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Evaluations;

/// <summary>
/// The Hangfire job that runs one evaluation. It takes an id; everything it needs is in the database.
/// </summary>
/// <remarks>
/// Invariants (Hangfire promises at-least-once):
/// <list type="number">
/// <item>A job that finds the evaluation finished returns without writing; a second run of an unfinished one measures
/// again from the start (same seed, same result).</item>
/// <item>Success is one SaveChanges: the evaluation's results and the model's rewritten file and manifest together.</item>
/// <item>Shutdown (Hangfire's token) stops the measuring, leaves the evaluation queued and rethrows, so that Hangfire
/// requeues the job; any other failure ends the evaluation failed with its message, never retried.</item>
/// </list>
/// </remarks>
public sealed class EvaluationJob(IServiceScopeFactory scopes, NumericsBackend backend, ILogger<EvaluationJob> log)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Runs evaluation <paramref name="evaluationId"/>; Hangfire fills in <paramref name="cancellationToken"/> (shutdown).</summary>
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [Queue(EvaluationsSetup.Queue)]
    public Task RunAsync(Guid evaluationId, CancellationToken cancellationToken) =>
        // Minutes of CPU-bound work: a dedicated thread, not one of the pool's.
        Task.Factory.StartNew(() => Run(evaluationId, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "Any failure is recorded on the evaluation; the job is not retried.")]
    internal void Run(Guid evaluationId, CancellationToken shutdown)
    {
        using IServiceScope scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        EvaluationEntity? evaluation = db.Evaluations.Find(evaluationId);
        if (evaluation is null || EvaluationStates.IsFinished(evaluation.State))
        {
            log.LogInformation("Evaluation {Id} is gone or finished; this job returns.", evaluationId);
            return;
        }
        evaluation.State = EvaluationStates.Running;
        evaluation.StartedUtc ??= DateTimeOffset.UtcNow;
        evaluation.Progress = 0;
        evaluation.Backend = backend.Name;
        db.SaveChanges();
        try
        {
            Measure(db, evaluation, shutdown);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            db.ChangeTracker.Clear();
            db.Evaluations.Where(e => e.Id == evaluationId)
                .ExecuteUpdate(s => s.SetProperty(e => e.State, EvaluationStates.Queued).SetProperty(e => e.Progress, 0));
            log.LogInformation("Evaluation {Id} stopped for shutdown; Hangfire runs it again.", evaluationId);
            throw;
        }
        catch (Exception ex)
        {
            string message = ex is EvaluationInputException or InvalidModelFileException ? ex.Message : $"Internal error: {ex.Message}";
            log.LogWarning(ex, "Evaluation {Id} failed: {Message}", evaluationId, message);
            db.ChangeTracker.Clear();
            db.Evaluations.Where(e => e.Id == evaluationId).ExecuteUpdate(s => s
                .SetProperty(e => e.State, EvaluationStates.Failed)
                .SetProperty(e => e.Error, message)
                .SetProperty(e => e.FinishedUtc, DateTimeOffset.UtcNow));
        }
    }

    private void Measure(RnnRbmDbContext db, EvaluationEntity evaluation, CancellationToken shutdown)
    {
        ModelEntity modelRow = db.Models.Find(evaluation.ModelId)
            ?? throw new EvaluationInputException($"The model {evaluation.ModelId} no longer exists.");
        RnnRbmModel model = ModelFile.Read(modelRow.File);
        List<PianoRoll> rolls = LoadRolls(db, evaluation, model);
        var options = new EvaluationOptions
        {
            AisRuns = evaluation.AisRuns,
            Schedule = AisSchedule.SalakhutdinovMurray(evaluation.AisSteps),
            AccuracySamples = evaluation.AccSamples,
            Seed = (ulong)evaluation.Seed,
        };

        // Progress: AIS is nearly all of the time, the chains' phases count as the first 5 % (as the CLI shows it).
        // Called from one worker thread at a time while this thread waits in Evaluate: the context is not shared.
        var sinceWrite = Stopwatch.StartNew();
        void OnProgress(EvaluationProgress p)
        {
            if (sinceWrite.Elapsed < ProgressInterval || p.Total == 0)
            {
                return;
            }
            sinceWrite.Restart();
            double fraction = p.Phase == "likelihood" ? 0.05 + (0.95 * p.Done / p.Total) : 0.05 * p.Done / p.Total;
            try
            {
                db.Evaluations.Where(e => e.Id == evaluation.Id).ExecuteUpdate(s => s.SetProperty(e => e.Progress, fraction));
            }
            catch (DbException ex)
            {
                // Progress is informational: a busy database must not stop the measuring; the next report tries again.
                log.LogWarning(ex, "Evaluation {Id}: could not record progress.", evaluation.Id);
            }
        }

        EvaluationResult result = new RnnRbmEvaluator(model.Parameters, backend).Evaluate(rolls, options, OnProgress, shutdown);

        // Invariant 2: the results and the model's metrics in one write. The model row is read again just before it:
        // another node's evaluation of the same model may have added its metrics meanwhile (keeps the window to this write).
        db.Entry(modelRow).Reload();
        if (db.Entry(modelRow).State == EntityState.Detached)
        {
            throw new EvaluationInputException($"The model {evaluation.ModelId} was deleted during its evaluation.");
        }
        model = ModelFile.Read(modelRow.File);
        var metrics = new Dictionary<string, double>(model.Manifest.Metrics);
        void Metric(string name, double? value)
        {
            if (value is double v && double.IsFinite(v))
            {
                metrics[$"{evaluation.Split}.{name}"] = v;
            }
        }
        Metric("logLikelihood", result.LogLikelihood);
        Metric("logLikelihoodStandardError", result.StandardError);
        Metric("accuracy", result.Accuracy);
        ModelManifest manifest = model.Manifest with { Metrics = metrics };
        modelRow.File = ModelFile.Write(new RnnRbmModel(model.Parameters, manifest));
        modelRow.ManifestJson = JsonSerializer.Serialize(manifest, ModelFile.JsonOptions);

        evaluation.State = EvaluationStates.Succeeded;
        evaluation.Progress = 1;
        evaluation.LogLikelihood = Finite(result.LogLikelihood);
        evaluation.StandardError = Finite(result.StandardError);
        evaluation.Accuracy = Finite(result.Accuracy);
        evaluation.Sequences = result.Sequences;
        evaluation.Steps = result.Steps;
        evaluation.Seconds = result.Seconds;
        evaluation.Gflops = result.AisGflopPerSecond;
        evaluation.FinishedUtc = DateTimeOffset.UtcNow;
        db.SaveChanges();
        log.LogInformation("Evaluation {Id} of model {Model} on {Split}: LL {LogLikelihood} ± {Error}, accuracy {Accuracy}.",
            evaluation.Id, evaluation.ModelId, evaluation.Split, evaluation.LogLikelihood, evaluation.StandardError, evaluation.Accuracy);
    }

    private static double? Finite(double? value) => value is double v && double.IsFinite(v) ? v : null;

    /// <summary>
    /// The split's accepted files at the model's grid and range, empty rolls left out, in a fixed order (file name,
    /// then id) as Training.TrainingData reads a corpus (which only reads train and valid, hence this).
    /// </summary>
    private List<PianoRoll> LoadRolls(RnnRbmDbContext db, EvaluationEntity evaluation, RnnRbmModel model)
    {
        var files = db.CorpusFiles.AsNoTracking()
            .Where(f => f.CorpusId == evaluation.CorpusId && f.Accepted && f.Bytes != null && f.Split == evaluation.Split)
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
                log.LogWarning("Evaluation {Id} skips {File}: {Reason}", evaluation.Id, file.FileName, ex.Reason);
            }
        }
        if (rolls.Count == 0)
        {
            throw new EvaluationInputException(
                $"No accepted {evaluation.Split} file of corpus {evaluation.CorpusId} gives a non-empty piano-roll at {model.Grid}, {model.Range}.");
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
