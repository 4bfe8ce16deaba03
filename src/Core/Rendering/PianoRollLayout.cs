using RnnRbm.Core.PianoRolls;
using SkiaSharp;

namespace RnnRbm.Core.Rendering;

/// <summary>
/// Where everything of a piano-roll figure goes, in whole pixels. Kept apart from the drawing so the
/// tests can ask where a cell landed. Columns are time bins: one per step while steps fit the plot
/// width, otherwise several steps share a column (a column is dark if any of its steps sounds), so a
/// 100,000-step roll costs at most <see cref="PianoRollImage.MaxWidth"/> columns.
/// </summary>
internal sealed class PianoRollLayout
{
    // Text sizes (px) and gaps: tuned by eye against the seed's matplotlib figure.
    public const float TitleSize = 16f;
    public const float LabelSize = 13f;
    public const float TickSize = 11f;
    public const int TickLength = 5;
    private const int Pad = 10;
    private const int Gap = 6;
    private const int PixelsPerStep = 4;
    private const int PixelsPerPitch = 6;

    private PianoRollLayout(int steps, PitchRange range, int width, int height, SKRectI plot, int columns)
    {
        Steps = steps;
        Range = range;
        Width = width;
        Height = height;
        Plot = plot;
        Columns = columns;
    }

    public int Steps { get; }

    public PitchRange Range { get; }

    /// <summary>Image size in pixels.</summary>
    public int Width { get; }

    public int Height { get; }

    /// <summary>The data area: cells are drawn inside it, axes along its left and bottom edges.</summary>
    public SKRectI Plot { get; }

    /// <summary>Number of time columns drawn: <c>min(Steps, Plot.Width)</c>.</summary>
    public int Columns { get; }

    /// <summary>Computes the layout for a roll of <paramref name="steps"/> × <paramref name="range"/>.</summary>
    public static PianoRollLayout Create(int steps, PitchRange range, PianoRollImageOptions options, SKFont tickFont)
    {
        // Left margin: y label (rotated, one line high), then the widest note tick label, then the tick.
        float widestTick = 0;
        foreach (int note in YTickNotes(range))
        {
            widestTick = Math.Max(widestTick, tickFont.MeasureText(MusicLabels.NoteTick(note)));
        }
        int left = Pad + (int)Math.Ceiling(LabelSize * 1.2f) + Gap + (int)Math.Ceiling(widestTick) + Gap + TickLength;
        int top = Pad + (int)Math.Ceiling(TitleSize * 1.3f) + Gap;
        int bottom = TickLength + Gap + (int)Math.Ceiling(TickSize * 1.2f) + Gap + (int)Math.Ceiling(LabelSize * 1.3f) + Pad;
        // The last x tick label is centred on the right edge and needs half its width beyond it.
        int right = 3 * Pad;

        long naturalWidth = left + right + (long)steps * PixelsPerStep;
        int width = options.Width ?? (int)Math.Clamp(naturalWidth, PianoRollImage.DefaultMinWidth, PianoRollImage.DefaultMaxWidth);
        width = Math.Clamp(width, PianoRollImage.MinWidth, PianoRollImage.MaxWidth);

        int height = options.Height ?? Math.Clamp(top + bottom + range.Count * PixelsPerPitch, 480, 720);
        // Every pitch keeps at least one pixel row, or a note could vanish from the picture.
        height = Math.Clamp(Math.Max(height, top + bottom + range.Count), PianoRollImage.MinHeight, PianoRollImage.MaxHeight);

        var plot = new SKRectI(left, top, width - right, height - bottom);
        int columns = (int)Math.Min(steps, (long)plot.Width);
        return new PianoRollLayout(steps, range, width, height, plot, columns);
    }

    /// <summary>The C notes inside the range (where ticks and octave lines go), or its lowest note if it holds no C.</summary>
    public static IEnumerable<int> YTickNotes(PitchRange range)
    {
        int firstC = (range.Lowest + 11) / 12 * 12;
        if (firstC >= range.End)
        {
            yield return range.Lowest;
            yield break;
        }
        for (int note = firstC; note < range.End; note += 12)
        {
            yield return note;
        }
    }

    /// <summary>The column that step <paramref name="step"/> is drawn in.</summary>
    public int ColumnOf(int step)
    {
        // Column c holds steps [floor(c·S/C), floor((c+1)·S/C)); inverting that gives this.
        return (int)(((step + 1L) * Columns - 1) / Steps);
    }

    /// <summary>First pixel x of column <paramref name="column"/> (also valid for <c>column == Columns</c>, the right edge).</summary>
    public int ColumnLeft(int column) => Plot.Left + (int)Math.Round(column * (double)Plot.Width / Columns);

    /// <summary>First pixel y of MIDI note <paramref name="midiNote"/>'s row (high notes at the top).</summary>
    public int RowTop(int midiNote) => Plot.Top + (int)Math.Round((Range.End - 1 - midiNote) * (double)Plot.Height / Range.Count);

    /// <summary>One past the last pixel y of the note's row.</summary>
    public int RowBottom(int midiNote) => RowTop(midiNote - 1);

    /// <summary>A pixel inside the cell drawn for (<paramref name="step"/>, <paramref name="midiNote"/>).</summary>
    public SKPointI CellPixel(int step, int midiNote)
    {
        int column = ColumnOf(step);
        return new SKPointI((ColumnLeft(column) + ColumnLeft(column + 1) - 1) / 2, (RowTop(midiNote) + RowBottom(midiNote) - 1) / 2);
    }

    /// <summary>Pixel x of a point <paramref name="steps"/> steps from the start (fractional steps allowed).</summary>
    public float StepX(double steps) =>
        Steps == 0 ? Plot.Left : (float)(Plot.Left + steps * Plot.Width / Steps);
}
