using System.Diagnostics;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Evaluation;

// Dimension legend:
//   V visible units   H hidden units   N RBMs of the family (one per time step)
//   C Gibbs chains per RBM   B burn-in steps   M kept hidden samples per RBM (M/C per chain)   S importance samples per RBM

/// <summary>How the log-likelihood of each step is estimated.</summary>
public enum LikelihoodEstimator
{
    /// <summary>log Z_t by annealed importance sampling (<see cref="AnnealedImportanceSampler"/>, <see cref="ConvergedAis"/>).</summary>
    Ais,

    /// <summary>
    /// A bracket from Gibbs samples of each step's hidden units (<see cref="BracketEstimator"/>): importance sampling
    /// of Z_t with their mixture as proposal (the estimate, an upper bound in expectation) and the conservative
    /// sampling-based lower bound of Bengio &amp; Yao (2013).
    /// </summary>
    Bracket,
}

/// <summary>The settings of <see cref="BracketEstimator"/>.</summary>
public sealed record BracketOptions
{
    /// <summary>Bounds of the settings, used by <see cref="Problems"/> and the CLI.</summary>
    public const int MaxChains = 1000, MaxBurnIn = 100_000, MaxSamples = 100_000, MaxDoublingsLimit = 8;

    /// <summary>
    /// C ≥ 2, Gibbs chains per step's RBM: even chain 2j starts at the true frame v_{t-1-j} of the history (zeros
    /// before the sequence's start), odd chains at zeros. Music repeats itself, so the history's frames start the
    /// chains in several of the conditional's likely modes. 100 by default: on a sharp model the chains barely move
    /// between modes, and more chains (more starts) lowered the estimate more than longer chains (docs/evaluation.md).
    /// </summary>
    public int Chains { get; init; } = DefaultChains;

    /// <summary>The default of <see cref="Chains"/>.</summary>
    public const int DefaultChains = 100;

    /// <summary>B ≥ 1, Gibbs steps of every chain before it contributes samples.</summary>
    public int BurnIn { get; init; } = 20;

    /// <summary>M, hidden samples h_m kept per step (M/C consecutive ones per chain after burn-in); a multiple of <see cref="Chains"/>.</summary>
    public int Samples { get; init; } = 200;

    /// <summary>S, importance samples v_s ~ q per step for the estimate of Z_t.</summary>
    public int ImportanceSamples { get; init; } = 400;

    /// <summary>
    /// Converged when the CSL gap (estimate − lower bound, nats per step) is below this, or when doubling C, M and S
    /// moved the mean estimate by less than this.
    /// </summary>
    public double Tolerance { get; init; } = 0.01;

    /// <summary>
    /// While not converged, run again with C, M and S doubled (B kept), at most this many times. 1 by default: the
    /// CSL gap of a sharp model stays wide, so the doubling is the check.
    /// </summary>
    public int MaxDoublings { get; init; } = 1;

    /// <summary>
    /// Compute each distinct sample of one step's RBM once (the default): a sharp model draws the same few chords again
    /// and again. False recomputes every one; the results are the same either way (a test compares them).
    /// </summary>
    internal bool ReuseRepeatedSamples { get; init; } = true;

    /// <summary>
    /// These settings at C = <paramref name="chains"/>, with M and S scaled in proportion (the doubling check's step, and
    /// the validation's fewer chains: <see cref="Training.EarlyStoppingOptions.CheapCheckShare"/>).
    /// </summary>
    public BracketOptions Scaled(int chains) => this with
    {
        Chains = chains,
        Samples = Samples / Chains * chains,
        ImportanceSamples = (int)((long)ImportanceSamples * chains / Chains),
    };

