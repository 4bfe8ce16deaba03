using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Hosting;

/// <summary>
/// One invocation of a leased job (a training, an evaluation): the work on the job's thread, and a poller beside it
/// that looks for cancel requests and records progress and the lease's heartbeat. Both write through one tracked
/// <typeparamref name="TEntity"/> (<see cref="Row"/>) under one lock (<see cref="Gate"/>).
/// </summary>
/// <remarks>
/// The invariants every subclass keeps (Hangfire promises at-least-once, so each one makes a second run harmless):
/// <list type="number">
/// <item>One runner per row. <see cref="ActiveRuns"/> admits one per process (<see cref="RunOnce"/>); across processes
/// the lease, taken with a Version-guarded write, admits one. A run that finds the row finished, or leased by another
/// owner whose heartbeat is fresh, returns without writing.</item>
/// <item>Every write of a runner is one SaveChanges guarded by the Version it last wrote (<see cref="TrySave"/>), and
/// bumps it. A runner that was superseded (someone else wrote) gets a concurrency failure, stops (<see cref="Stopping"/>
/// fires) and writes nothing more: its whole last write, other rows included, is rolled back.</item>
/// <item>Shutdown stops the work at its next safe point; the subclass then releases the lease and leaves the row
/// queued (<see cref="Release"/>), and recovery enqueues it again.</item>
/// <item>Any failure but an expected stop ends the row failed with its message; the job is never retried.</item>
/// </list>
/// </remarks>
internal abstract class LeasedRun<TEntity> : IDisposable where TEntity : class, ILeasedWork
{
    private readonly string _backend;
    private readonly CancellationToken _userCancel;
    private readonly CancellationToken _shutdown;

    // Cancelled by a user's cancel, by shutdown, or when this runner finds itself superseded.
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _pollerDone = new();

    private bool _stale;   // under Gate: someone else wrote the row; write nothing more
    private bool _closed;  // under Gate: the work is over; the poller writes nothing more
    private volatile bool _cancelRequested;
    private Task? _poller;

    protected LeasedRun(string noun, Guid id, RnnRbmDbContext db, string owner, string backend, ILogger log,
        CancellationToken userCancel, CancellationToken shutdown)
    {
        Noun = noun;
        Id = id;
        Db = db;
        Owner = owner;
        _backend = backend;
        Log = log;
        _userCancel = userCancel;
        _shutdown = shutdown;
    }

    /// <summary>"Training", "Evaluation": how the log names the row.</summary>
    protected string Noun { get; }

    protected Guid Id { get; }

    protected RnnRbmDbContext Db { get; }

    /// <summary>This runner's lease owner name (<see cref="WorkerIdentity"/>).</summary>
    protected string Owner { get; }

    protected ILogger Log { get; }

    /// <summary>The tracked row; change it under <see cref="Gate"/> only.</summary>
    protected TEntity Row { get; private set; } = null!;

    /// <summary>Serialises the work's writes and the poller's.</summary>
    protected Lock Gate { get; } = new();

    /// <summary>Fires on a user's cancel, at shutdown, or when this runner was superseded: stop at the next safe point.</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <summary>Someone else wrote the row: this runner writes nothing more. Read it after <see cref="StopPoller"/>.</summary>
    protected bool IsStale => _stale;

    /// <summary>A user asked to cancel (in this process or through the database flag).</summary>
    protected bool IsCancelRequested => _cancelRequested;

