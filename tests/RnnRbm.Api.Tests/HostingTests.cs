using System.Data.Common;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Tests;

public class HostingTests
{
    [Fact]
    public async Task FirstStart_CreatesTheDatabase_AndServesTheOpenApiDocument()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        HttpResponseMessage response = await client.GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(File.Exists(Path.Combine(app.DataFolder, "rnnrbm.db")));
    }

    [Fact]
    public async Task FirstStart_CreatesTheAppTables_BesideHangfiresOwn()
    {
        // Hangfire creates its tables in the same file when the app is built, before the app's initializer runs.
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        HttpResponseMessage response = await client.GetAsync(new Uri("/api/corpora", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var again = new RnnRbmAppFactory(dataFolder: app.DataFolder);
        using HttpClient second = again.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync(new Uri("/api/corpora", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task EverySqliteConnection_WaitsOnBusy_AndCommitsWithoutWaitingForTheDisk()
    {
        // WAL with synchronous = NORMAL (1): durable when the process dies (docs/deployment.md, "SQLite durability").
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/corpora", UriKind.Relative))).StatusCode);
        using IServiceScope scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        DbConnection connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        Assert.Equal(1L, await PragmaAsync(connection, "synchronous"));
        Assert.Equal(30000L, await PragmaAsync(connection, "busy_timeout"));
        Assert.Equal("wal", (string?)await PragmaAsync(connection, "journal_mode"));
    }

    private static async Task<object?> PragmaAsync(DbConnection connection, string name)
    {
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return await command.ExecuteScalarAsync();
    }

    [Fact]
    public async Task UnknownPath_IsProblemJson()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        HttpResponseMessage response = await client.GetAsync(new Uri("/api/nothing-here", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void TakeoverDelay_IsASetting_CheckedAtStart()
    {
        using (var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:TakeoverDelay"] = "00:02:00" }))
        {
            app.CreateClient().Dispose();
            Assert.Equal(TimeSpan.FromMinutes(2), app.Services.GetRequiredService<IOptions<RnnRbmOptions>>().Value.TakeoverDelay);
        }

        // Shorter than a few heartbeats: a live worker would lose its work to another; refused at start.
        using var tooShort = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:TakeoverDelay"] = "00:00:01" });
        Exception error = Assert.ThrowsAny<Exception>(() => tooShort.CreateClient());
        Assert.Contains(nameof(RnnRbmOptions.TakeoverDelay), error.ToString(), StringComparison.Ordinal);
    }
}
