using Microsoft.EntityFrameworkCore;
using Npgsql;
using RnnRbm.Api.Storage;

namespace RnnRbm.ScaleOut.Tests;

/// <summary>A database of its own for one test on the test PostgreSQL server, dropped at the end.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>The environment variable holding the server's connection string (without a database).</summary>
    public const string ServerVariable = "RNNRBM_TEST_POSTGRES";

    private readonly string _server;

    private TestDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>The connection string the nodes are given (ConnectionStrings:Postgres).</summary>
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        string server = Environment.GetEnvironmentVariable(ServerVariable)
            ?? throw new InvalidOperationException($"{ServerVariable} is not set: scripts/test.sh starts PostgreSQL and sets it (CI=true runs every test).");
        var database = new TestDatabase(server, $"rnnrbm_test_{Guid.NewGuid():N}");
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return database;
    }

    /// <summary>A context on this database, as the app would open it (the app's migrations create the tables).</summary>
    public PostgresRnnRbmDbContext Context() =>
        new(new DbContextOptionsBuilder<PostgresRnnRbmDbContext>().UseNpgsql(ConnectionString).Options);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        // FORCE: a node that was killed may still hold connections for a moment.
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
