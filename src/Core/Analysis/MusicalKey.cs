using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Analysis;

/// <summary>
/// A key: a tonic pitch class (0 = C … 11 = B) and a mode. <see cref="Estimate"/> finds a piece's key with the
/// Krumhansl-Kessler profiles (the key whose profile correlates best with the piece's pitch-class durations);
/// <see cref="TryParse"/> reads the names users write ("D minor", "F# major", "Bb", "c#m").
/// </summary>
public readonly record struct MusicalKey(int Tonic, bool Minor)
{
    private static readonly string[] Names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];

    // Krumhansl & Kessler (1982), probe-tone ratings of the 12 degrees from the tonic.
    private static readonly double[] MajorProfile = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
    private static readonly double[] MinorProfile = [6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

    /// <summary>"D minor", "Eb major".</summary>
    public override string ToString() => $"{Names[Tonic]} {(Minor ? "minor" : "major")}";

    /// <summary>
    /// The semitones in [-6, 5] that move a piece in this key to <paramref name="target"/>'s tonic (the smaller move; a
    /// change of mode is not a transposition, so only the tonics are matched).
    /// </summary>
    public int SemitonesTo(MusicalKey target) => ((target.Tonic - Tonic + 18) % 12) - 6;

    /// <summary>The key whose Krumhansl-Kessler profile best fits <paramref name="roll"/>'s pitch classes; null for silence.</summary>
    public static MusicalKey? Estimate(PianoRoll roll)
    {
        var weights = new double[12];
        for (int t = 0; t < roll.Steps; t++)
        {
            foreach (int note in roll.NotesAt(t))
            {
                weights[note % 12]++;
            }
        }
        if (weights.All(w => w == 0))
        {
            return null;
        }
        MusicalKey best = default;
        double bestFit = double.NegativeInfinity;
        for (int tonic = 0; tonic < 12; tonic++)
        {
            foreach (bool minor in new[] { false, true })
            {
                double fit = Correlation(weights, minor ? MinorProfile : MajorProfile, tonic);
                if (fit > bestFit)
                {
                    bestFit = fit;
                    best = new MusicalKey(tonic, minor);
                }
            }
        }
        return best;
    }

    /// <summary>Reads a key's name: a letter A-G, an optional # or b, and "major"/"minor" (or "m", "maj", "min"; major when absent).</summary>
    public static bool TryParse(string? text, out MusicalKey key)
    {
        key = default;
        string s = (text ?? "").Trim();
        if (s.Length == 0 || "CDEFGAB".IndexOf(char.ToUpperInvariant(s[0])) < 0)
        {
            return false;
        }
        int tonic = char.ToUpperInvariant(s[0]) switch { 'C' => 0, 'D' => 2, 'E' => 4, 'F' => 5, 'G' => 7, 'A' => 9, _ => 11 };
        int at = 1;
        if (at < s.Length && (s[at] == '#' || s[at] == '♯'))
        {
            tonic++;
            at++;
        }
        else if (at < s.Length && (s[at] == 'b' || s[at] == '♭'))
        {
            tonic--;
            at++;
        }
        string mode = s[at..].Trim().ToLowerInvariant();
        bool? minor = mode switch
        {
            "" or "major" or "maj" or "dur" => false,
            "m" or "min" or "minor" or "moll" => true,
            _ => null,
        };
        if (minor is not bool isMinor)
        {
            return false;
        }
        key = new MusicalKey(((tonic % 12) + 12) % 12, isMinor);
        return true;
    }

    // Pearson correlation of the weights with the profile rotated to the tonic.
    private static double Correlation(double[] weights, double[] profile, int tonic)
    {
        double mw = weights.Average(), mp = profile.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int pc = 0; pc < 12; pc++)
        {
            double x = weights[pc] - mw, y = profile[((pc - tonic) % 12 + 12) % 12] - mp;
            sxy += x * y;
            sxx += x * x;
            syy += y * y;
        }
        return sxx > 0 ? sxy / Math.Sqrt(sxx * syy) : 0;
    }

    /// <summary>The names accepted, for messages.</summary>
    public static string Accepted => "a key such as 'C major', 'D minor', 'F# major', 'Bb' or 'c#m'";
}
