using RnnRbm.Core.Numerics;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Training;

/// <summary>Validation data for a corpus that has none: a seeded tenth of the training sequences, held out.</summary>
public static class TrainingSplit
{
    /// <summary>Share of the training sequences held out when there is no validation split.</summary>
    public const double HeldOutShare = 0.1;

    private const ulong HoldOutStream = 5;

    /// <summary>
    /// Splits <paramref name="train"/> into what is learned from and a seeded tenth (at least one sequence) held out to
    /// validate on. With fewer than two sequences nothing can be held out: the second list is empty.
    /// Both lists keep the given order.
    /// </summary>
    public static (IReadOnlyList<PianoRoll> Train, IReadOnlyList<PianoRoll> HeldOut) HoldOut(IReadOnlyList<PianoRoll> train, ulong seed)
    {
        if (train.Count < 2)
        {
            return (train, []);
        }
        int count = Math.Max(1, (int)Math.Round(train.Count * HeldOutShare));
        var held = new HashSet<int>(SeededOrder(train.Count, seed, HoldOutStream).Take(count));
        return ([.. train.Where((_, i) => !held.Contains(i))], [.. train.Where((_, i) => held.Contains(i))]);
    }

    /// <summary>A permutation of 0..count-1 from stream <paramref name="stream"/> of <paramref name="seed"/> (Fisher–Yates).</summary>
    internal static int[] SeededOrder(int count, ulong seed, ulong stream)
    {
        var random = new VectorRandom(seed, stream);
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
