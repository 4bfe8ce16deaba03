namespace RnnRbm.Core.Midi;

/// <summary>
/// One global tempo map for the whole file, merged from the tempo events of every track
/// (the seed kept a running tempo per track walk, which mistimes type-1 files; see docs/model.md, "MIDI and piano-rolls").
/// Converts ticks to seconds with an exact integer numerator (ticks × µs per quarter), so only
/// the final division rounds.
/// </summary>
internal sealed class TempoMap
{
    /// <summary>The SMF default when no tempo is set: 120 bpm.</summary>
    public const int DefaultMicrosecondsPerQuarter = 500_000;

    private readonly long[] _ticks;
    private readonly int[] _tempos;
    // Σ Δticks·µs/quarter up to each change: seconds = numerator / (division · 10⁶).
    private readonly Int128[] _numerators;
    private readonly double _denominator;

    /// <param name="division">Ticks per quarter note.</param>
    /// <param name="changes">Tempo events (tick, µs per quarter) in file order: track by track, each track in time order.</param>
    public TempoMap(int division, IEnumerable<(long Tick, int MicrosecondsPerQuarter)> changes)
    {
        // Stable sort by tick: at one tick, the change read last (later track) wins.
        var sorted = changes.Select((c, i) => (c.Tick, c.MicrosecondsPerQuarter, i))
            .OrderBy(c => c.Tick).ThenBy(c => c.i).ToList();
        var ticks = new List<long> { 0 };
        var tempos = new List<int> { DefaultMicrosecondsPerQuarter };
        foreach (var (tick, tempo, _) in sorted)
        {
            if (ticks[^1] == tick)
            {
                tempos[^1] = tempo;
            }
            else
            {
                ticks.Add(tick);
                tempos.Add(tempo);
            }
        }
        _ticks = [.. ticks];
        _tempos = [.. tempos];
        _numerators = new Int128[_ticks.Length];
        for (int i = 1; i < _ticks.Length; i++)
        {
            _numerators[i] = _numerators[i - 1] + (Int128)(_ticks[i] - _ticks[i - 1]) * _tempos[i - 1];
        }
        _denominator = division * 1e6;
    }

    /// <summary>Seconds from the start of the file to <paramref name="tick"/>.</summary>
    public double Seconds(long tick)
    {
        int i = Array.BinarySearch(_ticks, tick);
        if (i < 0)
        {
            i = ~i - 1;
        }
        Int128 numerator = _numerators[i] + (Int128)(tick - _ticks[i]) * _tempos[i];
        return (double)numerator / _denominator;
    }
}
