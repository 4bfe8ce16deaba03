using Microsoft.EntityFrameworkCore;

namespace RnnRbm.Api.Storage;

/// <summary>The app's data, beside Hangfire's in the same database.</summary>
public sealed class RnnRbmDbContext(DbContextOptions<RnnRbmDbContext> options) : DbContext(options)
{
    public DbSet<CorpusEntity> Corpora => Set<CorpusEntity>();
    public DbSet<CorpusFileEntity> CorpusFiles => Set<CorpusFileEntity>();
    public DbSet<TrainingEntity> Trainings => Set<TrainingEntity>();
    public DbSet<ModelEntity> Models => Set<ModelEntity>();
    public DbSet<GenerationEntity> Generations => Set<GenerationEntity>();

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
        });
        modelBuilder.Entity<TrainingEntity>(e =>
        {
            e.ToTable("trainings");
            e.Property(t => t.Version).IsConcurrencyToken();
            e.HasIndex(t => t.State);
        });
        modelBuilder.Entity<ModelEntity>(e => e.ToTable("models"));
        modelBuilder.Entity<GenerationEntity>(e =>
        {
            e.ToTable("generations");
            e.HasIndex(g => g.CreatedUtc);
        });
        // SQLite cannot order or compare DateTimeOffset natively: store it as UTC ticks.
        if (Database.IsSqlite())
        {
            foreach (var entity in modelBuilder.Model.GetEntityTypes())
            {
                foreach (var property in entity.GetProperties().Where(p => p.ClrType == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset?)))
                {
                    property.SetValueConverter(new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter());
                }
            }
        }
    }
}
