using ScottPlot;

namespace RnnRbm.Core.Rendering;

/// <summary>
/// The curve of a scored piece (docs/evaluation.md, "Score a piece"): each step's surprise −log P(v_t | v_&lt;t) to the
/// model, the independent-notes floor's surprise beside it, and the corpus's mean surprise as a level line.
/// </summary>
/// <remarks>Thread-safe: every call builds its own plot.</remarks>
public static class SurpriseCurveImage
{
    public const int DefaultWidth = 900;
    public const int DefaultHeight = 400;

    private static readonly Color ModelColor = Color.FromHex("#1F77B4");
    private static readonly Color BaselineColor = Color.FromHex("#999999");
    private static readonly Color CorpusColor = Color.FromHex("#D62728");

    /// <summary>Renders the curve to PNG bytes.</summary>
    /// <param name="surprise">The model's surprise per step, nats (step 1 first).</param>
    /// <param name="baselineSurprise">The independent-notes floor's surprise per step; null: not drawn.</param>
    /// <param name="corpusMeanSurprise">−(the corpus's log-likelihood per step) from the model's evaluation; null: not drawn.</param>
    /// <param name="title">Title above the plot.</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static byte[] RenderPng(IReadOnlyList<double> surprise, IReadOnlyList<double>? baselineSurprise = null, double? corpusMeanSurprise = null,
        string title = "surprise per step", int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(surprise);
        Plot plot = ScottPlotFigure.Create(title, "step", "surprise, nats (−log P of the step given the piece so far)");
        try
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            var values = new List<double>();
            if (baselineSurprise is { Count: > 0 })
            {
                var floor = plot.Add.Scatter(Steps(baselineSurprise.Count), baselineSurprise.ToArray(), BaselineColor);
                floor.LegendText = "independent notes (floor)";
                floor.LineWidth = 1;
                floor.MarkerSize = 0;
                values.AddRange(baselineSurprise.Where(double.IsFinite));
            }
            if (surprise.Count > 0)
            {
                var model = plot.Add.Scatter(Steps(surprise.Count), surprise.ToArray(), ModelColor);
                model.LegendText = "the model";
                model.LineWidth = 2;
                model.MarkerSize = surprise.Count <= 60 ? 5 : 0;
                values.AddRange(surprise.Where(double.IsFinite));
            }
            if (corpusMeanSurprise is double level && double.IsFinite(level))
            {
                var line = plot.Add.HorizontalLine(level, 1.5f, CorpusColor, LinePattern.Dashed);
                line.LegendText = "the corpus's mean (its evaluation)";
                values.Add(level);
            }
            if (values.Count == 0)
            {
                plot.Axes.SetLimits(0, 1, 0, 1);
                ScottPlotFigure.AddNote(plot, "no steps", 0.5, 0.5);
            }
            else
            {
                double top = values.Max();
                plot.Axes.SetLimits(0.5, Math.Max(surprise.Count, 1) + 0.5, 0, top > 0 ? top * 1.08 : 1);
                plot.ShowLegend(Alignment.UpperRight);
            }
            return ScottPlotFigure.ToPng(plot, width, height);
        }
        finally
        {
            plot.Dispose();
        }
    }

    private static double[] Steps(int count) => [.. Enumerable.Range(1, count).Select(t => (double)t)];
}
