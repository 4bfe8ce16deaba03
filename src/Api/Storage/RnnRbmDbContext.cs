using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace RnnRbm.Api.Storage;

/// <summary>
/// The app's data, beside Hangfire's in the same database. One subclass per provider
/// (<see cref="SqliteRnnRbmDbContext"/>, <see cref="PostgresRnnRbmDbContext"/>), each with its own migrations set
/// (Storage/Migrations/Sqlite, Storage/Migrations/Postgres): the features only ever ask for this base class.
/// </summary>
public abstract class RnnRbmDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<CorpusEntity> Corpora => Set<CorpusEntity>();
    public DbSet<CorpusFileEntity> CorpusFiles => Set<CorpusFileEntity>();
    public DbSet<TrainingEntity> Trainings => Set<TrainingEntity>();
    public DbSet<TrainingEpochEntity> TrainingEpochs => Set<TrainingEpochEntity>();
    public DbSet<ModelEntity> Models => Set<ModelEntity>();
    public DbSet<GenerationEntity> Generations => Set<GenerationEntity>();
    public DbSet<RnnRbm.Api.Evaluations.EvaluationEntity> Evaluations => Set<RnnRbm.Api.Evaluations.EvaluationEntity>();
    public DbSet<RnnRbm.Api.Searches.SearchEntity> Searches => Set<RnnRbm.Api.Searches.SearchEntity>();
    public DbSet<RnnRbm.Api.Searches.SearchTrialEntity> SearchTrials => Set<RnnRbm.Api.Searches.SearchTrialEntity>();
    public DbSet<RnnRbm.Api.Searches.SearchTrialEpochEntity> SearchTrialEpochs => Set<RnnRbm.Api.Searches.SearchTrialEpochEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<CorpusEntity>(e =>
        {
            e.ToTable("corpora");
            e.HasMany(c => c.Files).WithOne().HasForeignKey(f => f.CorpusId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<CorpusFileEntity>(e =>
        {
            e.ToTable("corpus_files");
            e.HasIndex(f => f.CorpusId);
            e.HasIndex(f => f.ContentSha256);
        });
        modelBuilder.Entity<TrainingEntity>(e =>
        {
            e.ToTable("trainings");
            // WHERE "Version" = @original on every UPDATE: on SQLite and on PostgreSQL (READ COMMITTED, where a second
            // UPDATE of the row waits for the first to commit and then re-checks the WHERE) a stale writer changes
            // 0 rows and gets DbUpdateConcurrencyException.
            e.Property(t => t.Version).IsConcurrencyToken();
            e.HasIndex(t => t.State);
        });
        modelBuilder.Entity<TrainingEpochEntity>(e =>
        {
            e.ToTable("training_epochs");
            // The key makes "each epoch recorded once" a constraint of the database, not only of the job.
            e.HasKey(x => new { x.TrainingId, x.Epoch });
            e.HasOne<TrainingEntity>().WithMany().HasForeignKey(x => x.TrainingId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ModelEntity>(e =>
        {
            e.ToTable("models");
            e.HasIndex(m => m.ContentSha256);
        });
        modelBuilder.Entity<RnnRbm.Api.Evaluations.EvaluationEntity>(e =>
        {
            // Guarded like trainings' (see above): a superseded evaluation runner writes nothing.
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasIndex(x => x.State);
            e.HasIndex(x => x.ModelId);
        });
        modelBuilder.Entity<RnnRbm.Api.Searches.SearchEntity>(e =>
        {
            // Guarded like trainings' (see above): a superseded search runner writes nothing.
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasIndex(x => x.State);
        });
        modelBuilder.Entity<RnnRbm.Api.Searches.SearchTrialEntity>(e =>
        {
            // Guarded like trainings' (see above), against a superseded trial runner and a superseded coordinator alike.
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasIndex(x => x.State);
            // Trial n of a search is created once, whichever coordinator tries.
            e.HasIndex(x => new { x.SearchId, x.Number }).IsUnique();
            e.HasOne<RnnRbm.Api.Searches.SearchEntity>().WithMany().HasForeignKey(x => x.SearchId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<RnnRbm.Api.Searches.SearchTrialEpochEntity>(e =>
        {
            // As training_epochs: each epoch of a trial recorded once, a constraint of the database.
            e.HasKey(x => new { x.TrialId, x.Epoch });
            e.HasOne<RnnRbm.Api.Searches.SearchTrialEntity>().WithMany().HasForeignKey(x => x.TrialId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<GenerationEntity>(e =>
        {
            e.ToTable("generations");
            e.HasIndex(g => g.CreatedUtc);
        });
    }
}

/// <summary>The app's data in the embedded SQLite file (the default, one node).</summary>
public sealed class SqliteRnnRbmDbContext(DbContextOptions<SqliteRnnRbmDbContext> options) : RnnRbmDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // SQLite cannot order or compare DateTimeOffset natively: store it as UTC ticks. PostgreSQL has timestamptz.
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties().Where(p => p.ClrType == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset?)))
            {
                property.SetValueConverter(new DateTimeOffsetToBinaryConverter());
            }
        }
    }
}

/// <summary>The app's data in PostgreSQL (many nodes share it).</summary>
public sealed class PostgresRnnRbmDbContext(DbContextOptions<PostgresRnnRbmDbContext> options) : RnnRbmDbContext(options);

/// <summary>For <c>dotnet ef migrations add X --context SqliteRnnRbmDbContext</c>: no host, no database needed.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteRnnRbmDbContext>
{
    public SqliteRnnRbmDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteRnnRbmDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>For <c>dotnet ef migrations add X --context PostgresRnnRbmDbContext</c>: no server is contacted.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresRnnRbmDbContext>
{
    public PostgresRnnRbmDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresRnnRbmDbContext>().UseNpgsql("Host=localhost;Database=rnnrbm").Options);
}
