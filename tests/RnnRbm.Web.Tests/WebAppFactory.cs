using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace RnnRbm.Web.Tests;

/// <summary>
/// The whole service on real Kestrel at 127.0.0.1 (a random port), on a fresh temporary data folder, with quick job
/// polling: what a browser needs. Every test substitution lives here; pass settings to change one (a missing
/// FluidSynth, an API key).
/// </summary>
public sealed class WebAppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public WebAppFactory(IDictionary<string, string?>? settings = null, bool seedDemo = false)
    {
        DataFolder = Directory.CreateTempSubdirectory("rnnrbm-web-tests-").FullName;
        _settings = new Dictionary<string, string?>
        {
            ["RnnRbm:DataFolder"] = DataFolder,
            ["RnnRbm:JobPollInterval"] = "00:00:00.200",
            ["RnnRbm:SeedDemo"] = seedDemo ? "true" : "false",
            ["RnnRbm:Progress:PollInterval"] = "00:00:00.200",
        };
        foreach (KeyValuePair<string, string?> pair in settings ?? new Dictionary<string, string?>())
        {
            _settings[pair.Key] = pair.Value;
        }
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
    }

    public string DataFolder { get; }

    /// <summary>The server's address, such as http://127.0.0.1:45678 (starts the server on first use).</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            string address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        }
    }

    /// <summary>An HttpClient on the real server.</summary>
    public HttpClient CreateRealClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

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
        if (disposing)
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
