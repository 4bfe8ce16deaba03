using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace RnnRbm.Api.Tests;

/// <summary>
/// The app on a fresh data folder (a temporary SQLite database), with quick job polling and, unless asked,
/// without the demo seeding. Every test substitution lives here. Pass the same <see cref="DataFolder"/> to a second
/// factory to "restart" the service on the same database. What the app logs (at its own default levels) is kept in
/// <see cref="Logs"/>.
/// </summary>
public sealed class RnnRbmAppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsFolder;

    public RnnRbmAppFactory(IDictionary<string, string?>? settings = null, string? dataFolder = null)
    {
        _ownsFolder = dataFolder is null;
        DataFolder = dataFolder ?? Directory.CreateTempSubdirectory("rnnrbm-api-tests-").FullName;
        _settings = new Dictionary<string, string?>
        {
            ["RnnRbm:DataFolder"] = DataFolder,
            ["RnnRbm:JobPollInterval"] = "00:00:00.200",
            ["RnnRbm:SeedDemo"] = "false",
        };
        foreach (KeyValuePair<string, string?> pair in settings ?? new Dictionary<string, string?>())
        {
            _settings[pair.Key] = pair.Value;
        }
    }

    /// <summary>The data folder (database) of this app.</summary>
    public string DataFolder { get; }

    /// <summary>What the app logged, filtered by the app's level rules as its console is.</summary>
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        foreach (KeyValuePair<string, string?> pair in _settings)
        {
            builder.UseSetting(pair.Key, pair.Value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsFolder)
        {
            try
            {
                Directory.Delete(DataFolder, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may hold the file a moment longer; it is a temp folder.
            }
        }
    }
}
