using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Model;
using RnnRbm.Core.Search;

namespace RnnRbm.Api.Searches;

/// <summary>What the leaderboard and the schedule read of a stored trial (never its checkpoint).</summary>
internal sealed record TrialRow(Guid Id, Guid SearchId, int Number, string SettingsJson, string State, string TrialState, int TargetRung, int Rung,
    string RungScoresJson, int EpochsCompleted, string HistoryJson, double? BestValidLogLikelihood, int? BestEpoch, double Seconds, string? StopReason,
    string? JobId, string? LeaseOwner, DateTimeOffset? LeaseHeartbeatUtc, long Version)
{
    /// <summary>Waiting for a worker (new, promoted, or handed back) or being trained now.</summary>
    public bool Active => State is WorkStates.Queued or WorkStates.Running;

    public TrialSettings Settings => JsonSerializer.Deserialize<TrialSettings>(SettingsJson, SearchRun.Json)!;

    /// <summary>Its validation log-likelihood when it reached each rung (−∞: none measured).</summary>
    public IReadOnlyList<double> RungScores =>
        [.. (JsonSerializer.Deserialize<List<double?>>(RungScoresJson, SearchRun.Json) ?? []).Select(s => s ?? double.NegativeInfinity)];

    /// <summary>As Core's leaderboard shows a trial; a queued one is paused (at its rung, or before the first).</summary>
    public TrialSummary Summary()
    {
        List<EpochRecord> history = JsonSerializer.Deserialize<List<EpochRecord>>(HistoryJson, ModelFile.JsonOptions) ?? [];
        TrialState state = State == WorkStates.Running ? Core.Search.TrialState.Running
            : TrialState == SearchTrials.Finished ? Core.Search.TrialState.Finished
            : TrialState == SearchTrials.Stopped || State == WorkStates.Failed ? Core.Search.TrialState.Stopped
            : Core.Search.TrialState.Paused;
        return new TrialSummary(Number, Settings, state, Rung, EpochsCompleted, BestValidLogLikelihood, BestEpoch, Seconds,
            [.. history.Where(r => r.ValidLogLikelihood is not null).Select(r => (r.Epoch, r.ValidLogLikelihood!.Value))], StopReason);
    }

    /// <summary>The state the API shows: queued (waiting for a worker), running, paused, finished, stopped or failed.</summary>
    public string Shown => State switch
    {
        WorkStates.Queued => WorkStates.Queued,
        WorkStates.Running => WorkStates.Running,
        WorkStates.Failed => WorkStates.Failed,
        _ => TrialState,
    };
}

/// <summary>
/// A search's trials as stored (search_trials): their leaderboard, and successive halving's next decision rebuilt from
/// them. The coordinator (<see cref="SearchRun"/>) and the endpoints read the same rows, so all see one schedule.
/// </summary>
internal static class SearchTrials
{
    /// <summary><see cref="SearchTrialEntity.TrialState"/>: at a rung, waiting to be chosen to go on.</summary>
    public const string Paused = "paused";

    /// <summary><see cref="SearchTrialEntity.TrialState"/>: its own training ended (early stopping, divergence, its last rung).</summary>
    public const string Finished = "finished";

    /// <summary><see cref="SearchTrialEntity.TrialState"/>: cut by the end of the budget or a cancel.</summary>
    public const string Stopped = "stopped";

    /// <summary>Every trial of <paramref name="searchIds"/>, by number, without checkpoints.</summary>
    public static Task<List<TrialRow>> RowsAsync(this RnnRbmDbContext db, IReadOnlyCollection<Guid> searchIds, CancellationToken cancellationToken) =>
        Rows(db, searchIds).ToListAsync(cancellationToken);

    /// <summary>Every trial of <paramref name="searchId"/>, by number, without checkpoints.</summary>
    public static List<TrialRow> Rows(this RnnRbmDbContext db, Guid searchId) => [.. Rows(db, [searchId])];

    private static IQueryable<TrialRow> Rows(RnnRbmDbContext db, IReadOnlyCollection<Guid> searchIds) =>
        db.SearchTrials.AsNoTracking()
            .Where(t => searchIds.Contains(t.SearchId))
            .OrderBy(t => t.Number)
            .Select(t => new TrialRow(t.Id, t.SearchId, t.Number, t.SettingsJson, t.State, t.TrialState, t.TargetRung, t.Rung, t.RungScoresJson,
                t.EpochsCompleted, t.HistoryJson, t.BestValidLogLikelihood, t.BestEpoch, t.Seconds, t.StopReason, t.JobId, t.LeaseOwner,
                t.LeaseHeartbeatUtc, t.Version));

    /// <summary>Best on valid first, unmeasured ones last (Core's order).</summary>
    public static IReadOnlyList<TrialRow> Ranked(IEnumerable<TrialRow> trials) =>
        [.. trials.OrderByDescending(t => t.BestValidLogLikelihood ?? double.NegativeInfinity).ThenBy(t => t.Number)];

    /// <summary>
    /// Core's <see cref="AshaSchedule"/> rebuilt from the rows: every rung each trial reached with its score there, the
    /// rungs it already went on from (those below its target rung), and whether it can go on at all (only a paused
    /// one can). Its <see cref="AshaSchedule.NextPromotion"/> is the trial to continue, if any.
    /// </summary>
    public static AshaSchedule Schedule(IReadOnlyList<TrialRow> trials, SearchSpace space)
    {
        var schedule = new AshaSchedule(space.Rungs().Count, space.Reduction);
        foreach (TrialRow t in trials)
        {
            IReadOnlyList<double> scores = t.RungScores;
            bool ended = t.TrialState != Paused || t.State is WorkStates.Failed or WorkStates.Cancelled;
            for (int rung = 0; rung <= t.Rung && rung < scores.Count; rung++)
            {
                schedule.Report(t.Number, rung, scores[rung], ended && rung == t.Rung);
            }
            for (int rung = 0; rung < t.TargetRung; rung++)
            {
                schedule.Promoted(t.Number, rung); // queued, running or past it: never chosen from there again
            }
        }
        return schedule;
    }
}
