using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Core.Model;

/// <summary>
/// The learned parameters θ of an RNN-RBM (docs/model.md, "Sizes and parameters"). All matrices are row-major
/// float32, named and shaped as in docs/model.md: W V×H, Wuh U×H, Wuv U×V, Wvu V×U, Wuu U×U; biases bv V, bh H, bu U;
/// and the RNN's initial state u0 (U), 0 as in the seed unless training learns it (<see cref="TrainingOptions.LearnU0"/>).
/// </summary>
public sealed class RnnRbmParameters
{
    /// <summary>Creates all-zero parameters of <paramref name="shape"/>.</summary>
    public RnnRbmParameters(ModelShape shape)
    {
        Shape = shape;
        int v = shape.Visible, h = shape.Hidden, u = shape.Recurrent;
        W = new float[v * h];
        Bv = new float[v];
        Bh = new float[h];
        Wuh = new float[u * h];
        Wuv = new float[u * v];
        Wvu = new float[v * u];
        Wuu = new float[u * u];
        Bu = new float[u];
        U0 = new float[u];
        bool gru = shape.Kind == RecurrenceKind.Gru;
        Wvz = gru ? new float[v * u] : [];
        Wuz = gru ? new float[u * u] : [];
        Bz = gru ? new float[u] : [];
        Wvr = gru ? new float[v * u] : [];
        Wur = gru ? new float[u * u] : [];
        Br = gru ? new float[u] : [];
        // Built once: the update loop walks this list and must not allocate.
        List<NamedTensor> tensors =
        [
            new("W", v, h, W), new("bv", 1, v, Bv), new("bh", 1, h, Bh), new("Wuh", u, h, Wuh),
            new("Wuv", u, v, Wuv), new("Wvu", v, u, Wvu), new("Wuu", u, u, Wuu), new("bu", 1, u, Bu),
            new("u0", 1, u, U0),
        ];
        if (gru)
        {
            tensors.AddRange([
                new("Wvz", v, u, Wvz), new("Wuz", u, u, Wuz), new("bz", 1, u, Bz),
                new("Wvr", v, u, Wvr), new("Wur", u, u, Wur), new("br", 1, u, Br),
            ]);
        }
        Tensors = [.. tensors];
    }

    /// <summary>The sizes.</summary>
    public ModelShape Shape { get; }

    /// <summary>RBM weights, V×H.</summary>
    public float[] W { get; }

    /// <summary>Static visible bias, V.</summary>
    public float[] Bv { get; }

    /// <summary>Static hidden bias, H.</summary>
    public float[] Bh { get; }

    /// <summary>RNN state to hidden bias, U×H.</summary>
    public float[] Wuh { get; }

    /// <summary>RNN state to visible bias, U×V.</summary>
    public float[] Wuv { get; }

    /// <summary>Visible to RNN, V×U.</summary>
    public float[] Wvu { get; }

    /// <summary>RNN recurrence, U×U.</summary>
    public float[] Wuu { get; }

    /// <summary>RNN bias, U.</summary>
    public float[] Bu { get; }

    /// <summary>GRU update gate: input weights V×U, recurrent weights U×U, bias U (empty for tanh).</summary>
    public float[] Wvz { get; }

    /// <inheritdoc cref="Wvz"/>
    public float[] Wuz { get; }

    /// <inheritdoc cref="Wvz"/>
    public float[] Bz { get; }

    /// <summary>GRU reset gate: input weights V×U, recurrent weights U×U, bias U (empty for tanh).</summary>
    public float[] Wvr { get; }

    /// <inheritdoc cref="Wvr"/>
    public float[] Wur { get; }

    /// <inheritdoc cref="Wvr"/>
    public float[] Br { get; }

    /// <summary>The RNN's initial state u_0, U (0 in the seed; learned by BPTT with <see cref="TrainingOptions.LearnU0"/>).</summary>
    public float[] U0 { get; }

    /// <summary>
    /// The tensors in their fixed serialisation order, with their row/column counts
    /// (vectors are 1×n). The model file stores them in exactly this order (u0 last: version 1 files, written
    /// before it existed, end at bu and read as u0 = 0).
    /// </summary>
    public IReadOnlyList<NamedTensor> Tensors { get; }

