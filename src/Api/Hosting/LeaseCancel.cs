using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Hosting;

/// <summary>
/// The parts of <c>POST .../{id}/cancel</c> that trainings and evaluations share. A cancel reaches the work wherever
/// it is: a row no worker holds is ended by the endpoint itself (<see cref="TryEndUnclaimedAsync"/>); otherwise the
/// database flag reaches a worker in any process within a poll, and the registry one of this process at once
/// (<see cref="RequestAsync{TEntity}"/>).
/// </summary>
internal static class LeaseCancel
{
    /// <summary>Whether a cancel is refused: 404 (no such row) or 409 (already finished), in <paramref name="problem"/>.</summary>
    public static bool Refuses([NotNullWhen(false)] ILeasedWork? row, string what, Guid id, [NotNullWhen(true)] out ProblemHttpResult? problem)
    {
        problem = row is null ? ErrorHandling.NotFound(what, id)
            : WorkStates.IsFinished(row.State) ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: $"The {what.ToLowerInvariant()} has already finished.",
                detail: $"{what} {id} is {row.State}; only queued or running {what.ToLowerInvariant()}s can be cancelled.")
            : null;
        return problem is not null;
    }

    /// <summary>
    /// Ends <paramref name="row"/> cancelled here when no worker holds it (queued, no runner in this process, no fresh
    /// lease: maybe none will for a long while, the queue may be busy), in one write guarded by Version, exactly as a
    /// worker would. <paramref name="prepare"/> adds what the feature keeps of it to the same write. False when it
    /// is claimed, or a worker took it meanwhile (the guard failed; the context is cleared): then send the flag.
    /// </summary>
    public static async Task<bool> TryEndUnclaimedAsync(RnnRbmDbContext db, ILeasedWork row, ActiveRuns active, DateTimeOffset now,
        Action prepare, CancellationToken cancellationToken)
    {
        if (row.State != WorkStates.Queued || active.IsActive(row.Id) || WorkLease.IsFresh(row.LeaseHeartbeatUtc, now))
        {
            return false;
        }
        prepare();
        row.CancelRequested = true;
        row.State = WorkStates.Cancelled;
        row.FinishedUtc = now;
        row.LeaseOwner = null;
        row.LeaseHeartbeatUtc = null;
        row.Version++;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>
    /// Asks the worker to stop: the flag reaches one in another process within a poll, the registry one of this
    /// process at once. The flag does not bump Version: it is not a runner's write, and runners never write it.
    /// </summary>
    public static async Task RequestAsync<TEntity>(RnnRbmDbContext db, Guid id, ActiveRuns active, CancellationToken cancellationToken)
        where TEntity : class, ILeasedWork
    {
        await db.Set<TEntity>()
            .Where(t => t.Id == id && t.State != WorkStates.Succeeded && t.State != WorkStates.Failed && t.State != WorkStates.Cancelled)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.CancelRequested, true), cancellationToken);
        active.Cancel(id);
    }
}
