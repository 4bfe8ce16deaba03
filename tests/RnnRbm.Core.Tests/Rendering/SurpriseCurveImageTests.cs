using RnnRbm.Core.Rendering;

namespace RnnRbm.Core.Tests.Rendering;

public sealed class SurpriseCurveImageTests
{
    private static double[] Surprise(int steps, double spikeAt) => [.. Enumerable.Range(0, steps).Select(t => t == spikeAt ? 20.0 : 2.0 + Math.Sin(t))];

    [Fact]
    public void Curve_DrawsTheModel_TheFloor_AndTheCorpusLevel()
    {
        double[] model = Surprise(200, 100);
        double[] floor = [.. Enumerable.Repeat(9.0, 200)];
        using Png png = Png.Decode(SurpriseCurveImage.RenderPng(model, floor, corpusMeanSurprise: 3.5, title: "piece"));
        using Png alone = Png.Decode(SurpriseCurveImage.RenderPng(model, title: "piece"));

        Assert.Equal((SurpriseCurveImage.DefaultWidth, SurpriseCurveImage.DefaultHeight), (png.Width, png.Height));
        // The floor and the corpus's level add ink the model's curve alone does not have.
        Assert.True(png.CountDifferent(alone, 60, 40, png.Width - 10, png.Height - 40) > 500);
    }

    [Fact]
    public void Curve_TheSpikeIsDrawnWhereTheStepIs()
    {
        // Same curve, the surprising step moved: pixels change near the old and the new place, not elsewhere.
        using Png early = Png.Decode(SurpriseCurveImage.RenderPng(Surprise(100, 20)));
        using Png late = Png.Decode(SurpriseCurveImage.RenderPng(Surprise(100, 80)));
        int height = early.Height;
        Assert.True(early.CountDifferent(late, 0, 30, early.Width, height / 3) > 20, "the spike did not move");
    }

    [Fact]
    public void Curve_Empty_OrNonFinite_RendersWithoutThrowing()
    {
        using Png empty = Png.Decode(SurpriseCurveImage.RenderPng([]));
        using Png odd = Png.Decode(SurpriseCurveImage.RenderPng([1, double.NaN, double.PositiveInfinity, 3], [2, 2, 2, 2], double.NaN));
        Assert.Equal(SurpriseCurveImage.DefaultWidth, empty.Width);
        Assert.Equal(SurpriseCurveImage.DefaultWidth, odd.Width);
    }
}
