using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
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
