using RnnRbm.Core.Model;

namespace RnnRbm.Core.Training;

/// <summary>
/// The work of a training in floating-point operations, estimated from its shape, CD-k, epochs and the frames of its
/// corpus (issue 13: checked against the server's <see cref="Limits.WorkBudget"/> before a training is accepted).
/// The planned epochs count in full: early stopping may end sooner, but nothing promises it.
/// </summary>
/// <remarks>
/// Dimensions: V visible, H hidden, U recurrent, k CD steps. Per frame of an update (ChunkGradient, docs/model.md):
/// the Gibbs chain 4kVH (v→h and h→v per step), the positive phase and W's gradient 6VH, the biases from u and their
/// gradients 6U(H+V), the recurrence forward and through BPTT 6U(U+V) (three gates for a GRU). For the seed's shape
/// (88, 150, 100, CD-15) that is 1.13 MFLOP, against the 1.16 MFLOP per frame docs/benchmarks.md counts.
/// </remarks>
public static class TrainingCost
{
    /// <summary>Validation takes about this share of a training's time (<see cref="EarlyStoppingOptions.AutomaticBudget"/>).</summary>
    private const double ValidationShare = EarlyStoppingOptions.AutomaticBudget;

    /// <summary>FLOP of one frame of one update.</summary>
    public static double FlopsPerFrame(ModelShape shape, int cdK)
    {
        double v = shape.Visible, h = shape.Hidden, u = shape.Recurrent;
        double gates = shape.Kind == RecurrenceKind.Gru ? 3 : 1;
        return (4.0 * cdK * v * h) + (6 * v * h) + (6 * u * (h + v)) + (6 * gates * u * (u + v));
    }

    /// <summary>
    /// FLOP of the whole training: every planned epoch over <paramref name="trainFrames"/> (with validation's share on
    /// top), and the pretraining epochs.
    /// </summary>
    public static double Flops(ModelShape shape, TrainingOptions options, long trainFrames)
    {
        double perFrame = FlopsPerFrame(shape, options.CdK);
        double epochs = options.Epochs * trainFrames * perFrame / (1 - ValidationShare);
        double v = shape.Visible, h = shape.Hidden, u = shape.Recurrent;
        double rbm = options.RbmPretrainEpochs * (double)trainFrames * ((4.0 * options.CdK * v * h) + (6 * v * h));
        double rnn = options.RnnPretrainEpochs * (double)trainFrames * 6 * ((u * (u + v)) + (u * v));
        return epochs + rbm + rnn;
    }

    /// <summary>The request fields that make a training large, biggest lever first, for a refusal's message.</summary>
    public static IReadOnlyList<string> FieldsToLower(ModelShape shape, TrainingOptions options, bool finerThanDefaultGrid)
    {
        var fields = new List<(string Name, double Weight)>
        {
            ("epochs", options.Epochs),
            ("cdK", options.CdK),
            ("hidden", shape.Hidden),
            ("recurrent", shape.Recurrent / 2.0),
        };
        if (finerThanDefaultGrid)
        {
            fields.Add(("stepsPerQuarter or dt (a coarser grid has fewer frames)", double.MaxValue));
        }
        if (options.RbmPretrainEpochs + options.RnnPretrainEpochs > 0)
        {
            fields.Add(("rbmPretrainEpochs/rnnPretrainEpochs", options.RbmPretrainEpochs + options.RnnPretrainEpochs));
        }
        return [.. fields.OrderByDescending(f => f.Weight).Select(f => f.Name)];
    }
}
