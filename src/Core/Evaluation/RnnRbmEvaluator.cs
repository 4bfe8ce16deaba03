using System.Diagnostics;
using System.Numerics.Tensors;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Evaluation;

// Dimension legend: T steps of one sequence, N = ΣT steps of all, V visible, H hidden, U recurrent.

/// <summary>
/// Measures an RNN-RBM on a set of sequences as the paper does (docs/model.md, "Evaluation";
/// Boulanger-Lewandowski, Bengio &amp; Vincent, ICML 2012, §6): the mean log-likelihood per time step
/// (1/ΣT) Σ_t log P(v_t | v_&lt;t) with log Z_t by annealed importance sampling, and the expected frame-level
/// accuracy of next-step predictions given the true history.
/// </summary>
/// <remarks>
/// Step t's conditional RBM has biases bv_t = bv + u_{t-1} Wuv and bh_t = bh + u_{t-1} Wuh, with the recurrence
/// u_t = tanh(bu + v_t Wvu + u_{t-1} Wuu) run over the true v (u_0 = 0), so every step's RBM is known before any
/// sampling and all N of them are estimated together as one <see cref="RbmFamily"/>. Then
/// <code>
///   log P(v_t | v_&lt;t) = -F_t(v_t) - log Z_t,   -F_t(v) = v·bv_t + Σ_j softplus(bh_t,j + (v W)_j).
/// </code>
/// A prediction of step t is the end of a Gibbs chain of that RBM (see <see cref="EvaluationOptions"/>); its last
/// half-step's visible probabilities give the expected TP/FP/FN of the sample (<see cref="FrameAccuracy"/>).
/// </remarks>
public sealed class RnnRbmEvaluator
{
    private const int PredictionTargetRows = 256;

    // The chains that estimate AIS's base marginals: fixed, so that a log-likelihood does not depend on the accuracy's settings.
    private const int BaseChainSamples = 10;

    // Random streams of the seed: AIS tiles use 0 .. tiles-1, the base chains 2^32 + tile, the accuracy chains 2^33 + tile.
    private const ulong BaseStreams = 1UL << 32;
    private const ulong AccuracyStreams = 1UL << 33;

    // The bracket's streams: 3·2^32 + round·2^24 + tile.
    private const ulong BracketStreams = 3UL << 32;

    // The draw of EvaluationOptions.MeasuredSteps.
    private const ulong MeasuredStepsStream = 4UL << 32;

    private readonly RnnRbmParameters _p;
    private readonly NumericsBackend _blas;

    /// <summary>Prepares to evaluate <paramref name="parameters"/> with products on <paramref name="backend"/>.</summary>
    public RnnRbmEvaluator(RnnRbmParameters parameters, NumericsBackend backend)
    {
        _p = parameters;
        _blas = backend;
    }

