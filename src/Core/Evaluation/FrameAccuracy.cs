namespace RnnRbm.Core.Evaluation;

/// <summary>
/// Frame-level accuracy of Bay, Ehmann &amp; Downie (ISMIR 2009), as the RNN-RBM paper uses it:
/// ACC = ΣTP / (ΣTP + ΣFP + ΣFN), the counts summed over every predicted frame (docs/model.md, "Evaluation").
/// </summary>
/// <remarks>
/// A prediction may be a 0/1 frame or a frame of probabilities q: then it stands for a sample ṽ_i ~ Bernoulli(q_i)
/// and adds the expected counts E[TP] = Σ_i v_i q_i, E[FP] = Σ_i (1 - v_i) q_i, E[FN] = Σ_i v_i (1 - q_i), which is
/// what averaging the counts of many such samples converges to. Counts are kept in double precision.
/// </remarks>
public sealed class FrameAccuracy
{
    /// <summary>ΣTP: notes predicted that sound.</summary>
    public double TruePositives { get; private set; }

    /// <summary>ΣFP: notes predicted that do not sound.</summary>
    public double FalsePositives { get; private set; }

    /// <summary>ΣFN: notes that sound but were not predicted.</summary>
    public double FalseNegatives { get; private set; }

    /// <summary>Total weight of the frames added.</summary>
    public double Frames { get; private set; }

    /// <summary>ΣTP / (ΣTP + ΣFP + ΣFN); 0 when nothing sounded and nothing was predicted.</summary>
    public double Value
    {
        get
        {
            double denominator = TruePositives + FalsePositives + FalseNegatives;
            return denominator > 0 ? TruePositives / denominator : 0;
        }
    }

    /// <summary>Adds one frame: <paramref name="truth"/> 0/1, <paramref name="predicted"/> 0/1 or probabilities, both V long.</summary>
    /// <param name="truth">The true frame v_t.</param>
    /// <param name="predicted">The prediction, or the probabilities a sampled prediction comes from.</param>
    /// <param name="weight">How much this frame counts (1/S when it is one of S samples of the same step).</param>
    public void AddExpected(ReadOnlySpan<float> truth, ReadOnlySpan<float> predicted, double weight = 1)
    {
        if (truth.Length != predicted.Length)
        {
            throw new ArgumentException($"The truth has {truth.Length} units and the prediction {predicted.Length}.", nameof(predicted));
        }
        double tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            double q = predicted[i];
            if (truth[i] != 0)
            {
                tp += q;
                fn += 1 - q;
            }
            else
            {
                fp += q;
            }
        }
        TruePositives += weight * tp;
        FalsePositives += weight * fp;
        FalseNegatives += weight * fn;
        Frames += weight;
    }

    /// <summary>Adds another accumulator's counts (used to merge per-tile counts in a fixed order).</summary>
    public void Add(FrameAccuracy other)
    {
        TruePositives += other.TruePositives;
        FalsePositives += other.FalsePositives;
        FalseNegatives += other.FalseNegatives;
        Frames += other.Frames;
    }
}
