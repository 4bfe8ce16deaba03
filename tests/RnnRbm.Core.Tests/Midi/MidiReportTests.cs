using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Midi;

public class MidiReportTests
{
    [Fact]
    public void Inspect_ReportsAnAcceptedFile_OnOneLine()
    {
        byte[] bytes = File.ReadAllBytes(RepositoryPaths.Dataset("nottingham", "train", "nottingham_train_582.mid"));
        MidiFileReport report = MidiReport.Inspect("nottingham_train_582.mid", bytes, new MidiReadOptions { Grid = TimeGrid.Eighths });
        Assert.True(report.Accepted);
        Assert.Null(report.Reason);
        MidiFileStats stats = Assert.IsType<MidiFileStats>(report.Stats);
        string expected = $"ok   nottingham_train_582.mid  steps {stats.Steps}  notes {stats.Notes}  out-of-range 0  tempo changes 1  channels 1  "
            + $"{(int)(stats.DurationSeconds / 60)}:{(int)Math.Round(stats.DurationSeconds) % 60:00}";
        Assert.Equal(expected, report.ToString());
    }

    [Fact]
    public void Inspect_NeverThrows_ForBadBytes_AndSaysWhy()
    {
        MidiFileReport report = MidiReport.Inspect("bad.mid", MidiBytes.WithHeader(2, 1, 480).ToArray(), MidiReadOptions.Default);
        Assert.False(report.Accepted);
        Assert.Null(report.Stats);
        Assert.Equal("FAIL bad.mid  invalid MIDI file: format 2 (independent sequences) is not supported", report.ToString());
    }

    [Fact]
    public void Report_DoesNotDoubleThePrefix()
    {
        Assert.Equal("FAIL a.mid  invalid MIDI file: too big", new MidiFileReport("a.mid", false, null, "invalid MIDI file: too big").ToString());
    }

    [Fact]
    public void Report_ShowsHoursForLongPieces_AndADashWithoutChannels()
    {
        var stats = new MidiFileStats(0, 1, 480, 0, 0, 0, 0, 0, 0, [], [], [], 3725.4);
        Assert.Equal("ok   x.mid  steps 0  notes 0  out-of-range 0  tempo changes 0  channels -  1:02:05", new MidiFileReport("x.mid", true, stats, null).ToString());
    }
}
