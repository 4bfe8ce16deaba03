using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace RnnRbm.Client;

/// <summary>Makes the generated <see cref="RnnRbmApiClient"/> talk to a service through an <see cref="HttpClient"/>.</summary>
public static class RnnRbmClientFactory
{
    /// <summary>The header that carries the service's API key (setting <c>RnnRbm:ApiKey</c>).</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>
    /// A client on <paramref name="http"/>, whose <see cref="HttpClient.BaseAddress"/> is the service's root (such as
    /// http://127.0.0.1:5080/). With <paramref name="apiKey"/>, every request carries it: a server with a key refuses
    /// changes without it (401). The caller keeps owning <paramref name="http"/>.
    /// </summary>
    public static RnnRbmApiClient Create(HttpClient http, string? apiKey = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        Uri root = http.BaseAddress ?? throw new ArgumentException("The HttpClient needs a BaseAddress: the service's root URL.", nameof(http));
        IAuthenticationProvider authentication = apiKey is null ? new AnonymousAuthenticationProvider() : new ApiKeyHeaderAuthentication(apiKey);
        // Set before the client is made: the client falls back to the document's server entry only when this is empty.
        var adapter = new HttpClientRequestAdapter(authentication, httpClient: http) { BaseUrl = root.ToString().TrimEnd('/') };
        return new RnnRbmApiClient(adapter);
    }

    /// <summary>
    /// Puts the key in its header. Kiota's own ApiKeyAuthenticationProvider refuses plain http, and the service is
    /// often reached on http://127.0.0.1 (scripts/start.sh) or in process by the tests.
    /// </summary>
    private sealed class ApiKeyHeaderAuthentication(string apiKey) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null,
            CancellationToken cancellationToken = default)
        {
            request.Headers.TryAdd(ApiKeyHeader, apiKey);
            return Task.CompletedTask;
        }
    }
}
