using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Jobs;
using RnnRbm.Api.Models;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.Search;
using RnnRbm.Core.Training;

namespace RnnRbm.Api.Searches;

/// <summary>
/// A hyperparameter search's coordinator (background work of kind <see cref="Kind"/>, coordination load: it waits on
/// the database and trains nothing). Its trials are background work of their own (<see cref="SearchTrialRun"/>), each
/// job training one trial up to its next rung on whichever worker has room; the coordinator decides, from the trials'
/// rows, which trial goes on (Core's <see cref="AshaSchedule"/> rebuilt from them) or which new one starts, and in the
/// end makes the best trial a model. Claim, heartbeat and Version-guarded writes are <see cref="WorkRun{TEntity}"/>'s.
/// </summary>
/// <remarks>
/// Invariants, beside <see cref="WorkRun{TEntity}"/>'s and <see cref="SearchTrialRun"/>'s:
/// <list type="number">
/// <item>Only the search's one coordinator creates or promotes its trials, each time in one write guarded by the
/// search's Version and (for a promotion) the trial's: a superseded coordinator changes no trial. Trial n is created
/// once (a unique key on search and number), with settings that are a pure function of the seed and n.</item>
/// <item>While the budget lasts, trials of the search wait in the queue whenever they can be made (a promotion
/// first, else a new trial): one for every worker serving trials that this search does not occupy, and at least one
/// (the workers are counted from Hangfire's servers every <see cref="WorkersReadInterval"/>). Whichever worker frees up
/// takes one at once; the coordinator queues the next ones one after the other and waits <see cref="PollInterval"/>
/// only when it has none to queue. So every worker with room trains a trial of the search without waiting for the
/// coordinator (with one queued trial for all and one decision per poll, two workers finished only 1.03-1.12 times the
/// trials of one on short trials: docs/benchmarks.md, "A search across workers"), and the decision of what runs next is
/// taken up to that many trials ahead of ASHA's (which decides when a worker frees up).</item>
/// <item>The budget is wall-clock time from the search's first start (kept across coordinators and trial jobs alike):
/// then no trial is made, and the running ones cut their epoch in flight themselves.</item>
/// <item>A coordinator lost or shut down changes nothing of its trials: they go on where they run; the next
/// coordinator (after a takeover, or the same job re-queued by Hangfire) continues from the rows.</item>
/// <item>The search ends once no trial of it is queued or running (the coordinator stops queued ones, and ones whose
/// worker is lost, itself; asks running ones to stop): then finishing is one write, the best trial's model (its best
/// validated epoch from its last checkpoint, the search in its manifest) and the search's final state with its
/// ModelId. A cancel ends the same way, keeping the best trial so far; a search without a validated trial fails.</item>
/// </list>
/// </remarks>
public sealed class SearchRun : WorkRun<SearchEntity>
{
    /// <summary>The kind's name: its Hangfire queue, and how its jobs name it.</summary>
    public const string Kind = "search";

