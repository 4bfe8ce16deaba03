using System.Globalization;
using RnnRbm.Core.Limits;
using RnnRbm.Core.Model;
using RnnRbm.Core.Training;

namespace RnnRbm.Core.Search;

/// <summary>
/// What a hyperparameter search chooses from (docs/search.md): the learning rate on a log scale, the sizes, CD's
/// Gibbs steps, the momentum and the two pretrainings (the ablation's only options that helped on a corpus); everything
/// else comes from the default recipe. How long trials run: successive halving's rungs, from
/// <see cref="MinEpochs"/> by a factor <see cref="Reduction"/> up to <see cref="MaxEpochs"/>.
/// </summary>
/// <remarks>Not tuned to a corpus: wide enough to hold the default recipe and the settings that suited either paper corpus.</remarks>
public sealed record SearchSpace
{
    /// <summary>Smallest learning rate (sampled log-uniformly between the two).</summary>
    public double MinLearningRate { get; init; } = 0.0005;

    /// <summary>Largest learning rate.</summary>
    public double MaxLearningRate { get; init; } = 0.01;

    /// <summary>H, hidden units of each RBM.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [100, 150, 200, 300];

    /// <summary>U, hidden units of the RNN.</summary>
    public IReadOnlyList<int> Recurrent { get; init; } = [50, 100, 150];

    /// <summary>Gibbs steps of contrastive divergence.</summary>
    public IReadOnlyList<int> CdK { get; init; } = [10, 15, 25];

    /// <summary>Nesterov momentum coefficients.</summary>
    public IReadOnlyList<double> Momentum { get; init; } = [0.5, 0.9];

    /// <summary>Epochs of RBM pretraining (0 = none).</summary>
    public IReadOnlyList<int> RbmPretrainEpochs { get; init; } = [0, 10];

    /// <summary>Epochs of RNN pretraining (0 = none).</summary>
    public IReadOnlyList<int> RnnPretrainEpochs { get; init; } = [0, 10];

    /// <summary>Epochs of the first rung: every trial trains at least this long before it is compared.</summary>
    public int MinEpochs { get; init; } = 10;

    /// <summary>Successive halving's factor: the best 1/Reduction of a rung go on, each rung Reduction times longer.</summary>
    public int Reduction { get; init; } = 3;

    /// <summary>The most epochs one trial trains (its last rung).</summary>
    public int MaxEpochs { get; init; } = TrainingRecipe.Default.Options.Epochs;

    /// <summary>The default space.</summary>
    public static SearchSpace Default { get; } = new();

    /// <summary>Bounds of the space's own fields (the trial settings are bounded by <see cref="TrainingLimits"/>).</summary>
    public static class Limits
    {
        public const int MaxChoices = 32;
        public const int MaxReduction = 10;
    }

    /// <summary>The rungs' epoch counts: MinEpochs·Reduction^k below MaxEpochs, then MaxEpochs.</summary>
    public IReadOnlyList<int> Rungs()
    {
        var rungs = new List<int>();
        for (long e = MinEpochs; e < MaxEpochs; e *= Reduction)
        {
            rungs.Add((int)e);
        }
        rungs.Add(MaxEpochs);
        return rungs;
    }

    /// <summary>
    /// Every trial's validation and early stopping: the default recipe's, validating at every rung's epoch (the rungs
    /// are multiples of their greatest common divisor; validating at most every 5 epochs within it keeps the plateau
    /// rule and the patience seeing the curve), the held-out subset drawn with <paramref name="seed"/>.
    /// </summary>
    public EarlyStoppingOptions TrialStopping(ulong seed)
    {
        int divisor = Rungs().Aggregate(Gcd);
        int every = Enumerable.Range(1, Math.Min(divisor, 5)).Last(d => divisor % d == 0);
        return TrainingRecipe.Default.Stopping with { ValidateEvery = every, Seed = seed };
    }