    /// <summary>What is wrong with these settings, if anything, in words a user can act on.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Chains < 2 || Chains > MaxChains)
        {
            problems.Add($"Bracket chains must lie in [2, {MaxChains}] (the reverse bound weighs one half's samples by the other's).");
        }
        if (BurnIn < 1 || BurnIn > MaxBurnIn)
        {
            problems.Add($"Bracket burn-in must lie in [1, {MaxBurnIn}].");
        }
        if (Samples < 1 || Samples > MaxSamples || (Chains >= 1 && Samples % Chains != 0))
        {
            problems.Add($"Bracket samples must lie in [1, {MaxSamples}] and be a multiple of the chains ({Chains}).");
        }
        if (ImportanceSamples < 1 || ImportanceSamples > MaxSamples)
        {
            problems.Add($"Bracket importance samples must lie in [1, {MaxSamples}].");
        }
        if (!(Tolerance > 0) || double.IsInfinity(Tolerance))
        {
            problems.Add("Bracket tolerance must be a positive number of nats.");
        }
        if (MaxDoublings < 0 || MaxDoublings > MaxDoublingsLimit)
        {
            problems.Add($"Bracket doublings must lie in [0, {MaxDoublingsLimit}].");
        }
        return problems;
    }
}

/// <summary>One pass of the bracket over every step, with its settings and its means (nats per step).</summary>
/// <param name="Chains">C.</param>
/// <param name="BurnIn">B.</param>
/// <param name="Samples">M.</param>
/// <param name="ImportanceSamples">S.</param>
/// <param name="Estimate">Mean of U_t.</param>
/// <param name="LowerBound">Mean of L_t (the CSL, at the datum).</param>
/// <param name="ReverseBound">Mean of R_t (reverse importance sampling of 1/Z_t).</param>
/// <param name="Seconds">Wall time of the pass.</param>
public sealed record BracketRound(int Chains, int BurnIn, int Samples, int ImportanceSamples, double Estimate, double LowerBound,
    double ReverseBound, double Seconds)
{
    /// <summary>Estimate − the CSL lower bound.</summary>
    public double Gap => Estimate - LowerBound;

    /// <summary>Estimate − the reverse bound: the disagreement of the forward and reverse estimates of log Z_t.</summary>
    public double ReverseGap => Estimate - ReverseBound;
}

/// <summary>What <see cref="BracketEstimator.Estimate"/> measured; per-step arrays are N long.</summary>
public sealed record BracketEstimate
{
    /// <summary>U_t = -F_t(v_t) - log Ẑ_t, the importance-sampling estimate of log P(v_t | v_&lt;t) (last round).</summary>
    public required double[] Upper { get; init; }

    /// <summary>L_t = log (1/M) Σ_m p(v_t | h_m), the conservative sampling-based lower bound (last round).</summary>
    public required double[] Lower { get; init; }

    /// <summary>
    /// R_t = -F_t(v_t) + log (1/M) Σ_k q'(v_k) / exp(-F_t(v_k)), v_k the chains' visible states, q' the mixture of the
    /// other half of the chains: reverse importance sampling of 1/Z_t, a lower bound in expectation if the v_k are
    /// draws from p (last round).
    /// </summary>
    public required double[] Reverse { get; init; }

    /// <summary>Delta-method standard error of R_t over its M reverse weights (last round).</summary>
    public required double[] ReverseStandardError { get; init; }

    /// <summary>Delta-method standard error of log Ẑ_t over its S importance weights (last round).</summary>
    public required double[] StandardError { get; init; }

    /// <summary>Every pass, the first with the given settings, each next with C, M and S doubled.</summary>
    public required IReadOnlyList<BracketRound> Rounds { get; init; }

    /// <summary>Whether the last round's CSL gap, or the last doubling's move of the mean estimate, is below the tolerance.</summary>
    public required bool Converged { get; init; }

    /// <summary>The last doubling's move of the mean estimate (last round − the one before); null after one round.</summary>
    public double? Shift { get; init; }

    /// <summary>Wall time of all rounds.</summary>
    public double Seconds { get; init; }
}

