using System.Globalization;

namespace RnnRbm.Core.Rendering;

/// <summary>Axis text shared by the images: note names and "nice" tick spacings.</summary>
internal static class MusicLabels
{
    private static readonly string[] PitchClassNames = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

    /// <summary>
    /// Scientific pitch notation, MIDI 60 = "C4" (middle C). Note that NAudio's <c>NoteName</c> says
    /// "C5" for 60; we follow the convention most musicians and the seed's pylab figure readers expect.
    /// </summary>
    public static string NoteName(int midiNote) =>
        PitchClassNames[midiNote % 12] + (midiNote / 12 - 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>Label for a tick on a MIDI-note axis, e.g. "C4 (60)".</summary>
    public static string NoteTick(int midiNote) =>
        string.Create(CultureInfo.InvariantCulture, $"{NoteName(midiNote)} ({midiNote})");

    /// <summary>
    /// A tick spacing of 1, 2 or 5 × 10^k close to <paramref name="span"/> / <paramref name="targetCount"/>:
    /// the spacing people read easily on a seconds axis.
    /// </summary>
    public static double DecimalTickStep(double span, int targetCount)
    {
        double raw = span / Math.Max(1, targetCount);
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double fraction = raw / magnitude;
        double nice = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10;
        return nice * magnitude;
    }

    /// <summary>
    /// A power-of-two tick spacing (…, ¼, ½, 1, 2, 4, 8, … quarter notes) close to the raw spacing:
    /// on a beats axis those fall on beats and bar lines, unlike 5 or 10.
    /// </summary>
    public static double BinaryTickStep(double span, int targetCount)
    {
        double raw = span / Math.Max(1, targetCount);
        return Math.Pow(2, Math.Round(Math.Log2(raw)));
    }

    /// <summary>Shortest invariant text for a tick value (no trailing zeros, no "-0").</summary>
    public static string TickValue(double value)
    {
        double rounded = Math.Round(value, 6);
        return (rounded == 0 ? 0 : rounded).ToString("0.######", CultureInfo.InvariantCulture);
    }
}
