using System.Diagnostics;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;

namespace RnnRbm.Api.Generation;

/// <summary>
/// At most <see cref="RnnRbmOptions.GenerationConcurrency"/> generations compute at once in this process. A request
/// that finds no free slot is refused at once (429 with Retry-After) rather than queued: generation is CPU-bound,
/// so a queue would only add latency and hold connections and memory while a burst lasts.
/// </summary>
/// <remarks>A singleton; tests take a slot with <see cref="TryAcquire"/> to provoke the 429 without timing races.</remarks>
internal sealed class GenerationSlots : IDisposable
{
    private readonly SemaphoreSlim _free;
    private readonly Lock _gate = new();
    private double _averageSeconds = 1;

    public GenerationSlots(IOptions<RnnRbmOptions> options)
    {
        int slots = options.Value.GenerationConcurrency;
        _free = new SemaphoreSlim(slots, slots);
    }

    /// <summary>A slot, or null when all are taken. Dispose the slot to free it.</summary>
    public IDisposable? TryAcquire() => _free.Wait(0) ? new Slot(this) : null;

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

    public void Dispose() => _free.Dispose();

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
