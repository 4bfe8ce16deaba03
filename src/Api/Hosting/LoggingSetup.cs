using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Api.Hosting;

/// <summary>
/// Logs an operator can read (issue 11): a UTC timestamp on every line, one line per request and per job event, no
/// SQL, nothing while idle, and at start the numerics backend (with why it was chosen) and the URL once it listens.
/// </summary>
/// <remarks>
/// The levels below are defaults: configuration overrides any of them, category by category
/// (<c>Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command=Information</c> shows the SQL again).
/// What used to log while idle: EF Core's every command (recovery sweeps every 10 s, the progress poller), Hangfire's
/// storage housekeeping, and health probes; the first two are below the default level, probes log at Debug.
/// </remarks>
public static class LoggingSetup
{
    /// <summary>The category of the one line per request.</summary>
    public const string RequestCategory = "RnnRbm.Requests";

    /// <summary>The category of the numerics backend's start-up line.</summary>
    public const string NumericsCategory = "RnnRbm.Numerics";

    /// <summary>Quieter than Information by default: category and level (a category covers its sub-categories).</summary>
    internal static readonly IReadOnlyList<(string Category, LogLevel Level)> Defaults =
    [
        ("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning), // every SQL command
        ("Microsoft.AspNetCore", LogLevel.Warning),                           // 4-6 lines per request: ours is one
        ("Microsoft.Hosting.Lifetime", LogLevel.Warning),                     // 4 lines at start: ours is one
        ("Hangfire", LogLevel.Warning),                                       // server banners, storage housekeeping
        ("Hangfire.Server.ServerWatchdog", LogLevel.Information),             // "servers removed due to timeout": a node died
    ];

    // Probes of load balancers and orchestrators (every few seconds, forever) and the open dashboard's poll.
    private static readonly PathString[] Probes = ["/healthz", "/hangfire/stats"];

    public static WebApplicationBuilder AddRnnRbmLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        // Inserted before the rules read from configuration: of two rules for the same category the later wins, so
        // configuration overrides these defaults.
        builder.Services.Configure<LoggerFilterOptions>(filters =>
        {
            for (int i = Defaults.Count - 1; i >= 0; i--)
            {
                filters.Rules.Insert(0, new LoggerFilterRule(null, Defaults[i].Category, Defaults[i].Level, null));
            }
        });
        builder.Services.AddHostedService<StartupLog>();
        return builder;
    }

    /// <summary>One line per request when it ends: method, path, status, milliseconds. First in the pipeline.</summary>
    public static WebApplication UseRequestLog(this WebApplication app)
    {
        ILogger log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(RequestCategory);
        app.Use(async (context, next) =>
        {
            long start = Stopwatch.GetTimestamp();
            bool failed = false;
            try
            {
                await next(context);
            }
            catch
            {
                failed = true; // the server answers 500; the exception itself is logged by whoever sees it
                throw;
            }
            finally
            {
                int status = failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
                PathString path = context.Request.PathBase.Add(context.Request.Path);
                bool probe = status < 400 && Probes.Any(p => path.StartsWithSegments(p));
                log.Log(probe ? LogLevel.Debug : LogLevel.Information, "{Method} {Path} {Status} {Milliseconds:0} ms",
                    context.Request.Method, path.Value, status, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        });
        return app;
    }
}

/// <summary>
/// The start-up lines: which numerics backend this process trains on and why (measured at start, not at the first
/// request that needs it), and where the node listens once it does.
/// </summary>
internal sealed class StartupLog(
    NumericsChoice numerics,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<RnnRbmOptions> options,
    ILoggerFactory logs) : IHostedService
{
    private readonly ILogger _log = logs.CreateLogger<StartupLog>();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        string why = options.Value.NumericsBackend == "auto" ? numerics.Reason : $"set by RnnRbm:NumericsBackend; {numerics.Reason}";
        logs.CreateLogger(LoggingSetup.NumericsCategory).LogInformation("Numerics backend: {Backend} ({Description}), {Reason}.",
            numerics.Backend.Name, numerics.Backend.Description, why);
        lifetime.ApplicationStarted.Register(() =>
        {
            // The addresses Kestrel actually bound (port 0 resolved); none for the in-process test server.
            ICollection<string> addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            _log.LogInformation("RnnRbm listening on {Urls} (role {Role}, database {Database}).",
                addresses.Count == 0 ? "the in-process test server" : string.Join(", ", addresses), options.Value.Role, options.Value.Database);
        });
        lifetime.ApplicationStopping.Register(() => _log.LogInformation("RnnRbm stopping."));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
