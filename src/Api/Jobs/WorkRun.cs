using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Jobs;

/// <summary>What <see cref="WorkJob"/> gives a run: which row, a database context of its own, who runs it, and Hangfire's token.</summary>
/// <param name="Kind">The kind's name ("training", "evaluation"): also its Hangfire queue.</param>
/// <param name="Id">The row.</param>
/// <param name="Db">A context of the run's own scope.</param>
/// <param name="Worker">This process as a worker (<see cref="WorkerIdentity"/>).</param>
/// <param name="Log">The run's logger.</param>
/// <param name="Options">The node's settings (heartbeat, stalled threshold).</param>
/// <param name="Cancellation">Hangfire's job token: fires at shutdown and when the job is deleted (a cancel).</param>
public sealed record WorkContext(string Kind, Guid Id, RnnRbmDbContext Db, string Worker, ILogger Log,
    RnnRbmOptions Options, CancellationToken Cancellation);

/// <summary>One invocation of a kind of background work, as <see cref="WorkJob"/> sees it.</summary>
public interface IWorkRun : IDisposable
{
    /// <summary>Runs the work to its end, or hands it back (throws <see cref="OperationCanceledException"/>) at a shutdown.</summary>
    void Execute();
}

/// <summary>
/// One invocation of background work on a <typeparamref name="TEntity"/> row (a training, an evaluation): the work on
/// the job's thread, and a writer beside it that records progress and the worker's heartbeat. Both write through one
/// tracked row (<see cref="Row"/>) under one lock (<see cref="Gate"/>). This is the one home of what Hangfire cannot
/// give (the exactly-once guard); scheduling, retry, cancellation and takeover are Hangfire's.
/// </summary>
/// <remarks>
/// The invariants every kind keeps (Hangfire promises at-least-once, so each one makes a second run harmless):
/// <list type="number">
/// <item>One runner per row. Hangfire hands the row's one job to one worker at a time (a second fetch of it aborts the
/// first through the job's token). On top, a run that finds the row finished, or running with a fresh heartbeat,
/// returns without writing; otherwise it claims the row with a Version-guarded write.</item>
/// <item>Every write of a runner is one SaveChanges guarded by the Version it last wrote (<see cref="TrySave"/>), and
/// bumps it. A runner that was superseded (someone else wrote) gets a concurrency failure, stops (<see cref="Stopping"/>
/// fires) and writes nothing more: its whole last write, other rows included, is rolled back.</item>
/// <item>Hangfire's token stops the work at its next safe point. A user's cancel (the row's flag, set before the
/// job was deleted) ends the row cancelled; otherwise (a shutdown) the run hands it back: the row queued, its worker
/// cleared (<see cref="HandBack"/>), and the job re-queued by Hangfire for the next worker.</item>
/// <item>Any failure but a hand-back ends the row failed with its message; the job is never retried.</item>
/// </list>
/// </remarks>
public abstract class WorkRun<TEntity> : IWorkRun where TEntity : class, IBackgroundWork
{
    /// <summary>How often the writer looks for progress to record.</summary>
    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(500);

    private readonly WorkContext _context;
    private readonly string _backend;

    // Cancelled by Hangfire's token (a cancel, a shutdown) or when this runner finds itself superseded.
    private readonly CancellationTokenSource _stop;
    private readonly CancellationTokenSource _writerDone = new();

    private bool _stale;   // under Gate: someone else wrote the row; write nothing more
    private bool _closed;  // under Gate: the work is over; the writer writes nothing more
    private bool _handedBack;
    private DateTimeOffset _lastCancelCheck;
    private Task? _writer;

    protected WorkRun(WorkContext context, string backend)
    {
        _context = context;
        _backend = backend;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        Noun = char.ToUpperInvariant(context.Kind[0]) + context.Kind[1..];
    }

    /// <summary>"Training", "Evaluation": how the log names the row.</summary>
    protected string Noun { get; }

    protected Guid Id => _context.Id;

    protected RnnRbmDbContext Db => _context.Db;

    /// <summary>This process as a worker (<see cref="WorkerIdentity"/>).</summary>
    protected string Owner => _context.Worker;

    protected ILogger Log => _context.Log;

    /// <summary>The tracked row; change it under <see cref="Gate"/> only.</summary>
    protected TEntity Row { get; private set; } = null!;

    /// <summary>Serialises the work's writes and the writer's.</summary>
    protected Lock Gate { get; } = new();

