using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace RnnRbm.Api.Hosting;

/// <summary>
/// The optional API key: when RnnRbm:ApiKey is set, mutating endpoints (POST, PUT, PATCH, DELETE) require it in
/// the <c>X-Api-Key</c> header; reads and health stay open. Applied to a route group with <see cref="RequireApiKeyForChanges"/>.
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
            string? given = http.Request.Headers[Header];
            if (given is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "API key required.",
                    detail: $"This server requires its API key in the {Header} header for changes.");
            }
            return await next(context);
        });
}
