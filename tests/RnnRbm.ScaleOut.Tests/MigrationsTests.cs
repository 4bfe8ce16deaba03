using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using RnnRbm.Api.Storage;

namespace RnnRbm.ScaleOut.Tests;

/// <summary>
/// Each provider's migrations set matches the model (a model change without its migrations fails here), and nodes
/// started together on an empty PostgreSQL database migrate it once, under a lock.
/// </summary>
public class MigrationsTests
{
    [Fact]
    public void SqliteMigrations_MatchTheModel()
    {
        using var db = new SqliteRnnRbmDbContext(new DbContextOptionsBuilder<SqliteRnnRbmDbContext>().UseSqlite("Data Source=:memory:").Options);
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), "Add a migration: dotnet ef migrations add <Name> --context SqliteRnnRbmDbContext --output-dir Storage/Migrations/Sqlite (docs/deployment.md).");
    }

    [Fact]
    public void PostgresMigrations_MatchTheModel()
    {
        using var db = new PostgresRnnRbmDbContext(new DbContextOptionsBuilder<PostgresRnnRbmDbContext>().UseNpgsql("Host=localhost;Database=unused").Options);
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), "Add a migration: dotnet ef migrations add <Name> --context PostgresRnnRbmDbContext --output-dir Storage/Migrations/Postgres (docs/deployment.md).");
    }

    /// <summary>
    /// Issue 11: nodes started together on an empty database crashed with <c>42P07: relation "evaluations" already
    /// exists</c>. Four processes of the real binary start at once; every one must become ready, the app's migrations
    /// must be recorded once each and Hangfire's schema installed once.
    /// </summary>
    [PostgresFact]
    public async Task FourNodesStartedTogether_OnAnEmptyDatabase_AllBecomeReady()
    {
        await using TestDatabase database = await TestDatabase.CreateAsync();
        string[] roles = ["web", "worker", "worker", "all"];
        // Four .NET processes starting on 2 shared cores: a generous bound (a node that crashes fails at once).
        Task<NodeProcess>[] starting = [.. roles.Select(role => NodeProcess.StartAsync(role, database, readyWithin: TimeSpan.FromMinutes(3)))];
        var nodes = new List<NodeProcess>();
        var failures = new List<string>();
        foreach (Task<NodeProcess> start in starting)
        {
            try
            {
                nodes.Add(await start);
            }
            catch (Exception ex) when (ex is Xunit.Sdk.XunitException or HttpRequestException or InvalidOperationException)
            {
                failures.Add(ex.Message); // StartAsync disposed that node; its log is in the message
            }
        }
        try
        {
            Assert.True(failures.Count == 0, $"{failures.Count} of {roles.Length} nodes did not become ready:\n{string.Join("\n\n", failures)}");

            await using PostgresRnnRbmDbContext db = database.Context();
            List<string> applied = [.. await db.Database.GetAppliedMigrationsAsync()];
            Assert.Equal(db.Database.GetMigrations(), applied);
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var schema = new NpgsqlCommand("SELECT count(*) FROM hangfire.schema", connection);
            Assert.Equal(1L, await schema.ExecuteScalarAsync());

            // The lock made them take turns: one node applied the migrations, the others found nothing pending.
            string[] outputs = [.. nodes.Select(n => n.Output())];
            Assert.True(outputs.Count(o => o.Contains(", applied ", StringComparison.Ordinal)) == 1,
                $"Exactly one node should apply the migrations:\n{string.Join('\n', outputs)}");
            // Each node says once, timestamped, where it listens; every log line carries a UTC timestamp.
            foreach (NodeProcess node in nodes)
            {
                string[] lines = node.Output().Split('\n');
                string listening = Assert.Single(lines, l => l.Contains("RnnRbm listening on", StringComparison.Ordinal));
                Assert.Matches($@"^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z info: \S+ RnnRbm listening on {Regex.Escape(node.Address.ToString().TrimEnd('/'))} \(role {node.Role}, database postgres\)\.$", listening);
                Assert.All(lines.Where(l => Regex.IsMatch(l, @"\b(info|warn|fail|crit): ")),
                    l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", l));
            }
        }
        finally
        {
            foreach (NodeProcess node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }
}
