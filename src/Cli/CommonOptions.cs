using System.CommandLine;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Cli;

/// <summary>Options several commands share: the time grid, the pitch range and the numerics backend.</summary>
internal sealed class CommonOptions
{
    public Option<double?> Dt { get; } = new("--dt") { Description = "Seconds per time step, through the file's tempo map (the seed: 0.3)." };

    public Option<int?> StepsPerQuarter { get; } = new("--steps-per-quarter") { Description = "Time steps per quarter note, ignoring tempo (the paper's datasets: 2)." };

    public Option<int> LowestPitch { get; } = new("--lowest-pitch") { Description = "Lowest MIDI note of the piano-roll.", DefaultValueFactory = _ => 21 };

    public Option<int> HighestPitch { get; } = new("--highest-pitch") { Description = "Highest MIDI note of the piano-roll (inclusive).", DefaultValueFactory = _ => 108 };

    public Option<string> Backend { get; } = new("--backend") { Description = "Numerics backend: auto, mkl, openblas or simd.", DefaultValueFactory = _ => "auto" };

    public void AddGridTo(Command command)
    {
        command.Options.Add(Dt);
        command.Options.Add(StepsPerQuarter);
    }

    public void AddRangeTo(Command command)
    {
        command.Options.Add(LowestPitch);
        command.Options.Add(HighestPitch);
    }

    /// <summary>The grid asked for, or <paramref name="fallback"/> when neither option was given.</summary>
    public TimeGrid Grid(ParseResult result, TimeGrid fallback)
    {
        double? dt = result.GetValue(Dt);
        int? spq = result.GetValue(StepsPerQuarter);
        if (dt is not null && spq is not null)
        {
            throw new UsageException("Give either --dt or --steps-per-quarter, not both.");
        }
        try
        {
            return dt is double seconds ? new TimeGrid.Seconds(seconds)
                : spq is int steps ? new TimeGrid.Beats(steps)
                : fallback;
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new UsageException(FirstLine(ex.Message));
        }
    }

    public PitchRange Range(ParseResult result)
    {
        int low = result.GetValue(LowestPitch), high = result.GetValue(HighestPitch);
        if (low < 0 || high > 127 || low > high)
        {
            throw new UsageException($"The pitch range needs 0 <= --lowest-pitch <= --highest-pitch <= 127; got {low}..{high}.");
        }
        return new PitchRange(low, high + 1);
    }

    public MidiReadOptions ReadOptions(ParseResult result, TimeGrid fallback) =>
        new() { Grid = Grid(result, fallback), Range = Range(result) };

    /// <summary>Selects the backend and says which one runs (every command prints it).</summary>
    public NumericsBackend SelectBackend(ParseResult result, Output output)
    {
        string name = result.GetValue(Backend) ?? "auto";
        NumericsBackend backend;
        try
        {
            backend = NumericsBackend.Select(name);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(FirstLine(ex.Message));
        }
        output.Result(new { @event = "numerics", backend = backend.Name, description = backend.Description },
            $"numerics: {backend.Name} ({backend.Description})");
        return backend;
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Split(" (Parameter")[0];
}

/// <summary>The command line asked for something impossible; the message says what.</summary>
internal sealed class UsageException(string message) : Exception(message);
