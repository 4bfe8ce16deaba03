using RnnRbm.Core.Model;

namespace RnnRbm.Core.Evaluation;

/// <summary>
/// The work of an evaluation in floating-point operations, from the model's shape, the steps measured and the AIS and
/// accuracy settings (issue 13: checked against the server's <see cref="Limits.WorkBudget"/> before it is accepted).
/// </summary>
/// <remarks>
/// Per time step: AIS runs × transitions Gibbs sweeps of the step's RBM, 4VH each (v→h and h→v); the accuracy's
/// samples × <see cref="EvaluationOptions.AccuracyGibbsSteps"/> sweeps; the RNN once. A converged search doubles its
/// schedule per step from <see cref="AisConvergence.InitialTransitions"/> until it converges: it is estimated at
/// <see cref="TypicalDoublings"/> doublings (a sum of 100..1600 transitions), not at its cap, which it rarely nears.
/// </remarks>
public static class EvaluationCost
{
    /// <summary>Doublings a converged search is assumed to take per step.</summary>
    public const int TypicalDoublings = 4;

    /// <summary>FLOP of the evaluation of <paramref name="steps"/> time steps.</summary>
    /// <param name="shape">The model's shape.</param>
    /// <param name="steps">Time steps of the split measured.</param>
    /// <param name="aisRuns">AIS runs per step.</param>
    /// <param name="aisSteps">Transitions of an explicit schedule; null: the converged search.</param>
    /// <param name="accSamples">Predictions sampled per step for the accuracy.</param>
    public static double Flops(ModelShape shape, long steps, int aisRuns, int? aisSteps, int accSamples)
    {
        double v = shape.Visible, h = shape.Hidden, u = shape.Recurrent;
        double sweep = 4 * v * h;
        int initial = new AisConvergence().InitialTransitions;
        double transitions = aisSteps ?? Enumerable.Range(0, TypicalDoublings + 1).Sum(d => (double)initial * (1 << d));
        double perStep = (aisRuns * transitions * sweep)
            + (accSamples * (double)new EvaluationOptions().AccuracyGibbsSteps * sweep)
            + (2 * u * (u + v + h + v));
        return steps * perStep;
    }

    /// <summary>The request fields that make an evaluation large, for a refusal's message.</summary>
    public static IReadOnlyList<string> FieldsToLower(int aisRuns, int? aisSteps, int accSamples)
    {
        var fields = new List<(string Name, double Weight)> { ("aisRuns", aisRuns), ("accSamples", accSamples / 10.0) };
        if (aisSteps is int k)
        {
            fields.Add(("aisSteps (or leave it out for the converged search)", k));
        }
        fields.Add(("split (a smaller one), or the corpus", 0));
        return [.. fields.OrderByDescending(f => f.Weight).Select(f => f.Name)];
    }
}
