using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Midi;

/// <summary>
/// The writer's side of the grid: the division written and the tick of every step boundary,
/// chosen so that <see cref="MidiReader"/> maps boundary <c>k</c> back to step <c>k</c> exactly.
/// </summary>
internal sealed class StepTicks
{
    /// <summary>The seed's division in seconds mode.</summary>
    public const int SecondsDivision = 100;

    /// <summary>The datasets' division in beats mode.</summary>
    public const int BeatsDivision = 480;

    private const int MaxDivision = 0x7FFF;

    private readonly double _ticksPerStep;

    private StepTicks(int division, double ticksPerStep)
    {
        Division = division;
        _ticksPerStep = ticksPerStep;
    }

    /// <summary>Ticks per quarter note to write in the header.</summary>
    public int Division { get; }

    /// <summary>
    /// Beats mode: 480 ticks per quarter when the steps divide it (1, 2, 3, 4, 5, 6, 8, ... per quarter),
    /// otherwise the smallest multiple of the steps per quarter above 480 (e.g. 483 for 7), so a step is
    /// always a whole number of ticks.
    /// Seconds mode: the seed's 100 ticks per quarter; a boundary's tick is ⌊k·dt·ticks per second⌋,
    /// which is the seed's rounding whenever dt is a whole number of ticks (any multiple of 5 ms at
    /// 120 bpm) and otherwise keeps each boundary inside its own step, so reading back (ceil with
    /// 1e-6 s snapping) still lands on k. That needs a step of at least 2 ticks unless it is whole;
    /// the division grows until it is.
    /// </summary>
    /// <exception cref="ArgumentException">The step is too short to be written at this tempo.</exception>
    public static StepTicks For(TimeGrid grid, int microsecondsPerQuarter) => grid switch
    {
        TimeGrid.Beats b => ForBeats(b.StepsPerQuarter),
        TimeGrid.Seconds s => ForSeconds(s.StepSeconds, microsecondsPerQuarter),
        _ => throw new ArgumentOutOfRangeException(nameof(grid), grid, "Unknown time grid."),
    };

    /// <summary>The tick of the boundary before step <paramref name="step"/> (step = Steps: the end).</summary>
    public long TickOf(int step) => (long)Math.Floor(step * _ticksPerStep + 1e-9);

    private static StepTicks ForBeats(int stepsPerQuarter)
    {
        int division = BeatsDivision % stepsPerQuarter == 0
            ? BeatsDivision
            : stepsPerQuarter * ((BeatsDivision / stepsPerQuarter) + 1);
        return new StepTicks(division, division / stepsPerQuarter);
    }

    private static StepTicks ForSeconds(double stepSeconds, int microsecondsPerQuarter)
    {
        double ticksPerStepPerDivision = stepSeconds * 1e6 / microsecondsPerQuarter;
        double ticks = SecondsDivision * ticksPerStepPerDivision;
        if (IsWhole(ticks) && ticks >= 1)
        {
            return new StepTicks(SecondsDivision, Math.Round(ticks));
        }
        if (ticks >= 2)
        {
            return new StepTicks(SecondsDivision, ticks);
        }
        int division = (int)Math.Ceiling(2 / ticksPerStepPerDivision);
        if (division > MaxDivision)
        {
            throw new ArgumentException($"A step of {stepSeconds} s is too short to write at {60e6 / microsecondsPerQuarter:0.##} bpm.", nameof(stepSeconds));
        }
        return new StepTicks(division, division * ticksPerStepPerDivision);
    }

    private static bool IsWhole(double value) => Math.Abs(value - Math.Round(value)) < 1e-9;
}