    /// <summary>The seed's initialisation: W ~ N(0, 0.01²), Wuh, Wuv, Wvu, Wuu ~ N(0, 0.0001²), biases 0.</summary>
    public static RnnRbmParameters Initialize(ModelShape shape, VectorRandom random)
    {
        var p = new RnnRbmParameters(shape);
        random.NextGaussian(p.W, 0.01f);
        random.NextGaussian(p.Wuh, 0.0001f);
        random.NextGaussian(p.Wuv, 0.0001f);
        random.NextGaussian(p.Wvu, 0.0001f);
        random.NextGaussian(p.Wuu, 0.0001f);
        // The GRU's gate weights as the seed's other RNN weights, drawn after them (a tanh model's draws are unchanged).
        random.NextGaussian(p.Wvz, 0.0001f);
        random.NextGaussian(p.Wuz, 0.0001f);
        random.NextGaussian(p.Wvr, 0.0001f);
        random.NextGaussian(p.Wur, 0.0001f);
        return p;
    }

    /// <summary>A deep copy.</summary>
    public RnnRbmParameters Clone()
    {
        var copy = new RnnRbmParameters(Shape);
        copy.CopyFrom(this);
        return copy;
    }

    /// <summary>Overwrites every value with <paramref name="source"/>'s (same shape).</summary>
    public void CopyFrom(RnnRbmParameters source)
    {
        if (source.Shape != Shape)
        {
            throw new ArgumentException("Shapes differ.", nameof(source));
        }
        IReadOnlyList<NamedTensor> mine = Tensors, theirs = source.Tensors;
        for (int i = 0; i < mine.Count; i++)
        {
            theirs[i].Values.CopyTo(mine[i].Values, 0);
        }
    }

    /// <summary>θ ← θ + <paramref name="scale"/>·g for every tensor (SGD with scale = -lr).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot: skip tiering so timings are steady from the first call
    public void AddScaled(RnnRbmParameters gradient, float scale)
    {
        IReadOnlyList<NamedTensor> mine = Tensors, step = gradient.Tensors;
        for (int i = 0; i < mine.Count; i++)
        {
            TensorPrimitives.MultiplyAdd(step[i].Values, scale, mine[i].Values, mine[i].Values);
        }
    }

    /// <summary>θ ← θ + <paramref name="fraction"/>·(target − θ) for every tensor: one step of an exponential moving average.</summary>
    public void MoveTowards(RnnRbmParameters target, float fraction)
    {
        IReadOnlyList<NamedTensor> mine = Tensors, theirs = target.Tensors;
        for (int i = 0; i < mine.Count; i++)
        {
            float[] average = mine[i].Values;
            TensorPrimitives.Lerp(average, theirs[i].Values, fraction, average);
        }
    }

    /// <summary>The L2 norm over every value of every tensor.</summary>
    public double Norm()
    {
        double sum = 0;
        foreach (NamedTensor tensor in Tensors)
        {
            float norm = TensorPrimitives.Norm<float>(tensor.Values);
            sum += (double)norm * norm;
        }
        return Math.Sqrt(sum);
    }

    /// <summary>θ ← <paramref name="factor"/>·θ for every tensor.</summary>
    public void Scale(float factor)
    {
        foreach (NamedTensor tensor in Tensors)
        {
            TensorPrimitives.Multiply(tensor.Values, factor, tensor.Values);
        }
    }

    /// <summary>
    /// One Nesterov momentum step in Bengio et al.'s (2013) form, for every tensor:
    /// v ← μ·v − lr·g, then θ ← θ + μ·v − lr·g.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddNesterov(RnnRbmParameters gradient, RnnRbmParameters velocity, float momentum, float learningRate)
    {
        IReadOnlyList<NamedTensor> mine = Tensors, step = gradient.Tensors, speed = velocity.Tensors;
        for (int i = 0; i < mine.Count; i++)
        {
            float[] theta = mine[i].Values, g = step[i].Values, v = speed[i].Values;
            TensorPrimitives.Multiply(v, momentum, v);
            TensorPrimitives.MultiplyAdd(g, -learningRate, v, v);
            TensorPrimitives.MultiplyAdd(v, momentum, theta, theta);
            TensorPrimitives.MultiplyAdd(g, -learningRate, theta, theta);
        }
    }

    /// <summary>Whether every value is finite (neither NaN nor ±∞).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool AllFinite()
    {
        foreach (NamedTensor tensor in Tensors)
        {
            // MaxMagnitude propagates NaN and returns ∞ if any value is infinite.
            if (!float.IsFinite(TensorPrimitives.MaxMagnitude<float>(tensor.Values)))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>One parameter tensor: its name in docs/model.md, shape, and row-major values.</summary>
public sealed record NamedTensor(string Name, int Rows, int Columns, float[] Values);
