using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Midi;

/// <summary>
/// Maps a tick to the index of the first step boundary at or after it: the <c>ceil(time / step)</c> of docs/model.md, "MIDI and piano-rolls".
/// A note <c>[on, off)</c> then covers rows <c>StepAt(on) .. StepAt(off) - 1</c>.
/// </summary>
internal abstract class StepQuantizer
{
    /// <summary>Seconds mode: a time within this of a step boundary is that boundary.</summary>
    public const double SnapSeconds = 1e-6;

    public abstract long StepAt(long tick);

    public static StepQuantizer For(TimeGrid grid, int division, TempoMap tempo) => grid switch
    {
        TimeGrid.Seconds s => new SecondsQuantizer(s.StepSeconds, tempo),
        TimeGrid.Beats b => new BeatsQuantizer(b.StepsPerQuarter, division),
        _ => throw new ArgumentOutOfRangeException(nameof(grid), grid, "Unknown time grid."),
    };

    /// <summary>
    /// Seconds through the tempo map. Snapping first: without it, a time a hair above k·dt (float seconds,
    /// or a tick rounded when written) would land one step late, and roll → MIDI → roll would change.
    /// </summary>
    private sealed class SecondsQuantizer(double stepSeconds, TempoMap tempo) : StepQuantizer
    {
        public override long StepAt(long tick)
        {
            double seconds = tempo.Seconds(tick);
            double nearest = Math.Round(seconds / stepSeconds);
            if (Math.Abs(seconds - nearest * stepSeconds) <= SnapSeconds)
            {
                return (long)nearest;
            }
            return (long)Math.Ceiling(seconds / stepSeconds);
        }
    }

    /// <summary>
    /// Quarter notes, in exact integers: step = ceil(tick · stepsPerQuarter / division). Ticks are whole,
    /// so a boundary is hit exactly or missed by at least one tick; no snapping is needed.
    /// </summary>
    private sealed class BeatsQuantizer(int stepsPerQuarter, int division) : StepQuantizer
    {
        public override long StepAt(long tick)
        {
            Int128 scaled = (Int128)tick * stepsPerQuarter;
            return (long)((scaled + division - 1) / division);
        }
    }
}
