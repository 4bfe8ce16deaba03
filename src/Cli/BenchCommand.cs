using System.CommandLine;
using System.Diagnostics;
using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;
using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;
using RnnRbm.Core.Training;

namespace RnnRbm.Cli;

/// <summary>
/// <c>rnnrbm bench</c>: training frames per second (the seed's hyperparameters, one epoch of the Nottingham
/// training split in beats mode by default) and generation milliseconds (200 steps, k 25, median of 10) for
/// each available numerics backend. With <c>--model</c>: generation only, of that model file, on one core and on
/// every core at once (the rate a service on this machine can at best sustain for that piece).
/// </summary>
internal static class BenchCommand
{
    public static Command Create(Option<bool> json)
    {
        var data = new Option<string?>("--data") { Description = "Folder of MIDI files to train on (default: datasets/nottingham/train of this repository)." };
        var epochs = new Option<int>("--epochs") { Description = "Epochs to time per backend (the first one included).", DefaultValueFactory = _ => 1 };
        var backendName = new Option<string>("--backend") { Description = "all, or one backend name.", DefaultValueFactory = _ => "all" };
        var threads = new Option<int>("--threads") { Description = "Threads per update (0 = as many as help, at most 2).", DefaultValueFactory = _ => 0 };
        var kernels = new Option<bool>("--kernels") { Description = "Also time the model's matrix shapes per backend." };
        var modelFile = new Option<string?>("--model") { Description = "Time generation only, of this model file (200 steps, k 25): on one core, and on every core at once." };
        var command = new Command("bench", "Measure training and generation speed on this machine.");
        foreach (Option option in new Option[] { data, epochs, backendName, threads, kernels, modelFile })
        {
            command.Options.Add(option);
        }
        command.SetAction(result => CommandRunner.Run(result.GetValue(json), o =>
        {
            if (result.GetValue(modelFile) is string file)
            {
                BenchGeneration(file, o);
                return;
            }
            string path = result.GetValue(data) ?? DefaultData();
            var readOptions = new MidiReadOptions { Grid = new TimeGrid.Beats(2), Range = PitchRange.Piano };
            (List<PianoRoll> rolls, List<MidiFileReport> reports) = CorpusFiles.Load(path, readOptions);
            if (rolls.Count == 0)
            {
                throw new UsageException($"No usable MIDI file in {path}.");
            }
            long frames = rolls.Sum(r => (long)r.Steps);
            string cpu = CpuName();
            o.Result(new { @event = "machine", cpu, processors = Environment.ProcessorCount, data = path, files = rolls.Count, rejected = reports.Count - rolls.Count, frames },
                $"cpu: {cpu}, {Environment.ProcessorCount} logical processors; data: {path}, {rolls.Count} files, {frames:N0} steps (2 per quarter)");

            string which = result.GetValue(backendName) ?? "all";
            IEnumerable<NumericsBackend> backends = which == "all" ? NumericsBackend.Available : [Select(which)];
            foreach (NumericsBackend backend in backends)
            {
                BenchBackend(backend, rolls, result.GetValue(epochs), result.GetValue(threads), o);
            }
            if (result.GetValue(kernels))
            {
                NumericsBenchmarks.Run(Console.Out);
            }
        }));
        return command;
    }

    private static void BenchBackend(NumericsBackend backend, List<PianoRoll> rolls, int epochs, int threads, Output o)
    {
        var options = new TrainingOptions { Seed = 1234 };
        WarmUp(backend, rolls, threads);
        RnnRbmParameters parameters = RnnRbmTrainer.InitialParameters(ModelShape.Seed, options.Seed);
        double seconds = 0, monitor = 0;
        long frames = 0;
        int usedThreads;
        using (var trainer = new RnnRbmTrainer(parameters, options, backend, threads))
        {
            usedThreads = trainer.Threads;
            for (int e = 0; e < Math.Max(1, epochs); e++)
            {
                EpochResult r = trainer.TrainEpoch(rolls);
                seconds += r.Seconds;
                frames += r.Frames;
                monitor = r.Monitor;
            }
        }
        var model = new RnnRbmModel(parameters, new ModelManifest
        {
            Shape = ShapeInfo.From(ModelShape.Seed),
            PitchRange = PitchRangeInfo.From(PitchRange.Piano),
            TimeGrid = TimeGridInfo.From(new TimeGrid.Beats(2)),
            Training = TrainingInfo.From(options, epochs),
            Numerics = new NumericsInfo(backend.Name, backend.Description),
        });
        double generateMilliseconds = GenerateMilliseconds(model);
        double fps = frames / seconds;
        // The training speed in FLOP (TrainingCost's count): what the service's RnnRbm:WorkGflopsPerSecond sizes jobs by.
        double gflops = fps * TrainingCost.FlopsPerFrame(ModelShape.Seed, options.CdK) / 1e9;
        o.Result(
            new { @event = "bench", backend = backend.Name, description = backend.Description, threads = usedThreads, trainFramesPerSecond = fps, trainGflopsPerSecond = gflops, trainSeconds = seconds, frames, monitor, generateMilliseconds },
            $"{backend.Name,-9} train {fps,9:N0} frames/s = {gflops:F1} GFLOP/s ({frames:N0} frames in {seconds:F2} s, {usedThreads} thread(s), monitor {monitor:F3})  " +
            $"generate 200 steps k 25: {generateMilliseconds:F2} ms (median of 10)  [{backend.Description}]");
    }

