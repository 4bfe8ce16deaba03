using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace RnnRbm.Api.Hosting;

/// <summary>
/// Reads a request's JSON body in the handler rather than through the framework's binding, so that every way it can
/// be wrong is a ProblemDetails that says what is wrong, in every environment (the framework's own 400 has no detail
/// outside Development): not JSON (415), malformed or empty (400), and a field of the wrong type or beyond its type's
/// range (<c>"seed": 1.5</c>, <c>"seed": 1e30</c>) a 400 naming that field, like the handlers' own range checks.
/// </summary>
internal static class JsonBody
{
    private const int MaxEchoedChars = 40;

    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer with.</summary>
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "The body must be JSON.",
                detail: "Send the request as JSON with Content-Type: application/json."));
        }
        JsonSerializerOptions options = request.HttpContext.RequestServices
            .GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            return (null, NotValid(ex.Message));
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, NotValid($"The body is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}; send a JSON object."));
            }
            try
            {
                T? body = document.Deserialize<T>(options);
                return body is null ? (null, NotValid("The body is empty; send a JSON object.")) : (body, null);
            }
            catch (JsonException ex) when (FieldOf(ex, document.RootElement) is string field)
            {
                return (null, BadField(field, Expected<T>(field, document.RootElement, options)));
            }
            catch (JsonException ex)
            {
                return (null, NotValid(ex.Message));
            }
        }
    }

    private static ProblemHttpResult NotValid(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request body is not valid JSON for this endpoint.", detail: detail);

    private static ProblemHttpResult BadField(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request has invalid fields.",
            Detail = message,
        });

    /// <summary>The top-level property a deserialisation error is about ("$.seed" → "seed"), as the client spelled it.</summary>
    private static string? FieldOf(JsonException ex, JsonElement root)
    {
        if (ex.Path is not string path || !path.StartsWith("$.", StringComparison.Ordinal))
        {
            return null;
        }
        string name = path[2..].Split('.', '[')[0].Trim('\'', '[', ']');
        return root.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
    }

    private static string Expected<T>(string field, JsonElement root, JsonSerializerOptions options)
    {
        string given = root.GetProperty(field).GetRawText();
        if (given.Length > MaxEchoedChars)
        {
            given = given[..MaxEchoedChars] + "…";
        }
        PropertyInfo? property = typeof(T).GetProperties()
            .FirstOrDefault(p => string.Equals(options.PropertyNamingPolicy?.ConvertName(p.Name) ?? p.Name, field, StringComparison.OrdinalIgnoreCase));
        if (property is null)
        {
            return $"{field} is not a field of this request; got {given}.";
        }
        Type type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        string kind = type == typeof(int) || type == typeof(long) || type == typeof(ulong) ? "a whole number in its range"
            : type == typeof(double) || type == typeof(float) ? "a number"
            : type == typeof(Guid) ? "an id (a GUID string)"
            : type == typeof(bool) ? "true or false"
            : type == typeof(string) ? "a string"
            : "a value of another kind";
        return $"{field} must be {kind}; got {given}.";
    }
}
