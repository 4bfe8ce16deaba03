using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Evaluation;

/// <summary>
/// Floors to read a model's figures against, from the data alone (issue 10): the previous frame as the prediction
/// of the next, and independent per-pitch Bernoullis fitted on the training split.
/// </summary>
public static class Baselines
{
    /// <summary>
    /// Frame-level accuracy of predicting step t by the true frame v_{t-1}; at a sequence's first step the
    /// prediction is the empty frame (so that step adds only false negatives). TP/FP/FN summed over every step.
    /// </summary>
    public static FrameAccuracy PreviousFrameAccuracy(IReadOnlyList<PianoRoll> sequences)
    {
        var counts = new FrameAccuracy();
        foreach (PianoRoll roll in sequences)
        {
            int v = roll.Range.Count;
            var previous = new float[v];
            var current = new float[v];
            for (int t = 0; t < roll.Steps; t++)
            {
                ReadOnlySpan<byte> row = roll.Row(t);
                for (int i = 0; i < v; i++)
                {
                    current[i] = row[i];
                }
                counts.AddExpected(current, previous);
                (previous, current) = (current, previous);
            }
        }
        return counts;
    }

    /// <summary>
    /// P(pitch i on) of independent per-pitch Bernoullis fitted on <paramref name="training"/> with add-one (Laplace)
    /// smoothing: p_i = (steps with pitch i on + 1) / (steps + 2).
    /// </summary>
    /// <exception cref="ArgumentException">No sequence, or sequences over different pitch counts.</exception>
    public static double[] FitIndependentBernoullis(IReadOnlyList<PianoRoll> training)
    {
        if (training.Count == 0)
        {
            throw new ArgumentException("The training split holds no sequence to fit the per-pitch baseline on.", nameof(training));
        }
        int v = training[0].Range.Count;
        var on = new long[v];
        long steps = 0;
        foreach (PianoRoll roll in training)
        {
            if (roll.Range.Count != v)
            {
                throw new ArgumentException($"The training sequences cover {v} and {roll.Range.Count} pitches: read them at one pitch range.", nameof(training));
            }
            for (int t = 0; t < roll.Steps; t++)
            {
                ReadOnlySpan<byte> row = roll.Row(t);
                for (int i = 0; i < v; i++)
                {
                    on[i] += row[i];
                }
            }
            steps += roll.Steps;
        }
        return [.. on.Select(count => (count + 1.0) / (steps + 2.0))];
    }

    /// <summary>
    /// The log-likelihood (nats) of each step of <paramref name="roll"/> under independent per-pitch Bernoullis
    /// <paramref name="probabilities"/>: Σ_i [v_ti log p_i + (1 − v_ti) log(1 − p_i)] for t = 0 … T − 1. Their mean is
    /// <see cref="IndependentBernoulliLogLikelihood"/> of the roll alone (a piece scored beside the model, step by step).
    /// </summary>
    /// <exception cref="ArgumentException">The roll covers another number of pitches, or a probability lies outside (0, 1).</exception>
    public static double[] IndependentBernoulliStepLogLikelihoods(IReadOnlyList<double> probabilities, PianoRoll roll)
    {
        int v = probabilities.Count;
        if (roll.Range.Count != v)
        {
            throw new ArgumentException($"The piece covers {roll.Range.Count} pitches; the baseline has {v}.", nameof(roll));
        }
        (double[] logOn, double[] logOff) = Logs(probabilities);
        var steps = new double[roll.Steps];
        for (int t = 0; t < roll.Steps; t++)
        {
            steps[t] = StepLogLikelihood(roll.Row(t), logOn, logOff);
        }
        return steps;
    }

    /// <summary>
    /// Mean log-likelihood per step (nats) of <paramref name="sequences"/> under independent per-pitch Bernoullis
    /// <paramref name="probabilities"/>: (1/ΣT) Σ_t Σ_i [v_ti log p_i + (1 − v_ti) log(1 − p_i)].
    /// </summary>
    /// <exception cref="ArgumentException">A sequence over another number of pitches, a probability outside (0, 1), or no steps.</exception>
    public static double IndependentBernoulliLogLikelihood(IReadOnlyList<double> probabilities, IReadOnlyList<PianoRoll> sequences)
    {
        int v = probabilities.Count;
        (double[] logOn, double[] logOff) = Logs(probabilities);
        double sum = 0;
        long steps = 0;
        foreach (PianoRoll roll in sequences)
        {
            if (roll.Range.Count != v)
            {
                throw new ArgumentException($"A sequence covers {roll.Range.Count} pitches; the baseline has {v}.", nameof(sequences));
            }
            for (int t = 0; t < roll.Steps; t++)
            {
                sum += StepLogLikelihood(roll.Row(t), logOn, logOff);
            }
            steps += roll.Steps;
        }
        if (steps == 0)
        {
            throw new ArgumentException("No step to measure the baseline on.", nameof(sequences));
        }
        return sum / steps;
    }

    // Σ_i [v_i log p_i + (1 − v_i) log(1 − p_i)] of one step.
    private static double StepLogLikelihood(ReadOnlySpan<byte> row, double[] logOn, double[] logOff)
    {
        double sum = 0;
        for (int i = 0; i < logOn.Length; i++)
        {
            sum += row[i] != 0 ? logOn[i] : logOff[i];
        }
        return sum;
    }

    // log p_i and log(1 − p_i) of every pitch.
    private static (double[] LogOn, double[] LogOff) Logs(IReadOnlyList<double> probabilities)
    {
        var logOn = new double[probabilities.Count];
        var logOff = new double[probabilities.Count];
        for (int i = 0; i < probabilities.Count; i++)
        {
            double p = probabilities[i];
            if (!(p > 0 && p < 1))
            {
                throw new ArgumentException($"Probability {i} is {p}; each must lie strictly between 0 and 1.", nameof(probabilities));
            }
            logOn[i] = Math.Log(p);
            logOff[i] = Math.Log(1 - p);
        }
        return (logOn, logOff);
    }
}
