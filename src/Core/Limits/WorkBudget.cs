using System.Globalization;

namespace RnnRbm.Core.Limits;

/// <summary>
/// How much work one training or evaluation may be given (issue 13: every training field at its maximum was accepted
/// and would have held the only worker for decades). A request's work is estimated in floating-point operations
/// (<see cref="Training.TrainingCost"/>, <see cref="Evaluation.EvaluationCost"/>), turned into time at
/// <see cref="GflopsPerSecond"/>, and refused beyond <see cref="MaxHours"/>, naming the fields that make it large.
/// </summary>
/// <param name="GflopsPerSecond">
/// The speed the estimate assumes, 10⁹ FLOP per second. The default, 20, is a third of what one thread of this project's
/// reference machine sustains in training (64 GFLOP/s, docs/benchmarks.md, "Profile": 1.16 MFLOP per frame × 54,930
/// frames/s) and about what it reached there while other sessions shared its two cores; measure a host with
/// <c>rnnrbm bench</c> (its <c>trainGflopsPerSecond</c>: frames/s × <see cref="Training.TrainingCost.FlopsPerFrame"/>) and set it.
/// </param>
/// <param name="MaxHours">The longest estimated job accepted, in hours.</param>
public sealed record WorkBudget(double GflopsPerSecond = WorkBudget.DefaultGflopsPerSecond, double MaxHours = WorkBudget.DefaultMaxHours)
{
    public const double DefaultGflopsPerSecond = 20;
    public const double DefaultMaxHours = 24;

    /// <summary>Estimated seconds for <paramref name="flops"/>.</summary>
    public double Seconds(double flops) => flops / (GflopsPerSecond * 1e9);

    /// <summary>Whether <paramref name="flops"/> fits the budget.</summary>
    public bool Allows(double flops) => Seconds(flops) <= MaxHours * 3600;

    /// <summary>"3.2 hours", "41 years": a duration for messages.</summary>
    public static string Describe(double seconds) => seconds switch
    {
        < 120 => $"{seconds.ToString("F0", CultureInfo.InvariantCulture)} seconds",
        < 7200 => $"{(seconds / 60).ToString("F0", CultureInfo.InvariantCulture)} minutes",
        < 172_800 => $"{(seconds / 3600).ToString("F1", CultureInfo.InvariantCulture)} hours",
        < 3 * 31_557_600 => $"{(seconds / 86_400).ToString("F0", CultureInfo.InvariantCulture)} days",
        _ => $"{(seconds / 31_557_600).ToString("G3", CultureInfo.InvariantCulture)} years",
    };

    /// <summary>The refusal: the estimate, the budget, and what to lower.</summary>
    public string Refusal(string what, double flops, IEnumerable<string> fieldsToLower) =>
        $"This {what} is estimated at {Describe(Seconds(flops))} of work ({(flops / 1e12).ToString("G3", CultureInfo.InvariantCulture)} TFLOP " +
        $"at {GflopsPerSecond.ToString("G", CultureInfo.InvariantCulture)} GFLOP/s), beyond this server's budget of " +
        $"{MaxHours.ToString("G", CultureInfo.InvariantCulture)} hours per job. Lower {string.Join(", ", fieldsToLower)}.";
}
