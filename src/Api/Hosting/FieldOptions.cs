using System.Globalization;
using Microsoft.OpenApi;
using RnnRbm.Core.Limits;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace RnnRbm.Api.Hosting;

/// <summary>One numeric field of a request: its bounds and default, from Core's declaration.</summary>
/// <param name="Minimum">Smallest value allowed (null: none beyond the type's).</param>
/// <param name="Maximum">Largest value allowed (null: none beyond the type's).</param>
/// <param name="ExclusiveMinimum">Whether the minimum itself is refused.</param>
/// <param name="WholeNumber">Whether only whole numbers are allowed.</param>
/// <param name="Default">The value an absent field takes (null: none, or random, automatic or required).</param>
/// <param name="Unit">The unit, when there is one.</param>
public sealed record FieldOptionsResponse(double? Minimum, double? Maximum, bool ExclusiveMinimum, bool WholeNumber, double? Default, string? Unit)
{
    internal static FieldOptionsResponse From(FieldLimit limit) =>
        new(limit.Minimum, limit.Maximum, limit.ExclusiveMinimum, limit.WholeNumber, limit.Default, limit.Unit);
}

/// <summary>A field that takes one of a few words.</summary>
/// <param name="Values">The words allowed.</param>
/// <param name="Default">The word an absent field takes.</param>
public sealed record ChoiceOptionsResponse(IReadOnlyList<string> Values, string? Default);

/// <summary>
/// What a feature's request accepts: every numeric field's bounds and default, and every field that takes a word. The
/// pages read these instead of copying them; the service checks requests against the same declaration.
/// </summary>
/// <param name="Fields">Numeric fields by their JSON name.</param>
/// <param name="Choices">Word fields by their JSON name.</param>
public sealed record RequestOptionsResponse(IReadOnlyDictionary<string, FieldOptionsResponse> Fields, IReadOnlyDictionary<string, ChoiceOptionsResponse> Choices)
{
    internal static RequestOptionsResponse From(IReadOnlyList<FieldLimit> limits, params (string Name, IReadOnlyList<string> Values, string? Default)[] choices) =>
        new(limits.ToDictionary(l => l.Name, FieldOptionsResponse.From),
            choices.ToDictionary(c => c.Name, c => new ChoiceOptionsResponse(c.Values, c.Default)));
}

/// <summary>
/// Writes Core's bounds into the OpenAPI schema of every request body (<see cref="IRequestBody"/>), and each default into
/// its description rather than as a schema <c>default</c>: generated clients (Kiota, NSwag) fill a new request with the
/// schema's defaults and send them, which would pin values the server picks (a recipe's, or one of two exclusive fields).
/// </summary>
internal sealed class RequestLimitsSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (RequestBody.LimitsOf(context.Type) is not { } limits || schema is not OpenApiSchema { Properties: { } properties })
        {
            return;
        }
        foreach (FieldLimit limit in limits)
        {
            if (!properties.TryGetValue(limit.Name, out IOpenApiSchema? found) || found is not OpenApiSchema property)
            {
                continue;
            }
            property.Minimum = Text(limit.Minimum);
            property.Maximum = Text(limit.Maximum);
            if (limit.ExclusiveMinimum)
            {
                property.ExclusiveMinimum = Text(limit.Minimum);
            }
            property.Default = null;
            if (limit.Default is double d)
            {
                string value = limit.WholeNumber ? ((long)d).ToString(CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);
                property.Description = $"{property.Description} When absent: {value}{(limit.Unit is { } unit ? $" {unit}" : "")}.".TrimStart();
            }
        }
    }

    private static string? Text(double? value) => value?.ToString("R", CultureInfo.InvariantCulture);
}
