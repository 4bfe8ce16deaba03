using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Model;

// Dimension legend: V visible, H hidden, U recurrent. Row vectors, row-major matrices.

/// <summary>
/// Generation as the seed does it (docs/model.md, "Generation"): for each step, the RBM's biases come from u_{t-1}; a
/// k-step Gibbs chain started at the zero vector gives v_t; then u_t = tanh(bu + v_t Wvu + u_{t-1} Wuu).
/// An optional primer is fed through the recurrence first, so that generation continues it.
/// </summary>
/// <remarks>
/// v and h are binary, so v W and h Wᵀ are sums of the rows of W (resp. Wᵀ) picked by the units that are
/// on: a few hundred additions instead of a dense 88×150 product. This changes nothing but the speed
/// (up to float rounding order). Not thread-safe: use one generator per thread; construction is cheap.
/// </remarks>
public sealed class RnnRbmGenerator
{
    /// <summary>Largest number of steps one call may generate.</summary>
    public const int MaxSteps = 100_000;

    /// <summary>Largest Gibbs chain per step.</summary>
    public const int MaxGibbsK = 10_000;

    private readonly RnnRbmParameters _p;
    private readonly PitchRange _range;
    private readonly float[] _wT;      // H×V, Wᵀ for h Wᵀ as a sum of rows
    private readonly float[] _u;       // U   u_{t-1}
    private readonly float[] _uNext;   // U
    private readonly float[] _bvt;     // V
    private readonly float[] _bht;     // H
    private readonly float[] _v;       // V   chain visible state
    private readonly float[] _h;       // H   chain hidden state
    private readonly float[] _pre;     // max(V, H)
    private readonly int[] _active;    // max(V, H) indices of units that are on
    private readonly float[] _gates;   // 3U  z, r, r ⊙ u_{t-1} of a GRU model
    private readonly int[] _clamped;   // V   the keys a melody clamps on at this step, ascending
    private readonly float[] _uLeft;   // U   u after a gap's left context
    private readonly float[] _aScore;  // H   v W + bh_t of the frame being scored
    private readonly float[] _aFlip;   // H   the same with one key flipped
    private float _inverseTemperature = 1f;

    /// <summary>Prepares generation from <paramref name="model"/>.</summary>
    public RnnRbmGenerator(RnnRbmModel model)
    {
        _p = model.Parameters;
        _range = model.Range;
        int v = _p.Shape.Visible, h = _p.Shape.Hidden, u = _p.Shape.Recurrent;
        _wT = new float[h * v];
        for (int i = 0; i < v; i++)
        {
            for (int j = 0; j < h; j++)
            {
                _wT[(j * v) + i] = _p.W[(i * h) + j];
            }
        }
        _u = new float[u];
        _uNext = new float[u];
        _bvt = new float[v];
        _bht = new float[h];
        _v = new float[v];
        _h = new float[h];
        _pre = new float[Math.Max(v, h)];
        _gates = _p.Shape.Kind == RecurrenceKind.Gru ? new float[3 * u] : [];
        _active = new int[Math.Max(v, h)];
        _clamped = new int[v];
        _uLeft = new float[u];
        _aScore = new float[h];
        _aFlip = new float[h];
    }

    /// <summary>
    /// Called after each generated step with the share of <see cref="Generate"/>'s steps done, in (0, 1] (a waiting
    /// client's progress bar, issue 15); null: not called.
    /// </summary>
    public Action<double>? Progress { get; init; }

