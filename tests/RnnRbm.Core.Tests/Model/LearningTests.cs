using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Model;

public class LearningTests
{
    /// <summary>
    /// Learning like the seed: its defaults on the Nottingham training split read at dt = 0.3 s. The seed printed
    /// -15.03 and -10.49 after epochs 1 and 2 on its Nottingham files; a PyTorch port printed -15.09 and -10.54 on these.
    /// </summary>
    [Fact]
    public void TwoEpochs_WithTheSeedsDefaults_MonitorAsTheSeedPrinted()
    {
        string folder = RepositoryPaths.Dataset("nottingham", "train");
        var options = new MidiReadOptions { Grid = new TimeGrid.Seconds(0.3), Range = PitchRange.Piano };
        List<PianoRoll> rolls = [.. Directory.GetFiles(folder, "*.mid").Order(StringComparer.Ordinal)
            .Select(f => MidiReader.Read(File.ReadAllBytes(f), options).Roll)];
        Assert.Equal(694, rolls.Count);

        var training = new TrainingOptions(); // the seed's: lr 0.001, batch 100, CD-15
        RnnRbmParameters parameters = RnnRbmTrainer.InitialParameters(ModelShape.Seed, training.Seed);
        using var trainer = new RnnRbmTrainer(parameters, training, NumericsBackend.Select(null));
        double first = trainer.TrainEpoch(rolls).Monitor;
        double second = trainer.TrainEpoch(rolls).Monitor;

        Assert.InRange(first, -15.1 - 0.5, -15.1 + 0.5);
        Assert.InRange(second, -10.5 - 0.5, -10.5 + 0.5);
    }
}
