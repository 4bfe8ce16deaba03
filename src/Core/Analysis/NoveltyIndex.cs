using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Analysis;

/// <summary>Where a piece shares its longest run of steps with a corpus.</summary>
/// <param name="Steps">Length of the run (0: not one frame in common).</param>
/// <param name="PieceStart">Its first step in the piece.</param>
/// <param name="Sequence">The corpus sequence that holds it (its name, as the index was given it).</param>
/// <param name="SequenceStart">Its first step in that sequence.</param>
/// <param name="Transposition">Semitones the corpus passage is moved by to give the piece's (0: as written).</param>
public sealed record NoveltyMatch(int Steps, int PieceStart, string? Sequence, int SequenceStart, int Transposition);

/// <summary>The novelty of one piece against a corpus.</summary>
/// <param name="Exact">The longest run of identical frames.</param>
/// <param name="Transposed">The longest run of frames identical up to one transposition of the whole run (at least <paramref name="Exact"/>'s length).</param>
/// <param name="Threshold">Runs longer than this many steps are a warning.</param>
public sealed record NoveltyReport(NoveltyMatch Exact, NoveltyMatch Transposed, int Threshold)
{
    /// <summary>Whether the piece copies more of the corpus than <see cref="Threshold"/> allows, as written or transposed.</summary>
    public bool Warning => Transposed.Steps > Threshold;
}

/// <summary>
/// An index of a corpus's frames that finds, for any piece, the longest run of consecutive steps it shares with one of
/// the corpus's sequences (docs/generation.md, "Is it new?"): exactly, and up to transposition. Built once per corpus
/// in time and memory linear in its steps (a suffix automaton over the sequence of frames), it answers in time linear
/// in the piece's length per transposition tried.
/// </summary>
/// <remarks>
/// A frame is the set of MIDI notes sounding at a step, whatever the roll's range, so corpora read over other ranges
/// compare correctly. Sequences are joined with separators no piece can match, so no run crosses two sequences.
/// Thread-safe for queries once built.
/// </remarks>
public sealed class NoveltyIndex
{
    /// <summary>Transpositions tried, each way, for the transposed run.</summary>
    public const int MaxTransposition = 12;

    private readonly Dictionary<UInt128, int> _frameIds = [];
    private readonly List<int> _length = [0];
    private readonly List<int> _link = [-1];
    private readonly List<int> _end = [-1];         // last position of the state's first occurrence
    private readonly Dictionary<long, int> _next = [];
    private readonly Dictionary<int, List<int>> _symbolsOf = [];
    private readonly int[] _sequenceStarts;          // position of each sequence's first step in the joined text
    private readonly string[] _names;
    private int _last;
    private int _position;

    /// <summary>Indexes <paramref name="sequences"/> (a name for messages, and the roll).</summary>
    public NoveltyIndex(IReadOnlyList<(string Name, PianoRoll Roll)> sequences)
    {
        _sequenceStarts = new int[sequences.Count];
        _names = new string[sequences.Count];
        for (int s = 0; s < sequences.Count; s++)
        {
            (string name, PianoRoll roll) = sequences[s];
            _names[s] = name;
            _sequenceStarts[s] = _position;
            for (int t = 0; t < roll.Steps; t++)
            {
                UInt128 frame = Frame(roll, t);
                if (!_frameIds.TryGetValue(frame, out int id))
                {
                    id = _frameIds.Count;
                    _frameIds.Add(frame, id);
                }
                Extend(id);
            }
            Extend(-1 - s); // a separator, unique to this sequence
        }
    }

    /// <summary>Quarter notes of a shared run above which a piece is warned about by default: two bars of 4/4.</summary>
    public const int DefaultThresholdQuarters = 8;

    /// <summary>
    /// The default threshold on <paramref name="grid"/>: <see cref="DefaultThresholdQuarters"/> quarter notes in steps (on a
    /// grid of seconds, at 120 quarter notes per minute).
    /// </summary>
    public static int DefaultThreshold(TimeGrid grid) => grid switch
    {
        TimeGrid.Beats beats => DefaultThresholdQuarters * beats.StepsPerQuarter,
        TimeGrid.Seconds seconds => (int)Math.Ceiling(DefaultThresholdQuarters * 0.5 / seconds.StepSeconds),
        _ => throw new ArgumentOutOfRangeException(nameof(grid), grid, "Unknown time grid."),
    };

    /// <summary>Steps indexed (all sequences).</summary>
    public int Steps => _position - _names.Length;

