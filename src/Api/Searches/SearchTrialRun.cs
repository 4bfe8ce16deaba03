using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Training;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.Search;
using RnnRbm.Core.Training;

namespace RnnRbm.Api.Searches;

/// <summary>
/// One job of a search's trial (background work of kind <see cref="Kind"/>, compute load): trains the trial from its
/// checkpoint up to its target rung's epochs, on one thread, with the claim, the heartbeat and the Version-guarded
/// writes of <see cref="WorkRun{TEntity}"/>. The search's coordinator (<see cref="SearchRun"/>) decides which trial
/// goes on; this job only trains it and reports where it got.
/// </summary>
/// <remarks>
/// Invariants, beside <see cref="WorkRun{TEntity}"/>'s:
/// <list type="number">
/// <item>As a training's: a checkpoint is written once per epoch, all of one epoch boundary in one guarded write (the
/// loop's state in <see cref="LoopCheckpoint"/>'s format, the history, the best so far and the epoch's row in
/// search_trial_epochs, whose key refuses a second one). A run first loads it and resumes bit-identically: a job on
/// another worker (after a kill, a shutdown, or a promotion) never records an epoch twice and only redoes the epoch in
/// flight.</item>
/// <item>Reaching the target rung (or the end of its own training) is one write: the rung, its score at the rung,
/// paused or finished, and the job succeeded. Only the coordinator queues it again (one rung further).</item>
/// <item>The search's wall-clock budget (from its first start, whoever runs it) cuts the epoch in flight; so does a
/// cancel from the coordinator (the row's flag, then its job deleted). Either ends the trial stopped, keeping its last
/// checkpoint, whose best parameters the search's model can still be made of.</item>
/// <item>A shutdown hands it back queued; Hangfire re-queues the job, and the next worker resumes it.</item>
/// </list>
/// </remarks>
public sealed class SearchTrialRun : WorkRun<SearchTrialEntity>
{
    /// <summary>The kind's name: its Hangfire queue, and how its jobs name it.</summary>
    public const string Kind = "trial";

    private readonly NumericsBackend _backend;

    public SearchTrialRun(WorkContext context, NumericsBackend backend)
        : base(context, backend.Name)
    {
        _backend = backend;
    }

    protected override void Work()
    {
        SearchEntity search = Db.Searches.AsNoTracking().FirstOrDefault(s => s.Id == Row.SearchId) ?? throw new SearchInputException($"The search {Row.SearchId} of this trial no longer exists.");
        StartSearchRequest request = SearchRun.Request(search);
        SearchSpace space = request.Space();
        IReadOnlyList<int> rungs = space.Rungs();
        ulong seed = request.Seed ?? StartSearchRequest.DefaultSeed;
        TrialSettings settings = JsonSerializer.Deserialize<TrialSettings>(Row.SettingsJson, SearchRun.Json)
            ?? throw new SearchInputException("The trial's settings are empty.");
        MidiReadOptions read = SearchRun.Reading;
        ModelShape shape = settings.Shape(read.Range.Count);
        TrainingOptions options = settings.Options(space.MaxEpochs, seed + (ulong)Row.Number);
        int target = rungs[Math.Min(Row.TargetRung, rungs.Count - 1)];

        // Checkpoint first (invariant 1): where this job starts.
        (RnnRbmParameters parameters, TrainingResume? resume, string? digest) = Row.Checkpoint is byte[] bytes && Row.EpochsCompleted > 0
            ? LoopCheckpoint.Read(bytes, Row.EpochsCompleted, Row.HistoryJson, shape, "trial")
            : (RnnRbmTrainer.InitialParameters(shape, options.Seed), null, null);
        TrainingData data = TrainingData.Load(Db, search.CorpusId, read, seed, Log);
        if (digest is not null && digest != data.Corpus.Sha256)
        {
            throw new TrainingInputException("The corpus changed since the trial's last checkpoint, so it cannot resume exactly.");
        }
        using var loop = new TrainingLoop(parameters, options, space.TrialStopping(seed), _backend, data.Sets, threads: 1, resume);

        // Invariant 3: the budget is the search's, in wall-clock time from its first start.
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        TimeSpan left = SearchRun.Deadline(search) - DateTimeOffset.UtcNow;
        if (WorkStates.IsFinished(search.State) || left <= TimeSpan.Zero)
        {
            budget.Cancel();
        }
        else
        {
            budget.CancelAfter(left);
        }
        Log.LogInformation("Search {Search} trial {Number} ({Settings}) {Action} at epoch {Epoch}, towards rung {Rung} ({Target} epochs).",
            Row.SearchId, Row.Number, settings, resume is null ? "starts" : "resumes", loop.EpochsCompleted + 1, Row.TargetRung, target);
        StartWriter();

        bool cut = TrainEpochs(loop, target, shape, options, data, budget.Token);

        StopWriter();
        if (IsStale)
        {
            return;
        }
        if (!cut && (loop.Finished || loop.EpochsCompleted >= target))
        {
            ReachRung(loop, rungs.Count);
        }
        else if (budget.IsCancellationRequested && !Stopping.IsCancellationRequested)
        {
            Cut($"the search's budget of {search.BudgetMinutes:G4} minutes ended");
        }
        else if (CancelRequestedNow() || WorkStates.IsFinished(search.State))
        {
            Cut("the search was stopped");
        }
        else
        {
            HandBack($"it resumes after epoch {loop.EpochsCompleted} on the next worker.");
        }
    }

