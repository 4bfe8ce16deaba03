using System.Runtime.ExceptionServices;

namespace RnnRbm.Core.Evaluation;

/// <summary>
/// Runs independent tiles on a few threads, each thread taking the next tile from a shared counter. What a tile
/// computes depends only on its index (its own random stream, its own output slots), never on which thread ran it or
/// when, so results are the same for any number of threads.
/// </summary>
internal static class TileRunner
{
    /// <summary>Threads to use for <paramref name="requested"/> (0 = as many as help, at most 2: the machine's two cores).</summary>
    public static int Threads(int requested) =>
        requested > 0 ? requested : Math.Clamp(Environment.ProcessorCount, 1, 2);

    /// <summary>
    /// Calls body(thread, tile, token) for every tile in [0, <paramref name="tiles"/>) on <paramref name="threads"/> threads.
    /// The first failure stops the other threads and is rethrown; cancellation throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static void Run(int tiles, int threads, Action<int, int, CancellationToken> body, CancellationToken cancellation)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        int next = -1;
        Exception? failure = null;
        void Loop(int thread)
        {
            try
            {
                int tile;
                while ((tile = Interlocked.Increment(ref next)) < tiles)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    body(thread, tile, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Cancelled, by the caller or because another thread failed: reported below.
            }
#pragma warning disable CA1031 // The failure is rethrown on the caller's thread after the others stop.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref failure, ex, null);
                stop.Cancel();
            }
        }

        int count = Math.Clamp(threads, 1, Math.Max(1, tiles));
        var others = new Thread[count - 1];
        for (int i = 0; i < others.Length; i++)
        {
            int thread = i + 1;
            others[i] = new Thread(() => Loop(thread)) { IsBackground = true, Name = $"rnnrbm-evaluation-{thread}" };
            others[i].Start();
        }
        Loop(0);
        foreach (Thread other in others)
        {
            other.Join();
        }
        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
        cancellation.ThrowIfCancellationRequested();
    }
}