/// <summary>
/// Brackets log P(v_t | v_&lt;t) for every RBM of a family from Gibbs samples of its hidden units, without annealing.
/// </summary>
/// <remarks>
/// <para>For RBM t, C chains (half from the true frames v_{t-1}, v_{t-2}, … of the history, half from zeros) run B Gibbs steps, then keep M hidden
/// samples h_m; each gives a factorial visible conditional p_m = σ(z_m), z_m = a_t + h_m Wᵀ, with
/// log p(v | h_m) = c_m + Σ_{i: v_i = 1} z_mi and c_m = Σ_i log(1 - p_mi) = -Σ_i softplus(z_mi).</para>
/// <para>Lower bound (Bengio &amp; Yao 2013, "Bounding the test log-likelihood of generative models", the CSL):
/// L_t = log (1/M) Σ_m p(v_t | h_m). If the h_m are draws from p(h), E[(1/M) Σ_m p(v_t|h_m)] = P(v_t) and by
/// Jensen E[L_t] ≤ log P(v_t): a lower bound in expectation, tight as M grows.</para>
/// <para>Estimate: the mixture q(v) = (1/M) Σ_m p(v | h_m) is a proposal with full support, so for any h_m,
/// Ẑ_t = (1/S) Σ_s exp(-F_t(v_s)) / q(v_s) with v_s ~ q is unbiased for Z_t, and by Jensen
/// U_t = -F_t(v_t) - log Ẑ_t ≥ log P(v_t) in expectation. Its variance is small only when q covers p's modes.</para>
/// <para>Sparsity: v is binary with few units on, so v W is a sum of rows of W (<see cref="SparseKernels.AddRows"/>)
/// and log q(v) = log Σ_m exp(c_m + Σ_{i: v_i = 1} z_mi) - log M is a sum of rows of the V×M matrix zᵀ, then one
/// log-sum-exp over M.</para>
/// <para>Each tile of RBMs has its own random stream, so results do not depend on the number of threads.</para>
/// </remarks>
public static class BracketEstimator
{
    // Rows of chains per tile: as the prediction chains.
    private const int TargetRows = 256;

