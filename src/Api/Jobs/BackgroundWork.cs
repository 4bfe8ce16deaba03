using System.Diagnostics.CodeAnalysis;
using Hangfire;
using Hangfire.States;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Jobs;

/// <summary>
/// What an endpoint does with background work: enqueue a row's job, and cancel it. A cancel reaches the work wherever
/// it is: a row no live worker holds is ended by the endpoint itself; otherwise the row's flag is set and its Hangfire
/// job deleted, which fires the job's token on whichever node runs it (within the server's cancellation check).
/// </summary>
public sealed class BackgroundWork(IBackgroundJobClient jobs, WorkKinds kinds, IOptions<RnnRbmOptions> options)
{
    /// <summary>Enqueues <paramref name="id"/>'s job (on its kind's queue, or <paramref name="queue"/>) and records the job id beside it.</summary>
    /// <remarks>JobId is written by enqueuers only, never by a runner, so this needs no Version guard.</remarks>
    public async Task<string> EnqueueAsync<TEntity>(RnnRbmDbContext db, Guid id, CancellationToken cancellationToken, string? queue = null)
        where TEntity : class, IBackgroundWork
    {
        WorkKind kind = kinds.Of<TEntity>();
        string jobId = Enqueue(kind.Name, id, queue ?? kind.Name);
        await kind.SetJobId(db, id, jobId, cancellationToken);
        return jobId;
    }

    internal string Enqueue(string kind, Guid id, string queue) =>
        jobs.Create<WorkJob>(job => job.RunAsync(kind, id, CancellationToken.None), new EnqueuedState(queue));

    /// <summary>Whether a cancel is refused: 404 (no such row) or 409 (already finished), in <paramref name="problem"/>.</summary>
    public static bool Refuses([NotNullWhen(false)] IBackgroundWork? row, string what, Guid id, [NotNullWhen(true)] out ProblemHttpResult? problem)
    {
        problem = row is null ? ErrorHandling.NotFound(what, id)
            : WorkStates.IsFinished(row.State) ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: $"The {what.ToLowerInvariant()} has already finished.",
                detail: $"{what} {id} is {row.State}; only queued or running {what.ToLowerInvariant()}s can be cancelled.")
            : null;
        return problem is not null;
    }

    /// <summary>
    /// Ends <paramref name="row"/> cancelled here when no live worker holds it (queued, or stalled: its worker lost),
    /// in one write guarded by Version, exactly as a worker would, and deletes its job. <paramref name="prepare"/> adds
    /// what the feature keeps of it to the same write. False when a worker holds it, or took it meanwhile (the guard
    /// failed; the context is cleared): then <see cref="RequestCancelAsync{TEntity}"/>.
    /// </summary>
    public async Task<bool> TryEndUnclaimedAsync(RnnRbmDbContext db, IBackgroundWork row, DateTimeOffset now, Action prepare,
        CancellationToken cancellationToken)
    {
        string shown = WorkStates.Shown(row.State, row.LeaseHeartbeatUtc, now, options.Value.StalledAfter);
        if (shown is not (WorkStates.Queued or WorkStates.Stalled))
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
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
        if (row.JobId is string jobId)
        {
            jobs.Delete(jobId); // should a worker fetch it still, it finds the row finished and writes nothing
        }
        return true;
    }

    /// <summary>
    /// Asks the worker to stop: sets the row's flag (not a runner's write: no Version bump), then deletes the Hangfire
    /// job, whose token then fires on the node that runs it; the run reads the flag and ends the row cancelled.
    /// </summary>
    public async Task RequestCancelAsync<TEntity>(RnnRbmDbContext db, Guid id, CancellationToken cancellationToken)
        where TEntity : class, IBackgroundWork
    {
        await db.Set<TEntity>()
            .Where(t => t.Id == id && t.State != WorkStates.Succeeded && t.State != WorkStates.Failed && t.State != WorkStates.Cancelled)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.CancelRequested, true), cancellationToken);
        string? jobId = await db.Set<TEntity>().AsNoTracking().Where(t => t.Id == id).Select(t => t.JobId).FirstOrDefaultAsync(cancellationToken);
        if (jobId is not null)
        {
            jobs.Delete(jobId);
        }
    }
}
