using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;

namespace RnnRbm.ScaleOut.Tests;

/// <summary>Each provider's migrations set matches the model: a model change without its migrations fails here.</summary>
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
}
