using System.CommandLine;
using System.Security.Cryptography;
using RnnRbm.Core.Analysis;
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
        var steps = new Option<int?>("--steps") { Description = $"Time steps to generate (the service allows {GenerationLimits.Steps.Interval()}; here up to {RnnRbmGenerator.MaxSteps}; default {GenerationLimits.DefaultSteps}, or the melody's length)." };
        var gibbsK = new Option<int>("--gibbs-k") { Description = $"Gibbs steps per time step (the service allows {GenerationLimits.GibbsK.Interval()}; here up to {RnnRbmGenerator.MaxGibbsK}).", DefaultValueFactory = _ => GenerationLimits.DefaultGibbsK };
        var seed = new Option<ulong?>("--seed") { Description = "Seed (random when absent; always printed)." };
        var primer = new Option<string?>("--primer") { Description = "A MIDI file the model reads first and then continues." };
        var tempo = new Option<double>("--tempo") { Description = $"Tempo of the MIDI file written, in quarter notes per minute, in {GenerationLimits.Tempo.Interval()}.", DefaultValueFactory = _ => GenerationLimits.DefaultTempo };
        var program = new Option<int>("--program") { Description = $"General MIDI program (instrument), in {GenerationLimits.Program.Interval()}.", DefaultValueFactory = _ => (int)GenerationLimits.Program.Default!.Value };
        var output = new Option<string>("--out") { Description = "Where to write the MIDI file.", Required = true };
        var png = new Option<string?>("--png") { Description = "Also write the piano-roll as a PNG image here." };
        var temperature = new Option<double>("--temperature") { Description = $"Energies are divided by T while sampling, T in {GenerationLimits.Temperature.Interval()}: below 1 sharper, above 1 more random (1 = the model).", DefaultValueFactory = _ => GenerationLimits.Temperature.Default!.Value };
        var melody = new Option<string?>("--melody") { Description = "Harmonize this MIDI melody: its notes are kept exactly at every step while the model writes the other keys." };
        var melodyOnTop = new Option<bool>("--melody-on-top") { Description = "With --melody: keep every key above the melody silent, so the tune stays on top." };
        var corpus = new Option<string?>("--corpus") { Description = "MIDI files (a folder or .zip; typically the model's training data) to check the piece against: the longest run it shares with one of them (is it new?) and how its style statistics differ." };
        var bars = new Option<double?>("--bars") { Description = $"Length in bars of --time-signature instead of --steps, at --tempo ({GenerationLimits.Bars.Interval()})." };
        var timeSignature = new Option<string>("--time-signature") { Description = "What a bar is for --bars: 4/4, 3/4, 6/8, …", DefaultValueFactory = _ => GenerationLimits.DefaultTimeSignature };
        var seconds = new Option<double?>("--seconds") { Description = $"Length in seconds instead of --steps, at --tempo ({GenerationLimits.Seconds.Interval()})." };
        var transpose = new Option<int?>("--transpose") { Description = $"Move the output by this many semitones, in {GenerationLimits.Transpose.Interval()}." };
        var key = new Option<string?>("--key") { Description = "Move the output to this key ('D minor', 'F# major', 'Bb'): its key is estimated and its tonic moved by the smaller way." };
        var count = new Option<int>("--count") { Description = $"Pieces to write, in {GenerationLimits.Count.Interval()}, with seeds seed, seed + 1, …: above 1 the files are named like --out with -1, -2, … before the extension.", DefaultValueFactory = _ => 1 };
        var fill = new Option<string?>("--fill") { Description = "Fill a gap of this MIDI piece: steps --gap-start to --gap-end are sampled again so that they lead into what follows (every other step is kept); the output is the whole piece." };
        var gapStart = new Option<int?>("--gap-start") { Description = "With --fill: the gap's first step on the model's grid." };
        var gapEnd = new Option<int?>("--gap-end") { Description = "With --fill: one past the gap's last step." };
        var candidates = new Option<int>("--candidates") { Description = $"With --fill: K, the fillings sampled and weighed by the model's likelihood of the steps after the gap, in {GenerationLimits.Candidates.Interval()}; each costs a generation of the gap.", DefaultValueFactory = _ => (int)GenerationLimits.Candidates.Default!.Value };
        var threshold = new Option<int?>("--novelty-threshold") { Description = $"With --corpus: warn when a shared run is longer than this many steps (default: {NoveltyIndex.DefaultThresholdQuarters} quarter notes on the model's grid)." };

        var command = new Command("generate", "Generate a piece from a trained model.");
        foreach (Option option in new Option[] { model, steps, gibbsK, seed, primer, tempo, program, output, png, temperature, melody, melodyOnTop, bars, timeSignature, seconds, transpose, key, count, fill, gapStart, gapEnd, candidates, corpus, threshold })
        {
            command.Options.Add(option);
        }
        common.AddGridTo(command);
        command.SetAction(result => CommandRunner.Run(result.GetValue(json), o =>
        {
            RnnRbmModel loaded = ModelFile.Load(result.GetValue(model)!);
            o.Info($"numerics: generation runs in C# SIMD kernels (the model was trained on {loaded.Manifest.Numerics.Backend})");
            TimeGrid grid = common.Grid(result, loaded.Grid);
            var controls = new GenerationControls
            {
                Temperature = result.GetValue(temperature),
                Melody = result.GetValue(melody) is string melodyPath
                    ? MidiReader.Read(File.ReadAllBytes(melodyPath), new MidiReadOptions { Grid = grid, Range = loaded.Range }).Roll
                    : null,
                MelodyOnTop = result.GetValue(melodyOnTop),
            };
            if (GenerationLimits.Temperature.Problem(controls.Temperature) is string badTemperature)
            {
                throw new UsageException("--" + badTemperature);
            }
            if (controls.MelodyOnTop && controls.Melody is null)
            {
                throw new UsageException("--melody-on-top needs --melody.");
            }
            if (GenerationLimits.Count.Problem(result.GetValue(count)) is string badCount)
            {
                throw new UsageException("--" + badCount);
            }
            int pieces = result.GetValue(count);
            PianoRoll? whole = null;
            int gapFrom = 0, gapTo = 0, k = result.GetValue(gibbsK), candidateCount = result.GetValue(candidates);
            if (result.GetValue(fill) is string fillPath)
            {
                string[] clashing = [.. new (string Name, bool Given)[] { ("--primer", result.GetValue(primer) is not null), ("--melody", controls.Melody is not null),
                    ("--steps", result.GetValue(steps) is not null), ("--bars", result.GetValue(bars) is not null), ("--seconds", result.GetValue(seconds) is not null),
                    ("--transpose", result.GetValue(transpose) is not null), ("--key", result.GetValue(key) is not null) }.Where(c => c.Given).Select(c => c.Name)];
                if (clashing.Length > 0)
                {
                    throw new UsageException($"--fill keeps every step outside the gap as it is: leave out {string.Join(", ", clashing)}.");
                }
                if (result.GetValue(gapStart) is not int from || result.GetValue(gapEnd) is not int to)
                {
                    throw new UsageException("--fill needs --gap-start and --gap-end: the gap is the steps from --gap-start up to (not including) --gap-end.");
                }
                if (GenerationLimits.Candidates.Problem(candidateCount) is string badCandidates)
                {
                    throw new UsageException("--" + badCandidates);
                }
                whole = MidiReader.Read(File.ReadAllBytes(fillPath), new MidiReadOptions { Grid = grid, Range = loaded.Range }).Roll;
                if (from < 0 || to <= from || to > whole.Steps)
                {
                    throw new UsageException($"The gap [{from}, {to}) must hold at least one step and lie within the piece's {whole.Steps} steps on the model's grid ({grid}).");
                }
                (gapFrom, gapTo) = (from, to);
            }
            else if (result.GetValue(gapStart) is not null || result.GetValue(gapEnd) is not null)
            {
                throw new UsageException("--gap-start and --gap-end need --fill (the piece whose gap to fill).");
            }
            int? lengthSteps = MusicalSteps(result.GetValue(steps), result.GetValue(bars), result.GetValue(timeSignature)!, result.GetValue(seconds), grid, result.GetValue(tempo));
            int stepCount = whole is not null ? gapTo - gapFrom : lengthSteps ?? controls.Melody?.Steps ?? GenerationLimits.DefaultSteps;
            if (stepCount < 1 || stepCount > RnnRbmGenerator.MaxSteps || k < 1 || k > RnnRbmGenerator.MaxGibbsK)
            {
                throw new UsageException($"--steps must lie in [1, {RnnRbmGenerator.MaxSteps}] and --gibbs-k in [1, {RnnRbmGenerator.MaxGibbsK}].");
            }
            if (controls.Melody is PianoRoll tune && tune.Steps < stepCount)
            {
                throw new UsageException($"The melody lasts {tune.Steps} steps on the model's grid ({grid}); --steps {stepCount} asks for more.");
            }
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
            ulong firstSeed = result.GetValue(seed) ?? BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
            (List<PianoRoll> Rolls, List<string> Names)? corpusRolls = null;
            if (result.GetValue(corpus) is string corpusPath)
            {
                (List<PianoRoll> rolls, List<MidiFileReport> reports) = CorpusFiles.Load(corpusPath, new MidiReadOptions { Grid = grid, Range = loaded.Range });
                if (rolls.Count == 0)
                {
                    throw new UsageException($"No usable MIDI file in {corpusPath} to check the piece against.");
                }
                corpusRolls = (rolls, [.. reports.Where(r => r.Accepted).Select(r => r.FileName)]);
            }
            var generator = new RnnRbmGenerator(loaded);
            for (int i = 0; i < pieces; i++)
            {
                ulong seedValue = unchecked(firstSeed + (ulong)i);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                GapFill? filled = whole is null ? null : generator.FillGap(whole, gapFrom, gapTo, candidateCount, k, seedValue, controls);
                PianoRoll sampled = filled?.Piece ?? generator.Generate(stepCount, k, seedValue, primerRoll, controls);
                double milliseconds = clock.Elapsed.TotalMilliseconds;
                int semitones = Semitones(result.GetValue(transpose), result.GetValue(key), sampled);
                PianoRoll roll = sampled.Transposed(semitones)
                    ?? throw new UsageException($"--transpose {semitones} would move the model's range {loaded.Range} beyond MIDI's notes 0-127.");
                string midiPath = Numbered(result.GetValue(output)!, i, pieces);
                File.WriteAllBytes(midiPath, MidiWriter.Write(roll, writeOptions));
                string? pngPath = result.GetValue(png) is string pngBase ? Numbered(pngBase, i, pieces) : null;
                if (pngPath is not null)
                {
                    File.WriteAllBytes(pngPath, PianoRollImage.RenderPng(roll, grid, new PianoRollImageOptions { Title = $"generated piano-roll (seed {seedValue})" }));
                }
                string? estimatedKey = MusicalKey.Estimate(roll)?.ToString();
                object? gap = filled is null ? null : new { start = gapFrom, end = gapTo, candidates = candidateCount, chosen = filled.Chosen, scores = filled.Scores, weights = filled.Weights(), scoredSteps = filled.ScoredSteps };
                o.Result(new { @event = "generated", seed = seedValue, steps = stepCount, gibbsK = k, temperature = controls.Temperature, melody = controls.Melody is not null, transpose = semitones, key = estimatedKey, notes = roll.CountActive(), milliseconds, midi = midiPath, png = pngPath, gap },
                    (filled is null ? $"generated {stepCount} steps" : $"filled steps {gapFrom}-{gapTo - 1} ({stepCount} steps, candidate {filled.Chosen + 1} of {candidateCount}, kept with probability {filled.Weights()[filled.Chosen]:P0})") +
                    $" ({roll.CountActive()} note-steps) with seed {seedValue} in {milliseconds:F1} ms -> {midiPath}" +
                    (pngPath is null ? "" : $", {pngPath}"));
                if (corpusRolls is ({ } rolls, { } names))
                {
                    // A filled gap is checked on the steps the model wrote, not on the piece it was given.
                    PianoRoll written = filled is null ? sampled : Slice(sampled, gapFrom, gapTo);
                    int warnAbove = result.GetValue(threshold) ?? NoveltyIndex.DefaultThreshold(grid);
                    if (warnAbove < 0)
                    {
                        throw new UsageException($"--novelty-threshold must be at least 0; got {warnAbove}.");
                    }
                    NoveltyReport novelty = new NoveltyIndex([.. names.Zip(rolls)]).Check(written, warnAbove);
                    o.Result(new { @event = "novelty", seed = seedValue, exact = novelty.Exact, transposed = novelty.Transposed, threshold = warnAbove, warning = novelty.Warning },
                        Describe(novelty));
                    StyleStatistics piece = StyleStatistics.Measure([written]), source = StyleStatistics.Measure(rolls);
                    double distance = piece.DistanceTo(source);
                    o.Result(new { @event = "style", seed = seedValue, distance, piece, corpus = source },
                        $"style distance to the corpus {distance:F3} (0 = the same statistics, 1 = nothing in common); empty steps {piece.EmptyStepRate:P0} " +
                        $"(corpus {source.EmptyStepRate:P0}), notes per sounding step {piece.MeanPolyphony:F2} ({source.MeanPolyphony:F2})");
                }
            }
        }));
        return command;
    }

    // out.mid for one piece; out-1.mid, out-2.mid, … for several.
    private static string Numbered(string path, int index, int count) =>
        count == 1 ? path : Path.Combine(Path.GetDirectoryName(path) ?? "", $"{Path.GetFileNameWithoutExtension(path)}-{index + 1}{Path.GetExtension(path)}");

    private static PianoRoll Slice(PianoRoll roll, int from, int to)
    {
        var part = new PianoRoll(to - from, roll.Range);
        for (int t = from; t < to; t++)
        {
            roll.Row(t).CopyTo(part.MutableRow(t - from));
        }
        return part;
    }

    // --steps, --bars or --seconds (one of them) as steps on the model's grid; null when none is given.
    private static int? MusicalSteps(int? steps, double? bars, string timeSignature, double? seconds, TimeGrid grid, double tempo)
    {
        if (new object?[] { steps, bars, seconds }.Count(v => v is not null) > 1)
        {
            throw new UsageException("Give the length once: --steps, --bars or --seconds.");
        }
        if (bars is double b)
        {
            if (GenerationLimits.Bars.Problem(b) is string problem)
            {
                throw new UsageException("--" + problem);
            }
            if (!MusicalLength.TryParseTimeSignature(timeSignature, out (int, int) signature))
            {
                throw new UsageException($"--time-signature must read like 4/4, 3/4 or 6/8; got '{timeSignature}'.");
            }
            return MusicalLength.StepsOfBars(grid, b, signature, tempo);
        }
        if (seconds is double s)
        {
            return GenerationLimits.Seconds.Problem(s) is string problem
                ? throw new UsageException("--" + problem)
                : MusicalLength.StepsOfSeconds(grid, s, tempo);
        }
        return steps;
    }

    // --transpose, or the move from the piece's estimated key to --key's tonic; 0 without either.
    private static int Semitones(int? transpose, string? key, PianoRoll piece)
    {
        if (transpose is not null && key is not null)
        {
            throw new UsageException("Give --transpose or --key, not both.");
        }
        if (transpose is int t)
        {
            return GenerationLimits.Transpose.Problem(t) is string problem ? throw new UsageException("--" + problem) : t;
        }
        if (key is null)
        {
            return 0;
        }
        if (!MusicalKey.TryParse(key, out MusicalKey target))
        {
            throw new UsageException($"--key must be {MusicalKey.Accepted}; got '{key}'.");
        }
        return MusicalKey.Estimate(piece) is MusicalKey found ? found.SemitonesTo(target) : 0;
    }

    private static string Describe(NoveltyReport novelty)
    {
        static string Where(NoveltyMatch m) => m.Steps == 0
            ? "no step in common"
            : $"{m.Steps} steps from step {m.PieceStart} match {m.Sequence} from its step {m.SequenceStart}" +
              (m.Transposition == 0 ? "" : $" transposed by {m.Transposition:+#;-#} semitones");
        string text = $"novelty: the longest run shared with the corpus: {Where(novelty.Exact)}";
        if (novelty.Transposed.Steps > novelty.Exact.Steps)
        {
            text += $"; up to transposition: {Where(novelty.Transposed)}";
        }
        return text + (novelty.Warning ? $". Warning: longer than {novelty.Threshold} steps, the piece copies its corpus." : ".");
    }
}