    protected override bool IsExpectedFailure(Exception ex) =>
        ex is SearchInputException or TrainingInputException or InvalidModelFileException or TrainingDivergedException;

    protected override bool RecordProgress() => false; // everything is written at epoch boundaries; the writer keeps the heartbeat

    protected override void ResetProgress()
    {
        // A trial's progress is its checkpoint: nothing to put back at a claim or a hand-back.
    }

    /// <summary>Epochs up to <paramref name="target"/>, each checkpointed; true when <paramref name="cut"/> stopped them first.</summary>
    private bool TrainEpochs(TrainingLoop loop, int target, ModelShape shape, TrainingOptions options, TrainingData data, CancellationToken cut)
    {
        double secondsBefore = Row.Seconds;
        var clock = Stopwatch.StartNew();
        while (!loop.Finished && loop.EpochsCompleted < target)
        {
            if (cut.IsCancellationRequested)
            {
                return true;
            }
            LoopEpoch step = loop.RunEpoch(cancellation: cut);
            if (step.Cancelled)
            {
                // The epoch in flight is lost (its updates, or its validation: a cut never reaches a rung, as in Core's
                // search, and a resumed trial redoes the epoch exactly); the last checkpoint stands.
                return true;
            }
            byte[] checkpoint = LoopCheckpoint.Write(loop, Manifest(shape, options, data, loop));
            StoppingInfo state = loop.State;
            lock (Gate)
            {
                if (IsStale)
                {
                    return false;
                }
                // Invariant 1: everything of this epoch boundary in one guarded write.
                Row.Checkpoint = checkpoint;
                Row.HistoryJson = JsonSerializer.Serialize(loop.History, ModelFile.JsonOptions);
                Row.StoppingJson = JsonSerializer.Serialize(state, ModelFile.JsonOptions);
                Row.EpochsCompleted = loop.EpochsCompleted;
                Row.BestValidLogLikelihood = state.BestValidLogLikelihood is double ll && double.IsFinite(ll) ? ll : null;
                Row.BestEpoch = state.BestEpoch;
                Row.Seconds = secondsBefore + clock.Elapsed.TotalSeconds;
                Row.LeaseHeartbeatUtc = DateTimeOffset.UtcNow;
                if (step.Record is EpochRecord record)
                {
                    Db.SearchTrialEpochs.Add(new SearchTrialEpochEntity
                    {
                        TrialId = Id,
                        Epoch = record.Epoch,
                        Worker = Owner,
                        CompletedUtc = Row.LeaseHeartbeatUtc.Value,
                    });
                }
                if (!TrySave($"checkpoint epoch {loop.EpochsCompleted}"))
                {
                    return false;
                }
            }
        }
        return false;
    }

    /// <summary>Invariant 2: the rung reached, its score, paused or finished, and the job done, in one write.</summary>
    private void ReachRung(TrainingLoop loop, int rungCount)
    {
        lock (Gate)
        {
            int rung = Math.Min(Row.TargetRung, rungCount - 1);
            List<double?> scores = JsonSerializer.Deserialize<List<double?>>(Row.RungScoresJson, SearchRun.Json) ?? [];
            scores.RemoveRange(Math.Min(rung, scores.Count), scores.Count - Math.Min(rung, scores.Count));
            while (scores.Count < rung)
            {
                scores.Add(null);
            }
            scores.Add(Row.BestValidLogLikelihood);
            bool ended = loop.Finished || rung == rungCount - 1;
            Row.Rung = rung;
            Row.RungScoresJson = JsonSerializer.Serialize(scores, SearchRun.Json);
            Row.TrialState = ended ? SearchTrials.Finished : SearchTrials.Paused;
            Row.StopReason = ended ? loop.State.StopReason ?? $"reached its last rung ({loop.EpochsCompleted} epochs)" : null;
            End(WorkStates.Succeeded, $"reach rung {rung}");
        }
    }

    /// <summary>Invariant 3: stopped, keeping its last checkpoint.</summary>
    private void Cut(string reason)
    {
        lock (Gate)
        {
            Row.TrialState = SearchTrials.Stopped;
            Row.StopReason = reason;
            End(WorkStates.Cancelled, "stop");
        }
    }

    /// <summary>Call under <see cref="WorkRun{TEntity}.Gate"/>.</summary>
    private void End(string state, string what)
    {
        Row.State = state;
        Row.FinishedUtc = DateTimeOffset.UtcNow;
        ClearWorker();
        if (TrySave(what))
        {
            Log.LogInformation("Search {Search} trial {Number}: {State} at epoch {Epoch}, rung {Rung} ({TrialState}; {Reason}).",
                Row.SearchId, Row.Number, state, Row.EpochsCompleted, Row.Rung, Row.TrialState, Row.StopReason ?? "waits to be chosen to go on");
        }
    }

    private ModelManifest Manifest(ModelShape shape, TrainingOptions options, TrainingData data, TrainingLoop loop) => new()
    {
        Shape = ShapeInfo.From(shape),
        PitchRange = PitchRangeInfo.From(SearchRun.Reading.Range),
        TimeGrid = TimeGridInfo.From(SearchRun.Reading.Grid),
        Training = TrainingInfo.From(options, loop.EpochsCompleted),
        Corpus = data.Corpus,
        History = [.. loop.History],
        Stopping = loop.State,
        Numerics = new NumericsInfo(_backend.Name, _backend.Description),
        CreatedUtc = DateTimeOffset.UtcNow,
    };
}