    /// <summary>The median of 10 timed 200-step, k-25 pieces on one thread, after 20 untimed ones (the JIT warmed).</summary>
    private static double GenerateMilliseconds(RnnRbmModel model)
    {
        var generator = new RnnRbmGenerator(model);
        for (int i = 0; i < 20; i++)
        {
            generator.Generate(200, 25, (ulong)i + 100); // warm-up: let the JIT finish before timing
        }
        var times = new double[10];
        for (int i = 0; i < times.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            generator.Generate(200, 25, (ulong)i + 1);
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return (times[4] + times[5]) / 2;
    }

    /// <summary>
    /// A model file's generation speed: one core (as the backends' lines) and every core at once (one generator per
    /// core, each sampling distinct seeds for about 3 s): the second is the ceiling for a service's pieces per second,
    /// lower than cores ÷ one core's time when the cores share caches or clock.
    /// </summary>
    private static void BenchGeneration(string file, Output o)
    {
        if (!File.Exists(file))
        {
            throw new UsageException($"No model file at {file}.");
        }
        RnnRbmModel model;
        try
        {
            model = ModelFile.Load(file);
        }
        catch (InvalidModelFileException ex)
        {
            throw new UsageException($"{file} is not a valid model file: {ex.Reason}");
        }
        double oneCore = GenerateMilliseconds(model);
        int cores = Environment.ProcessorCount;
        TimeSpan span = TimeSpan.FromSeconds(3);
        var counts = new long[cores];
        var clock = Stopwatch.StartNew();
        Parallel.For(0, cores, new ParallelOptions { MaxDegreeOfParallelism = cores }, c =>
        {
            var generator = new RnnRbmGenerator(model);
            ulong seed = (ulong)c * 1_000_000;
            while (clock.Elapsed < span)
            {
                generator.Generate(200, 25, ++seed);
                counts[c]++;
            }
        });
        double seconds = clock.Elapsed.TotalSeconds;
        double piecesPerSecond = counts.Sum() / seconds;
        o.Result(
            new { @event = "generation", model = Path.GetFileName(file), steps = 200, gibbsK = 25, generateMilliseconds = oneCore, cores, allCoresPiecesPerSecond = piecesPerSecond },
            $"{Path.GetFileName(file)}: generate 200 steps k 25: {oneCore:F2} ms on one core (median of 10), so {cores / oneCore * 1000:F0} pieces/s " +
            $"if {cores} cores scaled perfectly; measured with {cores} at once: {piecesPerSecond:F0} pieces/s");

        // Steering against the plain piece, one core (issue 16's bound: at most twice a plain generation). The three are
        // timed in turn, piece by piece, so that a machine whose speed drifts between seconds slows them alike.
        GenerationControls[] runs =
        [
            GenerationControls.None,
            new GenerationControls { Temperature = 0.8 },
            new GenerationControls { Melody = TopLine(new RnnRbmGenerator(model).Generate(200, 25, 7)), MelodyOnTop = true },
        ];
        double[] medians = InterleavedMilliseconds(model, runs);
        o.Result(
            new { @event = "steering", model = Path.GetFileName(file), steps = 200, gibbsK = 25, plainMilliseconds = medians[0], temperatureMilliseconds = medians[1], harmonizeMilliseconds = medians[2] },
            $"{Path.GetFileName(file)}: timed in turn, medians of 15: plain {medians[0]:F2} ms; temperature 0.8: {medians[1]:F2} ms ({medians[1] / medians[0]:F2}x plain); " +
            $"harmonizing a melody (on top): {medians[2]:F2} ms ({medians[2] / medians[0]:F2}x plain)");

        // Filling a gap of a 200-step piece against the plain piece: steps 80-119 sampled K times, each candidate scored
        // over the 32 steps after the gap (docs/generation.md, "Filling a gap"). Timed in turn like the steering runs.
        PianoRoll piece = new RnnRbmGenerator(model).Generate(200, 25, 11);
        int[] ks = [1, 4, 8, 16];
        double[] fills = InterleavedFillMilliseconds(model, piece, 80, 120, ks);
        o.Result(
            new { @event = "fill", model = Path.GetFileName(file), steps = 200, gapStart = 80, gapEnd = 120, gibbsK = 25, plainMilliseconds = fills[0], candidates = ks, fillMilliseconds = fills[1..] },
            $"{Path.GetFileName(file)}: fill steps 80-119 of a 200-step piece, medians of 15 timed in turn: plain 200 steps {fills[0]:F2} ms; " +
            string.Join("; ", ks.Select((k, i) => $"K {k}: {fills[i + 1]:F2} ms ({fills[i + 1] / fills[0]:F2}x plain)")));
    }

    // The median of 15 timings of a plain 200-step piece and of a fill of [gapStart, gapEnd) with each K, in turn.
    private static double[] InterleavedFillMilliseconds(RnnRbmModel model, PianoRoll piece, int gapStart, int gapEnd, int[] ks)
    {
        var generator = new RnnRbmGenerator(model);
        var times = new double[ks.Length + 1][];
        for (int r = 0; r < times.Length; r++)
        {
            times[r] = new double[15];
        }
        for (int round = -5; round < 15; round++)
        {
            for (int r = 0; r < times.Length; r++)
            {
                var clock = Stopwatch.StartNew();
                if (r == 0)
                {
                    generator.Generate(piece.Steps, 25, (ulong)(round + 100));
                }
                else
                {
                    generator.FillGap(piece, gapStart, gapEnd, ks[r - 1], 25, (ulong)(round + 100));
                }
                if (round >= 0)
                {
                    times[r][round] = clock.Elapsed.TotalMilliseconds;
                }
            }
        }
        return [.. times.Select(t => t.Order().ElementAt(t.Length / 2))];
    }

    // The median of 15 timed 200-step pieces of each of the runs, one piece of each in turn, after 10 untimed rounds.
    private static double[] InterleavedMilliseconds(RnnRbmModel model, GenerationControls[] runs)
    {
        var generator = new RnnRbmGenerator(model);
        var times = new double[runs.Length][];
        for (int r = 0; r < runs.Length; r++)
        {
            times[r] = new double[15];
        }
        for (int round = -10; round < 15; round++)
        {
            for (int r = 0; r < runs.Length; r++)
            {
                var clock = Stopwatch.StartNew();
                generator.Generate(200, 25, (ulong)(round + 100), controls: runs[r]);
                if (round >= 0)
                {
                    times[r][round] = clock.Elapsed.TotalMilliseconds;
                }
            }
        }
        return [.. times.Select(t => t.Order().ElementAt(t.Length / 2))];
    }

    // The highest note of each step of a piece: a melody as a user would bring one.
    private static PianoRoll TopLine(PianoRoll piece)
    {
        var line = new PianoRoll(piece.Steps, piece.Range);
        for (int t = 0; t < piece.Steps; t++)
        {
            if (piece.NotesAt(t) is { Count: > 0 } notes)
            {
                line[t, notes[^1]] = true;
            }
        }
        return line;
    }

    // A few hundred updates on a small model and the real one, so that the timed epoch runs fully optimised code.
    private static void WarmUp(NumericsBackend backend, List<PianoRoll> rolls, int threads)
    {
        List<PianoRoll> some = [.. rolls.Take(20)];
        RnnRbmParameters parameters = RnnRbmTrainer.InitialParameters(ModelShape.Seed, 1);
        using var trainer = new RnnRbmTrainer(parameters, new TrainingOptions { Seed = 1 }, backend, threads);
        trainer.TrainEpoch(some);
        trainer.TrainEpoch(some);
    }

    private static NumericsBackend Select(string name)
    {
        try
        {
            return NumericsBackend.Select(name);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    private static string DefaultData()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "datasets", "nottingham", "train");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new UsageException("datasets/nottingham/train was not found above the current folder: give --data.");
    }

    private static string CpuName()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