    /// <summary>
    /// Runs <paramref name="id"/> unless this process already runs it (invariant 1 within a process): a scope of its
    /// own, the registry's cancel token, then <see cref="Execute"/>.
    /// </summary>
    /// <remarks>
    /// The run's shutdown token is Hangfire's <paramref name="shutdown"/> or the host's stopping, whichever comes first:
    /// Hangfire signals a job half a second or more after its server is told to stop, and a run near its end must
    /// stop (and release) rather than finish meanwhile (a graceful stop then takes longer than it says).
    /// </remarks>
    public static void RunOnce(ActiveRuns active, IServiceScopeFactory scopes, Guid id, ILogger log,
        Func<RnnRbmDbContext, CancellationToken, CancellationToken, LeasedRun<TEntity>> create, CancellationToken shutdown)
    {
        using ActiveRuns.Registration? registration = active.TryRegister(id);
        if (registration is null)
        {
            log.LogInformation("{Id} is already being run in this process; this job returns.", id);
            return;
        }
        using IServiceScope scope = scopes.CreateScope();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(
            shutdown, scope.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        using LeasedRun<TEntity> run = create(scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>(), registration.CancelRequested, stopping.Token);
        run.Execute();
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1031:Do not catch general exception types",
        Justification = "Whatever stops the work is recorded as its failure, so that it is never retried forever.")]
    public void Execute()
    {
        if (!TryTakeLease())
        {
            return;
        }
        using CancellationTokenRegistration onUserCancel = _userCancel.Register(() => RequestCancel("this process"));
        using CancellationTokenRegistration onShutdown = _shutdown.Register(_stop.Cancel);
        try
        {
            if (Row.CancelRequested)
            {
                RequestCancel("the database");
            }
            Work();
        }
        catch (Exception ex)
        {
            StopPoller();
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
    /// The work, on the job's thread, holding the lease: starts the poller when it begins the long part, stops it when
    /// done, and ends the run (a final guarded write, or <see cref="Release"/> after a shutdown) unless <see cref="IsStale"/>.
    /// </summary>
    protected abstract void Work();

    /// <summary>A failure caused by the input (bad corpus, unreadable file): logged without a stack trace.</summary>
    protected abstract bool IsExpectedFailure(Exception ex);

    /// <summary>Copies the work's progress into <see cref="Row"/> (under <see cref="Gate"/>); true when it changed.</summary>
    protected abstract bool RecordProgress();

    /// <summary>Puts the row's progress back to the start of what a run does (taking the lease, releasing it).</summary>
    protected abstract void ResetProgress();

    protected void StartPoller() => _poller = Task.Run(() => PollAsync(_pollerDone.Token));

    /// <summary>Closes the run for the poller (it writes nothing more) and waits for it to end.</summary>
    protected void StopPoller()
    {
        lock (Gate)
        {
            _closed = true;
        }
        _pollerDone.Cancel();
        _poller?.GetAwaiter().GetResult();
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

    /// <summary>Ends the lease's hold (owner, heartbeat). Call under <see cref="Gate"/>, before the final write.</summary>
    protected virtual void ClearLease()
    {
        Row.LeaseOwner = null;
        Row.LeaseHeartbeatUtc = null;
    }

    /// <summary>Invariant 3: shutdown leaves the row queued and its lease free; <paramref name="next"/> says what happens next.</summary>
    protected void Release(string next)
    {
        lock (Gate)
        {
            Row.State = WorkStates.Queued;
            ResetProgress();
            ClearLease();
            if (TrySave("release the lease"))
            {
                Log.LogInformation("{Noun} {Id} stopped for shutdown; {Next}", Noun, Id, next);
            }
        }
    }

    /// <summary>Whether a cancel was asked for, looking at the database flag once more (a request may have come after the last poll).</summary>
    protected bool CancelRequestedNow()
    {
        if (!_cancelRequested && Db.Set<TEntity>().AsNoTracking().Any(t => t.Id == Id && t.CancelRequested))
        {
            RequestCancel("the database");
        }
        return _cancelRequested;
    }

    /// <summary>Invariant 1 across processes: take the lease unless the row is finished or a live owner holds it.</summary>
    private bool TryTakeLease()
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
        if (row.LeaseOwner is string holder && holder != Owner)
        {
            if (WorkLease.IsFresh(row.LeaseHeartbeatUtc, now))
            {
                Log.LogInformation("{Noun} {Id} is run by {Owner} (heartbeat {Heartbeat:O}); this job returns.", Noun, Id, holder, row.LeaseHeartbeatUtc);
                return false;
            }
            Log.LogWarning("{Noun} {Id}: taking over the lease of {Owner}, silent since {Heartbeat:O}.", Noun, Id, holder, row.LeaseHeartbeatUtc);
        }
        lock (Gate)
        {
            row.LeaseOwner = Owner;
            row.LeaseHeartbeatUtc = now;
            row.State = WorkStates.Running;
            row.StartedUtc ??= now;
            row.Backend = _backend;
            ResetProgress();
            return TrySave("take the lease");
        }
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
            ClearLease();
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

    private void RequestCancel(string source)
    {
        if (!_cancelRequested)
        {
            _cancelRequested = true;
            Log.LogInformation("{Noun} {Id}: cancel requested (seen by {Source}); stopping at the next safe point.", Noun, Id, source);
        }
        _stop.Cancel();
    }

    private async Task PollAsync(CancellationToken done)
    {
        using var timer = new PeriodicTimer(WorkLease.PollInterval);
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
        Justification = "A failed poll (e.g. a busy database) is retried at the next tick; it must not stop the work.")]
    private void Poll()
    {
        lock (Gate)
        {
            if (_closed || _stale)
            {
                return;
            }
            try
            {
                var row = Db.Set<TEntity>().AsNoTracking().Where(t => t.Id == Id).Select(t => new { t.CancelRequested, t.Version }).FirstOrDefault();
                if (row is null || row.Version != Row.Version)
                {
                    MarkStale(row is null ? $"the {Noun.ToLowerInvariant()} was deleted" : $"its version is {row.Version}, not {Row.Version}");
                    return;
                }
                if (row.CancelRequested)
                {
                    RequestCancel("the database");
                }
                DateTimeOffset now = DateTimeOffset.UtcNow;
                if (RecordProgress() || now - Row.LeaseHeartbeatUtc >= WorkLease.HeartbeatInterval)
                {
                    Row.LeaseHeartbeatUtc = now;
                    TrySave("record progress");
                }
            }
            catch (Exception ex) when (ex is not DbUpdateConcurrencyException)
            {
                Log.LogWarning(ex, "{Noun} {Id}: a progress poll failed; retrying.", Noun, Id);
            }
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        _pollerDone.Dispose();
        GC.SuppressFinalize(this);
    }
}
