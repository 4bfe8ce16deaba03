using ScottPlot;

namespace RnnRbm.Core.Rendering;

/// <summary>What the ScottPlot-drawn images share: the embedded font on every text element, one look.</summary>
internal static class ScottPlotFigure
{
    public const float TitleSize = 16f;
    public const float LabelSize = 13f;
    public const float TickSize = 11f;

    /// <summary>A plot whose every text element uses the embedded font (headless Linux has none of its own).</summary>
    public static Plot Create(string title, string xLabel, string yLabel)
    {
        RenderingFonts.EnsureScottPlotFonts();
        var plot = new Plot();
        plot.Title(title, TitleSize);
        plot.XLabel(xLabel, LabelSize);
        plot.YLabel(yLabel, LabelSize);

        // Named per element rather than through plot.Font.Set: that also rewrites the process-wide
        // Fonts.Default on every call, which concurrent renders would race on.
        plot.Axes.Title.Label.FontName = RenderingFonts.FamilyName;
        plot.Axes.Title.Label.Bold = true;
        foreach (IAxis axis in plot.Axes.GetAxes())
        {
            axis.Label.FontName = RenderingFonts.FamilyName;
            axis.Label.Bold = false;
            axis.TickLabelStyle.FontName = RenderingFonts.FamilyName;
            axis.TickLabelStyle.FontSize = TickSize;
        }
        plot.Legend.FontName = RenderingFonts.FamilyName;
        plot.Legend.FontSize = LabelSize;
        // Otherwise the legend re-detects a font per render from the system's list and drops ours.
        plot.Legend.SetBestFontOnEachRender = false;
        // ScottPlot packs ticks as tightly as the labels allow (every ~20 px on a 500 px axis);
        // half as many reads more like matplotlib and keeps the grid calm.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TickDensity = 0.5 };
        plot.Grid.MajorLineColor = Colors.Black.WithAlpha(0.08);
        return plot;
    }

    /// <summary>A centred grey note in an otherwise empty data area, e.g. "no data".</summary>
    public static void AddNote(Plot plot, string text, double x, double y)
    {
        var note = plot.Add.Text(text, x, y);
        note.LabelFontName = RenderingFonts.FamilyName;
        note.LabelFontSize = LabelSize;
        note.LabelFontColor = Colors.Gray;
        note.LabelAlignment = Alignment.MiddleCenter;
    }

    /// <summary>Renders to PNG bytes, with the size clamped to the same caps as the piano-roll.</summary>
    public static byte[] ToPng(Plot plot, int width, int height)
    {
        width = Math.Clamp(width, PianoRollImage.MinWidth, PianoRollImage.MaxWidth);
        height = Math.Clamp(height, PianoRollImage.MinHeight, PianoRollImage.MaxHeight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
