using RnnRbm.Core.Rendering;

namespace RnnRbm.Core.Tests.Rendering;

public sealed class ChartImageTests
{
    private static List<CurvePoint> Curve(int epochs, double offset = 0) =>
        Enumerable.Range(1, epochs).Select(e => new CurvePoint(e, offset - 12 + 8 * Math.Exp(-e / 30.0))).ToList();

    [Fact]
    public void Curve_WithOnePoint_Renders()
    {
        using Png png = Png.Decode(TrainingCurveImage.RenderPng([new CurvePoint(1, -7.5)]));

        Assert.Equal((TrainingCurveImage.DefaultWidth, TrainingCurveImage.DefaultHeight), (png.Width, png.Height));
        // The lone point is drawn as a marker at the centre of the data area (limits are centred on it).
        Assert.True(png.CountDark(png.Width / 2 - 30, png.Height / 2 - 30, png.Width / 2 + 30, png.Height / 2 + 30, threshold: 160) > 10);
    }

    [Fact]
    public void Curve_With200PointsAndValidation_Renders()
    {
        List<CurvePoint> valid = Curve(200, 1).Where(p => p.Epoch % 5 == 0).ToList();

        using Png png = Png.Decode(TrainingCurveImage.RenderPng(Curve(200), valid, "RNN-RBM", "log-likelihood", width: 1000, height: 600));

        Assert.Equal((1000, 600), (png.Width, png.Height));
    }

    [Fact]
    public void Curve_Empty_OrNonFinite_RendersWithoutThrowing()
    {
        using Png empty = Png.Decode(TrainingCurveImage.RenderPng([], []));
        using Png nan = Png.Decode(TrainingCurveImage.RenderPng([new CurvePoint(1, double.NaN), new CurvePoint(2, double.PositiveInfinity), new CurvePoint(3, 1)]));

        Assert.Equal(TrainingCurveImage.DefaultWidth, empty.Width);
        Assert.Equal(TrainingCurveImage.DefaultWidth, nan.Width);
    }

    [Fact]
    public void Curve_Title_RendersGlyphs_FromTheEmbeddedFont()
    {
        // Two titles of the same height keep the layout identical, so only the glyphs can differ. With no
        // usable font (a font-less machine, the resource not found) neither draws any and the images match.
        using Png training = Png.Decode(TrainingCurveImage.RenderPng(Curve(20), title: "training"));
        using Png other = Png.Decode(TrainingCurveImage.RenderPng(Curve(20), title: "validation set"));

        Assert.True(training.CountDark(training.Width / 4, 0, training.Width * 3 / 4, 30) > 100, "no title ink");
        Assert.True(training.CountDifferent(other, 0, 0, training.Width, 30) > 100, "different titles drew the same pixels");
        Assert.Equal(0, training.CountDifferent(other, 0, 40, training.Width, training.Height));
    }

    [Fact]
    public void ScottPlot_ResolvesOurFamily_ToTheEmbeddedDejaVu()
    {
        RenderingFonts.EnsureScottPlotFonts();

        SkiaSharp.SKTypeface regular = ScottPlot.Fonts.GetTypeface(RenderingFonts.FamilyName, bold: false, italic: false);
        SkiaSharp.SKTypeface bold = ScottPlot.Fonts.GetTypeface(RenderingFonts.FamilyName, bold: true, italic: false);

        Assert.Equal("DejaVu Sans", regular.FamilyName);
        Assert.Equal("DejaVu Sans", bold.FamilyName);
        Assert.True(bold.FontStyle.Weight > regular.FontStyle.Weight);
        Assert.True(RenderingFonts.Regular.GlyphCount > 1000);
    }

    [Fact]
    public void Bars_PitchHistogram_Renders_AndGrowsWithTheBarCount()
    {
        var bars = Enumerable.Range(21, 88).Select(n => (n.ToString(System.Globalization.CultureInfo.InvariantCulture), (double)(n % 13))).ToList();

        using Png many = Png.Decode(BarChartImage.RenderPng(bars, "pitch histogram", "MIDI note", "count"));
        using Png few = Png.Decode(BarChartImage.RenderPng(bars.Take(4).ToList(), "few", "MIDI note", "count"));

        Assert.InRange(many.Width, few.Width + 1, PianoRollImage.DefaultMaxWidth);
        Assert.Equal(BarChartImage.DefaultHeight, many.Height);
    }

    [Fact]
    public void Bars_Empty_Renders_AndNonFiniteIsRejected()
    {
        using Png empty = Png.Decode(BarChartImage.RenderPng([], "empty", "x", "y"));

        Assert.Equal(BarChartImage.DefaultHeight, empty.Height);
        Assert.Throws<ArgumentException>(() => BarChartImage.RenderPng([("a", double.NaN)], "t", "x", "y"));
    }
}
