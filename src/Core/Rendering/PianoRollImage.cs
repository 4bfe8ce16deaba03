using RnnRbm.Core.PianoRolls;
using SkiaSharp;

namespace RnnRbm.Core.Rendering;

/// <summary>
/// Draws a piano-roll as the seed's pylab figure shows it: time along x, MIDI note up y (low notes at
/// the bottom), a dark cell wherever a note sounds, a faint line at every C. Drawn with SkiaSharp and
/// the embedded DejaVu Sans, so it renders identically on a headless server.
/// </summary>
/// <remarks>Thread-safe: every call owns its surface, paints and fonts.</remarks>
public static class PianoRollImage
{
    /// <summary>Smallest width the default sizing picks.</summary>
    public const int DefaultMinWidth = 640;

    /// <summary>Largest width the default sizing picks; longer rolls share columns between steps.</summary>
    public const int DefaultMaxWidth = 2400;

    /// <summary>Smallest width accepted from <see cref="PianoRollImageOptions.Width"/>.</summary>
    public const int MinWidth = 320;

    /// <summary>Largest width ever drawn, whatever the options say: keeps a PNG at a few megabytes at most.</summary>
    public const int MaxWidth = 4096;

    /// <summary>Smallest height accepted from <see cref="PianoRollImageOptions.Height"/>.</summary>
    public const int MinHeight = 240;

    /// <summary>Largest height ever drawn.</summary>
    public const int MaxHeight = 4096;

    private static readonly SKColor Background = SKColors.White;
    private static readonly SKColor PlotBackground = new(0xF7, 0xF7, 0xF4);
    private static readonly SKColor CellColor = new(0x1C, 0x23, 0x3A);
    private static readonly SKColor OctaveLineColor = new(0xD4, 0xD4, 0xD0);
    private static readonly SKColor InkColor = new(0x22, 0x22, 0x22);

