using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Rendering;

namespace RnnRbm.Core.Tests.Rendering;

public sealed class PianoRollImageTests
{
    private static PianoRoll RollWith(int steps, params (int Step, int Note)[] cells)
    {
        var roll = new PianoRoll(steps, PitchRange.Piano);
        foreach ((int step, int note) in cells)
        {
            roll[step, note] = true;
        }
        return roll;
    }

    [Fact]
    public void RenderPng_DecodesToTheLayoutSize_WithDefaultSizeInSensibleBounds()
    {
        PianoRoll roll = RollWith(200, (3, 60));

        using Png png = Png.Decode(PianoRollImage.RenderPng(roll, TimeGrid.SeedDefault));
        PianoRollLayout layout = PianoRollImage.ComputeLayout(roll);

        Assert.Equal((layout.Width, layout.Height), (png.Width, png.Height));
        Assert.InRange(png.Width, PianoRollImage.DefaultMinWidth, PianoRollImage.DefaultMaxWidth);
        Assert.InRange(png.Height, 480, 720);
    }

    [Fact]
    public void SoundingCell_IsDark_AndSilentCellsAreLight()
    {
        PianoRoll roll = RollWith(120, (10, 60), (11, 60), (70, 21), (70, 108));
        PianoRollLayout layout = PianoRollImage.ComputeLayout(roll);

        using Png png = Png.Decode(PianoRollImage.RenderPng(roll, TimeGrid.SeedDefault));

        foreach ((int step, int note) in new[] { (10, 60), (11, 60), (70, 21), (70, 108) })
        {
            var on = layout.CellPixel(step, note);
            Assert.True(png.Luminance(on.X, on.Y) < 80, $"cell ({step}, {note}) at {on} should be dark but is {png.Luminance(on.X, on.Y):F0}");
        }
        foreach ((int step, int note) in new[] { (10, 61), (10, 59), (12, 60), (9, 60), (70, 22), (100, 100) })
        {
            var off = layout.CellPixel(step, note);
            Assert.True(png.Luminance(off.X, off.Y) > 200, $"cell ({step}, {note}) at {off} should be light but is {png.Luminance(off.X, off.Y):F0}");
        }
    }

    [Fact]
    public void LowNotes_AreAtTheBottom_AndTimeRunsLeftToRight()
    {
        PianoRollLayout layout = PianoRollImage.ComputeLayout(new PianoRoll(50, PitchRange.Piano));

        Assert.True(layout.CellPixel(0, 21).Y > layout.CellPixel(0, 108).Y);
        Assert.True(layout.CellPixel(49, 60).X > layout.CellPixel(0, 60).X);
        Assert.True(layout.Plot.Contains(layout.CellPixel(0, 21)) && layout.Plot.Contains(layout.CellPixel(49, 108)));
    }

    [Fact]
    public void Title_RendersGlyphs_FromTheEmbeddedFont()
    {
        // Fails if the font did not load: a glyph-less typeface draws nothing, so both images would match.
        PianoRoll roll = RollWith(64, (5, 64));
        PianoRollLayout layout = PianoRollImage.ComputeLayout(roll);

        using Png titled = Png.Decode(PianoRollImage.RenderPng(roll, TimeGrid.Eighths, new PianoRollImageOptions { Title = "piano-roll" }));
        using Png untitled = Png.Decode(PianoRollImage.RenderPng(roll, TimeGrid.Eighths, new PianoRollImageOptions { Title = "" }));

        Assert.True(titled.CountDark(0, 0, titled.Width, layout.Plot.Top - 2) > 100, "the title strip holds no ink");
        Assert.Equal(0, untitled.CountDark(0, 0, untitled.Width, layout.Plot.Top - 2));
        // Axis labels and tick labels too: the strip left of the y tick labels holds the rotated "MIDI note".
        Assert.True(titled.CountDark(0, layout.Plot.Top, 26, layout.Plot.Bottom) > 50, "no y-axis label ink");
    }

