namespace RnnRbm.Core.PianoRolls;

/// <summary>A length in musical terms, and its steps on a model's grid: bars of a time signature, or seconds, at a tempo.</summary>
public static class MusicalLength
{
    /// <summary>Reads "4/4", "3/4", "6/8": beats of 1 to 32, a note value among 1, 2, 4, 8, 16, 32.</summary>
    public static bool TryParseTimeSignature(string? text, out (int Beats, int Unit) signature)
    {
        signature = default;
        string[] parts = (text ?? "").Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && int.TryParse(parts[0], out int beats) && int.TryParse(parts[1], out int unit)
            && beats is >= 1 and <= 32 && unit is 1 or 2 or 4 or 8 or 16 or 32)
        {
            signature = (beats, unit);
            return true;
        }
        return false;
    }

    /// <summary>Steps of <paramref name="bars"/> bars of <paramref name="signature"/> at <paramref name="tempo"/> quarter notes per minute (rounded, at least 1).</summary>
    public static int StepsOfBars(TimeGrid grid, double bars, (int Beats, int Unit) signature, double tempo) =>
        StepsOfQuarters(grid, bars * signature.Beats * 4.0 / signature.Unit, tempo);

    /// <summary>Steps of <paramref name="seconds"/> at <paramref name="tempo"/> quarter notes per minute (rounded, at least 1).</summary>
    public static int StepsOfSeconds(TimeGrid grid, double seconds, double tempo) =>
        StepsOfQuarters(grid, seconds * tempo / 60, tempo);

    private static int StepsOfQuarters(TimeGrid grid, double quarters, double tempo)
    {
        double steps = grid switch
        {
            TimeGrid.Beats beats => quarters * beats.StepsPerQuarter,
            // A seconds grid keeps its step length: a quarter lasts 60 / tempo seconds.
            TimeGrid.Seconds seconds => quarters * 60 / tempo / seconds.StepSeconds,
            _ => throw new ArgumentOutOfRangeException(nameof(grid), grid, "Unknown time grid."),
        };
        return (int)Math.Clamp(Math.Round(steps), 1, int.MaxValue);
    }
}
