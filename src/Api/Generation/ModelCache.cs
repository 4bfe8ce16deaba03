using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Model;

namespace RnnRbm.Api.Generation;

/// <summary>
/// Parsed models by id, so that a generation does not re-read and re-verify (SHA-256) the model file each time.
/// Bounded by the files' total size (<see cref="SizeLimitBytes"/>, least recently used first out) and idle time.
/// </summary>
/// <remarks>
/// The database stays the authority: every lookup first asks it whether the model still exists (a primary-key
/// probe, far cheaper than the file), so a model deleted here or by another process sharing the database stops
/// generating at once, and its entry is evicted. A model's bytes never change under its id, so a hit is never stale.
/// </remarks>
internal sealed class ModelCache : IDisposable
{
    /// <summary>Total model file bytes kept parsed (the parsed floats take about as much).</summary>
    public const long SizeLimitBytes = 512L * 1024 * 1024;

    private static readonly TimeSpan IdleExpiry = TimeSpan.FromMinutes(30);

    // Compiled once: the probe runs on every generation, and a compiled query skips EF Core's per-call translation lookup.
    private static readonly Func<RnnRbmDbContext, Guid, CancellationToken, Task<bool>> Exists =
        EF.CompileAsyncQuery((RnnRbmDbContext db, Guid id, CancellationToken cancellationToken) => db.Models.Any(m => m.Id == id));

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = SizeLimitBytes, CompactionPercentage = 0.25 });

    /// <summary>The model, or null when no model has this id.</summary>
    /// <exception cref="InvalidModelFileException">The stored file is not a valid model file.</exception>
    public async Task<RnnRbmModel?> GetAsync(RnnRbmDbContext db, Guid id, CancellationToken cancellationToken)
    {
        if (!await Exists(db, id, cancellationToken))
        {
            _cache.Remove(id);
            return null;
        }
        if (_cache.TryGetValue(id, out RnnRbmModel? cached) && cached is not null)
        {
            return cached;
        }
        byte[]? file = await db.Models.Where(m => m.Id == id).Select(m => m.File).FirstOrDefaultAsync(cancellationToken);
        if (file is null)
        {
            return null;
        }
        RnnRbmModel model = ModelFile.Read(file);
        // Two requests that miss together both parse; the second Set replaces the first: harmless.
        _cache.Set(id, model, new MemoryCacheEntryOptions { Size = Math.Max(1, file.LongLength), SlidingExpiration = IdleExpiry });
        return model;
    }

    /// <summary>Whether the model is held parsed (for tests).</summary>
    public bool Contains(Guid id) => _cache.TryGetValue(id, out _);

    public void Dispose() => _cache.Dispose();
}