    /// <summary>How often the coordinator reads its trials to decide, and to see whether they stopped.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the coordinator counts the workers that serve trials (a read of Hangfire's servers).</summary>
    public static readonly TimeSpan WorkersReadInterval = TimeSpan.FromSeconds(10);

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>How a search reads its corpus (the CLI's reading): the default recipe's grid, the piano's range.</summary>
    internal static MidiReadOptions Reading { get; } = new() { Grid = TrainingRecipe.Default.Grid };

    private readonly NumericsBackend _backend;
    private readonly BackgroundWork _work;
    private readonly IBackgroundJobClient _jobs;
    private readonly RnnRbmOptions _options;
    private readonly JobStorage _storage;
    private int _trialWorkers = 1;
    private DateTimeOffset _workersReadUtc = DateTimeOffset.MinValue;

    public SearchRun(WorkContext context, NumericsBackend backend, BackgroundWork work, IBackgroundJobClient jobs, JobStorage storage)
        : base(context, backend.Name)
    {
        _backend = backend;
        _work = work;
        _jobs = jobs;
        _options = context.Options;
        _storage = storage;
    }

    /// <summary>The search's resolved request.</summary>
    internal static StartSearchRequest Request(SearchEntity search) =>
        JsonSerializer.Deserialize<StartSearchRequest>(search.SettingsJson, Json) ?? throw new SearchInputException("The search's settings are empty.");

    /// <summary>When the budget ends: its minutes after the search's first start (invariant 3).</summary>
    internal static DateTimeOffset Deadline(SearchEntity search) =>
        (search.StartedUtc ?? DateTimeOffset.UtcNow) + TimeSpan.FromMinutes(search.BudgetMinutes);

    protected override void Work()
    {
        StartSearchRequest settings = Request(Row);
        SearchSpace space = settings.Space();
        ulong seed = settings.Seed ?? StartSearchRequest.DefaultSeed;
        // Read once here so that an unusable corpus fails the search, not each of its trials.
        TrainingData data = TrainingData.Load(Db, Row.CorpusId, Reading, seed, Log);
        if (data.Valid.Count == 0)
        {
            throw new SearchInputException("A search compares trials on validation data: the corpus needs valid files, or at least two train files to hold a tenth out.");
        }
        DateTimeOffset deadline = Deadline(Row);
        Log.LogInformation(
            "Search {Id} coordinates: {Minutes} minutes until {Deadline:O}, rungs at {Rungs} epochs, {Train} train and {Valid} {Source} sequences, {Trials} trial(s) so far.",
            Id, Row.BudgetMinutes, deadline, string.Join(", ", space.Rungs()), data.Train.Count, data.Valid.Count, data.Sets.ValidSource, Row.TrialsStarted);
        StartWriter();

        string? reason = null;
        while (reason is null && !Stopping.IsCancellationRequested)
        {
            // Decisions follow each other at once while there is a trial to queue; the poll waits only when there is none.
            (reason, bool queued) = Decide(space, seed, settings.MaxTrials ?? 0, deadline);
            if (reason is null && !queued)
            {
                Stopping.WaitHandle.WaitOne(PollInterval);
            }
        }
        bool cancelled;
        lock (Gate)
        {
            cancelled = !IsStale && CancelRequestedNow();
        }
        if (IsStale)
        {
            StopWriter();
            return;
        }
        if (reason is null && !cancelled)
        {
            StopWriter();
            HandBack("its trials go on; the next worker coordinates them from where they stand.");
        }
        reason = cancelled ? "cancelled" : reason!;

        StopTrials(reason, askRunning: cancelled);
        StopWriter();
        if (IsStale)
        {
            return;
        }
        Finish(space, settings, seed, data, reason, cancelled);
    }

    protected override bool IsExpectedFailure(Exception ex) => ex is SearchInputException or TrainingInputException;

    protected override bool RecordProgress() => false; // the leaderboard is the trials' rows; the writer keeps the heartbeat

    protected override void ResetProgress()
    {
        // The search's progress is its trials' rows, which outlive any coordinator.
    }

    /// <summary>
    /// Invariants 1-3: the next trial into the queue, when fewer wait than there are free workers (Queued true when it
    /// queued one); a reason when the search is over.
    /// </summary>
    private (string? Reason, bool Queued) Decide(SearchSpace space, ulong seed, int maxTrials, DateTimeOffset deadline)
    {
        lock (Gate)
        {
            if (IsStale)
            {
                return (null, false);
            }
            if (DateTimeOffset.UtcNow >= deadline)
            {
                return ($"the budget of {Row.BudgetMinutes:G4} minutes ended", false);
            }
            List<TrialRow> trials = Db.Rows(Id);
            if (trials.Count(t => t.State == WorkStates.Queued) >= Math.Max(1, TrialWorkers() - trials.Count(t => t.State == WorkStates.Running)))
            {
                return (null, false); // one waits for every free worker already
            }
            if (SearchTrials.Schedule(trials, space).NextPromotion() is (int number, int from))
            {
                return (null, Promote(trials.Single(t => t.Number == number), from));
            }
            if (maxTrials == 0 || trials.Count < maxTrials)
            {
                return (null, Create(trials.Count, space.Sample(seed, trials.Count)));
            }
            return (trials.Any(t => t.Active) ? null : "no trial was left to start or continue", false);
        }
    }

    // Workers of every live server that serves trials (one thread each), read at most every WorkersReadInterval; the
    // last count (at first 1) when the read fails: a count too high only queues a trial early.
    private int TrialWorkers()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        if (now - _workersReadUtc >= WorkersReadInterval)
        {
            _workersReadUtc = now;
            try
            {
                _trialWorkers = Math.Max(1, _storage.GetMonitoringApi().Servers()
                    .Where(s => s.Queues.Contains(SearchTrialRun.Kind)).Sum(s => s.WorkersCount));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.LogWarning(ex, "Search {Id}: could not count the workers that serve trials; {Count} assumed.", Id, _trialWorkers);
            }
        }
        return _trialWorkers;
    }