    /// <summary>Fires on a cancel, at shutdown, or when this runner was superseded: stop at the next safe point.</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <summary>Someone else wrote the row: this runner writes nothing more. Read it after <see cref="StopWriter"/>.</summary>
    protected bool IsStale => _stale;

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "Whatever stops the work is recorded as its failure, so that it is never retried forever.")]
    public void Execute()
    {
        if (!TryClaim())
        {
            return;
        }
        try
        {
            Work();
        }
        catch (OperationCanceledException) when (_handedBack)
        {
            throw; // Hangfire re-queues the job (shutdown) or forgets it (deleted): the row is queued either way
        }
        catch (Exception ex)
        {
            StopWriter();
            if (IsExpectedFailure(ex))
            {
                Log.LogWarning("{Noun} {Id} failed: {Message}", Noun, Id, ex.Message);
                Fail(ex.Message);
            }
            else
            {
                Log.LogError(ex, "{Noun} {Id} failed unexpectedly.", Noun, Id);
                Fail($"Internal error: {ex.Message}");
            }
        }
    }

    /// <summary>
    /// The work, on the job's thread: starts the writer when it begins the long part, stops it when done, and ends the
    /// run (a final guarded write, or <see cref="HandBack"/>) unless <see cref="IsStale"/>.
    /// </summary>
    protected abstract void Work();

    /// <summary>A failure caused by the input (bad corpus, unreadable file): logged without a stack trace.</summary>
    protected abstract bool IsExpectedFailure(Exception ex);

    /// <summary>Copies the work's progress into <see cref="Row"/> (under <see cref="Gate"/>); true when it changed.</summary>
    protected abstract bool RecordProgress();

    /// <summary>Puts the row's progress back to the start of what a run does (claiming, handing back).</summary>
    protected abstract void ResetProgress();

    protected void StartWriter() => _writer = Task.Run(() => WriteAsync(_writerDone.Token));

    /// <summary>Closes the run for the writer (it writes nothing more) and waits for it to end.</summary>
    protected void StopWriter()
    {
        lock (Gate)
        {
            _closed = true;
        }
        _writerDone.Cancel();
        _writer?.GetAwaiter().GetResult();
    }

    /// <summary>Invariant 2: one SaveChanges, WHERE Version = the last one written; a stale runner stops here. Call under <see cref="Gate"/>.</summary>
    protected bool TrySave(string what)
    {
        Row.Version++;
        try
        {
            Db.SaveChanges();
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            DiscardOtherChanges();
            MarkStale($"could not {what}");
            return false;
        }
        catch (DbUpdateException) when (IsSuperseded())
        {
            // The same write lost differently: a row it inserts clashed with one the newer runner wrote first
            // (the provider may send the INSERT before the guarded UPDATE). Nothing of it was committed.
            DiscardOtherChanges();
            MarkStale($"could not {what} (already recorded)");
            return false;
        }
        catch
        {
            // Nothing was written (a busy database, say): the row still holds the Version this runner last wrote.
            Row.Version--;
            throw;
        }
    }

    /// <summary>Clears the worker and its heartbeat. Call under <see cref="Gate"/>, before the final write.</summary>
    protected virtual void ClearWorker()
    {
        Row.LeaseOwner = null;
        Row.LeaseHeartbeatUtc = null;
    }

    /// <summary>
    /// Whether the stop is a user's cancel: the endpoint sets the row's flag before it deletes the job, so the flag is
    /// there by the time Hangfire's token fires. Otherwise it is a shutdown (or the job was taken elsewhere).
    /// </summary>
    protected bool CancelRequestedNow() => Db.Set<TEntity>().AsNoTracking().Any(t => t.Id == Id && t.CancelRequested);

    /// <summary>
    /// Invariant 3: a shutdown leaves the row queued without a worker, then throws so that Hangfire re-queues the job;
    /// <paramref name="next"/> says what happens next.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    protected void HandBack(string next)
    {
        lock (Gate)
        {
            Row.State = WorkStates.Queued;
            ResetProgress();
            ClearWorker();
            if (TrySave("hand it back"))
            {
                Log.LogInformation("{Noun} {Id} stopped for shutdown; {Next}", Noun, Id, next);
            }
        }
        _handedBack = true;
        throw new OperationCanceledException($"{Noun} {Id} was handed back.", _context.Cancellation);
    }

    /// <summary>Invariant 1: claim the row unless it is finished or another runner's heartbeat is fresh.</summary>
    private bool TryClaim()
    {
        TEntity? row = Db.Set<TEntity>().Find(Id);
        if (row is null)
        {
            Log.LogInformation("{Noun} {Id} does not exist (deleted?); its job returns.", Noun, Id);
            return false;
        }
        Row = row;
        if (WorkStates.IsFinished(row.State))
        {
            Log.LogInformation("{Noun} {Id} is already {State}; this job returns.", Noun, Id, row.State);
            return false;
        }
        DateTimeOffset now = DateTimeOffset.UtcNow;
        if (WorkStates.Shown(row.State, row.LeaseHeartbeatUtc, now, _context.Options.StalledAfter) == WorkStates.Running)
        {
            Log.LogInformation("{Noun} {Id} is run by {Owner} (heartbeat {Heartbeat:O}); this job returns.", Noun, Id, row.LeaseOwner, row.LeaseHeartbeatUtc);
            return false;
        }
        if (row.State == WorkStates.Running)
        {
            Log.LogWarning("{Noun} {Id}: taking it over from {Owner}, silent since {Heartbeat:O}.", Noun, Id, row.LeaseOwner, row.LeaseHeartbeatUtc);
        }
        lock (Gate)
        {
            row.LeaseOwner = Owner;
            row.LeaseHeartbeatUtc = now;
            row.State = WorkStates.Running;
            row.StartedUtc ??= now;
            row.Backend = _backend;
            ResetProgress();
            if (!TrySave("claim it"))
            {
                return false;
            }
        }
        _lastCancelCheck = now;
        if (row.CancelRequested)
        {
            _stop.Cancel(); // a cancel raced the job's start: the work stops at once and ends cancelled
        }
        return true;
    }

    /// <summary>Invariant 4: a failure is recorded, not retried.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "The failure being recorded is what matters; a second one is logged.")]
    private void Fail(string message)
    {
        lock (Gate)
        {
            _closed = true;
            if (_stale)
            {
                return;
            }
            DiscardOtherChanges();
            Row.State = WorkStates.Failed;
            Row.Error = message;
            Row.FinishedUtc = DateTimeOffset.UtcNow;
            ClearWorker();
            try
            {
                TrySave("record the failure");
            }
            catch (Exception ex)
            {
                Log.LogError(ex, "{Noun} {Id}: could not record its failure ({Message}).", Noun, Id, message);
                throw;
            }
        }
    }

    /// <summary>Whether the row's Version moved past the one this runner last wrote (someone else wrote it).</summary>
    private bool IsSuperseded()
    {
        long? current = Db.Set<TEntity>().AsNoTracking().Where(t => t.Id == Id).Select(t => (long?)t.Version).FirstOrDefault();
        return current != Row.Version - 1;
    }

    /// <summary>Forgets what a failed write would have added or changed beside the row (a model, an epoch record).</summary>
    private void DiscardOtherChanges()
    {
        foreach (var entry in Db.ChangeTracker.Entries().Where(e => e.Entity != Row).ToList())
        {
            if (entry.State == EntityState.Added)
            {
                entry.State = EntityState.Detached;
            }
            else if (entry.State is EntityState.Modified or EntityState.Deleted)
            {
                entry.State = EntityState.Unchanged;
            }
        }
    }

    private void MarkStale(string why)
    {
        _stale = true;
        _stop.Cancel();
        Log.LogWarning("{Noun} {Id}: another runner has written it ({Why}); this one stops without writing.", Noun, Id, why);
    }

    private async Task WriteAsync(CancellationToken done)
    {
        using var timer = new PeriodicTimer(WriteInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(done))
            {
                Write();
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    /// <summary>
    /// Progress as it changes, the heartbeat at least every <see cref="RnnRbmOptions.HeartbeatInterval"/>. With the
    /// heartbeat it also reads the cancel flag: should the job have been lost (so that Hangfire's token cannot fire), a
    /// cancel still arrives.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "A failed write (e.g. a busy database) is retried at the next tick; it must not stop the work.")]
    private void Write()
    {
        lock (Gate)
        {
            if (_closed || _stale)
            {
                return;
            }
            try
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                bool beat = now - Row.LeaseHeartbeatUtc >= _context.Options.HeartbeatInterval;
                if (RecordProgress() || beat)
                {
                    Row.LeaseHeartbeatUtc = now;
                    TrySave("record progress");
                }
                if (now - _lastCancelCheck >= _context.Options.HeartbeatInterval)
                {
                    _lastCancelCheck = now;
                    if (!_stop.IsCancellationRequested && CancelRequestedNow())
                    {
                        Log.LogInformation("{Noun} {Id}: cancel requested (seen by its flag); stopping at the next safe point.", Noun, Id);
                        _stop.Cancel();
                    }
                }
            }
            catch (Exception ex) when (ex is not DbUpdateConcurrencyException)
            {
                Log.LogWarning(ex, "{Noun} {Id}: a progress write failed; retrying.", Noun, Id);
            }
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        _writerDone.Dispose();
        GC.SuppressFinalize(this);
    }
}
