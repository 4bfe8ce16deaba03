using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Models;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Api.Training;

/// <summary>
/// One invocation of <see cref="TrainingJob"/>: the epoch loop on the job's thread, and a poller beside it that
/// looks for cancel requests and records progress and the lease's heartbeat. Both write through one tracked
/// <see cref="TrainingEntity"/> under one lock, each write guarded by Version (see the job's invariants).
/// </summary>
internal sealed class TrainingRun : IDisposable
{
    private readonly Guid _id;
    private readonly RnnRbmDbContext _db;
    private readonly string _owner;
    private readonly NumericsBackend _backend;
    private readonly CancellationToken _userCancel;
    private readonly CancellationToken _shutdown;
    private readonly ILogger _log;

    // Cancelled by a user's cancel, by shutdown, or when this runner finds itself superseded: TrainEpoch stops
    // at the next update boundary.
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _pollerDone = new();
    private readonly Lock _gate = new();

    private TrainingEntity _training = null!;
    private bool _stale;   // under _gate: someone else wrote the row; write nothing more
    private bool _closed;  // under _gate: the loop is over; the poller writes nothing more
    private volatile bool _cancelRequested;
    private long _framesDone;  // of the epoch in flight, written by the training thread, read by the poller
    private int _updates;      // made by this run

