using RnnRbm.Core.Limits;

namespace RnnRbm.Core.PianoRolls;

/// <summary>
/// Every numeric field of a corpus upload (<c>POST /api/corpora</c>, the Corpora page) with its bounds and default: how
/// many of the files without a split of their own go to valid, and the seed of that shuffle.
/// </summary>
public static class CorpusLimits
{
    /// <summary>At most half the files go to valid: a corpus must keep most of its files to learn from.</summary>
    public const double MaxValidFraction = 0.5;
    public const double DefaultValidFraction = 0.1;
    public const ulong DefaultSplitSeed = 0;

    public static FieldLimit ValidFraction { get; } = FieldLimit.Real("validFraction", 0, MaxValidFraction, DefaultValidFraction);

    /// <summary>Any unsigned 64-bit integer.</summary>
    public static FieldLimit SplitSeed { get; } = FieldLimit.Whole("splitSeed", 0, null, (long)DefaultSplitSeed);

    /// <summary>Every field, in the form's order.</summary>
    public static IReadOnlyList<FieldLimit> All { get; } = [ValidFraction, SplitSeed];
}
