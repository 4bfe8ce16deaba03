using System.Globalization;

namespace RnnRbm.Core.Evaluation;

/// <summary>
/// The inverse temperatures 0 = β_0 &lt; β_1 ≤ … ≤ β_K = 1 of annealed importance sampling: K transitions, K + 1
/// distributions (Salakhutdinov &amp; Murray, "On the quantitative analysis of deep belief networks", ICML 2008, §4.1).
/// </summary>
public sealed class AisSchedule
{
    /// <summary>Largest number of transitions accepted (the paper's schedule has 14 500).</summary>
    public const int MaxTransitions = 1_000_000;

    // Salakhutdinov & Murray's segments: 500 uniformly spaced β in [0, 0.5], 4 000 in [0.5, 0.9], 10 000 in [0.9, 1].
    private static readonly (double End, int Count)[] PaperSegments = [(0.5, 500), (0.9, 4000), (1.0, 10000)];

    private readonly double[] _betas;

    private AisSchedule(double[] betas, string description)
    {
        _betas = betas;
        Description = description;
    }

    /// <summary>β_0 .. β_K.</summary>
    public IReadOnlyList<double> Betas => _betas;

    /// <summary>K, the number of transitions (intermediate distributions plus the target).</summary>
    public int Transitions => _betas.Length - 1;

    /// <summary>How the schedule was made, e.g. "sm 1450 (50 + 400 + 1000)".</summary>
    public string Description { get; }

    /// <summary>The schedule of Salakhutdinov &amp; Murray (2008) that the RNN-RBM paper used: 14 500 transitions.</summary>
    public static AisSchedule Paper => Segments(PaperSegments);

    /// <summary>
    /// The evaluation default: Salakhutdinov &amp; Murray's proportions with 200 transitions. Started from each
    /// step's visible marginals (<see cref="AisBase.Marginals"/>), doubling it to 400 and 800 moves the Nottingham
    /// log-likelihood of the default model by less than 0.01 nats (docs/evaluation.md).
    /// </summary>
    public static AisSchedule Default => SalakhutdinovMurray(200);

    /// <summary>K transitions uniformly spaced in β.</summary>
    public static AisSchedule Linear(int transitions)
    {
        Check(transitions);
        var betas = new double[transitions + 1];
        for (int k = 0; k <= transitions; k++)
        {
            betas[k] = (double)k / transitions;
        }
        return new AisSchedule(betas, $"linear {transitions}");
    }

    /// <summary>
    /// Salakhutdinov &amp; Murray's three linear segments ([0, 0.5], [0.5, 0.9], [0.9, 1]) in their proportions
    /// 500 : 4 000 : 10 000, scaled to <paramref name="transitions"/> in all (at least 3).
    /// </summary>
    public static AisSchedule SalakhutdinovMurray(int transitions)
    {
        Check(transitions);
        if (transitions < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(transitions), transitions, "The three-segment schedule needs at least 3 transitions.");
        }
        int first = Math.Max(1, (int)Math.Round(transitions * 500.0 / 14500));
        int second = Math.Max(1, (int)Math.Round(transitions * 4000.0 / 14500));
        int third = transitions - first - second;
        AisSchedule s = Segments([(0.5, first), (0.9, second), (1.0, third)]);
        return new AisSchedule(s._betas, $"sm {transitions} ({first} + {second} + {third})");
    }

    /// <summary>Consecutive linear segments from β = 0: segment i ends at End_i with Count_i uniformly spaced steps.</summary>
    public static AisSchedule Segments(IReadOnlyList<(double End, int Count)> segments)
    {
        var betas = new List<double> { 0 };
        double start = 0;
        foreach ((double end, int count) in segments)
        {
            if (!(end > start) || end > 1 || count < 1)
            {
                throw new ArgumentException("Segments need increasing ends in (0, 1] and at least one step each.", nameof(segments));
            }
            for (int k = 1; k <= count; k++)
            {
                betas.Add(start + ((end - start) * k / count));
            }
            start = end;
        }
        if (start != 1)
        {
            throw new ArgumentException("The last segment must end at β = 1.", nameof(segments));
        }
        Check(betas.Count - 1);
        betas[^1] = 1;
        string text = string.Join(" + ", segments.Select(s => s.Count.ToString(CultureInfo.InvariantCulture)));
        return new AisSchedule([.. betas], $"segments {betas.Count - 1} ({text})");
    }

    /// <summary>
    /// The schedule named by <paramref name="kind"/> ("sm" for <see cref="SalakhutdinovMurray"/>, "linear", or "paper")
    /// with <paramref name="transitions"/> transitions (ignored for "paper").
    /// </summary>
    /// <exception cref="ArgumentException">Unknown kind, or a count out of range.</exception>
    public static AisSchedule Create(string kind, int transitions) => kind.ToUpperInvariant() switch
    {
        "SM" => SalakhutdinovMurray(transitions),
        "LINEAR" => Linear(transitions),
        "PAPER" => Paper,
        _ => throw new ArgumentException($"Unknown AIS schedule '{kind}': use sm, linear or paper.", nameof(kind)),
    };

    /// <summary>The description.</summary>
    public override string ToString() => Description;

    private static void Check(int transitions)
    {
        if (transitions < 1 || transitions > MaxTransitions)
        {
            throw new ArgumentOutOfRangeException(nameof(transitions), transitions, $"An AIS schedule has 1 to {MaxTransitions} transitions.");
        }
    }
}
