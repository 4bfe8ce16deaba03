using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Api.Tests.Health;

public class HealthTests
{
    [Fact]
    public async Task Alive_Is200Healthy()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();

        HttpResponseMessage response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_Is200_WithTheDatabase_AndTheNumericsBackendInUse()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        NumericsBackend backend = app.Services.GetRequiredService<NumericsBackend>();

        HttpResponseMessage response = await client.GetAsync(new Uri("/healthz/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement report = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        Assert.Equal("reachable", report.GetProperty("database").GetString());
        Assert.Equal(backend.Name, report.GetProperty("numerics").GetProperty("backend").GetString());
        Assert.Equal(backend.Description, report.GetProperty("numerics").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Ready_Is503_WhenTheDatabaseCannotBeOpened_WhileAliveStays200()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz/ready", UriKind.Relative))).StatusCode);

        // The database's folder vanishes (a lost volume): pooled connections would still hold the unlinked file,
        // so the pools are cleared; a new connection then cannot open (or create) the file.
        Directory.Delete(app.DataFolder, recursive: true);
        SqliteConnection.ClearAllPools();
        HttpResponseMessage ready = await client.GetAsync(new Uri("/healthz/ready", UriKind.Relative));
        HttpResponseMessage alive = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        JsonElement report = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
        Assert.Equal("unreachable", report.GetProperty("database").GetString());
        Assert.False(string.IsNullOrEmpty(report.GetProperty("numerics").GetProperty("backend").GetString()));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task Health_IsOpen_WhenAnApiKeyIsConfigured()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:ApiKey"] = "s3cret" });
        using HttpClient client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz/ready", UriKind.Relative))).StatusCode);
    }
}
