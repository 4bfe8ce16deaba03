using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RnnRbm.Core.Limits;

namespace RnnRbm.Api.Hosting;

/// <summary>
/// A request body read and validated by the one mechanism of the service (<see cref="Body{T}"/> and
/// <see cref="RequestBodyEndpoints.AcceptsValidated{T}"/>): its numeric fields' bounds come from Core's catalogue
/// (<see cref="Limits"/>), which also feeds the OpenAPI schema and the feature's options endpoint.
/// </summary>
public interface IRequestBody
{
    /// <summary>The bounds of the request's numeric fields, by their JSON names (Core's declaration).</summary>
    static abstract IReadOnlyList<FieldLimit> Limits { get; }

    /// <summary>
    /// The largest body, in bytes, from Core's <see cref="BodyLimits"/>; a longer one is answered 413 before more is read.
    /// By default fields plus one MIDI file (<see cref="RnnRbmOptions.MaxMidiFileBytes"/>) as base64, which is
    /// <c>/generate</c>'s (<see cref="RnnRbm.Core.Model.GenerationLimits.MaxBodyBytes"/>, its primer); a request of fields
    /// only overrides it with its own, smaller cap.
    /// </summary>
    static virtual long MaxBodyBytes(RnnRbmOptions options) => BodyLimits.WithFile(options.MaxMidiFileBytes);

    /// <summary>
    /// Rules no single bound expresses (required fields, fields that exclude each other, choices), added to
    /// <paramref name="errors"/> (field → messages), which already holds the bounds' problems.
    /// </summary>
    void CheckFields(RequestErrors errors);
}

/// <summary>Problems of a request, by field (the JSON name), in the order found.</summary>
public sealed class RequestErrors : Dictionary<string, string[]>
{
    /// <summary>Adds <paramref name="message"/> to <paramref name="field"/>'s problems.</summary>
    public void Add(string field, string message) => this[field] = TryGetValue(field, out string[]? old) ? [.. old, message] : [message];
}

/// <summary>
/// The JSON body of a request, as an endpoint's parameter: read strictly (a body longer than the request's cap is a
/// 413; bytes that are not UTF-8 are a 400 saying where; a field the request does not have, a field given twice, or a
/// number sent as a string, is a 400 naming the field), then checked against the request's bounds and rules by the
/// endpoint's filter before the handler runs. The framework's own binding is not used: its 400 has no detail outside
/// Development, and its web defaults read "7" as 7.
/// </summary>
public sealed class Body<T> where T : class, IRequestBody
{
    private readonly T? _value;
    private bool _checked;

    private Body(T? value, IResult? problem)
    {
        _value = value;
        Problem = problem;
    }

    /// <summary>Why the body could not be read (415 or 400), or null.</summary>
    internal IResult? Problem { get; }

    /// <summary>The body, once the endpoint's filter has checked it.</summary>
    public T Value => _checked ? _value! : throw new InvalidOperationException(
        $"The body of this endpoint was not checked: register it with .{nameof(RequestBodyEndpoints.AcceptsValidated)}<{typeof(T).Name}>().");

    /// <summary>Called by the framework to bind the parameter; never fails, a problem is kept for the filter.</summary>
#pragma warning disable CA1000 // The framework binds a parameter through a static BindAsync on its own type.
    public static async ValueTask<Body<T>> BindAsync(HttpContext context)
    {
        long maxBytes = T.MaxBodyBytes(context.RequestServices.GetRequiredService<IOptions<RnnRbmOptions>>().Value);
        (T? value, IResult? problem) = await RequestBody.ReadAsync<T>(context.Request, maxBytes, context.RequestAborted);
        return new Body<T>(value, problem);
    }
#pragma warning restore CA1000

    /// <summary>The problems with the body read (bounds first, then the request's own rules); empty when valid.</summary>
    internal RequestErrors Check()
    {
        var errors = new RequestErrors();
        RequestBody.CheckLimits(_value!, errors);
        _value!.CheckFields(errors);
        _checked = errors.Count == 0;
        return errors;
    }
}

