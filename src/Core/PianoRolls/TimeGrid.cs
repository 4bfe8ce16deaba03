namespace RnnRbm.Core.PianoRolls;

/// <summary>
/// How MIDI time maps onto piano-roll steps: a fixed number of seconds per step through the file's
/// tempo map (the seed's <c>dt</c>), or a fixed number of steps per quarter note (the paper's datasets:
/// 2 steps per quarter = eighth notes), which ignores tempo.
/// </summary>
public abstract record TimeGrid
{
    private TimeGrid()
    {
    }

    /// <summary>The seed's default: 0.3 s per step.</summary>
    public static TimeGrid SeedDefault { get; } = new Seconds(0.3);

    /// <summary>The paper's datasets: eighth notes.</summary>
    public static TimeGrid Eighths { get; } = new Beats(2);

    /// <summary>A fixed number of seconds per step, through one global tempo map.</summary>
    public sealed record Seconds : TimeGrid
    {
        public Seconds(double stepSeconds)
        {
            if (!double.IsFinite(stepSeconds) || stepSeconds < 0.001 || stepSeconds > 60)
            {
                throw new ArgumentOutOfRangeException(nameof(stepSeconds), stepSeconds, "dt must lie in [0.001, 60] seconds.");
            }
            StepSeconds = stepSeconds;
        }

        public double StepSeconds { get; }

        public override string ToString() => $"dt = {StepSeconds} s";
    }

    /// <summary>A fixed number of steps per quarter note, whatever the tempo.</summary>
    public sealed record Beats : TimeGrid
    {
        public Beats(int stepsPerQuarter)
        {
            if (stepsPerQuarter < 1 || stepsPerQuarter > 96)
            {
                throw new ArgumentOutOfRangeException(nameof(stepsPerQuarter), stepsPerQuarter, "Steps per quarter note must lie in [1, 96].");
            }
            StepsPerQuarter = stepsPerQuarter;
        }

        public int StepsPerQuarter { get; }

        public override string ToString() => $"{StepsPerQuarter} steps per quarter note";
    }
}
