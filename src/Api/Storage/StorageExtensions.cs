using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using RnnRbm.Api.Hosting;

namespace RnnRbm.Api.Storage;

public static class StorageExtensions
{
    /// <summary>The embedded database file under the data folder: app data (EF Core) and Hangfire's tables.</summary>
    public static string DatabasePath(RnnRbmOptions options) => Path.Combine(Path.GetFullPath(options.DataFolder), "rnnrbm.db");

    /// <summary>
    /// EF Core and Hangfire on one database chosen by <see cref="RnnRbmOptions.Database"/>: the SQLite file under
    /// <see cref="RnnRbmOptions.DataFolder"/> (default) or PostgreSQL. Migrated at start (<see cref="DatabaseInitializer"/>).
    /// </summary>
    /// <remarks>
    /// Both providers are registered and the choice is made from the bound options when a context is first asked for,
    /// so configuration from any source (tests included) counts. Hangfire's <see cref="JobStorage"/> is a singleton of
    /// this host's container, registered before AddHangfire (whose TryAdd then keeps it): the job client, the dashboard
    /// and the training server all use it, never the process-wide <c>JobStorage.Current</c>.
    /// </remarks>
    private static readonly SqliteBusyTimeout BusyTimeout = new();

    public static WebApplicationBuilder AddRnnRbmStorage(this WebApplicationBuilder builder)
    {
        builder.Services.AddDbContext<SqliteRnnRbmDbContext>((services, db) =>
            // A busy timeout: Hangfire and EF Core write the same file; waits beat "database is locked" errors.
            db.UseSqlite($"Data Source={DatabasePath(Options(services))};Default Timeout=30;Pooling=True")
                .AddInterceptors(BusyTimeout));
        builder.Services.AddDbContext<PostgresRnnRbmDbContext>((services, db) =>
            db.UseNpgsql(Options(services).PostgresConnectionString));
        builder.Services.AddScoped<RnnRbmDbContext>(services => Options(services).Database == DatabaseKinds.Postgres
            ? services.GetRequiredService<PostgresRnnRbmDbContext>()
            : services.GetRequiredService<SqliteRnnRbmDbContext>());

        builder.Services.AddSingleton<JobStorage>(services => CreateJobStorage(Options(services)));
        builder.Services.AddHangfire((services, hangfire) => hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        builder.Services.AddHostedService<DatabaseInitializer>();
        return builder;
    }

    private static RnnRbmOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<RnnRbmOptions>>().Value;

    private static JobStorage CreateJobStorage(RnnRbmOptions options)
    {
        if (options.Database == DatabaseKinds.Postgres)
        {
            var postgres = new PostgreSqlStorageOptions
            {
                QueuePollInterval = options.JobPollInterval,
                // A running job keeps renewing its invisibility; a dead node's job is fetched again by another worker
                // one timeout after the last renewal (without sliding, a training longer than the timeout would be
                // fetched again while it runs, and aborted, forever: docs/stack.md, "Hangfire").
                UseSlidingInvisibilityTimeout = true,
                InvisibilityTimeout = options.JobInvisibilityTimeout,
                // Not when the storage is built (whenever something first asks for it, on every node at once): the
                // database initialiser installs Hangfire's schema under the migration lock, before any server starts.
                PrepareSchemaIfNecessary = false,
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(options.PostgresConnectionString!, postgres), postgres);
        }
        Directory.CreateDirectory(Path.GetFullPath(options.DataFolder));
        return new SQLiteStorage(DatabasePath(options), new SQLiteStorageOptions
        {
            QueuePollInterval = options.JobPollInterval,
            // SQLite storage has no sliding invisibility: keep the timeout above any training and let recovery
            // (Jobs/WorkRecovery) requeue what a dead process left running.
            InvisibilityTimeout = TimeSpan.FromDays(7),
        });
    }
}

/// <summary>
/// Brings the app's tables up to date (EF Core migrations of the configured provider) and, on PostgreSQL, installs or
/// upgrades Hangfire's schema, before anything else uses them: it runs first among the hosted services.
/// </summary>
/// <remarks>
/// On PostgreSQL every node of a deployment runs this at start, often at the same moment (compose starts them
/// together): without a lock two nodes both see a migration pending and the second fails on
/// <c>42P07 relation already exists</c> (issue 11). A session-level advisory lock makes them take turns: the first
/// migrates, the others then find nothing pending. PostgreSQL releases the lock when the session ends, so a node that
/// dies while migrating does not block the others. SQLite is one process's file: no lock needed.
/// </remarks>
internal sealed class DatabaseInitializer(IServiceScopeFactory scopes, IOptions<RnnRbmOptions> options, ILogger<DatabaseInitializer> log)
    : IHostedService
{
    /// <summary>The advisory lock's key: any constant the deployment's database uses for nothing else ("RnnRbm" in ASCII, then 1).</summary>
    internal const long MigrationLockKey = 0x526E_6E52_626D_0001;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        if (options.Value.Database == DatabaseKinds.Postgres)
        {
            await MigratePostgresAsync(db, cancellationToken);
            return;
        }
        Directory.CreateDirectory(Path.GetFullPath(options.Value.DataFolder));
        await RefusePreMigrationFileAsync(db, cancellationToken);
        string migrated = await MigrateAsync(db, cancellationToken);
        // WAL lets readers (progress pages) run while a training writes its checkpoint.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        log.LogInformation("Database: SQLite {Path}, {Migrated}.", StorageExtensions.DatabasePath(options.Value), migrated);
    }