    private bool Create(int number, TrialSettings settings)
    {
        var trial = new SearchTrialEntity
        {
            Id = Guid.NewGuid(),
            SearchId = Id,
            Number = number,
            SettingsJson = JsonSerializer.Serialize(settings, Json),
            State = WorkStates.Queued,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        Db.SearchTrials.Add(trial);
        Row.TrialsStarted = number + 1;
        bool saved = TrySave($"start trial {number}");
        if (saved)
        {
            Enqueue(trial);
        }
        Db.Entry(trial).State = EntityState.Detached;
        return saved;
    }

    private bool Promote(TrialRow row, int from)
    {
        SearchTrialEntity trial = Db.SearchTrials.Single(t => t.Id == row.Id);
        trial.TargetRung = from + 1;
        trial.State = WorkStates.Queued;
        trial.TrialState = SearchTrials.Paused;
        trial.FinishedUtc = null;
        trial.Version++;
        bool saved = TrySave($"promote trial {row.Number} from rung {from}");
        if (saved)
        {
            Log.LogInformation("Search {Id}: trial {Number} goes on from rung {From} (valid {Score:F4}).", Id, row.Number, from, row.BestValidLogLikelihood);
            Enqueue(trial);
        }
        Db.Entry(trial).State = EntityState.Detached;
        return saved;
    }

    /// <summary>Should this fail, the trial stays queued without a job, and recovery (Jobs/WorkRecovery) enqueues it.</summary>
    private void Enqueue(SearchTrialEntity trial) =>
        _work.EnqueueAsync<SearchTrialEntity>(Db, trial.Id, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// Invariant 5: until none of its trials is queued or running, ends the queued ones and those whose worker is lost
    /// (each in one write guarded by the trial's Version: one that a worker claims meanwhile is looked at again), and on
    /// a cancel asks the running ones to stop (their flag, then their job deleted: the token fires on whichever node runs
    /// it). At the end of the budget the running ones cut themselves (invariant 3).
    /// </summary>
    private void StopTrials(string reason, bool askRunning)
    {
        var asked = new HashSet<Guid>();
        while (true)
        {
            lock (Gate)
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                List<TrialRow> active = [.. Db.Rows(Id).Where(t => t.Active)];
                if (active.Count == 0 || IsStale)
                {
                    return;
                }
                foreach (TrialRow t in active)
                {
                    string shown = WorkStates.Shown(t.State, t.LeaseHeartbeatUtc, now, _options.StalledAfter);
                    if (shown is WorkStates.Queued or WorkStates.Stalled && EndUnclaimed(t, reason, now))
                    {
                        continue;
                    }
                    if (askRunning && t.State == WorkStates.Running && asked.Add(t.Id))
                    {
                        _work.RequestCancelAsync<SearchTrialEntity>(Db, t.Id, CancellationToken.None).GetAwaiter().GetResult();
                    }
                }
            }
            Thread.Sleep(PollInterval); // the trials stop within their server's cancellation check (JobsSetup)
        }
    }

    private bool EndUnclaimed(TrialRow t, string reason, DateTimeOffset now)
    {
        int ended = Db.SearchTrials
            .Where(x => x.Id == t.Id && x.Version == t.Version && (x.State == WorkStates.Queued || x.State == WorkStates.Running))
            .ExecuteUpdate(s => s
                .SetProperty(x => x.State, WorkStates.Cancelled)
                .SetProperty(x => x.TrialState, SearchTrials.Stopped)
                .SetProperty(x => x.StopReason, reason)
                .SetProperty(x => x.CancelRequested, true)
                .SetProperty(x => x.LeaseOwner, (string?)null)
                .SetProperty(x => x.LeaseHeartbeatUtc, (DateTimeOffset?)null)
                .SetProperty(x => x.FinishedUtc, now)
                .SetProperty(x => x.Version, t.Version + 1));
        if (ended == 1 && t.JobId is string jobId)
        {
            _jobs.Delete(jobId); // should a worker fetch it still, it finds the trial finished and writes nothing
        }
        return ended == 1;
    }

    /// <summary>Invariant 5: the best trial's model and the final state in one guarded write.</summary>
    private void Finish(SearchSpace space, StartSearchRequest settings, ulong seed, TrainingData data, string reason, bool cancelled)
    {
        List<TrialRow> trials;
        int workers;
        lock (Gate)
        {
            trials = Db.Rows(Id);
            List<Guid> ids = [.. trials.Select(t => t.Id)];
            workers = Db.SearchTrialEpochs.AsNoTracking().Where(e => ids.Contains(e.TrialId)).Select(e => e.Worker).Distinct().Count();
            Row.StopReason = reason;
            Row.Seconds = (DateTimeOffset.UtcNow - (Row.StartedUtc ?? DateTimeOffset.UtcNow)).TotalSeconds;
        }
        var options = new SearchOptions
        {
            Budget = TimeSpan.FromMinutes(Row.BudgetMinutes),
            Workers = Math.Clamp(workers, 1, SearchOptions.Limits.MaxWorkers),
            ThreadsPerTrial = 1,
            Seed = seed,
            MaxTrials = settings.MaxTrials ?? 0,
        };
        IReadOnlyList<TrialRow> ranked = SearchTrials.Ranked(trials);
        TrialRow? best = ranked.FirstOrDefault(t => t.BestValidLogLikelihood is not null);
        if (best is null)
        {
            if (!cancelled)
            {
                // Recorded with the stop reason above by the failure's write.
                throw new SearchInputException(
                    $"No trial was validated within the budget ({reason}, {trials.Count} trial(s) started): give it more minutes, " +
                    $"or a smaller minEpochs (a trial is first validated after its first rung's {space.Rungs()[0]} epochs).");
            }
            End(WorkStates.Cancelled, null, trials.Count, null);
            return;
        }
        byte[] checkpoint;
        lock (Gate)
        {
            checkpoint = Db.SearchTrials.AsNoTracking().Where(t => t.Id == best.Id).Select(t => t.Checkpoint).Single()
                ?? throw new SearchInputException($"Trial {best.Number} was validated but has no checkpoint to make its model of.");
        }
        RnnRbmModel file = ModelFile.Read(checkpoint);
        TrialSettings bestSettings = best.Settings;
        var trained = new TrainedTrial(file.Best!, file.Manifest.Shape.ToShape(), bestSettings.Options(space.MaxEpochs, seed + (ulong)best.Number),
            file.Manifest.Training.EpochsCompleted, file.Manifest.History, file.Manifest.Stopping!);
        var result = new SearchResult([.. ranked.Select(t => t.Summary())], best.Summary(), trained, Row.Seconds ?? 0, reason);
        RnnRbmModel found = result.Model(space, options, Reading.Range, Reading.Grid, data.Corpus, _backend,
            notes: cancelled ? $"The search {Id} was cancelled; this is its best trial so far." : null)!;
        ModelEntity model = ModelEntities.Create(found,
            $"{data.Corpus.Name} (search trial {best.Number}: H {trained.Shape.Hidden}, U {trained.Shape.Recurrent}, epoch {trained.Stopping.BestEpoch} of {trained.EpochsTrained})",
            ModelEntities.FromSearch, trainingId: null, Row.CorpusId);
        lock (Gate)
        {
            Db.Models.Add(model);
        }
        End(cancelled ? WorkStates.Cancelled : WorkStates.Succeeded, model, trials.Count, best.Number);
    }

    private void End(string state, ModelEntity? model, int trials, int? best)
    {
        lock (Gate)
        {
            Row.State = state;
            Row.ModelId = model?.Id;
            Row.FinishedUtc = DateTimeOffset.UtcNow;
            ClearWorker();
            if (TrySave($"finish as {state}"))
            {
                Log.LogInformation("Search {Id} {State} ({Reason}) after {Seconds:F0} s and {Trials} trials; best trial {Best}, model {ModelId}.",
                    Id, state, Row.StopReason, Row.Seconds, trials, best, model?.Id);
            }
        }
    }
}

/// <summary>The search's input cannot be used, or it found nothing to keep (no trial validated).</summary>
public sealed class SearchInputException : Exception
{
    public SearchInputException()
    {
    }

    public SearchInputException(string message) : base(message)
    {
    }

    public SearchInputException(string message, Exception inner) : base(message, inner)
    {
    }
}