    /// <summary>
    /// Brackets log P(v_n) for every RBM n of <paramref name="family"/> at <paramref name="truth"/>'s row n (row
    /// <paramref name="rows"/>[n] when given).
    /// </summary>
    /// <param name="family">The N RBMs.</param>
    /// <param name="truth">The data, rows×V of 0/1: N rows, or any number when <paramref name="rows"/> is given.</param>
    /// <param name="history">For each n, how many rows of <paramref name="truth"/> before its own are its history (its row
    /// minus the first row of its sequence): the starts of the even chains. Empty: every chain starts at zeros.</param>
    /// <param name="negativeFreeEnergy">-F_n(truth row n) for every n, in double precision.</param>
    /// <param name="options">C, B, M, S, tolerance and doublings.</param>
    /// <param name="seed">Seed; the pass r of tile k uses stream <paramref name="streams"/> + r·2^24 + k.</param>
    /// <param name="streams">First random stream of the seed.</param>
    /// <param name="threads">Threads (0 = as many as help).</param>
    /// <param name="blas">Products.</param>
    /// <param name="progress">Share of the current pass done, from a worker thread, one call at a time.</param>
    /// <param name="rows">For each n, its row of <paramref name="truth"/> (ascending within a sequence); null: row n. So a
    /// sample of a split's steps is measured with the whole split's frames as its history.</param>
    /// <param name="cancellation">Stops within one Gibbs step of every thread.</param>
    public static BracketEstimate Estimate(RbmFamily family, float[] truth, int[] history, double[] negativeFreeEnergy,
        BracketOptions options, ulong seed, ulong streams, int threads, NumericsBackend blas, Action<double>? progress = null,
        int[]? rows = null, CancellationToken cancellation = default)
    {
        IReadOnlyList<string> problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }
        int n = family.Count, v = family.Visible;
        if ((rows is null ? truth.Length != n * v : truth.Length % v != 0 || rows.Length != n)
            || negativeFreeEnergy.Length != n || (history.Length != 0 && history.Length != n))
        {
            throw new ArgumentException("truth must be N×V (or rows N long), negativeFreeEnergy and history (unless empty) N long.", nameof(truth));
        }
        if (rows is not null && rows.Any(row => row < 0 || row >= truth.Length / v))
        {
            throw new ArgumentException("Every row must lie within truth.", nameof(rows));
        }
        var clock = Stopwatch.StartNew();
        var rounds = new List<BracketRound>();
        BracketOptions current = options;
        double[] upper = [], lower = [], reverse = [], reverseError = [], error = [];
        for (int round = 0; ; round++)
        {
            var roundClock = Stopwatch.StartNew();
            (upper, lower, reverse, reverseError, error) = Pass(family, truth, rows ?? [], history, negativeFreeEnergy, current,
                seed, streams + ((ulong)round << 24), threads, blas, progress, cancellation);
            rounds.Add(new BracketRound(current.Chains, current.BurnIn, current.Samples, current.ImportanceSamples,
                n == 0 ? 0 : upper.Average(), n == 0 ? 0 : lower.Average(), n == 0 ? 0 : reverse.Average(), roundClock.Elapsed.TotalSeconds));
            if (Settled(rounds, options.Tolerance) || round >= options.MaxDoublings)
            {
                break;
            }
            current = current.Scaled(2 * current.Chains);
        }
        return new BracketEstimate
        {
            Upper = upper,
            Lower = lower,
            Reverse = reverse,
            ReverseStandardError = reverseError,
            StandardError = error,
            Rounds = rounds,
            Converged = Settled(rounds, options.Tolerance),
            Shift = rounds.Count > 1 ? rounds[^1].Estimate - rounds[^2].Estimate : null,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    // The bracket has closed, or the last doubling moved the mean estimate by less than the tolerance.
    private static bool Settled(List<BracketRound> rounds, double tolerance) =>
        rounds[^1].Gap < tolerance || (rounds.Count > 1 && Math.Abs(rounds[^1].Estimate - rounds[^2].Estimate) < tolerance);

    private static (double[] Upper, double[] Lower, double[] Reverse, double[] ReverseError, double[] Error) Pass(RbmFamily family, float[] truth, int[] rows,
        int[] history, double[] negativeFreeEnergy, BracketOptions options, ulong seed, ulong streams, int requestedThreads, NumericsBackend blas,
        Action<double>? progress, CancellationToken cancellation)
    {
        int n = family.Count;
        var upper = new double[n];
        var lower = new double[n];
        var reverse = new double[n];
        var reverseError = new double[n];
        var error = new double[n];
        if (n == 0)
        {
            return (upper, lower, reverse, reverseError, error);
        }
        int perTile = Math.Max(1, TargetRows / options.Chains);
        int tiles = (n + perTile - 1) / perTile;
        int threads = Math.Min(TileRunner.Threads(requestedThreads), tiles);
        var workers = new BracketTileWorker[threads];
        for (int i = 0; i < threads; i++)
        {
            workers[i] = new BracketTileWorker(blas, family.Visible, family.Hidden, perTile, options);
        }
        long done = 0;
        var gate = new object();
        TileRunner.Run(tiles, threads, (thread, tile, token) =>
        {
            int first = tile * perTile, count = Math.Min(perTile, n - first);
            var random = new VectorRandom(seed, streams + (ulong)tile);
            workers[thread].Run(family, first, count, truth, rows, history, negativeFreeEnergy, random,
                upper.AsSpan(first, count), lower.AsSpan(first, count), reverse.AsSpan(first, count), reverseError.AsSpan(first, count), error.AsSpan(first, count), token);
            if (progress is not null)
            {
                lock (gate)
                {
                    done += count;
                    progress((double)done / n);
                }
            }
        }, cancellation);
        return (upper, lower, reverse, reverseError, error);
    }
}
