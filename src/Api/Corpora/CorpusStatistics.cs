using System.Globalization;
using System.Text.Json;
using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Corpora;

/// <summary>
/// The statistics of a corpus, computed once at upload over its accepted files and stored as
/// <c>CorpusEntity.StatisticsJson</c> (with the split settings, which have no column of their own).
/// </summary>
/// <remarks>
/// Everything is measured on one reference grid, <see cref="Grid"/>: 2 steps per quarter note (the paper's
/// eighth notes, tempo ignored) over the 88 piano keys, drums left out. A training may read the files on another
/// grid; these numbers describe the corpus, not a training's input.
/// </remarks>
internal sealed record CorpusStatistics(
    CorpusSteps Steps,
    long[] PitchNoteSteps,
    PolyphonyStats Polyphony,
    IReadOnlyList<TempoCount> Tempos,
    IReadOnlyList<TimeSignatureCount> TimeSignatures,
    double? ValidFraction,
    ulong? SplitSeed)
{
    public const int StepsPerQuarter = 2;

    /// <summary>How every accepted file is read for its statistics.</summary>
    public static MidiReadOptions ReadOptions(int maxFileBytes) => new()
    {
        Grid = new TimeGrid.Beats(StepsPerQuarter),
        Range = PitchRange.Piano,
        IncludeDrums = false,
        Limits = MidiLimits.Default with { MaxBytes = maxFileBytes },
    };

    public static StatisticsGrid Grid { get; } = new(
        StepsPerQuarter,
        PitchRange.Piano.Lowest,
        PitchRange.Piano.End - 1,
        Drums: false,
        Description: "2 steps per quarter note (eighth notes, tempo ignored), the 88 piano keys MIDI 21 (A0) to 108 (C8), drums (channel 10) left out");

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static CorpusStatistics FromJson(string json) =>
        JsonSerializer.Deserialize<CorpusStatistics>(json, Json) ?? throw new InvalidOperationException("Empty corpus statistics.");

    public IReadOnlyList<PitchCount> Histogram() =>
        [.. PitchNoteSteps.Select((count, j) => new PitchCount(PitchRange.Piano.Lowest + j, NoteName(PitchRange.Piano.Lowest + j), count))];

    private static readonly string[] PitchClasses = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

    /// <summary>Scientific pitch notation: MIDI 60 = C4.</summary>
    public static string NoteName(int midiNote) =>
        PitchClasses[midiNote % 12] + (midiNote / 12 - 1).ToString(CultureInfo.InvariantCulture);
}

/// <summary>Measures one roll (per-file stats) and sums rolls into corpus statistics.</summary>
internal sealed class CorpusStatisticsBuilder
{
    private readonly long[] _pitchNoteSteps = new long[PitchRange.Piano.Count];
    private readonly Dictionary<double, int> _tempos = [];
    private readonly Dictionary<string, int> _timeSignatures = new(StringComparer.Ordinal);
    private long _noteSteps;
    private long _silent;
    private int _max;

    /// <summary>Measures <paramref name="result"/> and adds it to the corpus totals.</summary>
    public CorpusFileStats Add(MidiReadResult result)
    {
        PianoRoll roll = result.Roll;
        long noteSteps = 0;
        int silent = 0;
        int max = 0;
        for (int t = 0; t < roll.Steps; t++)
        {
            ReadOnlySpan<byte> row = roll.Row(t);
            int sounding = 0;
            for (int j = 0; j < row.Length; j++)
            {
                sounding += row[j];
                _pitchNoteSteps[j] += row[j];
            }
            noteSteps += sounding;
            silent += sounding == 0 ? 1 : 0;
            max = Math.Max(max, sounding);
        }

        _noteSteps += noteSteps;
        _silent += silent;
        _max = Math.Max(_max, max);
        MidiFileStats s = result.Stats;
        foreach (double bpm in s.Tempos)
        {
            _tempos[bpm] = _tempos.GetValueOrDefault(bpm) + 1;
        }
        foreach (string signature in s.TimeSignatures)
        {
            _timeSignatures[signature] = _timeSignatures.GetValueOrDefault(signature) + 1;
        }
        return new CorpusFileStats(s.Format, s.Tracks, s.Division, s.Steps, s.Notes, s.NotesOutsideRange, s.UnclosedNotes,
            s.DrumNotesSkipped, noteSteps, silent, max, s.Tempos, s.TimeSignatures, s.Channels, s.DurationSeconds);
    }

    /// <summary>The totals so far; <paramref name="steps"/> per split, since splits are assigned after every file is read.</summary>
    public CorpusStatistics Build(CorpusSteps steps, double? validFraction, ulong? splitSeed)
    {
        long total = steps.Total;
        long sounding = total - _silent;
        var polyphony = new PolyphonyStats(
            MeanNotesPerStep: total == 0 ? 0 : Math.Round((double)_noteSteps / total, 4),
            MeanNotesPerSoundingStep: sounding == 0 ? 0 : Math.Round((double)_noteSteps / sounding, 4),
            MaxNotes: _max,
            SilentSteps: _silent);
        return new CorpusStatistics(
            steps,
            (long[])_pitchNoteSteps.Clone(),
            polyphony,
            [.. _tempos.OrderBy(p => p.Key).Select(p => new TempoCount(p.Key, p.Value))],
            [.. _timeSignatures.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => new TimeSignatureCount(p.Key, p.Value))],
            validFraction,
            splitSeed);
    }
}
