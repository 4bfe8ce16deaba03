using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Model;

namespace RnnRbm.Api.Models;

/// <summary>
/// On start, when <see cref="RnnRbmOptions.SeedDemo"/> is on and no model of origin "bundled" exists, imports the
/// bundled default model (<see cref="BundledData.DefaultModelFile"/>) as "Nottingham default". Idempotent: a second
/// start finds the bundled model and does nothing. A missing or unreadable file is logged and skipped, never fatal.
/// </summary>
/// <remarks>Runs in StartAsync (after the database initialiser, registered before it), so the model is there once the host is up.</remarks>
internal sealed class DefaultModelSeeder(IServiceScopeFactory scopes, IOptions<RnnRbmOptions> options, ILogger<DefaultModelSeeder> log) : IHostedService
{
    public const string DefaultName = "Nottingham default";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedDemo)
        {
            return;
        }
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        if (await db.Models.AnyAsync(m => m.Origin == ModelEntities.Bundled, cancellationToken))
        {
            log.LogDebug("The bundled default model is already present.");
            return;
        }
        string? path = BundledData.DefaultModelFile(options.Value);
        if (path is null)
        {
            log.LogInformation("No bundled default model (models/nottingham-default.rnnrbm) was found; none is seeded.");
            return;
        }
        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        RnnRbmModel model;
        try
        {
            model = ModelFile.Read(bytes);
        }
        catch (InvalidModelFileException ex)
        {
            log.LogWarning("The bundled default model {Path} was not seeded: {Reason}", path, ex.Reason);
            return;
        }
        db.Models.Add(ModelEntities.Create(bytes, model.Manifest, DefaultName, ModelEntities.Bundled));
        await db.SaveChangesAsync(cancellationToken);
        log.LogInformation("Seeded the bundled default model from {Path} as \"{Name}\".", path, DefaultName);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
