using System.Text.Json;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Models;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Api.Training;

/// <summary>
/// One invocation of <see cref="TrainingJob"/>: the epoch loop on the job's thread, with the lease, the poller and the
/// Version-guarded writes of <see cref="LeasedRun{TEntity}"/> (see the job's invariants).
/// </summary>
internal sealed class TrainingRun : LeasedRun<TrainingEntity>
{
    private readonly NumericsBackend _backend;
    private long _framesDone;  // of the epoch in flight, written by the training thread, read by the poller
    private int _updates;      // made by this run

    public TrainingRun(Guid id, RnnRbmDbContext db, string owner, NumericsBackend backend, ILogger log,
        CancellationToken userCancel, CancellationToken shutdown)
        : base("Training", id, db, owner, backend.Name, log, userCancel, shutdown)
    {
        _backend = backend;
    }

    protected override void Work()
    {
        TrainingSettings settings = TrainingSettings.FromJson(Row.SettingsJson);
        // Checkpoint first (invariant 3): where this run starts.
        (RnnRbmParameters parameters, TrainerCheckpoint? resume, List<EpochRecord> history, string? digest) = LoadCheckpoint(settings);
        TrainingData data = TrainingData.Load(Db, Row.CorpusId, settings, Log);
        if (digest is not null && digest != data.Corpus.Sha256)
        {
            throw new TrainingInputException("The corpus changed since the last checkpoint, so the training cannot resume exactly.");
        }
        lock (Gate)
        {
            Row.EpochFramesTotal = data.TrainFrames;
        }
        using var trainer = new RnnRbmTrainer(parameters, settings.Options, _backend, threads: 0, resume);
        Log.LogInformation(
            "Training {Id} {Action} at epoch {Epoch}/{Epochs}: {Sequences} train sequences ({Frames} frames), {Valid} valid, {Backend}, {Threads} thread(s).",
            Id, resume is null ? "starts" : "resumes", trainer.EpochsCompleted + 1, settings.Epochs, data.Train.Count, data.TrainFrames,
            data.Valid.Count, _backend.Name, trainer.Threads);
        StartPoller();

        TrainEpochs(settings, data, trainer, history);

        StopPoller();
        if (IsStale)
        {
            return;
        }
        if (trainer.EpochsCompleted >= settings.Epochs)
        {
            Finish(WorkStates.Succeeded, settings, data, trainer, history, null);
        }
        else if (IsCancelRequested)
        {
            Finish(WorkStates.Cancelled, settings, data, trainer, history,
                $"Cancelled during epoch {trainer.EpochsCompleted + 1}; the parameters include that epoch's updates so far.");
        }
        else
        {
            Release($"it resumes after epoch {trainer.EpochsCompleted} when a worker starts again.");
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

    protected override void ClearLease()
    {
        base.ClearLease();
        ResetProgress();
    }

    private void TrainEpochs(TrainingSettings settings, TrainingData data, RnnRbmTrainer trainer, List<EpochRecord> history)
    {
        while (trainer.EpochsCompleted < settings.Epochs && !Stopping.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _framesDone, 0);
            EpochResult result = trainer.TrainEpoch(data.Train, p => Interlocked.Exchange(ref _framesDone, p.Frames), Stopping);
            _updates += result.Updates;
            if (result.Cancelled)
            {
                return;
            }
            double? valid = data.Valid.Count > 0 ? trainer.MeasureMonitor(data.Valid) : null;
            history.Add(new EpochRecord(result.Epoch, result.Monitor, valid is double v && double.IsFinite(v) ? v : null, result.Seconds, result.FramesPerSecond));
            TrainerCheckpoint state = trainer.Checkpoint();
            byte[] checkpoint = ModelFile.Write(new RnnRbmModel(trainer.Parameters, Manifest(settings, data, trainer, history, state), state.Velocity));
            lock (Gate)
            {
                if (IsStale)
                {
                    return;
                }
                // Invariant 3: everything of this epoch boundary in one guarded write.
                Row.Checkpoint = checkpoint;
                Row.HistoryJson = JsonSerializer.Serialize(history, ModelFile.JsonOptions);
                Row.EpochsCompleted = trainer.EpochsCompleted;
                Row.EpochFramesDone = 0;
                Row.LeaseHeartbeatUtc = DateTimeOffset.UtcNow;
                // Who completed it, for operators (and the scale-out tests); its key (training, epoch) refuses a second one.
                Db.TrainingEpochs.Add(new TrainingEpochEntity
                {
                    TrainingId = Id,
                    Epoch = result.Epoch,
                    Worker = Owner,
                    CompletedUtc = Row.LeaseHeartbeatUtc.Value,
                });
                if (!TrySave($"checkpoint epoch {result.Epoch}"))
                {
                    return;
                }
            }
        }
    }

    private (RnnRbmParameters, TrainerCheckpoint?, List<EpochRecord>, string?) LoadCheckpoint(TrainingSettings settings)
    {
        if (Row.Checkpoint is not byte[] bytes || Row.EpochsCompleted == 0)
        {
            return (RnnRbmTrainer.InitialParameters(settings.Shape, settings.Seed), null, [], null);
        }
        RnnRbmModel model = ModelFile.Read(bytes);
        CheckpointInfo info = model.Manifest.Checkpoint
            ?? throw new InvalidModelFileException("the training's checkpoint has no random states to resume from.");
        List<EpochRecord> history = JsonSerializer.Deserialize<List<EpochRecord>>(Row.HistoryJson, ModelFile.JsonOptions) ?? [];
        if (model.Manifest.Training.EpochsCompleted != Row.EpochsCompleted || history.Count != Row.EpochsCompleted
            || model.Manifest.Shape.ToShape() != settings.Shape)
        {
            throw new InvalidModelFileException(
                $"the training's checkpoint (epoch {model.Manifest.Training.EpochsCompleted}, {history.Count} history entries) disagrees with its record (epoch {Row.EpochsCompleted}).");
        }
        return (model.Parameters, info.ToTrainerCheckpoint(Row.EpochsCompleted, model.Velocity), history, model.Manifest.Corpus?.Sha256);
    }

    /// <summary>Invariant 4: the model (when anything was learned) and the final state in one guarded write.</summary>
    private void Finish(string state, TrainingSettings settings, TrainingData data, RnnRbmTrainer trainer, List<EpochRecord> history, string? notes)
    {
        ModelEntity? model = null;
        if (trainer.EpochsCompleted > 0 || _updates > 0)
        {
            ModelManifest manifest = Manifest(settings, data, trainer, history, checkpoint: null) with { Notes = notes };
            model = ModelEntities.Create(new RnnRbmModel(trainer.Parameters, manifest),
                $"{data.Corpus.Name} (H {settings.Hidden}, U {settings.Recurrent}, {trainer.EpochsCompleted} epochs)",
                ModelEntities.FromTraining, Id, Row.CorpusId);
            Db.Models.Add(model);
        }
        lock (Gate)
        {
            Row.State = state;
            Row.ModelId = model?.Id;
            Row.FinishedUtc = DateTimeOffset.UtcNow;
            Row.EpochsCompleted = trainer.EpochsCompleted;
            Row.HistoryJson = JsonSerializer.Serialize(history, ModelFile.JsonOptions);
            Row.Checkpoint = null; // the model holds the parameters now
            ClearLease();
            if (TrySave($"finish as {state}"))
            {
                Log.LogInformation("Training {Id} {State} after {Epochs} epochs; model {ModelId}.", Id, state, trainer.EpochsCompleted, model?.Id);
            }
        }
    }

    private ModelManifest Manifest(TrainingSettings settings, TrainingData data, RnnRbmTrainer trainer, List<EpochRecord> history, TrainerCheckpoint? checkpoint) => new()
    {
        Shape = ShapeInfo.From(settings.Shape),
        PitchRange = PitchRangeInfo.From(settings.Range),
        TimeGrid = TimeGridInfo.From(settings.Grid),
        Training = TrainingInfo.From(settings.Options, trainer.EpochsCompleted),
        Corpus = data.Corpus,
        History = [.. history],
        Numerics = new NumericsInfo(_backend.Name, _backend.Description),
        CreatedUtc = DateTimeOffset.UtcNow,
        Checkpoint = checkpoint is null ? null : CheckpointInfo.From(checkpoint),
    };
}
