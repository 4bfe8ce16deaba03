using System.Globalization;
using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Midi;

/// <summary>Every MIDI file of the datasets reads to exactly its JSON piano-roll (length included).</summary>
public class DatasetMidiTests
{
    [Theory]
    [InlineData("nottingham", 1037)]
    [InlineData("piano-midi", 124)]
    public void EveryFile_ReadInEighths_EqualsItsJsonRoll(string name, int expectedFiles)
    {
        Dictionary<string, List<PianoRoll>> truth = DatasetRolls.Load(name);
        var options = new MidiReadOptions { Grid = TimeGrid.Eighths };
        var mismatches = new List<string>();
        int files = 0;
        foreach (string split in DatasetRolls.Splits)
        {
            List<PianoRoll> rolls = truth[split];
            string[] paths = Directory.GetFiles(RepositoryPaths.Dataset(name, split), "*.mid");
            Assert.Equal(rolls.Count, paths.Length);
            foreach (string path in paths)
            {
                string fileName = Path.GetFileNameWithoutExtension(path);
                int index = int.Parse(fileName[(fileName.LastIndexOf('_') + 1)..], CultureInfo.InvariantCulture);
                MidiReadResult read = MidiReader.Read(File.ReadAllBytes(path), options);
                if (!read.Roll.ContentEquals(rolls[index]))
                {
                    mismatches.Add($"{fileName}: {read.Roll.Steps} steps vs {rolls[index].Steps}");
                }
                files++;
            }
        }
        Assert.Equal(expectedFiles, files);
        Assert.Empty(mismatches);
    }

    /// <summary>At 120 bpm an eighth is 0.25 s. Train 582 ends with 3 silent steps: the end-of-track length rule keeps them.</summary>
    [Theory]
    [InlineData("train", 582)]
    [InlineData("test", 7)]
    public void NottinghamFile_ReadInQuarterSeconds_EqualsItsJsonRoll(string split, int index)
    {
        PianoRoll expected = DatasetRolls.Load("nottingham")[split][index];
        string path = RepositoryPaths.Dataset("nottingham", split, $"nottingham_{split}_{index:000}.mid");
        MidiReadResult read = MidiReader.Read(File.ReadAllBytes(path), new MidiReadOptions { Grid = new TimeGrid.Seconds(0.25) });
        Assert.Equal(expected.Steps, read.Roll.Steps);
        Assert.True(read.Roll.ContentEquals(expected));
        Assert.Equal([120.0], read.Stats.Tempos);
        Assert.Equal(expected.Steps * 0.25, read.Stats.DurationSeconds, 9);
    }
}
