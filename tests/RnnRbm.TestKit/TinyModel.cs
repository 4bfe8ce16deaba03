using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.TestKit;

/// <summary>
/// An untrained tiny model (V 88, H 16, U 8, two steps per quarter): quick to evaluate, same code path as a real one.
/// Shared by the API, browser and scale-out tests.
/// </summary>
public static class TinyModel
{
    public static RnnRbmModel Create(ulong seed, string madeBy, int hidden = 16)
    {
        var range = new PitchRange(21, 109);
        var shape = new ModelShape(range.Count, hidden, 8);
        var manifest = new ModelManifest
        {
            Shape = ShapeInfo.From(shape),
            PitchRange = PitchRangeInfo.From(range),
            TimeGrid = TimeGridInfo.From(new TimeGrid.Beats(2)),
            Training = TrainingInfo.From(new TrainingOptions(), 0),
            Numerics = new NumericsInfo("test", madeBy),
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        return new RnnRbmModel(RnnRbmTrainer.InitialParameters(shape, seed), manifest);
    }
}
