using System.Text.Json;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Models;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.Training;

namespace RnnRbm.Api.Training;

/// <summary>
/// One run of a training (background work of kind <see cref="Kind"/>): the epoch loop on the job's thread, with the
/// claim, the progress writer and the Version-guarded writes of <see cref="WorkRun{TEntity}"/>.
/// </summary>
/// <remarks>
/// Invariants, beside <see cref="WorkRun{TEntity}"/>'s:
/// <list type="number">
/// <item>A checkpoint is written once per epoch, all of one epoch boundary in one write: the parameters and the
/// trainer's random states (a model file with its checkpoint section), the history, EpochsCompleted and the epoch's
/// row in training_epochs (whose key refuses a second one). A run first loads it and resumes with RnnRbmTrainer's
/// resume constructor, bit-identical to an uninterrupted run: no epoch is recorded twice, and only the epoch in flight
/// is lost (and redone identically).</item>
/// <item>Finishing is one write too: the model row and the training's final state (with its ModelId) together.</item>
/// <item>A shutdown stops at the next update boundary and hands the training back queued, never failed; a cancel
/// ends it cancelled with what it learned as a model.</item>
/// <item>Any other failure (divergence, unusable corpus, corrupt checkpoint) ends the training failed with its
/// message; it is never retried.</item>
/// </list>
/// </remarks>
public sealed class TrainingRun : WorkRun<TrainingEntity>
{
    /// <summary>The kind's name: its Hangfire queue, and how its jobs name it.</summary>
    public const string Kind = "training";

    private readonly NumericsBackend _backend;
    private long _framesDone;  // of the epoch in flight, written by the training thread, read by the poller
    private int _updates;      // made by this run

    public TrainingRun(WorkContext context, NumericsBackend backend)
        : base(context, backend.Name)
    {
        _backend = backend;
    }

    protected override void Work()
    {
        TrainingSettings settings = TrainingSettings.FromJson(Row.SettingsJson);
        // Checkpoint first (invariant 1): where this run starts.
        (RnnRbmParameters parameters, TrainingResume? resume, string? digest) = LoadCheckpoint(settings);
        TrainingData data = TrainingData.Load(Db, Row.CorpusId, settings, Log);
        if (digest is not null && digest != data.Corpus.Sha256)
        {
            throw new TrainingInputException("The corpus changed since the last checkpoint, so the training cannot resume exactly.");
        }
        lock (Gate)
        {
            Row.EpochFramesTotal = data.TrainFrames;
        }
        using var loop = new TrainingLoop(parameters, settings.Options, settings.Stopping, _backend, data.Sets, threads: 0, resume);
        Log.LogInformation(
            "Training {Id} {Action} at epoch {Epoch}/{Epochs}: {Sequences} train sequences ({Frames} frames), {Valid} {Source} sequences, {Backend}, {Threads} thread(s).",
            Id, resume is null ? "starts" : "resumes", loop.EpochsCompleted + 1, settings.Epochs, data.Train.Count, data.TrainFrames,
            data.Valid.Count, data.Sets.ValidSource, _backend.Name, loop.Trainer.Threads);
        StartWriter();

        TrainEpochs(settings, data, loop);

        StopWriter();
        if (IsStale)
        {
            return;
        }
        if (loop.Finished)
        {
            Finish(WorkStates.Succeeded, settings, data, loop, null);
        }
        else if (CancelRequestedNow())
        {
            loop.StopNow($"cancelled during epoch {loop.EpochsCompleted + 1}");
            Finish(WorkStates.Cancelled, settings, data, loop,
                $"Cancelled during epoch {loop.EpochsCompleted + 1}; the model keeps epoch {loop.ResultEpoch}" +
                (settings.KeepBest ? " (the best on validation so far)." : " (the last one, with that epoch's updates so far)."));
        }
        else
        {
            HandBack($"it resumes after epoch {loop.EpochsCompleted} on the next worker.");
        }
    }

    protected override bool IsExpectedFailure(Exception ex) =>
        ex is TrainingDivergedException or TrainingInputException or InvalidModelFileException;

    protected override bool RecordProgress()
    {
        long frames = Interlocked.Read(ref _framesDone);
        if (frames == Row.EpochFramesDone)
        {
            return false;
        }
        Row.EpochFramesDone = frames;
        return true;
    }

    protected override void ResetProgress() => Row.EpochFramesDone = 0;

    protected override void ClearWorker()
    {
        base.ClearWorker();
        ResetProgress();
    }

