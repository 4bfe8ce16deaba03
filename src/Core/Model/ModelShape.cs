namespace RnnRbm.Core.Model;

/// <summary>
/// The sizes of an RNN-RBM: V visible units (pitches), H hidden units of each conditional RBM, U recurrent units; and
/// the kind of recurrence (the paper's tanh, or a GRU), which decides which tensors θ holds.
/// </summary>
public readonly record struct ModelShape
{
    /// <summary>The largest size accepted for any of V, H, U: keeps a hostile model file or request from asking for gigabytes.</summary>
    public const int MaxUnits = 2048;

    /// <summary>Creates a shape; each size must lie in [1, <see cref="MaxUnits"/>].</summary>
    public ModelShape(int visible, int hidden, int recurrent)
    {
        Check(visible, nameof(visible));
        Check(hidden, nameof(hidden));
        Check(recurrent, nameof(recurrent));
        Visible = visible;
        Hidden = hidden;
        Recurrent = recurrent;
    }

    /// <summary>Creates a shape with the recurrence <paramref name="kind"/>.</summary>
    public ModelShape(int visible, int hidden, int recurrent, RecurrenceKind kind)
        : this(visible, hidden, recurrent)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "The recurrence is tanh or gru.");
        }
        Kind = kind;
    }

    /// <summary>The seed's sizes: V 88, H 150, U 100.</summary>
    public static ModelShape Seed => new(88, 150, 100);

    /// <summary>V: visible units, one per pitch.</summary>
    public int Visible { get; }

    /// <summary>H: hidden units of the conditional RBM.</summary>
    public int Hidden { get; }

    /// <summary>U: hidden units of the RNN.</summary>
    public int Recurrent { get; }

    /// <summary>The recurrence: tanh (the paper's, the default) or a GRU.</summary>
    public RecurrenceKind Kind { get; }

    /// <summary>Number of scalars of θ, u0 and any gates included (<see cref="RnnRbmParameters.Tensors"/>).</summary>
    public long ParameterCount => ParameterCountWithoutU0 + Recurrent
        + (Kind == RecurrenceKind.Gru ? 2 * (((long)Visible * Recurrent) + ((long)Recurrent * Recurrent) + Recurrent) : 0);

    /// <summary>Number of scalars of a tanh θ without u0: what a version 1 model file holds.</summary>
    public long ParameterCountWithoutU0 =>
        ((long)Visible * Hidden) + Visible + Hidden + ((long)Recurrent * Hidden) + ((long)Recurrent * Visible)
        + ((long)Visible * Recurrent) + ((long)Recurrent * Recurrent) + Recurrent;

    private static void Check(int value, string name)
    {
        if (value < 1 || value > MaxUnits)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must lie in [1, {MaxUnits}].");
        }
    }
}