    /// <summary>The longest runs <paramref name="piece"/> shares with the corpus, and whether it exceeds <paramref name="threshold"/> steps.</summary>
    public NoveltyReport Check(PianoRoll piece, int threshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        // The piece is shifted by each amount and matched; a match at shift s is the corpus moved by -s.
        var frames = new UInt128[piece.Steps];
        for (int t = 0; t < frames.Length; t++)
        {
            frames[t] = Frame(piece, t);
        }
        NoveltyMatch exact = Longest(frames, 0);
        NoveltyMatch transposed = exact;
        for (int shift = -MaxTransposition; shift <= MaxTransposition; shift++)
        {
            if (shift != 0 && Longest(frames, shift) is { } match && match.Steps > transposed.Steps)
            {
                transposed = match;
            }
        }
        return new NoveltyReport(exact, transposed, threshold);
    }

    // The longest common run of the piece shifted by `shift` semitones and any indexed sequence: the automaton's walk.
    private NoveltyMatch Longest(UInt128[] frames, int shift)
    {
        int state = 0, length = 0, bestLength = 0, bestEndInPiece = -1, bestEndInText = -1;
        for (int t = 0; t < frames.Length; t++)
        {
            int id = Shifted(frames[t], shift) is UInt128 f && _frameIds.TryGetValue(f, out int known) ? known : int.MinValue;
            if (id == int.MinValue)
            {
                state = 0;
                length = 0;
                continue;
            }
            while (state != 0 && !_next.ContainsKey(Key(state, id)))
            {
                state = _link[state];
                length = _length[state];
            }
            if (_next.TryGetValue(Key(state, id), out int to))
            {
                state = to;
                length++;
            }
            else
            {
                state = 0;
                length = 0;
            }
            if (length > bestLength)
            {
                bestLength = length;
                bestEndInPiece = t;
                bestEndInText = _end[state];
            }
        }
        if (bestLength == 0)
        {
            return new NoveltyMatch(0, 0, null, 0, -shift);
        }
        int startInText = bestEndInText - bestLength + 1;
        int sequence = Array.BinarySearch(_sequenceStarts, startInText);
        sequence = sequence >= 0 ? sequence : ~sequence - 1;
        return new NoveltyMatch(bestLength, bestEndInPiece - bestLength + 1, _names[sequence], startInText - _sequenceStarts[sequence], -shift);
    }

    // The suffix automaton's online extension by one symbol (Blumer et al.; each state keeps the end of its first occurrence).
    private void Extend(int symbol)
    {
        int current = NewState(_length[_last] + 1, _position);
        int p = _last;
        while (p != -1 && !_next.ContainsKey(Key(p, symbol)))
        {
            AddTransition(p, symbol, current);
            p = _link[p];
        }
        if (p == -1)
        {
            _link[current] = 0;
        }
        else
        {
            int q = _next[Key(p, symbol)];
            if (_length[p] + 1 == _length[q])
            {
                _link[current] = q;
            }
            else
            {
                int clone = NewState(_length[p] + 1, _end[q]);
                _link[clone] = _link[q];
                foreach (int s in Symbols(q))
                {
                    AddTransition(clone, s, _next[Key(q, s)]);
                }
                while (p != -1 && _next.TryGetValue(Key(p, symbol), out int target) && target == q)
                {
                    _next[Key(p, symbol)] = clone;
                    p = _link[p];
                }
                _link[q] = clone;
                _link[current] = clone;
            }
        }
        _last = current;
        _position++;
    }

    // The symbols leaving a state, kept beside the transition table (keyed by state and symbol) for the clones.
    private List<int> Symbols(int state) => _symbolsOf.TryGetValue(state, out List<int>? symbols) ? symbols : [];

    private void AddTransition(int from, int symbol, int to)
    {
        _next.Add(Key(from, symbol), to);
        if (!_symbolsOf.TryGetValue(from, out List<int>? symbols))
        {
            _symbolsOf[from] = symbols = [];
        }
        symbols.Add(symbol);
    }

    private int NewState(int length, int end)
    {
        _length.Add(length);
        _link.Add(-1);
        _end.Add(end);
        return _length.Count - 1;
    }

    private static long Key(int state, int symbol) => ((long)state << 32) | (uint)symbol;

    private static UInt128 Frame(PianoRoll roll, int step)
    {
        UInt128 frame = 0;
        ReadOnlySpan<byte> row = roll.Row(step);
        for (int j = 0; j < row.Length; j++)
        {
            if (row[j] != 0)
            {
                frame |= UInt128.One << (roll.Range.Lowest + j);
            }
        }
        return frame;
    }

    // The frame moved by `shift` semitones, or null when a note would leave MIDI's 128 keys.
    private static UInt128? Shifted(UInt128 frame, int shift)
    {
        if (shift == 0)
        {
            return frame;
        }
        UInt128 moved = shift > 0 ? frame << shift : frame >> -shift;
        UInt128 back = shift > 0 ? moved >> shift : moved << -shift;
        return back == frame ? moved : null;
    }
}
