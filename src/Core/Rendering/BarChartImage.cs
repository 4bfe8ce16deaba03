using ScottPlot;

namespace RnnRbm.Core.Rendering;

/// <summary>A labelled bar chart (e.g. a pitch histogram), drawn with ScottPlot and the embedded font.</summary>
/// <remarks>Thread-safe: every call builds its own plot.</remarks>
public static class BarChartImage
{
    /// <summary>Default image height in pixels.</summary>
    public const int DefaultHeight = 500;

    // Beyond this many labels the axis would be a black band: label every k-th bar instead.
    private const int MaxLabels = 30;

    private static readonly Color BarColor = Color.FromHex("#3A5A8C");

    /// <summary>Renders one bar per entry, left to right in the given order, to PNG bytes.</summary>
    /// <param name="bars">Label and height of each bar; may be empty. Heights must be finite.</param>
    /// <param name="title">Title above the chart.</param>
    /// <param name="xLabel">Name of the categories axis.</param>
    /// <param name="yLabel">Name of the value axis.</param>
    /// <param name="width">Image width in pixels; <see langword="null"/> grows with the number of bars (640–2400).</param>
    /// <param name="height">Image height in pixels.</param>
    /// <exception cref="ArgumentException">A value is NaN or infinite.</exception>
    public static byte[] RenderPng(
        IReadOnlyList<(string Label, double Value)> bars,
        string title,
        string xLabel,
        string yLabel,
        int? width = null,
        int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(bars);
        for (int i = 0; i < bars.Count; i++)
        {
            if (!double.IsFinite(bars[i].Value))
            {
                throw new ArgumentException($"Bar {i} ('{bars[i].Label}') has the non-finite value {bars[i].Value}.", nameof(bars));
            }
        }

        Plot plot = ScottPlotFigure.Create(title, xLabel, yLabel);
        try
        {
            if (bars.Count == 0)
            {
                plot.Axes.SetLimits(0, 1, 0, 1);
                plot.Axes.Bottom.SetTicks([], []);
                ScottPlotFigure.AddNote(plot, "no data", 0.5, 0.5);
                return ScottPlotFigure.ToPng(plot, width ?? PianoRollImage.DefaultMinWidth, height);
            }

            var items = new List<Bar>(bars.Count);
            for (int i = 0; i < bars.Count; i++)
            {
                items.Add(new Bar { Position = i, Value = bars[i].Value, FillColor = BarColor, LineWidth = 0, Size = 0.8 });
            }
            plot.Add.Bars(items);

            int every = (bars.Count + MaxLabels - 1) / MaxLabels;
            var positions = new List<double>();
            var labels = new List<string>();
            for (int i = 0; i < bars.Count; i += every)
            {
                positions.Add(i);
                labels.Add(bars[i].Label);
            }
            plot.Axes.Bottom.SetTicks([.. positions], [.. labels]);

            // Bars stand on zero: the value axis always includes it, with headroom above the tallest.
            double low = Math.Min(0, bars.Min(b => b.Value));
            double high = Math.Max(0, bars.Max(b => b.Value));
            double pad = high > low ? (high - low) * 0.06 : 1;
            plot.Axes.SetLimits(-0.6, bars.Count - 0.4, low < 0 ? low - pad : 0, high + pad);
            plot.Grid.XAxisStyle.MajorLineStyle.Width = 0; // vertical grid lines would cut through bars

            int naturalWidth = Math.Clamp(160 + 22 * bars.Count, PianoRollImage.DefaultMinWidth, PianoRollImage.DefaultMaxWidth);
            return ScottPlotFigure.ToPng(plot, width ?? naturalWidth, height);
        }
        finally
        {
            plot.Dispose();
        }
    }
}
