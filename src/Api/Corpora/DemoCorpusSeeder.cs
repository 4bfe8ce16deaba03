using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Corpora;

/// <summary>
/// On start, when RnnRbm:SeedDemo is on and no corpus is named <see cref="DemoName"/>, imports the bundled demo
/// files (<c>datasets/demo/*.mid</c>) as that corpus. Runs in <see cref="StartAsync"/>, so the app answers only
/// once the demo is there.
/// </summary>
/// <remarks>
/// Idempotent: a restart finds the corpus by name and does nothing. Two processes starting together on one
/// database both try to insert <see cref="DemoId"/>, a fixed primary key: one wins, the other's insert fails and
/// is logged, not thrown. Needs the tables: DatabaseInitializer (registered earlier) has created them.
/// </remarks>
internal sealed class DemoCorpusSeeder(IServiceScopeFactory scopes, IOptions<RnnRbmOptions> options, ILogger<DemoCorpusSeeder> log) : IHostedService
{
    public const string DemoName = "Nottingham demo";
    public static readonly Guid DemoId = new("6e077149-0000-4000-8000-00000000de70");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        RnnRbmOptions settings = options.Value;
        if (!settings.SeedDemo)
        {
            return;
        }
        await using AsyncServiceScope scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<RnnRbmDbContext>();
        if (await db.Corpora.AnyAsync(c => c.Name == DemoName || c.Id == DemoId, cancellationToken))
        {
            log.LogDebug("Demo corpus already present.");
            return;
        }
        IReadOnlyList<string> paths = BundledData.DemoCorpusFiles(settings);
        if (paths.Count == 0)
        {
            log.LogWarning("No demo corpus seeded: no datasets/demo/*.mid found (set RnnRbm:BundledDataFolder to the folder holding datasets/demo).");
            return;
        }

        var files = new List<UploadedFile>(paths.Count);
        foreach (string path in paths)
        {
            files.Add(new UploadedFile(Path.GetFileName(path), await File.ReadAllBytesAsync(path, cancellationToken)));
        }
        var importer = scope.ServiceProvider.GetRequiredService<CorpusImporter>();
        try
        {
            CorpusImportResult result = await importer.ImportAsync(
                DemoName, files, CorpusImporter.DefaultValidFraction, CorpusImporter.DefaultSplitSeed, DemoId, lease: null, cancellationToken);
            if (result.Corpus is CorpusDetails corpus)
            {
                log.LogInformation("Seeded the demo corpus '{Name}' ({Id}): {Files} files.", DemoName, corpus.Id, corpus.FileCounts.Train + corpus.FileCounts.Valid + corpus.FileCounts.Test);
            }
            else
            {
                log.LogWarning("The demo corpus was not seeded: {Errors}", string.Join("; ", result.Errors.SelectMany(e => e.Value)));
            }
        }
        catch (DbUpdateException ex)
        {
            // Another process seeded it between our check and our insert (same fixed id).
            log.LogInformation(ex, "The demo corpus was seeded by another process.");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
