using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Model;

namespace RnnRbm.Api.Models;

/// <summary>
/// On start, when <see cref="RnnRbmOptions.SeedDemo"/> is on, imports each bundled model (<see cref="BundledData.Models"/>)
/// that is not there yet (by name, origin "bundled"). Idempotent: a second start finds them and does nothing; an upgrade
/// that bundles a new model adds just that one. A missing or unreadable file is logged and skipped, never fatal.
/// A bundled model already there whose stored file is damaged (fails its checksum or structure, <see cref="ModelIntegrity"/>)
/// is restored from the bundle under the same id, so what refers to it still does.
/// </summary>
/// <remarks>Runs in StartAsync (after the database initialiser, registered before it), so the models are there once the host is up.</remarks>
internal sealed class DefaultModelSeeder(IServiceScopeFactory scopes, IOptions<RnnRbmOptions> options, ModelIntegrity integrity,
    ILogger<DefaultModelSeeder> log) : IHostedService
{
    public const string DefaultName = "Nottingham default";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedDemo)
        {
            return;
        }
        IReadOnlyList<(string Path, string Name)> files = BundledData.ModelFiles(options.Value);
        if (files.Count == 0)
        {
            log.LogInformation("No bundled model (models/*.rnnrbm of the repository) was found; none is seeded.");
            return;
        }
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        var present = await db.Models.AsNoTracking().Where(m => m.Origin == ModelEntities.Bundled)
            .Select(m => new { m.Id, m.Name, Length = (long)m.File.Length }).ToListAsync(cancellationToken);
        foreach ((string path, string name) in files.Where(f => present.Any(p => p.Name == f.Name)))
        {
            foreach (var row in present.Where(p => p.Name == name))
            {
                if (await integrity.DamageAsync(db, row.Id, row.Length, cancellationToken) is string damage)
                {
                    await RestoreAsync(db, row.Id, path, name, damage, cancellationToken);
                }
            }
        }
        foreach ((string path, string name) in files.Where(f => !present.Any(p => p.Name == f.Name)))
        {
            byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken);
            RnnRbmModel model;
            try
            {
                model = ModelFile.Read(bytes);
            }
            catch (InvalidModelFileException ex)
            {
                log.LogWarning("The bundled model {Path} was not seeded: {Reason}", path, ex.Reason);
                continue;
            }
            db.Models.Add(ModelEntities.Create(bytes, model.Manifest, name, ModelEntities.Bundled));
            await db.SaveChangesAsync(cancellationToken);
            log.LogInformation("Seeded the bundled model {Path} as \"{Name}\".", path, name);
        }
    }

    /// <summary>
    /// Puts the bundle's model back into the damaged row <paramref name="id"/>: its id and name stay, and so do the metrics
    /// evaluations wrote into the row's manifest (the column beside the file, which the damage did not reach).
    /// </summary>
    private async Task RestoreAsync(RnnRbmDbContext db, Guid id, string path, string name, string damage, CancellationToken cancellationToken)
    {
        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        RnnRbmModel bundled;
        try
        {
            bundled = ModelFile.Read(bytes);
        }
        catch (InvalidModelFileException ex)
        {
            log.LogError("The bundled model \"{Name}\" ({Id}) is damaged ({Damage}) and so is its bundle {Path} ({BundleDamage}); it stays damaged.",
                name, id, damage, path, ex.Reason);
            return;
        }
        string storedJson = await db.Models.AsNoTracking().Where(m => m.Id == id).Select(m => m.ManifestJson).FirstAsync(cancellationToken);
        var metrics = new Dictionary<string, double>(bundled.Manifest.Metrics);
        try
        {
            foreach ((string key, double value) in ModelEntities.Manifest(storedJson).Metrics)
            {
                metrics[key] = value;
            }
        }
        catch (JsonException)
        {
            // The stored manifest is damaged too: the bundle's metrics it is.
        }
        ModelManifest manifest = bundled.Manifest with { Metrics = metrics };
        byte[] restored = ModelFile.Write(new RnnRbmModel(bundled.Parameters, manifest));
        string manifestJson = JsonSerializer.Serialize(manifest, ModelFile.JsonOptions);
        await db.Models.Where(m => m.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.File, restored)
            .SetProperty(m => m.ManifestJson, manifestJson), cancellationToken);
        integrity.Check(id, restored);
        log.LogWarning("The bundled model \"{Name}\" ({Id}) was damaged ({Damage}); it is restored from {Path}.", name, id, damage, path);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
