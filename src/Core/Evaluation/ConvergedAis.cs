using System.Diagnostics;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Evaluation;

// Dimension legend: N RBMs of the family (one per time step), M runs per RBM, K transitions of a schedule.

/// <summary>
/// How to find an AIS schedule that has converged: Salakhutdinov &amp; Murray's three-segment schedule ("sm K"),
/// doubled per RBM until doubling moves the mean of log Ẑ over all RBMs by less than <see cref="Tolerance"/>.
/// </summary>
public sealed record AisConvergence
{
    /// <summary>Largest schedule the search may reach.</summary>
    public const int MaxTransitionsLimit = AisSchedule.MaxTransitions;

    /// <summary>Converged when the last doubling moves the mean log-likelihood per step by less than this (nats). Issue 10: 0.01.</summary>
    public double Tolerance { get; init; } = 0.01;

    /// <summary>
    /// An RBM stops doubling once its own last doubling moved its log Ẑ by at most this much and the standard error
    /// of that move (both estimates' AIS errors combined) is at most this much too. Default: <see cref="Tolerance"/>,
    /// so that when every RBM has stopped, the mean has moved by less than <see cref="Tolerance"/>.
    /// </summary>
    public double StepTolerance { get; init; } = 0.01;

    /// <summary>K of the first round (every RBM runs it and its doubling).</summary>
    public int InitialTransitions { get; init; } = 100;

    /// <summary>The search stops, not converged, rather than go beyond this K.</summary>
    public int MaxTransitions { get; init; } = 51_200;

    /// <summary>
    /// v W as the sum of the weight rows that the binary v selects (as the generator does) rather than a dense
    /// product: the same values up to float summation order, cheaper with a few notes on.
    /// </summary>
    public bool SparseProducts { get; init; } = true;

    /// <summary>What is wrong with these settings, if anything.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!(Tolerance > 0) || double.IsInfinity(Tolerance))
        {
            problems.Add("The convergence tolerance must be a positive number of nats.");
        }
        if (!(StepTolerance > 0) || double.IsInfinity(StepTolerance))
        {
            problems.Add("The per-step tolerance must be a positive number of nats.");
        }
        if (InitialTransitions < 3 || InitialTransitions > MaxTransitionsLimit / 2)
        {
            problems.Add($"The first schedule must have 3 to {MaxTransitionsLimit / 2} transitions (it is doubled at least once).");
        }
        if (MaxTransitions < 2 * InitialTransitions || MaxTransitions > MaxTransitionsLimit)
        {
            problems.Add($"The largest schedule must lie in [2 × the first, {MaxTransitionsLimit}].");
        }
        return problems;
    }
}

/// <summary>One round of the search: the RBMs that ran the schedule of <paramref name="Transitions"/>, and what it cost.</summary>
/// <param name="Transitions">K of this round's schedule (sm K).</param>
/// <param name="Steps">RBMs (time steps) that ran it.</param>
/// <param name="Shift">
/// After this round, Σ_n (the move of log Ẑ_n on its own last doubling) / N — the move of the mean log Ẑ; null for
/// the first round (nothing to compare with).
/// </param>
/// <param name="Seconds">Wall time of the round.</param>
/// <param name="Flops">Floating-point operations of its products.</param>
public sealed record AisRound(int Transitions, int Steps, double? Shift, double Seconds, long Flops);

