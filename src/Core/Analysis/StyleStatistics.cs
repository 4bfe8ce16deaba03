using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Analysis;

/// <summary>
/// Cheap musical statistics of a set of piano-rolls (docs/generation.md, "Style statistics"): what a set of generated
/// pieces and the corpus a model learned can be compared by.
/// </summary>
/// <param name="Steps">Steps measured.</param>
/// <param name="PitchClasses">Share of sounding cells on each pitch class, C first (12 values summing to 1; all 0 for silence).</param>
/// <param name="Polyphony">Share of steps with 0, 1, …, <see cref="MaxPolyphony"/> or more notes sounding.</param>
/// <param name="MeanPolyphony">Notes sounding per non-empty step.</param>
/// <param name="Lowest">Lowest MIDI note sounding (null: silence).</param>
/// <param name="Highest">Highest MIDI note sounding (null: silence).</param>
/// <param name="MeanPitch">Mean MIDI note over sounding cells (null: silence).</param>
/// <param name="EmptyStepRate">Share of steps where nothing sounds.</param>
/// <param name="NoteLengths">Share of notes lasting each of <see cref="LengthBins"/> steps (a note: a run of one key).</param>
public sealed record StyleStatistics(
    int Steps, IReadOnlyList<double> PitchClasses, IReadOnlyList<double> Polyphony, double MeanPolyphony,
    int? Lowest, int? Highest, double? MeanPitch, double EmptyStepRate, IReadOnlyList<double> NoteLengths)
{
    /// <summary>The polyphony histogram's last bin holds this many notes or more.</summary>
    public const int MaxPolyphony = 8;

    /// <summary>The note-length bins' lower bounds, in steps: 1, 2, 3, 4, 5-8, 9-16, 17 and more.</summary>
    public static IReadOnlyList<int> LengthBins { get; } = [1, 2, 3, 4, 5, 9, 17];

    /// <summary>Measures <paramref name="rolls"/> together.</summary>
    public static StyleStatistics Measure(IEnumerable<PianoRoll> rolls)
    {
        var pitchClasses = new double[12];
        var polyphony = new double[MaxPolyphony + 1];
        var lengths = new double[LengthBins.Count];
        long steps = 0, cells = 0, empty = 0, notes = 0;
        double pitchSum = 0;
        int? lowest = null, highest = null;
        foreach (PianoRoll roll in rolls)
        {
            for (int t = 0; t < roll.Steps; t++)
            {
                ReadOnlySpan<byte> row = roll.Row(t);
                int count = 0;
                for (int j = 0; j < row.Length; j++)
                {
                    if (row[j] == 0)
                    {
                        continue;
                    }
                    int note = roll.Range.Lowest + j;
                    count++;
                    pitchClasses[note % 12]++;
                    pitchSum += note;
                    lowest = Math.Min(lowest ?? note, note);
                    highest = Math.Max(highest ?? note, note);
                    // A note starts where its key was silent a step before; its length runs while the key stays on.
                    if (t == 0 || roll.Row(t - 1)[j] == 0)
                    {
                        int length = 1;
                        while (t + length < roll.Steps && roll.Row(t + length)[j] != 0)
                        {
                            length++;
                        }
                        lengths[LengthBin(length)]++;
                        notes++;
                    }
                }
                polyphony[Math.Min(count, MaxPolyphony)]++;
                cells += count;
                empty += count == 0 ? 1 : 0;
                steps++;
            }
        }
        return new StyleStatistics(
            (int)Math.Min(steps, int.MaxValue),
            Normalized(pitchClasses),
            Normalized(polyphony),
            steps - empty > 0 ? (double)cells / (steps - empty) : 0,
            lowest,
            highest,
            cells > 0 ? pitchSum / cells : null,
            steps > 0 ? (double)empty / steps : 0,
            Normalized(lengths));
    }

    /// <summary>
    /// One distance between two sets' statistics, in [0, 1]: the mean of the Jensen-Shannon divergences (base 2) of the
    /// pitch-class, polyphony and note-length distributions and of the empty-step rates (as two-outcome distributions).
    /// 0: the same statistics; near 1: nothing in common.
    /// </summary>
    public double DistanceTo(StyleStatistics other) =>
        (JensenShannon(PitchClasses, other.PitchClasses)
         + JensenShannon(Polyphony, other.Polyphony)
         + JensenShannon(NoteLengths, other.NoteLengths)
         + JensenShannon([EmptyStepRate, 1 - EmptyStepRate], [other.EmptyStepRate, 1 - other.EmptyStepRate])) / 4;

    private static int LengthBin(int length)
    {
        int bin = 0;
        while (bin + 1 < LengthBins.Count && length >= LengthBins[bin + 1])
        {
            bin++;
        }
        return bin;
    }

    private static double[] Normalized(double[] counts)
    {
        double total = counts.Sum();
        return total > 0 ? [.. counts.Select(c => c / total)] : counts;
    }

    // JS(p, q) = ½ KL(p ‖ m) + ½ KL(q ‖ m), m = ½ (p + q), in bits; 1 when one side is empty and the other not.
    private static double JensenShannon(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        bool pEmpty = p.All(x => x == 0), qEmpty = q.All(x => x == 0);
        if (pEmpty || qEmpty)
        {
            return pEmpty && qEmpty ? 0 : 1;
        }
        double divergence = 0;
        for (int i = 0; i < p.Count; i++)
        {
            double m = (p[i] + q[i]) / 2;
            divergence += Term(p[i], m) + Term(q[i], m);
        }
        return Math.Clamp(divergence / 2, 0, 1);
    }

    private static double Term(double x, double m) => x > 0 ? x * Math.Log2(x / m) : 0;
}
