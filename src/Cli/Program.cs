using System.CommandLine;
using RnnRbm.Cli;

// rnnrbm: train, generate, inspect, bench. Each command is built in its own file; this is the table of contents.
var json = new Option<bool>("--json") { Description = "Print one JSON object per line instead of text.", Recursive = true };
var root = new RootCommand("RnnRbm: learn polyphonic music from MIDI files with an RNN-RBM, and generate new pieces.");
root.Options.Add(json);
root.Subcommands.Add(TrainCommand.Create(json));
root.Subcommands.Add(GenerateCommand.Create(json));
root.Subcommands.Add(InspectCommand.Create(json));
root.Subcommands.Add(BenchCommand.Create(json));
root.Subcommands.Add(EvaluateCommand.Create(json));
root.Subcommands.Add(ScoreCommand.Create(json));
root.Subcommands.Add(SearchCommand.Create(json));
// Ctrl+C is handled by the commands themselves (train saves what it learned), so no forced termination.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