/// <summary>What <see cref="ConvergedAis.Estimate"/> found.</summary>
/// <param name="LogPartition">log Ẑ_n from each RBM's last (longest) schedule.</param>
/// <param name="StandardError">The AIS standard error of each log Ẑ_n.</param>
/// <param name="Transitions">K_n, the schedule each RBM ended with.</param>
/// <param name="Shift">The mean's move on the last doubling: Σ_n (log Ẑ_n(K_n) − log Ẑ_n(K_n / 2)) / N.</param>
/// <param name="Converged">|<paramref name="Shift"/>| &lt; the tolerance.</param>
/// <param name="Rounds">The rounds run, in order.</param>
/// <param name="Runs">M.</param>
/// <param name="Flops">Floating-point operations of all rounds' products.</param>
/// <param name="Seconds">Wall time of all rounds.</param>
/// <param name="Threads">Threads used.</param>
public sealed record ConvergedAisEstimate(double[] LogPartition, double[] StandardError, int[] Transitions, double Shift, bool Converged,
    IReadOnlyList<AisRound> Rounds, int Runs, long Flops, double Seconds, int Threads)
{
    /// <summary>The largest K any RBM reached.</summary>
    public int MaxTransitions => Transitions.Length == 0 ? 0 : Transitions.Max();

    /// <summary>
    /// The schedule in words, e.g. "sm 100→3200 per step (44463 at 200, 5120 at 400, …)": the doubling search of
    /// <see cref="ConvergedAis"/>, how many steps ended at each K.
    /// </summary>
    public string Description
    {
        get
        {
            if (Rounds.Count == 0)
            {
                return "sm (nothing to estimate)";
            }
            IEnumerable<string> ends = Transitions.GroupBy(k => k).OrderBy(g => g.Key).Select(g => $"{g.Count()} at {g.Key}");
            return $"sm {Rounds[0].Transitions}→{MaxTransitions} doubled per step ({string.Join(", ", ends)})";
        }
    }
}

/// <summary>
/// log Z of every RBM of a family by annealed importance sampling on a schedule found to have converged: the
/// explicit-schedule estimator (<see cref="AnnealedImportanceSampler"/>) run in rounds of doubling K, each round only
/// on the RBMs whose own estimate has not settled. Each round draws fresh runs, so every log Ẑ_n reported is a plain
/// AIS estimate on its final schedule: unbiased in Z_n, as AIS is (docs/evaluation.md, "The converged schedule").
/// </summary>
/// <remarks>
/// <para>Round 0 runs sm K_0 on all N RBMs; round 1 runs sm 2K_0 on all of them, so the first check is exactly the
/// uniform "double the schedule" check. Each RBM n keeps d_n, the move of its log Ẑ_n on its own last doubling.
/// After a round the mean's move is Σ_n d_n / N; below the tolerance, the search stops (converged). Otherwise RBM n
/// goes on to the next doubling unless |d_n| ≤ StepTolerance and the standard error of d_n is ≤ StepTolerance too,
/// and the next round runs only those that go on. Most time steps of a sequence are easy (their RBM is close to the
/// base distribution), so the later, long rounds run on few of them.</para>
/// <para>When every RBM has settled the mean has moved by at most StepTolerance ≤ tolerance; when K would pass
/// MaxTransitions the search stops and says it has not converged.</para>
/// </remarks>
public static class ConvergedAis
{
    // Round r's tiles draw from streams (r + 1)·2^34 + tile: apart from the explicit estimator's (0 + tile) and the
    // evaluator's chains (2^32 + tile, 2^33 + tile).
    private const ulong RoundStreams = 1UL << 34;

