namespace RnnRbm.Core.PianoRolls;

/// <summary>
/// A binary piano-roll: <see cref="Steps"/> time steps × the pitches of <see cref="Range"/>.
/// It is where MIDI (<c>Core/Midi</c>) and the model (<c>Core/Model</c>) meet; neither knows the other.
/// Cells are stored row-major (one contiguous row of <see cref="PitchRange.Count"/> bytes per step), 0 or 1.
/// </summary>
public sealed class PianoRoll
{
    private readonly byte[] _cells;

    /// <summary>Creates a silent roll of <paramref name="steps"/> steps over <paramref name="range"/>.</summary>
    public PianoRoll(int steps, PitchRange range)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        Steps = steps;
        Range = range;
        _cells = new byte[checked(steps * range.Count)];
    }

    /// <summary>Number of time steps (rows).</summary>
    public int Steps { get; }

    /// <summary>The pitches the columns stand for: column <c>j</c> is MIDI note <c>Range.Lowest + j</c>.</summary>
    public PitchRange Range { get; }

    /// <summary>Whether MIDI note <paramref name="midiNote"/> sounds at <paramref name="step"/>.</summary>
    public bool this[int step, int midiNote]
    {
        get => _cells[Index(step, midiNote)] != 0;
        set => _cells[Index(step, midiNote)] = value ? (byte)1 : (byte)0;
    }

    /// <summary>The cells of one step, column <c>j</c> = MIDI note <c>Range.Lowest + j</c>.</summary>
    public ReadOnlySpan<byte> Row(int step) => _cells.AsSpan(RowStart(step), Range.Count);

    /// <summary>Writable cells of one step (0 or 1 only).</summary>
    public Span<byte> MutableRow(int step) => _cells.AsSpan(RowStart(step), Range.Count);

    /// <summary>All cells, row-major.</summary>
    public ReadOnlySpan<byte> Cells => _cells;

    /// <summary>Number of sounding cells.</summary>
    public int CountActive()
    {
        int count = 0;
        foreach (byte cell in _cells)
        {
            count += cell;
        }
        return count;
    }

    /// <summary>The MIDI notes sounding at <paramref name="step"/>, ascending.</summary>
    public IReadOnlyList<int> NotesAt(int step)
    {
        var notes = new List<int>();
        ReadOnlySpan<byte> row = Row(step);
        for (int j = 0; j < row.Length; j++)
        {
            if (row[j] != 0)
            {
                notes.Add(Range.Lowest + j);
            }
        }
        return notes;
    }

    /// <summary>Builds a roll from per-step lists of MIDI notes (the JSON piano-roll form of the datasets).</summary>
    /// <exception cref="ArgumentException">A note lies outside <paramref name="range"/>.</exception>
    public static PianoRoll FromNoteLists(IReadOnlyList<IReadOnlyList<int>> steps, PitchRange range)
    {
        var roll = new PianoRoll(steps.Count, range);
        for (int t = 0; t < steps.Count; t++)
        {
            foreach (int note in steps[t])
            {
                if (!range.Contains(note))
                {
                    throw new ArgumentException($"MIDI note {note} at step {t} lies outside {range}.", nameof(steps));
                }
                roll[t, note] = true;
            }
        }
        return roll;
    }

    /// <summary>
    /// SHA-256 (lower-case hex) over the length and cells of each roll, in order: what a model's manifest records of
    /// the corpus it learned from, and what a resumed training checks has not changed.
    /// </summary>
    public static string Digest(IEnumerable<PianoRoll> rolls)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (PianoRoll roll in rolls)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, roll.Steps);
            hash.AppendData(length);
            hash.AppendData(roll.Cells);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// The same cells over a range moved by <paramref name="semitones"/>: every note sounds that many semitones higher
    /// (lower when negative). Null when the moved range would leave MIDI's notes 0-127.
    /// </summary>
    public PianoRoll? Transposed(int semitones)
    {
        if (Range.Lowest + semitones < 0 || Range.End + semitones > 128)
        {
            return null;
        }
        var moved = new PianoRoll(Steps, new PitchRange(Range.Lowest + semitones, Range.End + semitones));
        _cells.CopyTo(moved._cells, 0);
        return moved;
    }

    /// <summary>True when both rolls have the same range, length and cells.</summary>
    public bool ContentEquals(PianoRoll other) =>
        other.Range == Range && other.Steps == Steps && other._cells.AsSpan().SequenceEqual(_cells);

    private int RowStart(int step)
    {
        if ((uint)step >= (uint)Steps)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"The roll has {Steps} steps.");
        }
        return step * Range.Count;
    }

    private int Index(int step, int midiNote)
    {
        if (!Range.Contains(midiNote))
        {
            throw new ArgumentOutOfRangeException(nameof(midiNote), midiNote, $"Outside {Range}.");
        }
        return RowStart(step) + (midiNote - Range.Lowest);
    }
}
