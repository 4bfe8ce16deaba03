using Hangfire;
using Hangfire.Storage.SQLite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;

namespace RnnRbm.Api.Storage;

public static class StorageExtensions
{
    /// <summary>The embedded database file under the data folder: app data (EF Core) and Hangfire's tables.</summary>
    public static string DatabasePath(RnnRbmOptions options) => Path.Combine(Path.GetFullPath(options.DataFolder), "rnnrbm.db");

    /// <summary>EF Core and Hangfire on one SQLite file under <see cref="RnnRbmOptions.DataFolder"/>, created on first start.</summary>
    public static WebApplicationBuilder AddRnnRbmStorage(this WebApplicationBuilder builder)
    {
        builder.Services.AddDbContext<RnnRbmDbContext>((services, db) =>
        {
            RnnRbmOptions options = services.GetRequiredService<IOptions<RnnRbmOptions>>().Value;
            // A busy timeout: Hangfire and EF Core write the same file; waits beat "database is locked" errors.
            db.UseSqlite($"Data Source={DatabasePath(options)};Default Timeout=30;Pooling=True");
        });
        builder.Services.AddHangfire((services, hangfire) =>
        {
            RnnRbmOptions options = services.GetRequiredService<IOptions<RnnRbmOptions>>().Value;
            Directory.CreateDirectory(Path.GetFullPath(options.DataFolder));
            hangfire
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseSQLiteStorage(DatabasePath(options), new SQLiteStorageOptions
                {
                    QueuePollInterval = options.JobPollInterval,
                    // SQLite storage has no sliding invisibility: keep the timeout above any training and let
                    // start-up recovery (Training/TrainingRecovery) requeue what a dead process left running.
                    InvisibilityTimeout = TimeSpan.FromDays(7),
                });
        });
        builder.Services.AddHostedService<DatabaseInitializer>();
        return builder;
    }
}

/// <summary>Creates the app tables on first start, before anything else uses them (runs first among hosted services).</summary>
internal sealed class DatabaseInitializer(IServiceScopeFactory scopes, IOptions<RnnRbmOptions> options, ILogger<DatabaseInitializer> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetFullPath(options.Value.DataFolder));
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        // Hangfire's storage may have created its own tables in this file already, and EnsureCreated does nothing
        // in a database that has any table: create ours when our first table is missing.
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken))
        {
            await creator.CreateAsync(cancellationToken);
        }
        bool ours = await db.Database.SqlQueryRaw<int>(
            "SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = 'corpora'").SingleAsync(cancellationToken) > 0;
        if (!ours)
        {
            await creator.CreateTablesAsync(cancellationToken);
        }
        // WAL lets readers (progress pages) run while a training writes its checkpoint.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        log.LogInformation("Database: {Path}", StorageExtensions.DatabasePath(options.Value));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