    /// <summary>Estimates log Z of every RBM of <paramref name="family"/> with a converged schedule.</summary>
    /// <param name="family">The RBMs.</param>
    /// <param name="options">Runs per RBM, seed and threads (its schedule is ignored).</param>
    /// <param name="convergence">Tolerances and the range of K.</param>
    /// <param name="backend">Where the products run.</param>
    /// <param name="progress">Called with (share done in [0, 1), rounds done) after each tile, from a worker thread.</param>
    /// <param name="cancellation">Checked at every transition of every tile.</param>
    /// <exception cref="ArgumentException">Bad settings.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static ConvergedAisEstimate Estimate(RbmFamily family, AisOptions options, AisConvergence convergence, NumericsBackend backend,
        Action<double>? progress = null, CancellationToken cancellation = default)
    {
        IReadOnlyList<string> problems = convergence.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(convergence));
        }
        var clock = Stopwatch.StartNew();
        int n = family.Count;
        var logZ = new double[n];
        var se = new double[n];
        var transitions = new int[n];
        var move = new double[n];
        var rounds = new List<AisRound>();
        long flops = 0;
        int threads = 1;
        double shift = double.NaN;
        bool converged = false;
        int[] active = [.. Enumerable.Range(0, n)];

        for (int k = convergence.InitialTransitions, round = 0; n > 0; k *= 2, round++)
        {
            var roundClock = Stopwatch.StartNew();
            RbmFamily subset = active.Length == n ? family : Subset(family, active);
            int r = round;
            AisEstimate estimate = AnnealedImportanceSampler.Estimate(subset,
                options with
                {
                    Schedule = AisSchedule.SalakhutdinovMurray(k),
                    FirstStream = RoundStreams * (ulong)(round + 1),
                    SparseProducts = convergence.SparseProducts,
                },
                backend, progress is null ? null : (done, total) => progress(Share(r, (double)done / total)), cancellation);
            flops += estimate.Flops;
            threads = Math.Max(threads, estimate.Threads);
            for (int i = 0; i < active.Length; i++)
            {
                int t = active[i];
                double value = estimate.LogPartition[i], error = estimate.StandardError[i];
                if (round > 0)
                {
                    move[t] = value - logZ[t];
                    double moveError = Math.Sqrt((error * error) + (se[t] * se[t]));
                    // Settled steps are marked by a negative K until the round's end (restored below).
                    transitions[t] = Math.Abs(move[t]) <= convergence.StepTolerance && moveError <= convergence.StepTolerance ? -k : k;
                }
                else
                {
                    transitions[t] = k;
                }
                logZ[t] = value;
                se[t] = error;
            }
            double? roundShift = null;
            if (round > 0)
            {
                double sum = 0;
                foreach (double d in move)
                {
                    sum += d;
                }
                shift = sum / n;
                roundShift = shift;
            }
            rounds.Add(new AisRound(k, active.Length, roundShift, roundClock.Elapsed.TotalSeconds, estimate.Flops));
            int[] next = [.. active.Where(t => transitions[t] > 0)];
            foreach (int t in active)
            {
                transitions[t] = Math.Abs(transitions[t]);
            }
            if (round > 0 && Math.Abs(shift) < convergence.Tolerance)
            {
                converged = true;
                break;
            }
            if (round > 0 && next.Length == 0)
            {
                converged = Math.Abs(shift) < convergence.Tolerance;
                break;
            }
            if (2L * k > convergence.MaxTransitions)
            {
                break;
            }
            active = next; // after round 0 every RBM goes on: the first check is the uniform one
        }
        return new ConvergedAisEstimate(logZ, se, transitions, n == 0 ? 0 : shift, n == 0 || converged, rounds, options.Runs, flops,
            clock.Elapsed.TotalSeconds, threads);
    }

    // Round r fills [1 - 2^-r, 1 - 2^-(r+1)) of the bar: it only goes forward, whatever the number of rounds.
    private static double Share(int round, double withinRound) =>
        Math.Min(0.999, 1 - Math.Pow(0.5, round) + (Math.Pow(0.5, round + 1) * withinRound));

    // The RBMs of `rows`, in that order, as a family of their own (the biases copied; W shared).
    private static RbmFamily Subset(RbmFamily family, int[] rows)
    {
        int v = family.Visible, h = family.Hidden;
        var a = new float[rows.Length * v];
        var b = new float[rows.Length * h];
        float[]? aBase = family.BaseVisibleBiases is null ? null : new float[rows.Length * v];
        for (int i = 0; i < rows.Length; i++)
        {
            int t = rows[i];
            family.VisibleBiases.AsSpan(t * v, v).CopyTo(a.AsSpan(i * v));
            family.HiddenBiases.AsSpan(t * h, h).CopyTo(b.AsSpan(i * h));
            family.BaseVisibleBiases?.AsSpan(t * v, v).CopyTo(aBase.AsSpan(i * v));
        }
        return new RbmFamily(v, h, family.Weights, a, b) { BaseVisibleBiases = aBase };
    }
}
