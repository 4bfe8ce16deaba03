using RnnRbm.Core.Limits;

namespace RnnRbm.Core.Model;

/// <summary>
/// The service's bounds on one generation (<c>POST /generate</c>, <c>rnnrbm generate</c>, the Generate page): tighter
/// than <see cref="RnnRbmGenerator"/>'s own, so that one request stays within seconds.
/// </summary>
public static class GenerationLimits
{
    public const int DefaultSteps = 200;
    public const int MaxSteps = 10_000;
    public const int DefaultGibbsK = 25;
    public const int MaxGibbsK = 1000;
    public const int MaxPrimerSteps = 10_000;

    /// <summary>
    /// Most Gibbs sweeps (steps × gibbsK) one request may ask for: about 5 s for the seed's 88×150×100 model on one
    /// core (5 µs a sweep), so a request cannot hold a slot for a minute (10000 × 1000 would).
    /// </summary>
    public const long MaxGibbsSweeps = 1_000_000;
    public const double DefaultTempo = 120;
    public const double MinTempo = 4;
    public const double MaxTempo = 1000;
    public const int MaxProgram = 127;
    public const double MinTemperature = 0.05;
    public const double MaxTemperature = 20;

    /// <summary>
    /// Largest body of <c>POST /generate</c>: its fields and three MIDI files (a primer, a melody and a piece whose gap to fill) of at most
    /// <paramref name="maxFileBytes"/> each as base64.
    /// </summary>
    public static long MaxBodyBytes(int maxFileBytes) => BodyLimits.WithFiles(3, maxFileBytes);

    /// <summary>The response formats, lower case; the first is the default.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["midi", "png", "json"];

    public static FieldLimit Steps { get; } = FieldLimit.Whole("steps", 1, MaxSteps, DefaultSteps);
    public static FieldLimit GibbsK { get; } = FieldLimit.Whole("gibbsK", 1, MaxGibbsK, DefaultGibbsK);
    /// <summary>Quarter notes per minute written into the MIDI file.</summary>
    public static FieldLimit Tempo { get; } = FieldLimit.Real("tempo", MinTempo, MaxTempo, DefaultTempo, unit: "quarter notes per minute");
    /// <summary>General MIDI program; 0 is the acoustic grand piano.</summary>
    public static FieldLimit Program { get; } = FieldLimit.Whole("program", 0, MaxProgram, 0);
    /// <summary>Energies divided by T while sampling (<see cref="GenerationControls.Temperature"/>); 1 is the model.</summary>
    public static FieldLimit Temperature { get; } = FieldLimit.Real("temperature", MinTemperature, MaxTemperature, 1);
    /// <summary>Any unsigned 64-bit integer; random when absent.</summary>
    public static FieldLimit Seed { get; } = FieldLimit.Whole("seed", 0, null);

    /// <summary>Length in bars of <c>timeSignature</c> instead of steps (steps from the model's grid and the tempo).</summary>
    public static FieldLimit Bars { get; } = FieldLimit.Real("bars", 0.25, 2000, unit: "bars");
    /// <summary>Length in seconds instead of steps, at the request's tempo.</summary>
    public static FieldLimit Seconds { get; } = FieldLimit.Real("seconds", 0.5, 3600, unit: "seconds");
    /// <summary>Semitones the output is moved by (its range moves with it).</summary>
    public static FieldLimit Transpose { get; } = FieldLimit.Whole("transpose", -24, 24, 0);
    /// <summary>The time signature bars count in when none is given.</summary>
    public const string DefaultTimeSignature = "4/4";

    /// <summary>Most candidate fillings one gap may ask for (importance resampling's K).</summary>
    public const int MaxCandidates = 32;

    /// <summary>
    /// K, the candidate fillings of a gap sampled and weighed by the right context (<see cref="RnnRbmGenerator.FillGap"/>).
    /// Each costs a generation of the gap's length and a scoring of the right context.
    /// </summary>
    public static FieldLimit Candidates { get; } = FieldLimit.Whole("candidates", 1, MaxCandidates, 8);

    /// <summary>The gap's first step (steps of the piece before it are kept and read as its left context).</summary>
    public static FieldLimit GapStart { get; } = FieldLimit.Whole("gapStart", 0, MaxPrimerSteps - 1);

    /// <summary>One past the gap's last step: the gap is [gapStart, gapEnd); the steps from gapEnd on are kept.</summary>
    public static FieldLimit GapEnd { get; } = FieldLimit.Whole("gapEnd", 1, MaxPrimerSteps);

    /// <summary>
    /// Steps after a gap whose likelihood weighs the candidates: the music a filling must lead into. A bound keeps the
    /// cost of a candidate's score fixed (a few tenths of a generated step each, docs/benchmarks.md); steps further on
    /// depend on the gap through the recurrent state only and weigh little.
    /// </summary>
    public const int FillRightContextSteps = 32;

    /// <summary>Pieces one request samples, with seeds seed, seed + 1, …; each is its own generation in the history.</summary>
    public static FieldLimit Count { get; } = FieldLimit.Whole("count", 1, 8, 1);

    /// <summary>Pieces a style measurement generates (<c>POST /api/models/{id}/style</c>).</summary>
    public static FieldLimit StylePieces { get; } = FieldLimit.Whole("pieces", 1, 32, 8);

    /// <summary>The fields of a style measurement: how many pieces, and each piece as a generation samples it.</summary>
    public static IReadOnlyList<FieldLimit> Style { get; } = [StylePieces, Steps, GibbsK, Seed, Temperature];

    /// <summary>Every field, in the order of the request.</summary>
    public static IReadOnlyList<FieldLimit> All { get; } = [Steps, GibbsK, Seed, Tempo, Program, Temperature, Bars, Seconds, Transpose, Count, GapStart, GapEnd, Candidates];
}
