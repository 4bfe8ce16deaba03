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
/// </summary>
/// <remarks>Runs in StartAsync (after the database initialiser, registered before it), so the models are there once the host is up.</remarks>
internal sealed class DefaultModelSeeder(IServiceScopeFactory scopes, IOptions<RnnRbmOptions> options, ILogger<DefaultModelSeeder> log) : IHostedService
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
        List<string> present = await db.Models.Where(m => m.Origin == ModelEntities.Bundled).Select(m => m.Name).ToListAsync(cancellationToken);
        foreach ((string path, string name) in files.Where(f => !present.Contains(f.Name)))
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

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