    /// <summary>
    /// Generates <paramref name="steps"/> new steps with <paramref name="gibbsK"/> Gibbs steps each, from random
    /// stream 0 of <paramref name="seed"/>. With a <paramref name="primer"/> (over the model's pitch range), the
    /// recurrence first reads the primer and the result continues it; the primer itself is not included.
    /// <paramref name="controls"/> steer the sampling (a temperature, a melody to harmonize); without them, or with
    /// <see cref="GenerationControls.None"/>, the result is what the model samples, bit for bit.
    /// </summary>
    public PianoRoll Generate(int steps, int gibbsK, ulong seed, PianoRoll? primer = null, GenerationControls? controls = null)
    {
        controls ??= GenerationControls.None;
        if (steps < 1 || steps > MaxSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"steps must lie in [1, {MaxSteps}].");
        }
        if (gibbsK < 1 || gibbsK > MaxGibbsK)
        {
            throw new ArgumentOutOfRangeException(nameof(gibbsK), gibbsK, $"gibbsK must lie in [1, {MaxGibbsK}].");
        }
        if (primer is not null && primer.Range != _range)
        {
            throw new ArgumentException($"The primer covers {primer.Range}; the model covers {_range}.", nameof(primer));
        }
        if (!(controls.Temperature >= GenerationLimits.MinTemperature && controls.Temperature <= GenerationLimits.MaxTemperature))
        {
            throw new ArgumentOutOfRangeException(nameof(controls), controls.Temperature, GenerationLimits.Temperature.Problem(controls.Temperature));
        }
        if (controls.Melody is PianoRoll melody && (melody.Range != _range || melody.Steps < steps))
        {
            throw new ArgumentException(
                $"The melody must cover the model's range {_range} and at least the {steps} steps generated; it covers {melody.Range} for {melody.Steps} steps.",
                nameof(controls));
        }
        _inverseTemperature = (float)(1 / controls.Temperature);
        var random = new VectorRandom(seed, 0);
        var roll = new PianoRoll(steps, _range);
        _p.U0.CopyTo(_u, 0); // u_0 = u0 (0 unless learned)
        if (primer is not null)
        {
            for (int t = 0; t < primer.Steps; t++)
            {
                TensorPrimitives.ConvertChecked<byte, float>(primer.Row(t), _v);
                Advance();
            }
        }
        for (int t = 0; t < steps; t++)
        {
            int clampedOn = 0, firstOff = _v.Length;
            if (controls.Melody is PianoRoll tune)
            {
                clampedOn = ClampedKeys(tune.Row(t));
                if (controls.MelodyOnTop && clampedOn > 0)
                {
                    firstOff = _clamped[clampedOn - 1] + 1;
                }
            }
            SampleStep(gibbsK, random, clampedOn, firstOff);
            Span<byte> row = roll.MutableRow(t);
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = _v[i] != 0 ? (byte)1 : (byte)0;
            }
            Advance();
            Progress?.Invoke((double)(t + 1) / steps);
        }
        return roll;
    }

    /// <summary>
    /// Fills a gap (docs/generation.md, "Filling a gap"): regenerates steps [<paramref name="gapStart"/>,
    /// <paramref name="gapEnd"/>) of <paramref name="piece"/> so that they lead into what follows, by importance
    /// resampling. The recurrence reads the steps before the gap; <paramref name="candidates"/> fillings are sampled from
    /// there in turn from random stream 0 of <paramref name="seed"/> (the first is what <see cref="Generate"/> would
    /// continue the left context with); each is scored by the model's log pseudo-likelihood of up to
    /// <paramref name="rightContextSteps"/> steps after the gap, read teacher-forced after it; one is chosen with
    /// probability ∝ exp(score) from stream 1. Every step outside the gap is the piece's, byte for byte.
    /// </summary>
    /// <remarks>
    /// The exact log p(v_t) needs log Z_t of every step's RBM, which differs between candidates (their recurrent states
    /// set the biases) and is intractable for 88 keys. The pseudo-likelihood Σ_i log p(v_ti | v_t,−i) needs none: each
    /// term is a free-energy difference. It is exact when the RBM's keys are independent (W = 0) and otherwise counts
    /// correlated keys' evidence more than once, so its weights are sharper than the true likelihood ratios.
    /// <paramref name="controls"/> may set a temperature (for the sampling; the scores are the model's, at T = 1); a
    /// melody is refused.
    /// </remarks>
    public GapFill FillGap(PianoRoll piece, int gapStart, int gapEnd, int candidates, int gibbsK, ulong seed,
        GenerationControls? controls = null, int rightContextSteps = GenerationLimits.FillRightContextSteps)
    {
        controls ??= GenerationControls.None;
        ArgumentNullException.ThrowIfNull(piece);
        if (piece.Range != _range)
        {
            throw new ArgumentException($"The piece covers {piece.Range}; the model covers {_range}.", nameof(piece));
        }
        if (gapStart < 0 || gapEnd <= gapStart || gapEnd > piece.Steps)
        {
            throw new ArgumentOutOfRangeException(nameof(gapEnd), $"The gap [{gapStart}, {gapEnd}) must hold at least one step and lie within the piece's {piece.Steps} steps.");
        }
        if (candidates < 1 || candidates > GenerationLimits.MaxCandidates)
        {
            throw new ArgumentOutOfRangeException(nameof(candidates), candidates, GenerationLimits.Candidates.Problem(candidates));
        }
        if (rightContextSteps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rightContextSteps), rightContextSteps, "rightContextSteps must be at least 0.");
        }
        if (controls.Melody is not null)
        {
            throw new ArgumentException("A gap is filled without a melody.", nameof(controls));
        }
        int gap = gapEnd - gapStart;
        int scored = Math.Min(rightContextSteps, piece.Steps - gapEnd);
        var left = new PianoRoll(gapStart, _range);
        for (int t = 0; t < gapStart; t++)
        {
            piece.Row(t).CopyTo(left.MutableRow(t));
        }

        // Candidate k is Generate's continuation of the left context, drawn after candidates 0..k-1 on the same stream.
        var random = new VectorRandom(seed, 0);
        var fillings = new PianoRoll[candidates];
        var scores = new double[candidates];
        for (int k = 0; k < candidates; k++)
        {
            fillings[k] = Sample(gap, gibbsK, random, k == 0 ? left : null, controls, restoreLeft: k > 0);
            // Teacher-forced over the right context: u already holds the state after the candidate's last step.
            double score = 0;
            for (int t = gapEnd; t < gapEnd + scored; t++)
            {
                score += LogPseudoLikelihood(piece.Row(t));
                TensorPrimitives.ConvertChecked<byte, float>(piece.Row(t), _v);
                Advance();
            }
            scores[k] = score;
        }
        int chosen = candidates == 1 ? 0 : Choose(scores, new VectorRandom(seed, 1));

        var filled = new PianoRoll(piece.Steps, _range);
        for (int t = 0; t < piece.Steps; t++)
        {
            (t >= gapStart && t < gapEnd ? fillings[chosen].Row(t - gapStart) : piece.Row(t)).CopyTo(filled.MutableRow(t));
        }
        return new GapFill(filled, fillings, scores, chosen, scored);
    }

    // Samples steps new steps: the first call reads the left context from u_0 and keeps the state it reaches; later
    // calls start again from that state. Steps as Generate samples them (its loop, without a melody).
    private PianoRoll Sample(int steps, int gibbsK, VectorRandom random, PianoRoll? left, GenerationControls controls, bool restoreLeft)
    {
        if (restoreLeft)
        {
            _uLeft.CopyTo(_u, 0);
        }
        else
        {
            _p.U0.CopyTo(_u, 0);
            for (int t = 0; t < left!.Steps; t++)
            {
                TensorPrimitives.ConvertChecked<byte, float>(left.Row(t), _v);
                Advance();
            }
            _u.CopyTo(_uLeft, 0);
        }
        _inverseTemperature = (float)(1 / controls.Temperature);
        var roll = new PianoRoll(steps, _range);
        for (int t = 0; t < steps; t++)
        {
            SampleStep(gibbsK, random);
            Span<byte> row = roll.MutableRow(t);
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = _v[i] != 0 ? (byte)1 : (byte)0;
            }
            Advance();
        }
        return roll;
    }

    // Index k with probability exp(scores[k] − max) / Σ exp(scores − max): one uniform draw against the cumulative weights.
    private static int Choose(double[] scores, VectorRandom random)
    {
        double max = scores.Max();
        var weights = new double[scores.Length];
        double total = 0;
        for (int k = 0; k < scores.Length; k++)
        {
            weights[k] = Math.Exp(scores[k] - max);
            total += weights[k];
        }
        Span<float> uniform = stackalloc float[1];
        random.NextUniform(uniform);
        double target = uniform[0] * total, cumulative = 0;
        for (int k = 0; k < scores.Length; k++)
        {
            cumulative += weights[k];
            if (target < cumulative)
            {
                return k;
            }
        }
        return Array.FindLastIndex(weights, w => w > 0);
    }

    /// <summary>
    /// log PL(x) = Σ_i log p(x_i | x_−i) of the RBM whose biases u_{t-1} (in _u) sets, at T = 1. With a = x W + bh_t,
    /// F(x with i on) − F(x with i off) = −bv_ti − Σ_j [softplus(a_on_j) − softplus(a_off_j)], so
    /// p(x_i = 1 | x_−i) = σ(bv_ti + Σ_j softplus(a_on_j) − softplus(a_off_j)); flipping key i moves a by ±W[i, :].
    /// </summary>
    private double LogPseudoLikelihood(ReadOnlySpan<byte> x)
    {
        int v = _p.Shape.Visible, h = _p.Shape.Hidden, u = _p.Shape.Recurrent;
        _p.Bv.CopyTo(_bvt, 0);
        _p.Bh.CopyTo(_bht, 0);
        Kernels.VecMat(_u, _p.Wuv, u, v, _bvt, accumulate: true);
        Kernels.VecMat(_u, _p.Wuh, u, h, _bht, accumulate: true);
        _bht.CopyTo(_aScore, 0);
        for (int i = 0; i < v; i++)
        {
            if (x[i] != 0)
            {
                TensorPrimitives.Add(_aScore, _p.W.AsSpan(i * h, h), _aScore);
            }
        }
        double here = LogMath.SoftplusSum(_aScore);
        double logPl = 0;
        for (int i = 0; i < v; i++)
        {
            ReadOnlySpan<float> row = _p.W.AsSpan(i * h, h);
            double d;
            if (x[i] != 0)
            {
                TensorPrimitives.Subtract(_aScore, row, _aFlip);
                d = _bvt[i] + here - LogMath.SoftplusSum(_aFlip);
                logPl -= LogMath.Softplus(-d); // log σ(d)
            }
            else
            {
                TensorPrimitives.Add(_aScore, row, _aFlip);
                d = _bvt[i] + LogMath.SoftplusSum(_aFlip) - here;
                logPl -= LogMath.Softplus(d); // log σ(−d)
            }
        }
        return logPl;
    }

    // The keys a melody's row clamps on, ascending, into _clamped; their count.
    private int ClampedKeys(ReadOnlySpan<byte> row)
    {
        int count = 0;
        for (int i = 0; i < row.Length; i++)
        {
            if (row[i] != 0)
            {
                _clamped[count++] = i;
            }
        }
        return count;
    }

    // v_t from the RBM whose biases u_{t-1} sets: k Gibbs steps from v = 0 (the clamped keys on). The first
    // clampedOn entries of _clamped stay on and every key from firstOff up stays off: sampling the other keys given
    // them is the RBM's conditional, since its visible units are independent given h. The inputs of both
    // conditionals are scaled by the inverse temperature (not touched at T = 1, so the model's samples stay exact).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: skip tiering so timings are steady from the first call
    private void SampleStep(int k, VectorRandom random, int clampedOn = 0, int firstOff = int.MaxValue)
    {
        int v = _p.Shape.Visible, h = _p.Shape.Hidden, u = _p.Shape.Recurrent;
        // bv_t = bv + u_{t-1} Wuv ; bh_t = bh + u_{t-1} Wuh
        _p.Bv.CopyTo(_bvt, 0);
        _p.Bh.CopyTo(_bht, 0);
        Kernels.VecMat(_u, _p.Wuv, u, v, _bvt, accumulate: true);
        Kernels.VecMat(_u, _p.Wuh, u, h, _bht, accumulate: true);
        Array.Clear(_v);
        bool steered = clampedOn > 0 || firstOff < v;
        bool tempered = _inverseTemperature != 1f;
        Clamp(clampedOn, firstOff);
        int activeVisible = SparseKernels.CollectNonZero(_v, _active); // v = 0 (but for clamped keys): v W adds little
        Span<float> hPre = _pre.AsSpan(0, h);
        Span<float> vPre = _pre.AsSpan(0, v);
        for (int step = 0; step < k; step++)
        {
            // h ~ Bernoulli(σ(v W + bh_t)), v W = Σ_{i on} W[i, :]
            SparseKernels.AddRows(_bht, _p.W, h, _active.AsSpan(0, activeVisible), hPre);
            if (tempered)
            {
                TensorPrimitives.Multiply(hPre, _inverseTemperature, hPre);
            }
            Kernels.Sigmoid(hPre, hPre);
            random.SampleBernoulli(hPre, _h);
            int activeHidden = SparseKernels.CollectNonZero(_h, _active);
            // v ~ Bernoulli(σ(h Wᵀ + bv_t)), h Wᵀ = Σ_{j on} Wᵀ[j, :]
            SparseKernels.AddRows(_bvt, _wT, v, _active.AsSpan(0, activeHidden), vPre);
            if (tempered)
            {
                TensorPrimitives.Multiply(vPre, _inverseTemperature, vPre);
            }
            Kernels.Sigmoid(vPre, vPre);
            random.SampleBernoulli(vPre, _v);
            if (steered)
            {
                Clamp(clampedOn, firstOff);
            }
            activeVisible = SparseKernels.CollectNonZero(_v, _active);
        }
    }

    private void Clamp(int clampedOn, int firstOff)
    {
        for (int i = 0; i < clampedOn; i++)
        {
            _v[_clamped[i]] = 1;
        }
        if (firstOff < _v.Length)
        {
            Array.Clear(_v, firstOff, _v.Length - firstOff);
        }
    }

    // u_t = tanh(bu + v_t Wvu + u_{t-1} Wuu), with v_t in _v (or the GRU's update, GruRecurrence).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Advance()
    {
        int u = _p.Shape.Recurrent;
        int active = SparseKernels.CollectNonZero(_v, _active);
        if (_p.Shape.Kind == RecurrenceKind.Gru)
        {
            AdvanceGru(active);
            return;
        }
        SparseKernels.AddRows(_p.Bu, _p.Wvu, u, _active.AsSpan(0, active), _uNext);
        Kernels.VecMat(_u, _p.Wuu, u, u, _uNext, accumulate: true);
        TensorPrimitives.Tanh(_uNext, _u);
    }

    // z = σ(bz + v Wvz + u Wuz), r = σ(br + v Wvr + u Wur), c = tanh(bu + v Wvu + (r ⊙ u) Wuu), u ← u + z ⊙ (c − u).
    private void AdvanceGru(int active)
    {
        int u = _p.Shape.Recurrent;
        ReadOnlySpan<int> on = _active.AsSpan(0, active);
        Span<float> z = _gates.AsSpan(0, u), r = _gates.AsSpan(u, u), ru = _gates.AsSpan(2 * u, u);
        SparseKernels.AddRows(_p.Bz, _p.Wvz, u, on, z);
        Kernels.VecMat(_u, _p.Wuz, u, u, z, accumulate: true);
        Kernels.Sigmoid(z, z);
        SparseKernels.AddRows(_p.Br, _p.Wvr, u, on, r);
        Kernels.VecMat(_u, _p.Wur, u, u, r, accumulate: true);
        Kernels.Sigmoid(r, r);
        TensorPrimitives.Multiply(r, _u, ru);
        SparseKernels.AddRows(_p.Bu, _p.Wvu, u, on, _uNext);
        Kernels.VecMat(ru, _p.Wuu, u, u, _uNext, accumulate: true);
        TensorPrimitives.Tanh(_uNext, _uNext);
        for (int j = 0; j < u; j++)
        {
            _u[j] += z[j] * (_uNext[j] - _u[j]);
        }
    }
}
