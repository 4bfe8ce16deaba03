using System.CommandLine;
using System.Security.Cryptography;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Rendering;

namespace RnnRbm.Cli;

/// <summary><c>rnnrbm generate</c>: sample a piece from a model, as MIDI and optionally a piano-roll PNG.</summary>
internal static class GenerateCommand
{
    public static Command Create(Option<bool> json)
    {
        var common = new CommonOptions();
        var model = new Option<string>("--model") { Description = "The model file.", Required = true };
        var steps = new Option<int>("--steps") { Description = $"Time steps to generate (the service allows {GenerationLimits.Steps.Interval()}; here up to {RnnRbmGenerator.MaxSteps}).", DefaultValueFactory = _ => GenerationLimits.DefaultSteps };
        var gibbsK = new Option<int>("--gibbs-k") { Description = $"Gibbs steps per time step (the service allows {GenerationLimits.GibbsK.Interval()}; here up to {RnnRbmGenerator.MaxGibbsK}).", DefaultValueFactory = _ => GenerationLimits.DefaultGibbsK };
        var seed = new Option<ulong?>("--seed") { Description = "Seed (random when absent; always printed)." };
        var primer = new Option<string?>("--primer") { Description = "A MIDI file the model reads first and then continues." };
        var tempo = new Option<double>("--tempo") { Description = $"Tempo of the MIDI file written, in quarter notes per minute, in {GenerationLimits.Tempo.Interval()}.", DefaultValueFactory = _ => GenerationLimits.DefaultTempo };
        var program = new Option<int>("--program") { Description = $"General MIDI program (instrument), in {GenerationLimits.Program.Interval()}.", DefaultValueFactory = _ => (int)GenerationLimits.Program.Default!.Value };
        var output = new Option<string>("--out") { Description = "Where to write the MIDI file.", Required = true };
        var png = new Option<string?>("--png") { Description = "Also write the piano-roll as a PNG image here." };

        var command = new Command("generate", "Generate a piece from a trained model.");
        foreach (Option option in new Option[] { model, steps, gibbsK, seed, primer, tempo, program, output, png })
        {
            command.Options.Add(option);
        }
        common.AddGridTo(command);
        command.SetAction(result => CommandRunner.Run(result.GetValue(json), o =>
        {
            RnnRbmModel loaded = ModelFile.Load(result.GetValue(model)!);
            o.Info($"numerics: generation runs in C# SIMD kernels (the model was trained on {loaded.Manifest.Numerics.Backend})");
            int stepCount = result.GetValue(steps), k = result.GetValue(gibbsK);
            if (stepCount < 1 || stepCount > RnnRbmGenerator.MaxSteps || k < 1 || k > RnnRbmGenerator.MaxGibbsK)
            {
                throw new UsageException($"--steps must lie in [1, {RnnRbmGenerator.MaxSteps}] and --gibbs-k in [1, {RnnRbmGenerator.MaxGibbsK}].");
            }
            TimeGrid grid = common.Grid(result, loaded.Grid);
            var writeOptions = new MidiWriteOptions { Grid = grid, TempoBpm = result.GetValue(tempo), Program = result.GetValue(program) };
            try
            {
                writeOptions.Validate();
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message);
            }
            PianoRoll? primerRoll = null;
            if (result.GetValue(primer) is string primerPath)
            {
                primerRoll = MidiReader.Read(File.ReadAllBytes(primerPath), new MidiReadOptions { Grid = grid, Range = loaded.Range }).Roll;
            }
            ulong seedValue = result.GetValue(seed) ?? BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            PianoRoll roll = new RnnRbmGenerator(loaded).Generate(stepCount, k, seedValue, primerRoll);
            double milliseconds = clock.Elapsed.TotalMilliseconds;
            string midiPath = result.GetValue(output)!;
            File.WriteAllBytes(midiPath, MidiWriter.Write(roll, writeOptions));
            string? pngPath = result.GetValue(png);
            if (pngPath is not null)
            {
                File.WriteAllBytes(pngPath, PianoRollImage.RenderPng(roll, grid, new PianoRollImageOptions { Title = $"generated piano-roll (seed {seedValue})" }));
            }
            o.Result(new { @event = "generated", seed = seedValue, steps = stepCount, gibbsK = k, notes = roll.CountActive(), milliseconds, midi = midiPath, png = pngPath },
                $"generated {stepCount} steps ({roll.CountActive()} note-steps) with seed {seedValue} in {milliseconds:F1} ms -> {midiPath}" +
                (pngPath is null ? "" : $", {pngPath}"));
        }));
        return command;
    }
}