    private async Task MigratePostgresAsync(RnnRbmDbContext db, CancellationToken cancellationToken)
    {
        // One connection for the lock, the migrations and Hangfire's install: the lock belongs to this session.
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            if (!await AdvisoryLockAsync(connection, "pg_try_advisory_lock", cancellationToken))
            {
                log.LogInformation("Database: another node is migrating; waiting for it (advisory lock {Key}).", MigrationLockKey);
                await AdvisoryLockAsync(connection, "pg_advisory_lock", cancellationToken);
            }
            try
            {
                string migrated = await MigrateAsync(db, cancellationToken);
                PostgreSqlObjectsInstaller.Install(connection, new PostgreSqlStorageOptions().SchemaName);
                log.LogInformation("Database: PostgreSQL {Database} on {Host}, {Migrated}; Hangfire's schema is current.",
                    connection.Database, connection.DataSource, migrated);
            }
            finally
            {
                // Also released when the session ends (a pooled connection's session may live on: release it now).
                await AdvisoryLockAsync(connection, "pg_advisory_unlock", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<bool> AdvisoryLockAsync(NpgsqlConnection connection, string function, CancellationToken cancellationToken)
    {
        // No command timeout: a first start on a large database may migrate for longer than Npgsql's default 30 s;
        // the host's start-up cancellation still ends the wait.
        await using var command = new NpgsqlCommand($"SELECT {function}(@key)::text", connection) { CommandTimeout = 0 };
        command.Parameters.AddWithValue("key", MigrationLockKey);
        // pg_advisory_lock returns void: read everything as text ("true", "false" or "").
        return await command.ExecuteScalarAsync(cancellationToken) is "true";
    }

    /// <summary>Applies pending migrations; says what it did, for the start-up line.</summary>
    private static async Task<string> MigrateAsync(RnnRbmDbContext db, CancellationToken cancellationToken)
    {
        List<string> pending = [.. await db.Database.GetPendingMigrationsAsync(cancellationToken)];
        await db.Database.MigrateAsync(cancellationToken);
        string at = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault() ?? "none";
        return pending.Count == 0 ? $"at migration {at}" : $"applied {pending.Count} migration(s), now at {at}";
    }

    /// <summary>
    /// Versions before migrations created the tables without a migrations history: Migrate would fail on "table
    /// already exists". Those were pre-release; say what to do rather than fail obscurely.
    /// </summary>
    private static async Task RefusePreMigrationFileAsync(RnnRbmDbContext db, CancellationToken cancellationToken)
    {
        int tables = await db.Database.SqlQueryRaw<int>(
            "SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name IN ('corpora', '__EFMigrationsHistory')")
            .SingleAsync(cancellationToken);
        bool legacy = tables == 1 && await db.Database.SqlQueryRaw<int>(
            "SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = 'corpora'").SingleAsync(cancellationToken) == 1;
        if (legacy)
        {
            throw new InvalidOperationException(
                $"The database file {db.Database.GetDbConnection().DataSource} was created by a pre-release version without migrations. " +
                "Stop the service, move the file away (its data cannot be upgraded) and start again: see docs/deployment.md.");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
