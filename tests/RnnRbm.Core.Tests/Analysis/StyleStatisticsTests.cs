using RnnRbm.Core.Analysis;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Analysis;

public class StyleStatisticsTests
{
    [Fact]
    public void AHandCountedRoll()
    {
        // C4+E4 for two steps, a rest, G4 for one step.
        PianoRoll roll = PianoRoll.FromNoteLists([[60, 64], [60, 64], [], [67]], PitchRange.Piano);
        StyleStatistics s = StyleStatistics.Measure([roll]);
        Assert.Equal(4, s.Steps);
        Assert.Equal([0.4, 0, 0, 0, 0.4, 0, 0, 0.2, 0, 0, 0, 0], s.PitchClasses, Tolerance);
        Assert.Equal([0.25, 0.25, 0.5, 0, 0, 0, 0, 0, 0], s.Polyphony, Tolerance);
        Assert.Equal(5.0 / 3, s.MeanPolyphony, 12);
        Assert.Equal(60, s.Lowest);
        Assert.Equal(67, s.Highest);
        Assert.Equal(63.0, s.MeanPitch!.Value, 12);
        Assert.Equal(0.25, s.EmptyStepRate, 12);
        Assert.Equal([1.0 / 3, 2.0 / 3, 0, 0, 0, 0, 0], s.NoteLengths, Tolerance);
    }

    [Fact]
    public void Distance_IsZeroToItself_SymmetricAndLargeToSomethingElse()
    {
        StyleStatistics chords = StyleStatistics.Measure([PianoRoll.FromNoteLists([[60, 64, 67], [60, 64, 67], [62, 65, 69], [62, 65, 69]], PitchRange.Piano)]);
        StyleStatistics tune = StyleStatistics.Measure([PianoRoll.FromNoteLists([[71], [], [73], [], [75], []], PitchRange.Piano)]);
        StyleStatistics silence = StyleStatistics.Measure([new PianoRoll(5, PitchRange.Piano)]);
        Assert.Equal(0, chords.DistanceTo(chords), 12);
        Assert.Equal(chords.DistanceTo(tune), tune.DistanceTo(chords), 12);
        Assert.InRange(chords.DistanceTo(tune), 0.5, 1);
        Assert.Equal(1, chords.DistanceTo(silence), 12); // nothing in common, not even the rests
        Assert.Null(silence.Lowest);
    }

    private static readonly IEqualityComparer<double> Tolerance = EqualityComparer<double>.Create((a, b) => Math.Abs(a - b) < 1e-12, a => 0);
}
