using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace RnnRbm.Api.Tests.Reliability;

/// <summary>Issue 13: with RnnRbm:ApiKeyForReads, reads need the key too (model downloads, the generation history), and the dashboard needs it from every address.</summary>
public sealed class ApiKeyForReadsTests
{
    private const string Key = "s3cret";

    private static async Task<HttpStatusCode> GetAsync(HttpClient client, string path, string? key = null, AuthenticationHeaderValue? basic = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }
        request.Headers.Authorization = basic;
        using HttpResponseMessage response = await client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Unauthorized && path.StartsWith("/api", StringComparison.Ordinal))
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        return response.StatusCode;
    }

    [Fact]
    public async Task WithKeyForReads_ReadsAndTheDashboardNeedTheKey_HealthStaysOpen()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:ApiKey"] = Key, ["RnnRbm:ApiKeyForReads"] = "true" });
        using HttpClient client = app.CreateClient();
        string modelFile = $"/api/models/{Guid.NewGuid()}/file";
        foreach (string path in new[] { "/api/models", modelFile, "/api/generations", "/api/trainings", "/api/corpora" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(client, path));
            Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(client, path, key: "wrong"));
            Assert.NotEqual(HttpStatusCode.Unauthorized, await GetAsync(client, path, key: Key));
        }
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, "/healthz"));

        // The test server's requests are local: the key is asked for all the same, as a header or HTTP Basic's password.
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(client, "/hangfire"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, "/hangfire", key: Key));
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + Key)));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, "/hangfire", basic: basic));
    }

    [Fact]
    public async Task WithoutKeyForReads_ReadsStayOpen()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:ApiKey"] = Key });
        using HttpClient client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, "/api/models"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, "/hangfire"));
    }
}