    /// <summary>Every problem with this space, one sentence each, naming the field; empty when it is valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        FieldLimit rate = TrainingLimits.LearningRate;
        if (!double.IsFinite(MinLearningRate) || !double.IsFinite(MaxLearningRate) || MinLearningRate <= 0 || MinLearningRate > MaxLearningRate
            || rate.Problem(MinLearningRate) is not null || rate.Problem(MaxLearningRate) is not null)
        {
            problems.Add($"minLearningRate and maxLearningRate must lie in {rate.Interval()} with min ≤ max; got {Show(MinLearningRate)} and {Show(MaxLearningRate)}.");
        }
        Check("hidden", Hidden, TrainingLimits.Hidden, problems);
        Check("recurrent", Recurrent, TrainingLimits.Recurrent, problems);
        Check("cdK", CdK, TrainingLimits.CdK, problems);
        Check("momentum", Momentum, TrainingLimits.Momentum, problems);
        Check("rbmPretrainEpochs", RbmPretrainEpochs, TrainingLimits.RbmPretrainEpochs, problems);
        Check("rnnPretrainEpochs", RnnPretrainEpochs, TrainingLimits.RnnPretrainEpochs, problems);
        if (SearchLimits.MaxEpochs.Problem(MaxEpochs) is string maxEpochs)
        {
            problems.Add(maxEpochs);
        }
        if (MinEpochs < 1 || MinEpochs > MaxEpochs)
        {
            problems.Add($"minEpochs must lie in [1, maxEpochs ({MaxEpochs})]; got {MinEpochs}.");
        }
        if (SearchLimits.Reduction.Problem(Reduction) is string reduction)
        {
            problems.Add(reduction);
        }
        return problems;
    }

    /// <summary>
    /// Trial <paramref name="index"/>'s settings: a pure function of the seed and the index, so a search's trials are
    /// the same however its workers interleave. Trial 0 is the default recipe's own settings when the space holds them,
    /// so a search never ends worse on valid than the default it starts from.
    /// </summary>
    public TrialSettings Sample(ulong seed, int index)
    {
        TrainingRecipe recipe = TrainingRecipe.Default;
        if (index == 0)
        {
            var own = new TrialSettings(recipe.Options.LearningRate, recipe.Hidden, recipe.Recurrent, recipe.Options.CdK, recipe.Options.Momentum,
                recipe.Options.RbmPretrainEpochs, recipe.Options.RnnPretrainEpochs);
            if (Holds(own))
            {
                return own;
            }
        }
        var random = new Random(unchecked((int)(seed * 0x9E3779B97F4A7C15UL >> 33) ^ index * 7919));
        double logRate = Math.Log(MinLearningRate) + (random.NextDouble() * (Math.Log(MaxLearningRate) - Math.Log(MinLearningRate)));
        return new TrialSettings(
            (float)Math.Exp(logRate),
            Pick(Hidden, random), Pick(Recurrent, random), Pick(CdK, random), (float)Pick(Momentum, random),
            Pick(RbmPretrainEpochs, random), Pick(RnnPretrainEpochs, random));
    }

    /// <summary>Whether these settings lie in the space.</summary>
    public bool Holds(TrialSettings s) =>
        s.LearningRate >= MinLearningRate * (1 - 1e-6) && s.LearningRate <= MaxLearningRate * (1 + 1e-6)
        && Hidden.Contains(s.Hidden) && Recurrent.Contains(s.Recurrent) && CdK.Contains(s.CdK)
        && Momentum.Any(m => Math.Abs(m - s.Momentum) < 1e-6) && RbmPretrainEpochs.Contains(s.RbmPretrainEpochs) && RnnPretrainEpochs.Contains(s.RnnPretrainEpochs);

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    private static T Pick<T>(IReadOnlyList<T> choices, Random random) => choices[random.Next(choices.Count)];

    private static void Check<T>(string name, IReadOnlyList<T> choices, FieldLimit limit, List<string> problems)
        where T : IConvertible
    {
        if (choices is null || choices.Count == 0 || choices.Count > Limits.MaxChoices)
        {
            problems.Add($"{name} must list 1 to {Limits.MaxChoices} values; got {choices?.Count ?? 0}.");
            return;
        }
        foreach (T choice in choices)
        {
            double value = choice.ToDouble(CultureInfo.InvariantCulture);
            if (limit.Problem(value) is not null || (limit.WholeNumber && value != Math.Floor(value)))
            {
                problems.Add($"every {name} must lie in {limit.Interval()}; got {Show(value)}.");
                return;
            }
        }
    }

    private static string Show(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>One trial's choices; the rest of its training is the default recipe's.</summary>
public sealed record TrialSettings(float LearningRate, int Hidden, int Recurrent, int CdK, float Momentum, int RbmPretrainEpochs, int RnnPretrainEpochs)
{
    /// <summary>The model shape over <paramref name="visible"/> keys.</summary>
    public ModelShape Shape(int visible) => new(visible, Hidden, Recurrent, TrainingRecipe.Default.Recurrence);

    /// <summary>The default recipe's options with these settings, <paramref name="epochs"/> at most, and <paramref name="seed"/>.</summary>
    public TrainingOptions Options(int epochs, ulong seed) => TrainingRecipe.Default.Options with
    {
        LearningRate = LearningRate,
        CdK = CdK,
        Momentum = Momentum,
        RbmPretrainEpochs = RbmPretrainEpochs,
        RnnPretrainEpochs = RnnPretrainEpochs,
        Epochs = epochs,
        Seed = seed,
    };

    /// <summary>One line for people: "lr 0.0031, H 150, U 100, CD-15, momentum 0.9, RBM pretraining 10".</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"lr {LearningRate:G3}, H {Hidden}, U {Recurrent}, CD-{CdK}, momentum {Momentum:G2}") +
        (RbmPretrainEpochs > 0 ? $", RBM pretraining {RbmPretrainEpochs}" : "") +
        (RnnPretrainEpochs > 0 ? $", RNN pretraining {RnnPretrainEpochs}" : "");
}
