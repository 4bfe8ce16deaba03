using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RnnRbm.TestKit;

/// <summary>
/// The app on a fresh data folder (a temporary SQLite database), with quick job and progress polling and, unless
/// asked, without the demo seeding. Every test substitution lives here: pass settings to change one (a role, a
/// missing FluidSynth, an API key). Pass the same <see cref="DataFolder"/> to a second factory to "restart" the
/// service on the same database. With <c>realServer</c> it listens on real Kestrel at 127.0.0.1 (a random port), as
/// a browser needs. What the app logs (at its own default levels) is kept in <see cref="Logs"/>.
/// </summary>
public sealed class RnnRbmAppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsFolder;

    public RnnRbmAppFactory(IDictionary<string, string?>? settings = null, string? dataFolder = null, bool realServer = false,
        bool seedDemo = false)
    {
        _ownsFolder = dataFolder is null;
        DataFolder = dataFolder ?? Directory.CreateTempSubdirectory("rnnrbm-tests-").FullName;
        _settings = new Dictionary<string, string?>
        {
            ["RnnRbm:DataFolder"] = DataFolder,
            ["RnnRbm:JobPollInterval"] = "00:00:00.200",
            ["RnnRbm:Progress:PollInterval"] = "00:00:00.200",
            ["RnnRbm:SeedDemo"] = seedDemo ? "true" : "false",
        };
        foreach (KeyValuePair<string, string?> pair in settings ?? new Dictionary<string, string?>())
        {
            _settings[pair.Key] = pair.Value;
        }
        if (realServer)
        {
            UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        }
    }

    /// <summary>The data folder (database) of this app.</summary>
    public string DataFolder { get; }

    /// <summary>What the app logged, filtered by the app's level rules as its console is.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>The real server's address, such as http://127.0.0.1:45678 (starts it on first use; needs <c>realServer</c>).</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            string address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        }
    }

    /// <summary>An HttpClient on the real server (needs <c>realServer</c>).</summary>
    public HttpClient CreateRealClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

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
