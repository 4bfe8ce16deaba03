using System.Diagnostics;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;

namespace RnnRbm.Api.Generation;

/// <summary>
/// At most <see cref="RnnRbmOptions.GenerationConcurrency"/> generations compute at once in this process. A request
/// that finds no free slot waits for one at most <see cref="RnnRbmOptions.GenerationSlotWait"/> (a generation takes
/// milliseconds, so a short burst is served in turn instead of refused) and is then refused (429 with Retry-After):
/// generation is CPU-bound, so a longer queue would only add latency and hold connections while a burst lasts.
/// </summary>
/// <remarks>A singleton; tests take a slot with <see cref="TryAcquire"/> to provoke the wait and the 429 without timing races.</remarks>
internal sealed class GenerationSlots : IDisposable
{
    private readonly SemaphoreSlim _free;
    private readonly SemaphoreSlim _history = new(1, 1);
    private readonly TimeSpan _wait;
    private readonly Lock _gate = new();
    private double _averageSeconds = 1;
    private int _waiting;

    public GenerationSlots(IOptions<RnnRbmOptions> options)
    {
        int slots = options.Value.GenerationConcurrency;
        _free = new SemaphoreSlim(slots, slots);
        _wait = options.Value.GenerationSlotWait;
    }

    /// <summary>A slot, or null when all are taken. Dispose the slot to free it.</summary>
    public IDisposable? TryAcquire() => _free.Wait(0) ? new Slot(this) : null;

    /// <summary>
    /// Runs <paramref name="write"/> (a generation's history row) with no other generation's write of this process
    /// beside it: on SQLite two writers would meet on the file's lock and one would wait in the busy handler.
    /// </summary>
    public async Task RecordAsync(Func<Task> write, CancellationToken cancellationToken)
    {
        await _history.WaitAsync(cancellationToken);
        try
        {
            await write();
        }
        finally
        {
            _history.Release();
        }
    }

    /// <summary>Requests waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>A slot, waiting for one at most <see cref="RnnRbmOptions.GenerationSlotWait"/>; null when none freed in time.</summary>
    public async Task<IDisposable?> AcquireAsync(CancellationToken cancellationToken)
    {
        if (_free.Wait(0, CancellationToken.None))
        {
            return new Slot(this);
        }
        Interlocked.Increment(ref _waiting);
        try
        {
            return await _free.WaitAsync(_wait, cancellationToken) ? new Slot(this) : null;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>
    /// When to try again, in whole seconds: a running average of how long a generation holds its slot, within [1, 60]
    /// (a slot frees when the oldest running generation ends, which takes about that long).
    /// </summary>
    public int RetryAfterSeconds
    {
        get
        {
            lock (_gate)
            {
                return (int)Math.Clamp(Math.Ceiling(_averageSeconds), 1, 60);
            }
        }
    }

    public void Dispose()
    {
        _free.Dispose();
        _history.Dispose();
    }

    private void Release(TimeSpan held)
    {
        lock (_gate)
        {
            _averageSeconds = (0.8 * _averageSeconds) + (0.2 * held.TotalSeconds);
        }
        _free.Release();
    }

    private sealed class Slot(GenerationSlots owner) : IDisposable
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(Stopwatch.GetElapsedTime(_start));
            }
        }
    }
}