    /// <summary>Renders <paramref name="roll"/> to PNG bytes.</summary>
    /// <param name="roll">The roll to draw; may have zero steps.</param>
    /// <param name="grid">Decides the x axis: seconds for <see cref="TimeGrid.Seconds"/>, quarter notes for <see cref="TimeGrid.Beats"/>.</param>
    /// <param name="options">Size and title; <see langword="null"/> for the defaults.</param>
    public static byte[] RenderPng(PianoRoll roll, TimeGrid grid, PianoRollImageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(roll);
        ArgumentNullException.ThrowIfNull(grid);
        options ??= new PianoRollImageOptions();

        using var fonts = new FigureFonts();
        PianoRollLayout layout = PianoRollLayout.Create(roll.Steps, roll.Range, options, fonts.Tick);

        using var surface = SKSurface.Create(new SKImageInfo(layout.Width, layout.Height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not allocate a {layout.Width}×{layout.Height} surface.");
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(Background);

        using (var fill = new SKPaint { Color = PlotBackground, IsAntialias = false })
        {
            canvas.DrawRect(layout.Plot, fill);
        }
        DrawOctaveLines(canvas, layout);
        DrawCells(canvas, layout, roll);
        DrawFrameAndAxes(canvas, layout, grid, fonts);
        DrawTitle(canvas, layout, options.Title, fonts.Title);
        if (roll.Steps == 0)
        {
            using var ink = new SKPaint { Color = SKColors.Gray, IsAntialias = true };
            canvas.DrawText("(empty roll: 0 steps)", layout.Plot.MidX, layout.Plot.MidY, SKTextAlign.Center, fonts.Label, ink);
        }

        using SKImage image = surface.Snapshot();
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>The layout <see cref="RenderPng"/> uses for this roll: lets tests find a cell's pixel.</summary>
    internal static PianoRollLayout ComputeLayout(PianoRoll roll, PianoRollImageOptions? options = null)
    {
        using var fonts = new FigureFonts();
        return PianoRollLayout.Create(roll.Steps, roll.Range, options ?? new PianoRollImageOptions(), fonts.Tick);
    }

    private static void DrawOctaveLines(SKCanvas canvas, PianoRollLayout layout)
    {
        using var line = new SKPaint { Color = OctaveLineColor, StrokeWidth = 1, IsAntialias = false, Style = SKPaintStyle.Stroke };
        foreach (int note in PianoRollLayout.YTickNotes(layout.Range))
        {
            if (note % 12 != 0 || note == layout.Range.Lowest)
            {
                continue; // no line under the bottom row: the frame is there already
            }
            // The line sits on the B|C boundary, so each band between two lines is one octave C..B.
            float y = layout.RowBottom(note) + 0.5f;
            canvas.DrawLine(layout.Plot.Left, y, layout.Plot.Right, y, line);
        }
    }

    private static void DrawCells(SKCanvas canvas, PianoRollLayout layout, PianoRoll roll)
    {
        int columns = layout.Columns;
        int pitches = roll.Range.Count;
        if (columns == 0)
        {
            return;
        }

        // on[c·P + j]: does any step of column c sound pitch j? Max-pooling keeps short notes visible
        // when many steps share one column. O(steps × pitches), no allocation per step.
        var on = new bool[columns * pitches];
        for (int step = 0; step < roll.Steps; step++)
        {
            int offset = layout.ColumnOf(step) * pitches;
            ReadOnlySpan<byte> row = roll.Row(step);
            for (int j = 0; j < pitches; j++)
            {
                on[offset + j] |= row[j] != 0;
            }
        }

        // One rectangle per run of sounding columns: a held note is one rect, not one per step.
        using var cell = new SKPaint { Color = CellColor, IsAntialias = false, Style = SKPaintStyle.Fill };
        for (int j = 0; j < pitches; j++)
        {
            int note = roll.Range.Lowest + j;
            int top = layout.RowTop(note);
            int bottom = layout.RowBottom(note);
            // A one-pixel gap between rows (when rows are tall enough) keeps adjacent notes apart.
            if (bottom - top >= 4)
            {
                bottom--;
            }
            int c = 0;
            while (c < columns)
            {
                if (!on[c * pitches + j])
                {
                    c++;
                    continue;
                }
                int start = c;
                while (c < columns && on[c * pitches + j])
                {
                    c++;
                }
                canvas.DrawRect(SKRect.Create(layout.ColumnLeft(start), top, layout.ColumnLeft(c) - layout.ColumnLeft(start), bottom - top), cell);
            }
        }
    }

    private static void DrawFrameAndAxes(SKCanvas canvas, PianoRollLayout layout, TimeGrid grid, FigureFonts fonts)
    {
        SKRectI plot = layout.Plot;
        using var ink = new SKPaint { Color = InkColor, IsAntialias = true };
        using var stroke = new SKPaint { Color = InkColor, IsAntialias = false, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };

        // Frame drawn on the pixel just outside the data area so it never covers a cell.
        canvas.DrawRect(plot.Left - 0.5f, plot.Top - 0.5f, plot.Width + 1, plot.Height + 1, stroke);

        // y axis: C notes, labelled "C4 (60)", ticks at the middle of the row.
        float tickLabelRight = plot.Left - PianoRollLayout.TickLength - 4;
        float tickTextOffset = TextMiddleOffset(fonts.Tick);
        foreach (int note in PianoRollLayout.YTickNotes(layout.Range))
        {
            float y = (layout.RowTop(note) + layout.RowBottom(note)) / 2f;
            canvas.DrawLine(plot.Left - PianoRollLayout.TickLength, y, plot.Left, y, stroke);
            canvas.DrawText(MusicLabels.NoteTick(note), tickLabelRight, y + tickTextOffset, SKTextAlign.Right, fonts.Tick, ink);
        }

        // x axis: time in the grid's own unit.
        (double unitsPerStep, bool beats) = grid switch
        {
            TimeGrid.Seconds s => (s.StepSeconds, false),
            TimeGrid.Beats b => (1.0 / b.StepsPerQuarter, true),
            _ => throw new ArgumentException($"Unknown time grid {grid}.", nameof(grid)),
        };
        // A 0-step roll still gets a readable axis: one unit long.
        double span = layout.Steps == 0 ? 1 : layout.Steps * unitsPerStep;
        int targetTicks = Math.Max(2, plot.Width / 70);
        double tickStep = beats ? MusicLabels.BinaryTickStep(span, targetTicks) : MusicLabels.DecimalTickStep(span, targetTicks);
        float tickLabelBaseline = plot.Bottom + PianoRollLayout.TickLength + 4 - fonts.Tick.Metrics.Ascent;
        int tickCount = (int)Math.Floor(span / tickStep + 1e-9);
        for (int k = 0; k <= tickCount; k++)
        {
            double value = k * tickStep;
            float x = layout.Steps == 0
                ? (float)(plot.Left + value / span * plot.Width)
                : layout.StepX(value / unitsPerStep);
            x = MathF.Round(x) + 0.5f;
            canvas.DrawLine(x, plot.Bottom, x, plot.Bottom + PianoRollLayout.TickLength, stroke);
            canvas.DrawText(MusicLabels.TickValue(value), x, tickLabelBaseline, SKTextAlign.Center, fonts.Tick, ink);
        }

        float xLabelBaseline = tickLabelBaseline + fonts.Tick.Metrics.Descent + 6 - fonts.Label.Metrics.Ascent;
        canvas.DrawText(beats ? "time (beats)" : "time (s)", plot.MidX, xLabelBaseline, SKTextAlign.Center, fonts.Label, ink);

        // y label, rotated to read bottom-up, its baseline near the image's left edge.
        float yLabelX = 10 - fonts.Label.Metrics.Ascent;
        canvas.Save();
        canvas.RotateDegrees(-90, yLabelX, plot.MidY);
        canvas.DrawText("MIDI note", yLabelX, plot.MidY, SKTextAlign.Center, fonts.Label, ink);
        canvas.Restore();
    }

    private static void DrawTitle(SKCanvas canvas, PianoRollLayout layout, string title, SKFont font)
    {
        if (string.IsNullOrEmpty(title))
        {
            return;
        }
        // Centred over the data area like matplotlib's, shortened with an ellipsis rather than clipped.
        float available = layout.Width - 20;
        string text = title;
        if (font.MeasureText(text) > available)
        {
            int keep = (int)font.BreakText(title, available - font.MeasureText("…"));
            text = string.Concat(title.AsSpan(0, Math.Max(0, keep)), "…");
        }
        float x = Math.Clamp(layout.Plot.MidX, 10 + font.MeasureText(text) / 2, layout.Width - 10 - font.MeasureText(text) / 2);
        using var ink = new SKPaint { Color = InkColor, IsAntialias = true };
        canvas.DrawText(text, x, 10 - font.Metrics.Ascent, SKTextAlign.Center, font, ink);
    }

    /// <summary>Offset from a line's y to the baseline that centres digits and capitals on it.</summary>
    private static float TextMiddleOffset(SKFont font) => font.Metrics.CapHeight / 2;

    /// <summary>The three fonts of a figure. SKFont is not shareable across threads, so each render makes its own.</summary>
    private sealed class FigureFonts : IDisposable
    {
        public SKFont Title { get; } = Make(RenderingFonts.Bold, PianoRollLayout.TitleSize);

        public SKFont Label { get; } = Make(RenderingFonts.Regular, PianoRollLayout.LabelSize);

        public SKFont Tick { get; } = Make(RenderingFonts.Regular, PianoRollLayout.TickSize);

        public void Dispose()
        {
            Title.Dispose();
            Label.Dispose();
            Tick.Dispose();
        }

        private static SKFont Make(SKTypeface typeface, float size) =>
            new(typeface, size) { Edging = SKFontEdging.Antialias, Subpixel = true, Hinting = SKFontHinting.Slight };
    }
}
