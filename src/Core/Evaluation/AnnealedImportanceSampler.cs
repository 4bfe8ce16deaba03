using System.Diagnostics;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Evaluation;

/// <summary>How to run annealed importance sampling.</summary>
public sealed record AisOptions
{
    /// <summary>Largest number of runs per RBM.</summary>
    public const int MaxRuns = 100_000;

    /// <summary>Independent AIS runs per RBM (the paper: 100).</summary>
    public int Runs { get; init; } = 100;

    /// <summary>The inverse temperatures.</summary>
    public AisSchedule Schedule { get; init; } = AisSchedule.Default;

    /// <summary>Seed; tile i draws from stream i of it, so results do not depend on the number of threads.</summary>
    public ulong Seed { get; init; } = 1234;

    /// <summary>Threads (0 = as many as help, at most 2).</summary>
    public int Threads { get; init; }

    /// <summary>Random stream of the first tile (tile i draws from stream FirstStream + i): lets several estimates share a seed.</summary>
    internal ulong FirstStream { get; init; }

    /// <summary>
    /// Compute v W as the sum of the rows of W that the binary v selects (<see cref="RbmTileWorker.Ais"/>) instead of a
    /// dense product: the same values up to float summation order, cheaper with a few notes on.
    /// </summary>
    internal bool SparseProducts { get; init; }
}

/// <summary>log Ẑ of every RBM of a family, with the work it took.</summary>
/// <param name="LogPartition">log Ẑ_n, N values.</param>
/// <param name="StandardError">Delta-method standard error of each log Ẑ_n over the runs: sd(w)/(√M·mean(w)).</param>
/// <param name="Runs">M.</param>
/// <param name="Transitions">K of the schedule.</param>
/// <param name="Flops">Floating-point operations of the matrix products (2·m·n·k each).</param>
/// <param name="Seconds">Wall time.</param>
/// <param name="Threads">Threads used.</param>
public sealed record AisEstimate(double[] LogPartition, double[] StandardError, int Runs, int Transitions, long Flops, double Seconds, int Threads)
{
    /// <summary>Achieved speed of the products, 10⁹ FLOP per second of wall time.</summary>
    public double GflopPerSecond => Seconds > 0 ? Flops / Seconds / 1e9 : 0;
}

/// <summary>
/// Annealed importance sampling of the partition functions of many RBMs at once (Salakhutdinov &amp; Murray,
/// "On the quantitative analysis of deep belief networks", ICML 2008), as the RNN-RBM paper used it for the
/// log-likelihood (Boulanger-Lewandowski et al., ICML 2012, §6): the path and weights are derived in
/// <see cref="RbmTileWorker.Ais"/>.
/// </summary>
/// <remarks>
/// All runs of all RBMs are rows of one big batch, cut into tiles of a few hundred rows (whole RBMs, all their runs)
/// so that a tile's state stays in the core's cache; each tile runs the whole schedule, one pair of products
/// (R×V)·(V×H) and (R×H)·(H×V) per transition. Tiles go to the threads from a shared counter, tile i draws from
/// random stream i of the seed: same seed, same numbers, whatever the thread count (for one numerics backend).
/// </remarks>
public static class AnnealedImportanceSampler
{
    /// <summary>Rows of one tile to aim for: (V + 2H)·4 bytes each, about 0.5 MB for the seed's sizes.</summary>
    internal const int TargetRows = 256;

    /// <summary>Estimates log Z of every RBM of <paramref name="family"/>.</summary>
    /// <param name="family">The RBMs.</param>
    /// <param name="options">Runs, schedule, seed and threads.</param>
    /// <param name="backend">Where the products run.</param>
    /// <param name="progress">Called with (RBMs done, N) after each tile, from a worker thread, one call at a time.</param>
    /// <param name="cancellation">Checked at every transition of every tile.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static AisEstimate Estimate(RbmFamily family, AisOptions options, NumericsBackend backend,
        Action<long, long>? progress = null, CancellationToken cancellation = default)
    {
        if (options.Runs < 1 || options.Runs > AisOptions.MaxRuns)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Runs, $"Runs must lie in [1, {AisOptions.MaxRuns}].");
        }
        var clock = Stopwatch.StartNew();
        int n = family.Count, runs = options.Runs;
        int perTile = Math.Max(1, TargetRows / runs);
        int tiles = (n + perTile - 1) / perTile;
        int threads = Math.Min(TileRunner.Threads(options.Threads), Math.Max(1, tiles));
        var workers = new RbmTileWorker[threads];
        for (int i = 0; i < threads; i++)
        {
            workers[i] = new RbmTileWorker(backend, family.Visible, family.Hidden, perTile * runs);
        }
        var logZ = new double[n];
        var se = new double[n];
        long done = 0;
        var gate = new object();
        TileRunner.Run(tiles, threads, (thread, tile, token) =>
        {
            int first = tile * perTile, count = Math.Min(perTile, n - first);
            var random = new VectorRandom(options.Seed, options.FirstStream + (ulong)tile);
            workers[thread].Ais(family, first, count, runs, options.Schedule.Betas, random,
                logZ.AsSpan(first, count), se.AsSpan(first, count), token, options.SparseProducts);
            if (progress is not null)
            {
                lock (gate)
                {
                    done += count;
                    progress(done, n);
                }
            }
        }, cancellation);
        return new AisEstimate(logZ, se, runs, options.Schedule.Transitions, workers.Sum(w => w.Flops), clock.Elapsed.TotalSeconds, threads);
    }
}