    private void TrainEpochs(TrainingSettings settings, TrainingData data, TrainingLoop loop)
    {
        while (!loop.Finished && !Stopping.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _framesDone, 0);
            LoopEpoch step = loop.RunEpoch(p => Interlocked.Exchange(ref _framesDone, p.Frames), Stopping);
            _updates += step.Result?.Updates ?? 0;
            if (step.Cancelled)
            {
                return; // the epoch in flight is done again from the last checkpoint (or kept by Finish on a cancel)
            }
            foreach (TrainingEvent e in step.Events)
            {
                Log.LogInformation("Training {Id} epoch {Epoch}: {Message}", Id, e.Epoch, e.Message);
            }
            byte[] checkpoint = LoopCheckpoint.Write(loop, Manifest(settings, data, loop));
            lock (Gate)
            {
                if (IsStale)
                {
                    return;
                }
                // Invariant 1: everything of this epoch boundary in one guarded write.
                Row.Checkpoint = checkpoint;
                Row.HistoryJson = JsonSerializer.Serialize(loop.History, ModelFile.JsonOptions);
                Row.StoppingJson = JsonSerializer.Serialize(loop.State, ModelFile.JsonOptions);
                Row.EpochsCompleted = loop.EpochsCompleted;
                Row.EpochFramesDone = 0;
                Row.LeaseHeartbeatUtc = DateTimeOffset.UtcNow;
                if (step.Record is EpochRecord record)
                {
                    // Who completed it, for operators (and the scale-out tests); its key (training, epoch) refuses a second one.
                    Db.TrainingEpochs.Add(new TrainingEpochEntity
                    {
                        TrainingId = Id,
                        Epoch = record.Epoch,
                        Worker = Owner,
                        CompletedUtc = Row.LeaseHeartbeatUtc.Value,
                    });
                }
                if (!TrySave($"checkpoint epoch {loop.EpochsCompleted}"))
                {
                    return;
                }
            }
        }
    }

    private (RnnRbmParameters, TrainingResume?, string?) LoadCheckpoint(TrainingSettings settings)
    {
        if (Row.Checkpoint is not byte[] bytes || Row.EpochsCompleted == 0)
        {
            return (RnnRbmTrainer.InitialParameters(settings.Shape, settings.Seed), null, null);
        }
        return LoopCheckpoint.Read(bytes, Row.EpochsCompleted, Row.HistoryJson, settings.Shape, "training");
    }

    /// <summary>Invariant 2: the model (when anything was learned) and the final state in one guarded write.</summary>
    private void Finish(string state, TrainingSettings settings, TrainingData data, TrainingLoop loop, string? notes)
    {
        ModelEntity? model = null;
        if (loop.EpochsCompleted > 0 || _updates > 0)
        {
            ModelManifest manifest = Manifest(settings, data, loop) with { Notes = notes };
            model = ModelEntities.Create(new RnnRbmModel(loop.ResultParameters(), manifest),
                $"{data.Corpus.Name} (H {settings.Hidden}, U {settings.Recurrent}, epoch {loop.ResultEpoch} of {loop.EpochsCompleted})",
                ModelEntities.FromTraining, Id, Row.CorpusId);
            Db.Models.Add(model);
        }
        lock (Gate)
        {
            Row.State = state;
            Row.ModelId = model?.Id;
            Row.FinishedUtc = DateTimeOffset.UtcNow;
            Row.EpochsCompleted = loop.EpochsCompleted;
            Row.HistoryJson = JsonSerializer.Serialize(loop.History, ModelFile.JsonOptions);
            Row.StoppingJson = JsonSerializer.Serialize(loop.State, ModelFile.JsonOptions);
            Row.Checkpoint = null; // the model holds the parameters now
            ClearWorker();
            if (TrySave($"finish as {state}"))
            {
                Log.LogInformation("Training {Id} {State} after {Epochs} epochs, keeping epoch {Kept}; model {ModelId}.", Id, state,
                    loop.EpochsCompleted, loop.ResultEpoch, model?.Id);
            }
        }
    }

    private ModelManifest Manifest(TrainingSettings settings, TrainingData data, TrainingLoop loop) => new()
    {
        Shape = ShapeInfo.From(settings.Shape),
        PitchRange = PitchRangeInfo.From(settings.Range),
        TimeGrid = TimeGridInfo.From(settings.Grid),
        Training = TrainingInfo.From(settings.Options, loop.EpochsCompleted),
        Corpus = data.Corpus,
        History = [.. loop.History],
        Stopping = loop.State,
        Numerics = new NumericsInfo(_backend.Name, _backend.Description),
        CreatedUtc = DateTimeOffset.UtcNow,
    };
}