    [Fact]
    public void XAxisLabel_SaysSecondsOrBeats_FollowingTheGrid()
    {
        PianoRoll roll = RollWith(64, (5, 64));
        PianoRollLayout layout = PianoRollImage.ComputeLayout(roll);

        using Png seconds = Png.Decode(PianoRollImage.RenderPng(roll, new TimeGrid.Seconds(0.25)));
        using Png beats = Png.Decode(PianoRollImage.RenderPng(roll, new TimeGrid.Beats(4)));

        // 64 steps are 16 s and 16 quarter notes: identical tick labels, so only the axis title differs.
        int xLabelTop = layout.Plot.Bottom + 28;
        Assert.True(seconds.CountDark(0, xLabelTop, seconds.Width, seconds.Height) > 30);
        Assert.True(seconds.CountDifferent(beats, 0, xLabelTop, seconds.Width, seconds.Height) > 30);
        Assert.Equal(0, seconds.CountDifferent(beats, 0, 0, seconds.Width, layout.Plot.Bottom + 1));
    }

    [Fact]
    public void ZeroStepRoll_RendersAnEmptyFigure()
    {
        var roll = new PianoRoll(0, PitchRange.Piano);

        using Png png = Png.Decode(PianoRollImage.RenderPng(roll, TimeGrid.SeedDefault));

        Assert.Equal(PianoRollImage.DefaultMinWidth, png.Width);
        Assert.InRange(png.Height, 480, 720);
        Assert.Equal(0, PianoRollImage.ComputeLayout(roll).Columns);
    }

    [Fact]
    public void HugeRoll_IsDownsampled_WithinTheCaps_AndKeepsAShortNoteVisible()
    {
        PianoRoll roll = RollWith(100_000, (77_777, 60));
        PianoRollLayout layout = PianoRollImage.ComputeLayout(roll);

        using Png png = Png.Decode(PianoRollImage.RenderPng(roll, TimeGrid.SeedDefault));

        Assert.Equal(PianoRollImage.DefaultMaxWidth, png.Width);
        Assert.True(layout.Columns <= layout.Plot.Width);
        var on = layout.CellPixel(77_777, 60);
        Assert.True(png.Luminance(on.X, on.Y) < 80, "a one-step note must survive max-pooling");
        var off = layout.CellPixel(10_000, 60);
        Assert.True(png.Luminance(off.X, off.Y) > 200);
    }

    [Fact]
    public void RequestedSize_IsClampedToTheCaps()
    {
        var roll = new PianoRoll(1_000, new PitchRange(0, 128));

        PianoRollLayout huge = PianoRollImage.ComputeLayout(roll, new PianoRollImageOptions { Width = int.MaxValue, Height = int.MaxValue });
        PianoRollLayout tiny = PianoRollImage.ComputeLayout(roll, new PianoRollImageOptions { Width = 1, Height = 1 });

        Assert.Equal((PianoRollImage.MaxWidth, PianoRollImage.MaxHeight), (huge.Width, huge.Height));
        Assert.Equal(PianoRollImage.MinWidth, tiny.Width);
        // Every one of the 128 pitches keeps at least a pixel row, even when asked for 1 px.
        Assert.True(tiny.Plot.Height >= 128);

        using Png png = Png.Decode(PianoRollImage.RenderPng(roll, TimeGrid.Eighths, new PianoRollImageOptions { Width = 50_000 }));
        Assert.Equal(PianoRollImage.MaxWidth, png.Width);
    }

    [Theory]
    [InlineData(60, "C4 (60)")]
    [InlineData(21, "A0 (21)")]
    [InlineData(0, "C-1 (0)")]
    [InlineData(127, "G9 (127)")]
    public void NoteTicks_UseScientificPitchNames(int note, string expected) =>
        Assert.Equal(expected, MusicLabels.NoteTick(note));

    [Fact]
    public void YTicks_FallOnEveryC_InTheRange()
    {
        Assert.Equal([24, 36, 48, 60, 72, 84, 96, 108], PianoRollLayout.YTickNotes(PitchRange.Piano));
        Assert.Equal([61], PianoRollLayout.YTickNotes(new PitchRange(61, 70)));
    }

    [Theory]
    [InlineData(60.0, 7, 10.0)]
    [InlineData(3.0, 6, 0.5)]
    [InlineData(30_000.0, 32, 1_000.0)]
    public void DecimalTickStep_Picks1_2_5(double span, int target, double expected) =>
        Assert.Equal(expected, MusicLabels.DecimalTickStep(span, target), 9);

    [Theory]
    [InlineData(32.0, 7, 4.0)]
    [InlineData(2.0, 8, 0.25)]
    public void BinaryTickStep_PicksPowersOfTwo(double span, int target, double expected) =>
        Assert.Equal(expected, MusicLabels.BinaryTickStep(span, target), 9);
}