    /// <summary>Evaluates the model on <paramref name="sequences"/> (each over V pitches; empty ones are skipped).</summary>
    /// <param name="sequences">The test sequences.</param>
    /// <param name="options">What to measure and how.</param>
    /// <param name="progress">Called after each tile from a worker thread, one call at a time.</param>
    /// <param name="cancellation">Stops within one AIS transition or Gibbs step of every thread.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public EvaluationResult Evaluate(IReadOnlyList<PianoRoll> sequences, EvaluationOptions options,
        Action<EvaluationProgress>? progress = null, CancellationToken cancellation = default)
    {
        IReadOnlyList<string> problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }
        var clock = Stopwatch.StartNew();
        List<PianoRoll> used = [.. sequences.Where(s => s.Steps > 0)];
        foreach (PianoRoll roll in used)
        {
            if (roll.Range.Count != _p.Shape.Visible)
            {
                throw new ArgumentException($"A sequence covers {roll.Range.Count} pitches; the model has {_p.Shape.Visible} visible units.", nameof(sequences));
            }
        }
        (RbmFamily family, float[] truth, int[] starts) = Condition(used);
        int n = family.Count;
        int threads = TileRunner.Threads(options.Threads);
        var result = new EvaluationResult { Sequences = used.Count, Steps = n, Threads = threads };
        if (n > 0)
        {
            FrameAccuracy baseline = Baselines.PreviousFrameAccuracy(used);
            result = result with { BaselineAccuracy = baseline.Value, BaselineAccuracyCounts = baseline };
        }
        if (options.TrainingSequences is { } training && n > 0)
        {
            List<PianoRoll> fitted = [.. training.Where(s => s.Steps > 0)];
            if (fitted.Any(s => s.Range.Count != _p.Shape.Visible))
            {
                throw new ArgumentException($"A training sequence does not cover the model's {_p.Shape.Visible} pitches: read it at the model's pitch range.", nameof(options));
            }
            result = result with
            {
                BaselineLogLikelihood = Baselines.IndependentBernoulliLogLikelihood(Baselines.FitIndependentBernoullis(fitted), used),
            };
        }

        if (options.LogLikelihood && options.Estimator == LikelihoodEstimator.Ais && options.AisBase == AisBase.Marginals && n > 0)
        {
            // AIS's base: each step's visible marginals μ from short chains (S 10, k 25 from zeros), a_A = logit(clamp(μ)).
            var mean = new float[n * family.Visible];
            Predict(family, truth, starts, options.AisBaseChainStart, options.AisBaseChainSteps, BaseChainSamples, options.Seed, BaseStreams, mean,
                "base", progress, options.Threads, cancellation);
            for (int i = 0; i < mean.Length; i++)
            {
                float q = Math.Clamp(mean[i], 0.001f, 0.999f);
                mean[i] = MathF.Log(q / (1 - q));
            }
            family = new RbmFamily(family.Visible, family.Hidden, family.Weights, family.VisibleBiases, family.HiddenBiases)
            {
                BaseVisibleBiases = mean,
            };
        }

        if (options.Accuracy && n > 0)
        {
            var accuracyClock = Stopwatch.StartNew();
            var meanProbabilities = new float[n * family.Visible];
            FrameAccuracy counts = Predict(family, truth, starts, options.AccuracyStart, options.AccuracyGibbsSteps, options.AccuracySamples,
                options.Seed, AccuracyStreams, meanProbabilities, "accuracy", progress, options.Threads, cancellation);
            FrameAccuracy deterministic = Threshold(truth, meanProbabilities, family.Visible);
            result = result with
            {
                Accuracy = counts.Value,
                AccuracyCounts = counts,
                AccuracyDeterministic = deterministic.Value,
                AccuracyDeterministicCounts = deterministic,
                AccuracySamples = options.AccuracySamples,
                AccuracyGibbsSteps = options.AccuracyGibbsSteps,
                AccuracyStart = options.AccuracyStart,
                AccuracySeconds = accuracyClock.Elapsed.TotalSeconds,
            };
        }

        if (options.LogLikelihood && options.Estimator == LikelihoodEstimator.Bracket && n > 0)
        {
            double[] negativeFreeEnergy = NegativeFreeEnergies(family, truth);
            int[] history = History(starts);
            int[]? rows = options.MeasuredSteps > 0 && options.MeasuredSteps < n ? MeasuredRows(n, options.MeasuredSteps, options.Seed) : null;
            RbmFamily measured = family;
            if (rows is not null)
            {
                // A sample of the steps: their RBMs only, each still started from its own history in the whole truth.
                measured = family.Rows(rows);
                negativeFreeEnergy = [.. rows.Select(row => negativeFreeEnergy[row])];
                history = [.. rows.Select(row => history[row])];
                result = result with { Steps = rows.Length, SampledFrom = n };
            }
            int count = measured.Count;
            BracketEstimate bracket = BracketEstimator.Estimate(measured, truth, history, negativeFreeEnergy,
                options.Bracket, options.Seed, BracketStreams, options.Threads, _blas,
                progress is null ? null : share => progress(new EvaluationProgress("likelihood", (long)(share * count), count)), rows, cancellation);
            double variance = 0;
            foreach (double se in bracket.StandardError)
            {
                variance += se * se;
            }
            double mean = bracket.Upper.Average();
            result = result with
            {
                Estimator = LikelihoodEstimator.Bracket,
                LogLikelihood = mean,
                StandardError = Math.Sqrt(variance) / count,
                SequenceStandardError = rows is null ? SequenceError(bracket.Upper, starts, mean) : null,
                LowerBound = bracket.Lower.Average(),
                ReverseBound = bracket.Reverse.Average(),
                StepReverseBounds = bracket.Reverse,
                BracketConverged = bracket.Converged,
                BracketShift = bracket.Shift,
                BracketRounds = bracket.Rounds,
                BracketSeconds = bracket.Seconds,
                StepLogLikelihoods = bracket.Upper,
                StepStandardErrors = bracket.StandardError,
                StepLowerBounds = bracket.Lower,
            };
        }
        else if (options.LogLikelihood && n > 0)
        {
            double[] negativeFreeEnergy = NegativeFreeEnergies(family, truth);
            var ais = new AisOptions { Runs = options.AisRuns, Schedule = options.Schedule, Seed = options.Seed, Threads = options.Threads };
            double[] logPartition, partitionError;
            int[] stepTransitions;
            if (options.AisConvergence is { } convergence)
            {
                ConvergedAisEstimate estimate = ConvergedAis.Estimate(family, ais, convergence, _blas,
                    progress is null ? null : share => progress(new EvaluationProgress("likelihood", (long)(share * n), n)), cancellation);
                (logPartition, partitionError, stepTransitions) = (estimate.LogPartition, estimate.StandardError, estimate.Transitions);
                result = result with
                {
                    AisTransitions = estimate.MaxTransitions,
                    AisSchedule = estimate.Description,
                    AisConverged = estimate.Converged,
                    AisShift = -estimate.Shift, // log P = -F - log Z: the likelihood moves against log Z
                    AisRounds = estimate.Rounds,
                    AisSeconds = estimate.Seconds,
                    AisGflop = estimate.Flops / 1e9,
                };
            }
            else
            {
                AisEstimate estimate = AnnealedImportanceSampler.Estimate(family, ais, _blas,
                    progress is null ? null : (done, total) => progress(new EvaluationProgress("likelihood", done, total)), cancellation);
                (logPartition, partitionError) = (estimate.LogPartition, estimate.StandardError);
                stepTransitions = [.. Enumerable.Repeat(options.Schedule.Transitions, n)];
                result = result with
                {
                    AisTransitions = options.Schedule.Transitions,
                    AisSchedule = options.Schedule.Description,
                    AisSeconds = estimate.Seconds,
                    AisGflop = estimate.Flops / 1e9,
                };
            }
            var steps = new double[n];
            double sum = 0, variance = 0;
            for (int t = 0; t < n; t++)
            {
                steps[t] = negativeFreeEnergy[t] - logPartition[t];
                sum += steps[t];
                variance += partitionError[t] * partitionError[t];
            }
            double mean = sum / n;
            result = result with
            {
                LogLikelihood = mean,
                StandardError = Math.Sqrt(variance) / n,
                SequenceStandardError = SequenceError(steps, starts, mean),
                AisRuns = options.AisRuns,
                AisBase = options.AisBase,
                StepLogLikelihoods = steps,
                StepStandardErrors = partitionError,
                StepTransitions = stepTransitions,
            };
        }

        return result with { Seconds = clock.Elapsed.TotalSeconds };
    }

    /// <summary>
    /// The conditional RBMs of every step given the true history: bv_t (N×V), bh_t (N×H), the data as floats
    /// (N×V), and where each sequence starts (S + 1 offsets).
    /// </summary>
    internal (RbmFamily Family, float[] Truth, int[] Starts) Condition(IReadOnlyList<PianoRoll> sequences)
    {
        int v = _p.Shape.Visible, h = _p.Shape.Hidden, u = _p.Shape.Recurrent;
        var starts = new int[sequences.Count + 1];
        for (int s = 0; s < sequences.Count; s++)
        {
            starts[s + 1] = checked(starts[s] + sequences[s].Steps);
        }
        int n = starts[^1];
        var truth = new float[checked(n * v)];
        var a = new float[n * v];
        var b = new float[checked(n * h)];
        int longest = sequences.Count == 0 ? 0 : sequences.Max(s => s.Steps);
        var x = new float[longest * v];
        var input = new float[longest * u];
        var states = new float[(longest + 1) * u];
        var bvt = new float[longest * v];
        var bht = new float[longest * h];
        for (int s = 0; s < sequences.Count; s++)
        {
            PianoRoll roll = sequences[s];
            int steps = roll.Steps;
            TensorPrimitives.ConvertChecked<byte, float>(roll.Cells, x.AsSpan(0, steps * v));
            Recurrence.Run(_blas, _p, x, steps, input, states, bvt, bht);
            int at = starts[s];
            x.AsSpan(0, steps * v).CopyTo(truth.AsSpan(at * v));
            bvt.AsSpan(0, steps * v).CopyTo(a.AsSpan(at * v));
            bht.AsSpan(0, steps * h).CopyTo(b.AsSpan(at * h));
        }
        return (new RbmFamily(v, h, _p.W, a, b), truth, starts);
    }

    // The deterministic prediction: pitch i on iff the chains' mean probability q̄_i > 0.5, against the truth, all steps.
    private static FrameAccuracy Threshold(float[] truth, float[] meanProbabilities, int v)
    {
        var counts = new FrameAccuracy();
        var predicted = new float[v];
        for (int t = 0; t < truth.Length / v; t++)
        {
            ReadOnlySpan<float> q = meanProbabilities.AsSpan(t * v, v);
            for (int i = 0; i < v; i++)
            {
                predicted[i] = q[i] > 0.5f ? 1 : 0;
            }
            counts.AddExpected(truth.AsSpan(t * v, v), predicted);
        }
        return counts;
    }

    // -F_t(v_t) = v_t·bv_t + Σ_j softplus(bh_t,j + (v_t W)_j) for every step, in blocks of rows: (B×V)·(V×H).
    private double[] NegativeFreeEnergies(RbmFamily family, float[] truth)
    {
        int v = family.Visible, h = family.Hidden, n = family.Count;
        const int Block = 512;
        var rows = new float[Block * v];
        var hidden = new float[Block * h];
        var result = new double[n];
        for (int first = 0; first < n; first += Block)
        {
            int count = Math.Min(Block, n - first);
            truth.AsSpan(first * v, count * v).CopyTo(rows);
            _blas.Gemm(false, false, count, h, v, 1f, rows, family.Weights, 0f, hidden);
            for (int r = 0; r < count; r++)
            {
                int t = first + r;
                double sum = 0;
                ReadOnlySpan<float> vt = truth.AsSpan(t * v, v), at = family.VisibleBiases.AsSpan(t * v, v);
                for (int i = 0; i < v; i++)
                {
                    sum += (double)vt[i] * at[i];
                }
                ReadOnlySpan<float> xw = hidden.AsSpan(r * h, h), bt = family.HiddenBiases.AsSpan(t * h, h);
                for (int j = 0; j < h; j++)
                {
                    sum += LogMath.Softplus((double)xw[j] + bt[j]);
                }
                result[t] = sum;
            }
        }
        return result;
    }

    // S chains of k Gibbs steps per step (rows = steps × S, in tiles on the threads): the expected TP/FP/FN of their
    // samples against the truth, and the mean of their last visible probabilities into meanProbabilities (N×V).
    private FrameAccuracy Predict(RbmFamily family, float[] truth, int[] starts, PredictionStart start, int steps, int samples,
        ulong seed, ulong streams, float[] meanProbabilities, string phase, Action<EvaluationProgress>? progress, int requestedThreads,
        CancellationToken cancellation)
    {
        int n = family.Count, v = family.Visible;
        float[] chainStarts = start == PredictionStart.PreviousFrame ? PreviousFrames(truth, starts, v) : [];
        int perTile = Math.Max(1, PredictionTargetRows / samples);
        int tiles = (n + perTile - 1) / perTile;
        int threads = Math.Min(TileRunner.Threads(requestedThreads), tiles);
        var workers = new RbmTileWorker[threads];
        for (int i = 0; i < threads; i++)
        {
            workers[i] = new RbmTileWorker(_blas, v, family.Hidden, perTile * samples);
        }
        var perTileCounts = new FrameAccuracy[tiles];
        long done = 0;
        var gate = new object();
        TileRunner.Run(tiles, threads, (thread, tile, token) =>
        {
            int first = tile * perTile, count = Math.Min(perTile, n - first);
            var random = new VectorRandom(seed, streams + (ulong)tile);
            var counts = new FrameAccuracy();
            workers[thread].Predict(family, first, count, samples, steps, chainStarts, truth, random, counts,
                meanProbabilities.AsSpan(first * v, count * v), token);
            perTileCounts[tile] = counts;
            if (progress is not null)
            {
                lock (gate)
                {
                    done += count;
                    progress(new EvaluationProgress(phase, done, n));
                }
            }
        }, cancellation);
        var total = new FrameAccuracy();
        foreach (FrameAccuracy counts in perTileCounts) // tile order: the sum does not depend on the threads
        {
            total.Add(counts);
        }
        return total;
    }

    // EvaluationOptions.MeasuredSteps: `count` of the n steps, uniformly without replacement, in ascending order.
    internal static int[] MeasuredRows(int n, int count, ulong seed)
    {
        int[] rows = new VectorRandom(seed, MeasuredStepsStream).Permutation(n)[..count];
        Array.Sort(rows);
        return rows;
    }

    // For each step, the steps of its sequence before it.
    private static int[] History(int[] starts)
    {
        var history = new int[starts[^1]];
        for (int s = 0; s + 1 < starts.Length; s++)
        {
            for (int t = starts[s]; t < starts[s + 1]; t++)
            {
                history[t] = t - starts[s];
            }
        }
        return history;
    }

    // N×V: row t = the true v_{t-1}, zeros at a sequence's first step.
    private static float[] PreviousFrames(float[] truth, int[] starts, int v)
    {
        int n = truth.Length / v;
        var frames = new float[n * v];
        truth.AsSpan(0, (n - 1) * v).CopyTo(frames.AsSpan(v));
        for (int s = 0; s + 1 < starts.Length; s++)
        {
            frames.AsSpan(starts[s] * v, v).Clear();
        }
        return frames;
    }

    // The test set as a sample of sequences: ratio estimator ℓ̄ = ΣL_s/ΣT_s, error √(S/(S-1) Σ_s (L_s - ℓ̄ T_s)²)/ΣT.
    private static double? SequenceError(double[] steps, int[] starts, double mean)
    {
        int sequences = starts.Length - 1;
        if (sequences < 2)
        {
            return null;
        }
        double sum = 0;
        for (int s = 0; s < sequences; s++)
        {
            double total = 0;
            for (int t = starts[s]; t < starts[s + 1]; t++)
            {
                total += steps[t];
            }
            double residual = total - (mean * (starts[s + 1] - starts[s]));
            sum += residual * residual;
        }
        return Math.Sqrt(sum * sequences / (sequences - 1)) / starts[^1];
    }
}
