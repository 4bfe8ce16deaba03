using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
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
    public static WebApplicationBuilder AddRnnRbmStorage(this WebApplicationBuilder builder)
    {
        builder.Services.AddDbContext<SqliteRnnRbmDbContext>((services, db) =>
            // A busy timeout: Hangfire and EF Core write the same file; waits beat "database is locked" errors.
            db.UseSqlite($"Data Source={DatabasePath(Options(services))};Default Timeout=30;Pooling=True"));
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
                PrepareSchemaIfNecessary = true,
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
/// Brings the app's tables up to date (EF Core migrations of the configured provider) before anything else uses them:
/// it runs first among the hosted services. Nodes starting together are safe: Migrate takes a database lock.
/// </summary>
internal sealed class DatabaseInitializer(IServiceScopeFactory scopes, IOptions<RnnRbmOptions> options, ILogger<DatabaseInitializer> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        if (options.Value.Database == DatabaseKinds.Sqlite)
        {
            Directory.CreateDirectory(Path.GetFullPath(options.Value.DataFolder));
            await RefusePreMigrationFileAsync(db, cancellationToken);
        }
        await db.Database.MigrateAsync(cancellationToken);
        string at = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault() ?? "none";
        if (options.Value.Database == DatabaseKinds.Sqlite)
        {
            // WAL lets readers (progress pages) run while a training writes its checkpoint.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            log.LogInformation("Database: SQLite {Path}, at migration {Migration}.", StorageExtensions.DatabasePath(options.Value), at);
        }
        else
        {
            log.LogInformation("Database: PostgreSQL {Database} on {Host}, at migration {Migration}.",
                db.Database.GetDbConnection().Database, db.Database.GetDbConnection().DataSource, at);
        }
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