/// <summary>Registers the one validation of request bodies on an endpoint.</summary>
public static class RequestBodyEndpoints
{
    /// <summary>
    /// The endpoint takes a <see cref="Body{T}"/>: it accepts JSON only (415 otherwise), at most the request's
    /// <see cref="IRequestBody.MaxBodyBytes"/> (413 beyond), and answers a body that cannot be read, or breaks a bound or
    /// a rule, with a 400 problem naming each field, before the handler runs.
    /// </summary>
    public static RouteHandlerBuilder AcceptsValidated<T>(this RouteHandlerBuilder endpoint) where T : class, IRequestBody =>
        endpoint
            .AddEndpointFilter(async (context, next) =>
            {
                Body<T> body = context.Arguments.OfType<Body<T>>().Single();
                if (body.Problem is not null)
                {
                    return body.Problem;
                }
                RequestErrors errors = body.Check();
                return errors.Count > 0 ? ErrorHandling.Invalid(errors) : await next(context);
            })
            .Accepts<T>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
}

/// <summary>Reading a body strictly and checking it against its bounds.</summary>
internal static class RequestBody
{
    private const int MaxEchoedChars = 40;
    private static readonly ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> StrictOf = [];
    private static readonly ConcurrentDictionary<Type, (FieldLimit Limit, PropertyInfo Property)[]> Fields = new();

    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer with.</summary>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpRequest request, long maxBytes, CancellationToken cancellationToken) where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "The body must be JSON.",
                detail: "Send the request as JSON with Content-Type: application/json."));
        }
        JsonSerializerOptions options = Strict(request.HttpContext.RequestServices
            .GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
        if (request.ContentLength is long declared && declared > maxBytes)
        {
            return (null, TooLarge(maxBytes, $"its Content-Length is {declared}"));
        }
        byte[]? bytes = await CappedRead.ReadAtMostAsync(request.Body, maxBytes, cancellationToken);
        if (bytes is null)
        {
            return (null, TooLarge(maxBytes, "more were sent"));
        }
        ReadOnlyMemory<byte> json = bytes.AsMemory();
        if (json.Span.StartsWith(Utf8Bom))
        {
            json = json[Utf8Bom.Length..];
        }
        // Checked before parsing: System.Text.Json reads a string's bytes only when the value is used, so a bad byte
        // inside a string surfaced late, as a message about the field's type (or, before, as a 500).
        if (!Utf8.IsValid(json.Span))
        {
            return (null, NotUtf8(json.Span));
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false });
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
            catch (Exception ex) when ((ex is JsonException or InvalidOperationException) && FieldOf(ex, document.RootElement) is string field)
            {
                return (null, BadField(field, Expected<T>(field, document.RootElement, options)));
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                return (null, NotValid(ex.Message));
            }
        }
    }

    /// <summary>Adds each numeric field's problem with its bound (Core's catalogue of <typeparamref name="T"/>).</summary>
    public static void CheckLimits<T>(T body, RequestErrors errors) where T : class, IRequestBody
    {
        foreach ((FieldLimit limit, PropertyInfo property) in FieldsOf<T>())
        {
            if (property.GetValue(body) is object value && limit.Problem(value) is string problem)
            {
                errors.Add(limit.Name, problem);
            }
        }
    }

    /// <summary>The bounds of a request type, or null when it is not one (for the OpenAPI schema).</summary>
    public static IReadOnlyList<FieldLimit>? LimitsOf(Type type) =>
        typeof(IRequestBody).IsAssignableFrom(type)
            ? (IReadOnlyList<FieldLimit>?)type.GetProperty(nameof(IRequestBody.Limits), BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            : null;

    /// <summary>Each bound with the property it applies to; a bound naming no property is a programming error, found at the first request.</summary>
    internal static (FieldLimit Limit, PropertyInfo Property)[] FieldsOf<T>() where T : class, IRequestBody =>
        Fields.GetOrAdd(typeof(T), type => [.. T.Limits.Select(limit => (limit,
            type.GetProperty(limit.Name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)
                ?? throw new InvalidOperationException($"{type.Name} has no field {limit.Name} that its limits name.")))]);

    /// <summary>The app's JSON options, strict: no unknown field, no number written as a string.</summary>
    private static JsonSerializerOptions Strict(JsonSerializerOptions app) =>
        StrictOf.GetValue(app, a => new JsonSerializerOptions(a)
        {
            NumberHandling = JsonNumberHandling.Strict,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        });

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static ProblemHttpResult TooLarge(long maxBytes, string why) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large.",
            detail: $"This endpoint takes a JSON body of at most {maxBytes} bytes; {why}.");

    /// <summary>A 400 naming the first byte that is not UTF-8: its offset and the field it is in, when the JSON before it says.</summary>
    private static ProblemHttpResult NotUtf8(ReadOnlySpan<byte> json)
    {
        int offset = 0;
        while (offset < json.Length && Rune.DecodeFromUtf8(json[offset..], out _, out int consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }
        string where = WhereIn(json[..offset]);
        return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request body is not valid UTF-8 JSON.",
            detail: $"Byte {offset} (0x{json[offset]:X2}) is not UTF-8{where}. Send the JSON encoded as UTF-8; characters beyond ASCII " +
                "may also be written as \\u escapes.");
    }

    /// <summary>", in the value of seed" or ", in a field name after seed": where the JSON read up to a bad byte stands.</summary>
    private static string WhereIn(ReadOnlySpan<byte> before)
    {
        var reader = new Utf8JsonReader(before, isFinalBlock: false, state: default);
        string? field = null;
        bool inValue = false;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    field = reader.GetString();
                    inValue = true;
                }
                else if (reader.CurrentDepth == 1 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                {
                    inValue = false; // a value at the top level is complete: what follows is the next name
                }
                else if (reader.CurrentDepth == 0)
                {
                    inValue = false;
                }
            }
        }
        catch (JsonException)
        {
            return "";
        }
        return field is null ? "" : inValue ? $", in the value of {field}" : $", in a field name after {field}";
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
    private static string? FieldOf(Exception ex, JsonElement root)
    {
        string? path = ex is JsonException json ? json.Path : null;
        string? name = null;
        if (path is not null && path.StartsWith("$.", StringComparison.Ordinal))
        {
            name = path[2..].Split('.', '[')[0].Trim('\'', '[', ']');
        }
        else if (path is not null && path.StartsWith("$['", StringComparison.Ordinal))
        {
            name = path[3..].Split('\'')[0];
        }
        // An unknown field is reported at the object's path ("$"): its name is in the message.
        else if (ex is JsonException { Message: var message } && message.StartsWith("The JSON property '", StringComparison.Ordinal))
        {
            name = message["The JSON property '".Length..].Split('\'')[0];
        }
        return name is null ? null
            : root.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
    }

    private static string Expected<T>(string field, JsonElement root, JsonSerializerOptions options)
    {
        string given;
        try
        {
            given = root.GetProperty(field).GetRawText();
        }
        catch (InvalidOperationException)
        {
            given = "text that is not valid UTF-8";
        }
        if (given.Length > MaxEchoedChars)
        {
            given = given[..MaxEchoedChars] + "…";
        }
        PropertyInfo[] properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        string NameOf(PropertyInfo p) => options.PropertyNamingPolicy?.ConvertName(p.Name) ?? p.Name;
        PropertyInfo? property = properties.FirstOrDefault(p => string.Equals(NameOf(p), field, StringComparison.OrdinalIgnoreCase));
        if (property is null)
        {
            return $"{field} is not a field of this request (its fields: {string.Join(", ", properties.Select(NameOf))}); got {given}.";
        }
        Type type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        string kind = type == typeof(int) || type == typeof(long) || type == typeof(ulong) ? "a whole number in its range, written as a number"
            : type == typeof(double) || type == typeof(float) ? "a number, written as a number"
            : type == typeof(Guid) ? "an id (a GUID string)"
            : type == typeof(bool) ? "true or false"
            : type == typeof(string) ? "a string"
            : "a value of another kind";
        return $"{field} must be {kind}; got {given}.";
    }
}
