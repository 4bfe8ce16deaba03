using System.Diagnostics;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;

namespace RnnRbm.Api.Corpora;

/// <summary>
/// The process-wide budget of uploads in flight: at most <see cref="RnnRbmOptions.UploadConcurrency"/> at once, each
/// holding at most <see cref="RnnRbmOptions.UploadMemoryShareBytes"/>, so that together they hold at most
/// <see cref="RnnRbmOptions.UploadMemoryBytes"/> whatever clients send (issue 13: eight 480 MB zip bombs at once took
/// the process to 6.4 GB when only each request was capped).
/// </summary>
/// <remarks>
/// An upload that finds no free place is refused at once (429 with Retry-After), as generations are: unpacking and
/// reading MIDI is CPU-bound, so a queue would only hold connections and spooled bodies while a burst lasts. The share
/// is fixed rather than taken from whatever the others leave, so the same upload always gets the same answer: one
/// whose files need more than the share is refused (400) whatever the load. A singleton; tests take places with
/// <see cref="TryAdmit"/> to reach the limit without timing races.
/// </remarks>
internal sealed class UploadBudget : IDisposable
{
    private readonly SemaphoreSlim _free;
    private readonly Lock _gate = new();
    private double _averageSeconds = 1;
    private long _held;

    public UploadBudget(IOptions<RnnRbmOptions> options)
    {
        Concurrency = options.Value.UploadConcurrency;
        ShareBytes = options.Value.UploadMemoryShareBytes;
        _free = new SemaphoreSlim(Concurrency, Concurrency);
    }

    /// <summary>Uploads admitted at once.</summary>
    public int Concurrency { get; }

    /// <summary>Bytes one admitted upload may reserve.</summary>
    public long ShareBytes { get; }

    /// <summary>Uploads in flight now.</summary>
    public int InFlight => Concurrency - _free.CurrentCount;

    /// <summary>Bytes reserved by the uploads in flight now (at most Concurrency × ShareBytes).</summary>
    public long HeldBytes => Interlocked.Read(ref _held);

    /// <summary>A place for one upload, or null when all are taken. Dispose it to give the place and its bytes back.</summary>
    public Lease? TryAdmit() => _free.Wait(0) ? new Lease(this) : null;

    /// <summary>
    /// When to try again, in whole seconds: a running average of how long an upload holds its place, within [1, 60]
    /// (a place frees when the oldest upload in flight ends).
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

    private void Release(TimeSpan held, long bytes)
    {
        lock (_gate)
        {
            _averageSeconds = (0.8 * _averageSeconds) + (0.2 * held.TotalSeconds);
        }
        Interlocked.Add(ref _held, -bytes);
        _free.Release();
    }

    /// <summary>One admitted upload's place and the bytes it has reserved.</summary>
    internal sealed class Lease(UploadBudget owner) : IDisposable
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private long _reserved;
        private int _released;

        /// <summary>Bytes this upload has reserved.</summary>
        public long Reserved => _reserved;

        /// <summary>The most this upload may reserve.</summary>
        public long ShareBytes => owner.ShareBytes;

        /// <summary>Reserves <paramref name="bytes"/> more; false (and nothing reserved) when that would pass the share.</summary>
        public bool TryReserve(long bytes)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(bytes);
            if (bytes > owner.ShareBytes - _reserved)
            {
                return false;
            }
            _reserved += bytes;
            Interlocked.Add(ref owner._held, bytes);
            return true;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(Stopwatch.GetElapsedTime(_start), _reserved);
            }
        }
    }
}
