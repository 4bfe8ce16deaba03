using System.Globalization;

namespace RnnRbm.Core.Limits;

/// <summary>
/// The bounds and default of one numeric field of a request (REST body, CLI option, page input), declared once in Core
/// and read from here by the service's validation and messages, its OpenAPI schema, its options endpoints, the CLI
/// and, through those endpoints, the pages.
/// </summary>
/// <param name="Name">The field's name as clients write it (camelCase JSON, <c>--kebab-case</c> in the CLI).</param>
/// <param name="Minimum">Smallest value allowed; null: none beyond the field's type.</param>
/// <param name="Maximum">Largest value allowed; null: none beyond the field's type.</param>
/// <param name="Default">The value an absent field takes (under the default recipe, for trainings); null: none (random, automatic or required).</param>
/// <param name="WholeNumber">Whether only whole numbers are allowed.</param>
/// <param name="ExclusiveMinimum">Whether <paramref name="Minimum"/> itself is refused: (min, max].</param>
/// <param name="Unit">The unit, for messages ("seconds", "nats").</param>
public sealed record FieldLimit(
    string Name, double? Minimum, double? Maximum, double? Default = null, bool WholeNumber = true, bool ExclusiveMinimum = false, string? Unit = null)
{
    /// <summary>A whole-number field in [min, max].</summary>
    public static FieldLimit Whole(string name, long minimum, long? maximum, long? @default = null) =>
        new(name, minimum, maximum, @default);

    /// <summary>A real-number field in [min, max] (or (min, max] with <paramref name="exclusiveMinimum"/>).</summary>
    public static FieldLimit Real(string name, double minimum, double maximum, double? @default = null, bool exclusiveMinimum = false, string? unit = null) =>
        new(name, minimum, maximum, @default, WholeNumber: false, exclusiveMinimum, unit);

    /// <summary>
    /// What is wrong with <paramref name="value"/> (an int, long, ulong, float or double), in one sentence that names the
    /// field and what it allows; null when it is allowed. A float is compared in float, so that a bound written as a
    /// decimal (0.999) admits the float a client's 0.999 becomes.
    /// </summary>
    public string? Problem(object value)
    {
        bool allowed = value switch
        {
            float f => float.IsFinite(f) && Allows(f, Minimum is double a ? (float)a : null, Maximum is double b ? (float)b : null),
            double d => double.IsFinite(d) && Allows(d, Minimum, Maximum),
            IConvertible c => Allows(c.ToDouble(CultureInfo.InvariantCulture), Minimum, Maximum),
            _ => throw new ArgumentException($"{Name}: {value.GetType().Name} is not a number.", nameof(value)),
        };
        return allowed ? null : $"{Name} must {Range()}; got {Format(value)}.";
    }

    /// <summary>"[1, 2048]", "(0, 1]", "≥ 0": the allowed values, for option descriptions.</summary>
    public string Interval() => (Minimum, Maximum) switch
    {
        (double min, double max) => $"{(ExclusiveMinimum ? "(" : "[")}{Format(min)}, {Format(max)}]",
        (double min, null) => $"{(ExclusiveMinimum ? ">" : "≥")} {Format(min)}",
        (null, double max) => $"≤ {Format(max)}",
        _ => "any number",
    };

    /// <summary>"lie in [1, 2048]", "lie in (0, 1] nats", "be at least 0".</summary>
    public string Range()
    {
        string unit = Unit is null ? "" : " " + Unit;
        return (Minimum, Maximum) switch
        {
            (double, double) => $"lie in {Interval()}{unit}",
            (double min, null) => $"be {(ExclusiveMinimum ? "above" : "at least")} {Format(min)}{unit}",
            (null, double max) => $"be at most {Format(max)}{unit}",
            _ => "be a number",
        };
    }

    private bool Allows<T>(T value, T? min, T? max) where T : struct, IComparable<T> =>
        (min is not T lo || (ExclusiveMinimum ? value.CompareTo(lo) > 0 : value.CompareTo(lo) >= 0))
        && (max is not T hi || value.CompareTo(hi) <= 0);

    private static string Format(object value) => value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value.ToString() ?? "";
}
