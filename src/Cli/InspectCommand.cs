using System.CommandLine;
using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Cli;

/// <summary><c>rnnrbm inspect</c>: the per-file MIDI report, one line per file.</summary>
internal static class InspectCommand
{
    public static Command Create(Option<bool> json)
    {
        var common = new CommonOptions();
        var paths = new Argument<string[]>("paths") { Description = "MIDI files, folders or .zip archives.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("inspect", "Report what each MIDI file holds, or why it is rejected.");
        command.Arguments.Add(paths);
        common.AddGridTo(command);
        common.AddRangeTo(command);
        command.SetAction(result => CommandRunner.Run(result.GetValue(json), o =>
        {
            MidiReadOptions options = common.ReadOptions(result, TimeGrid.SeedDefault);
            int accepted = 0, rejected = 0;
            foreach (string path in result.GetValue(paths)!)
            {
                foreach (CorpusFile file in CorpusFiles.Read(path))
                {
                    MidiFileReport report = file.Bytes is null
                        ? new MidiFileReport(file.Name, false, null, file.Problem)
                        : MidiReport.Inspect(file.Name, file.Bytes, options);
                    o.Result(report, report.ToString());
                    _ = report.Accepted ? accepted++ : rejected++;
                }
            }
            o.Result(new { @event = "summary", accepted, rejected }, $"{accepted} accepted, {rejected} rejected");
        }));
        return command;
    }
}
