using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace RnnRbm.Api.Tests;

/// <summary>
/// The app on a fresh data folder (a temporary SQLite database), with quick job polling and, unless asked,
/// without the demo seeding. Every test substitution lives here. Pass the same <see cref="DataFolder"/> to a second
/// factory to "restart" the service on the same database.
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

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
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
