using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace RnnRbm.Api.Hosting;

/// <summary>
/// The optional API key: when RnnRbm:ApiKey is set, mutating endpoints (POST, PUT, PATCH, DELETE) require it in
/// the <c>X-Api-Key</c> header; reads and health stay open. Applied to a route group with <see cref="RequireApiKeyForChanges"/>.
/// With RnnRbm:ApiKeyForReads as well, every read under <c>/api/</c> (model downloads, the generation history, corpora,
/// trainings...) needs it too (<see cref="UseApiKeyForReads"/>), and so does the Hangfire dashboard from any address,
/// local ones included (<see cref="AllowsDashboard"/>). Health stays open.
/// </summary>
public static class ApiKey
{
    public const string Header = "X-Api-Key";

    /// <summary>Endpoint metadata: changes need the key (the OpenAPI document's security requirement comes from it).</summary>
    public sealed class RequiredForChanges;

    public static TBuilder RequireApiKeyForChanges<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredForChanges()).AddEndpointFilter(async (context, next) =>
        {
            HttpContext http = context.HttpContext;
            string? expected = http.RequestServices.GetRequiredService<IOptions<RnnRbmOptions>>().Value.ApiKey;
            if (string.IsNullOrEmpty(expected) || HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
            {
                return await next(context);
            }
            if (!Matches(http.Request.Headers[Header], expected))
            {
                return Refusal("for changes");
            }
            return await next(context);
        });

    /// <summary>
    /// With RnnRbm:ApiKeyForReads (and a key), a GET or HEAD under <c>/api/</c> without the key is refused with 401, as a
    /// change is: a middleware, so that every feature's reads are covered whatever its endpoints' conventions.
    /// </summary>
    public static WebApplication UseApiKeyForReads(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            RnnRbmOptions options = http.RequestServices.GetRequiredService<IOptions<RnnRbmOptions>>().Value;
            if (options.ApiKeyForReads && !string.IsNullOrEmpty(options.ApiKey)
                && (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
                && http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
                && !Matches(http.Request.Headers[Header], options.ApiKey))
            {
                await Refusal("for reads too").ExecuteAsync(http);
                return;
            }
            await next(http);
        });
        return app;
    }

    /// <summary>
    /// Whether the dashboard may answer: with RnnRbm:ApiKeyForReads, only a request carrying the key (the header, or HTTP
    /// Basic with the key as password, which a browser asks for), from any address; otherwise local requests, or any with
    /// RnnRbm:DashboardAllowRemote.
    /// </summary>
    internal static bool AllowsDashboard(HttpContext http, RnnRbmOptions options)
    {
        if (options.ApiKeyForReads && !string.IsNullOrEmpty(options.ApiKey))
        {
            if (Matches(http.Request.Headers[Header], options.ApiKey) || Matches(BasicPassword(http.Request), options.ApiKey))
            {
                return true;
            }
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"RnnRbm jobs\", charset=\"UTF-8\"";
            return false;
        }
        if (options.DashboardAllowRemote)
        {
            return true;
        }
        System.Net.IPAddress? remote = http.Connection.RemoteIpAddress;
        return remote is null || System.Net.IPAddress.IsLoopback(remote) || remote.Equals(http.Connection.LocalIpAddress);
    }

    private static string? BasicPassword(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out AuthenticationHeaderValue? header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return null;
        }
        try
        {
            string pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            int colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : pair[(colon + 1)..];
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool Matches(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Refusal(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "API key required.",
            detail: $"This server requires its API key in the {Header} header {what}.");
}
