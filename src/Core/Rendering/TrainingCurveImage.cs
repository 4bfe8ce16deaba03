using ScottPlot;

namespace RnnRbm.Core.Rendering;

/// <summary>
/// A line plot of a training per epoch: the validation log-likelihood when measured, and the seed's monitor on
/// train (and validation when given), drawn with ScottPlot and the embedded font.
/// </summary>
/// <remarks>Thread-safe: every call builds its own plot.</remarks>
public static class TrainingCurveImage
{
    /// <summary>Default image width in pixels.</summary>
    public const int DefaultWidth = 800;

    /// <summary>Default image height in pixels.</summary>
    public const int DefaultHeight = 500;

    // Markers make a one-point curve visible at all and short curves readable; on long curves they
    // would merge into a thick smear, so they go away beyond this many points.
    private const int MaxPointsWithMarkers = 60;

    private static readonly Color TrainColor = Color.FromHex("#1F77B4");
    private static readonly Color ValidColor = Color.FromHex("#FF7F0E");
    private static readonly Color LikelihoodColor = Color.FromHex("#1F7A4D");

    /// <summary>Renders the curve(s) to PNG bytes.</summary>
    /// <param name="train">Training monitor per epoch; may be empty. Points need not be sorted.</param>
    /// <param name="valid">Validation monitor per epoch, or <see langword="null"/> for none (then no legend is drawn).</param>
    /// <param name="title">Title above the plot.</param>
    /// <param name="yLabel">Name of the monitored quantity.</param>
    /// <param name="width">Image width in pixels (clamped to the piano-roll's caps).</param>
    /// <param name="height">Image height in pixels (clamped likewise).</param>
    /// <param name="validLikelihood">The validation log-likelihood on the epochs it was measured (drawn thick, first in the legend).</param>
    public static byte[] RenderPng(
        IReadOnlyList<CurvePoint> train,
        IReadOnlyList<CurvePoint>? valid = null,
        string title = "training",
        string yLabel = "monitor",
        int width = DefaultWidth,
        int height = DefaultHeight,
        IReadOnlyList<CurvePoint>? validLikelihood = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        Plot plot = ScottPlotFigure.Create(title, "epoch", yLabel);
        try
        {
            // Epochs are whole numbers: never label 2.5.
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };

            CurvePoint[] trainPoints = Finite(train);
            CurvePoint[] validPoints = valid is null ? [] : Finite(valid);
            CurvePoint[] likelihoodPoints = validLikelihood is null ? [] : Finite(validLikelihood);
            bool legend = valid is not null || likelihoodPoints.Length > 0;
            if (likelihoodPoints.Length > 0)
            {
                AddSeries(plot, likelihoodPoints, "valid log-likelihood", LikelihoodColor, lineWidth: 3, markers: true);
            }
            AddSeries(plot, trainPoints, legend ? (likelihoodPoints.Length > 0 ? "monitor, train" : "train") : null, TrainColor);
            if (legend)
            {
                AddSeries(plot, validPoints, likelihoodPoints.Length > 0 ? "monitor, valid" : "valid", ValidColor);
                plot.ShowLegend(Alignment.LowerRight);
            }
            else
            {
                plot.HideLegend();
            }

            if (trainPoints.Length + validPoints.Length + likelihoodPoints.Length == 0)
            {
                plot.Axes.SetLimits(0, 1, 0, 1);
                ScottPlotFigure.AddNote(plot, "no data yet", 0.5, 0.5);
            }
            else
            {
                SetLimits(plot, trainPoints.Concat(validPoints).Concat(likelihoodPoints));
            }
            return ScottPlotFigure.ToPng(plot, width, height);
        }
        finally
        {
            plot.Dispose();
        }
    }

    private static CurvePoint[] Finite(IReadOnlyList<CurvePoint> points) =>
        points.Where(p => double.IsFinite(p.Value)).OrderBy(p => p.Epoch).ToArray();

    private static void AddSeries(Plot plot, CurvePoint[] points, string? legendText, Color color, float lineWidth = 2, bool markers = false)
    {
        if (points.Length == 0)
        {
            return;
        }
        double[] xs = points.Select(p => (double)p.Epoch).ToArray();
        double[] ys = points.Select(p => p.Value).ToArray();
        var scatter = plot.Add.Scatter(xs, ys, color);
        if (legendText is not null)
        {
            scatter.LegendText = legendText;
        }
        scatter.LineWidth = lineWidth;
        scatter.MarkerSize = markers || points.Length <= MaxPointsWithMarkers ? 6 : 0;
    }

    /// <summary>Explicit limits: ScottPlot's automatic ones collapse to nothing around a single point or a flat curve.</summary>
    private static void SetLimits(Plot plot, IEnumerable<CurvePoint> points)
    {
        CurvePoint[] all = points.ToArray();
        double xMin = all.Min(p => p.Epoch), xMax = all.Max(p => p.Epoch);
        double yMin = all.Min(p => p.Value), yMax = all.Max(p => p.Value);
        double xPad = xMax > xMin ? (xMax - xMin) * 0.03 : 1;
        double yPad = yMax > yMin ? (yMax - yMin) * 0.08 : Math.Max(Math.Abs(yMax) * 0.1, 1);
        plot.Axes.SetLimits(xMin - xPad, xMax + xPad, yMin - yPad, yMax + yPad);
    }
}