    public TrainingRun(Guid id, RnnRbmDbContext db, string owner, NumericsBackend backend, ILogger log,
        CancellationToken userCancel, CancellationToken shutdown)
    {
        _id = id;
        _db = db;
        _owner = owner;
        _backend = backend;
        _userCancel = userCancel;
        _shutdown = shutdown;
        _log = log;
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "Whatever stops a training is recorded as its failure, so that it is never retried forever.")]
    public void Execute()
    {
        if (!TryTakeLease())
        {
            return;
        }
        using CancellationTokenRegistration onUserCancel = _userCancel.Register(() => RequestCancel("this process"));
        using CancellationTokenRegistration onShutdown = _shutdown.Register(_stop.Cancel);
        Task? poller = null;
        try
        {
            TrainingSettings settings = TrainingSettings.FromJson(_training.SettingsJson);
            if (_training.CancelRequested)
            {
                RequestCancel("the database");
            }
            // Checkpoint first (invariant 3): where this run starts.
            (RnnRbmParameters parameters, TrainerCheckpoint? resume, List<EpochRecord> history, string? digest) = LoadCheckpoint(settings);
            TrainingData data = TrainingData.Load(_db, _training.CorpusId, settings, _log);
            if (digest is not null && digest != data.Corpus.Sha256)
            {
                throw new TrainingInputException("The corpus changed since the last checkpoint, so the training cannot resume exactly.");
            }
            lock (_gate)
            {
                _training.EpochFramesTotal = data.TrainFrames;
            }
            using var trainer = new RnnRbmTrainer(parameters, settings.Options, _backend, threads: 0, resume);
            _log.LogInformation(
                "Training {Id} {Action} at epoch {Epoch}/{Epochs}: {Sequences} train sequences ({Frames} frames), {Valid} valid, {Backend}, {Threads} thread(s).",
                _id, resume is null ? "starts" : "resumes", trainer.EpochsCompleted + 1, settings.Epochs, data.Train.Count, data.TrainFrames,
                data.Valid.Count, _backend.Name, trainer.Threads);
            poller = Task.Run(() => PollAsync(_pollerDone.Token));

            TrainEpochs(settings, data, trainer, history);

            lock (_gate)
            {
                _closed = true;
            }
            StopPoller(poller);
            if (_stale)
            {
                return;
            }
            if (trainer.EpochsCompleted >= settings.Epochs)
            {
                Finish(TrainingStates.Succeeded, settings, data, trainer, history, null);
            }
            else if (_cancelRequested)
            {
                Finish(TrainingStates.Cancelled, settings, data, trainer, history,
                    $"Cancelled during epoch {trainer.EpochsCompleted + 1}; the parameters include that epoch's updates so far.");
            }
            else
            {
                Release(trainer.EpochsCompleted);
            }
        }
        catch (Exception ex)
        {
            StopPoller(poller);
            if (ex is TrainingDivergedException or TrainingInputException or InvalidModelFileException)
            {
                _log.LogWarning("Training {Id} failed: {Message}", _id, ex.Message);
                Fail(ex.Message);
            }
            else
            {
                _log.LogError(ex, "Training {Id} failed unexpectedly.", _id);
                Fail($"Internal error: {ex.Message}");
            }
        }
    }

    private void TrainEpochs(TrainingSettings settings, TrainingData data, RnnRbmTrainer trainer, List<EpochRecord> history)
    {
        while (trainer.EpochsCompleted < settings.Epochs && !_stop.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _framesDone, 0);
            EpochResult result = trainer.TrainEpoch(data.Train, p => Interlocked.Exchange(ref _framesDone, p.Frames), _stop.Token);
            _updates += result.Updates;
            if (result.Cancelled)
            {
                return;
            }
            double? valid = data.Valid.Count > 0 ? trainer.MeasureMonitor(data.Valid) : null;
            history.Add(new EpochRecord(result.Epoch, result.Monitor, valid is double v && double.IsFinite(v) ? v : null, result.Seconds, result.FramesPerSecond));
            TrainerCheckpoint state = trainer.Checkpoint();
            byte[] checkpoint = ModelFile.Write(new RnnRbmModel(trainer.Parameters, Manifest(settings, data, trainer, history, state), state.Velocity));
            lock (_gate)
            {
                if (_stale)
                {
                    return;
                }
                // Invariant 3: everything of this epoch boundary in one guarded write.
                _training.Checkpoint = checkpoint;
                _training.HistoryJson = JsonSerializer.Serialize(history, ModelFile.JsonOptions);
                _training.EpochsCompleted = trainer.EpochsCompleted;
                _training.EpochFramesDone = 0;
                _training.LeaseHeartbeatUtc = DateTimeOffset.UtcNow;
                // Who completed it, for operators (and the scale-out tests); its key (training, epoch) refuses a second one.
                _db.TrainingEpochs.Add(new TrainingEpochEntity
                {
                    TrainingId = _id,
                    Epoch = result.Epoch,
                    Worker = _owner,
                    CompletedUtc = _training.LeaseHeartbeatUtc.Value,
                });
                if (!TrySave($"checkpoint epoch {result.Epoch}"))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Invariant 1 across processes: take the lease unless the training is finished or a live owner holds it.</summary>
    private bool TryTakeLease()
    {
        TrainingEntity? training = _db.Trainings.Find(_id);
        if (training is null)
        {
            _log.LogInformation("Training {Id} does not exist (deleted?); its job returns.", _id);
            return false;
        }
        _training = training;
        if (TrainingStates.IsFinished(training.State))
        {
            _log.LogInformation("Training {Id} is already {State}; this job returns.", _id, training.State);
            return false;
        }
        DateTimeOffset now = DateTimeOffset.UtcNow;
        if (training.LeaseOwner is string holder && holder != _owner)
        {
            if (TrainingLease.IsFresh(training.LeaseHeartbeatUtc, now))
            {
                _log.LogInformation("Training {Id} is run by {Owner} (heartbeat {Heartbeat:O}); this job returns.", _id, holder, training.LeaseHeartbeatUtc);
                return false;
            }
            _log.LogWarning("Training {Id}: taking over the lease of {Owner}, silent since {Heartbeat:O}.", _id, holder, training.LeaseHeartbeatUtc);
        }
        training.LeaseOwner = _owner;
        training.LeaseHeartbeatUtc = now;
        training.State = TrainingStates.Running;
        training.StartedUtc ??= now;
        training.Backend = _backend.Name;
        training.EpochFramesDone = 0;
        lock (_gate)
        {
            return TrySave("take the lease");
        }
    }

    private (RnnRbmParameters, TrainerCheckpoint?, List<EpochRecord>, string?) LoadCheckpoint(TrainingSettings settings)
    {
        if (_training.Checkpoint is not byte[] bytes || _training.EpochsCompleted == 0)
        {
            return (RnnRbmTrainer.InitialParameters(settings.Shape, settings.Seed), null, [], null);
        }
        RnnRbmModel model = ModelFile.Read(bytes);
        CheckpointInfo info = model.Manifest.Checkpoint
            ?? throw new InvalidModelFileException("the training's checkpoint has no random states to resume from.");
        List<EpochRecord> history = JsonSerializer.Deserialize<List<EpochRecord>>(_training.HistoryJson, ModelFile.JsonOptions) ?? [];
        if (model.Manifest.Training.EpochsCompleted != _training.EpochsCompleted || history.Count != _training.EpochsCompleted
            || model.Manifest.Shape.ToShape() != settings.Shape)
        {
            throw new InvalidModelFileException(
                $"the training's checkpoint (epoch {model.Manifest.Training.EpochsCompleted}, {history.Count} history entries) disagrees with its record (epoch {_training.EpochsCompleted}).");
        }
        return (model.Parameters, info.ToTrainerCheckpoint(_training.EpochsCompleted, model.Velocity), history, model.Manifest.Corpus?.Sha256);
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
                ModelEntities.FromTraining, _id, _training.CorpusId);
            _db.Models.Add(model);
        }
        lock (_gate)
        {
            _training.State = state;
            _training.ModelId = model?.Id;
            _training.FinishedUtc = DateTimeOffset.UtcNow;
            _training.EpochsCompleted = trainer.EpochsCompleted;
            _training.HistoryJson = JsonSerializer.Serialize(history, ModelFile.JsonOptions);
            _training.Checkpoint = null; // the model holds the parameters now
            ClearLease();
            if (TrySave($"finish as {state}"))
            {
                _log.LogInformation("Training {Id} {State} after {Epochs} epochs; model {ModelId}.", _id, state, trainer.EpochsCompleted, model?.Id);
            }
        }
    }

    /// <summary>Invariant 5: shutdown leaves the training queued, its lease free, its last checkpoint in place.</summary>
    private void Release(int epochsCompleted)
    {
        lock (_gate)
        {
            _training.State = TrainingStates.Queued;
            ClearLease();
            if (TrySave("release the lease"))
            {
                _log.LogInformation("Training {Id} stopped for shutdown after epoch {Epoch}; it resumes from there when a worker starts again.", _id, epochsCompleted);
            }
        }
    }

    /// <summary>Invariant 6: a failure is recorded, not retried.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "The failure being recorded is what matters; a second one is logged.")]
    private void Fail(string message)
    {
        lock (_gate)
        {
            _closed = true;
            if (_stale)
            {
                return;
            }
            DiscardPendingInserts();
            _training.State = TrainingStates.Failed;
            _training.Error = message;
            _training.FinishedUtc = DateTimeOffset.UtcNow;
            ClearLease();
            try
            {
                TrySave("record the failure");
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "Training {Id}: could not record its failure ({Message}).", _id, message);
                throw;
            }
        }
    }

    private void ClearLease()
    {
        _training.LeaseOwner = null;
        _training.LeaseHeartbeatUtc = null;
        _training.EpochFramesDone = 0;
    }

    /// <summary>Invariant 2: one SaveChanges, WHERE Version = the last one written; a stale runner stops here. Call under _gate.</summary>
    private bool TrySave(string what)
    {
        _training.Version++;
        try
        {
            _db.SaveChanges();
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            DiscardPendingInserts();
            MarkStale($"could not {what}");
            return false;
        }
        catch (DbUpdateException) when (IsSuperseded())
        {
            // The same write lost differently: its epoch row clashed with the one the newer runner wrote first
            // (the provider may send the INSERT before the guarded UPDATE). Nothing of it was committed.
            DiscardPendingInserts();
            MarkStale($"could not {what} (epoch already recorded)");
            return false;
        }
    }

    /// <summary>Whether the row's Version moved past the one this runner last wrote (someone else wrote it).</summary>
    private bool IsSuperseded()
    {
        long? current = _db.Trainings.AsNoTracking().Where(t => t.Id == _id).Select(t => (long?)t.Version).FirstOrDefault();
        return current != _training.Version - 1;
    }

    private void DiscardPendingInserts()
    {
        foreach (var added in _db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList())
        {
            added.State = EntityState.Detached;
        }
    }

    private void MarkStale(string why)
    {
        _stale = true;
        _stop.Cancel();
        _log.LogWarning("Training {Id}: another runner has written it ({Why}); this one stops without writing.", _id, why);
    }

    private void RequestCancel(string source)
    {
        if (!_cancelRequested)
        {
            _cancelRequested = true;
            _log.LogInformation("Training {Id}: cancel requested (seen by {Source}); stopping after the update in flight.", _id, source);
        }
        _stop.Cancel();
    }

    private async Task PollAsync(CancellationToken done)
    {
        using var timer = new PeriodicTimer(TrainingLease.PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(done))
            {
                Poll();
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "A failed poll (e.g. a busy database) is retried at the next tick; it must not stop the training.")]
    private void Poll()
    {
        lock (_gate)
        {
            if (_closed || _stale)
            {
                return;
            }
            try
            {
                var row = _db.Trainings.AsNoTracking().Where(t => t.Id == _id).Select(t => new { t.CancelRequested, t.Version }).FirstOrDefault();
                if (row is null || row.Version != _training.Version)
                {
                    MarkStale(row is null ? "the training was deleted" : $"its version is {row.Version}, not {_training.Version}");
                    return;
                }
                if (row.CancelRequested)
                {
                    RequestCancel("the database");
                }
                long frames = Interlocked.Read(ref _framesDone);
                DateTimeOffset now = DateTimeOffset.UtcNow;
                if (frames != _training.EpochFramesDone || now - _training.LeaseHeartbeatUtc >= TrainingLease.HeartbeatInterval)
                {
                    _training.EpochFramesDone = frames;
                    _training.LeaseHeartbeatUtc = now;
                    TrySave("record progress");
                }
            }
            catch (Exception ex) when (ex is not DbUpdateConcurrencyException)
            {
                _log.LogWarning(ex, "Training {Id}: a progress poll failed; retrying.", _id);
            }
        }
    }

    private void StopPoller(Task? poller)
    {
        lock (_gate)
        {
            _closed = true;
        }
        _pollerDone.Cancel();
        poller?.GetAwaiter().GetResult();
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

    public void Dispose()
    {
        _stop.Dispose();
        _pollerDone.Dispose();
    }
}
