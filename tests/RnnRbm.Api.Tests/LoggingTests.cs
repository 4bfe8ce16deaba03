using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RnnRbm.Api.Hosting;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Api.Tests;

/// <summary>
/// The logs at the default levels (issue 11): no SQL, one line per request, quiet probes, and the numerics backend
/// named at start with why. The app's own level rules apply to the captured lines, as to its console.
/// </summary>
public class LoggingTests
{
    [Fact]
    public async Task DefaultLevel_LogsNoSql_ThoughStartAndRequestsRunQueries()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/corpora", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/models", UriKind.Relative))).StatusCode);

        // Migrations and both requests ran SQL; none of it is logged.
        Assert.DoesNotContain(app.Logs.Lines, l => l.Category.StartsWith("Microsoft.EntityFrameworkCore.Database", StringComparison.Ordinal));
        Assert.Contains(app.Logs.Lines, l => l.Category == "RnnRbm.Api.Storage.DatabaseInitializer"); // the capture works
    }

    [Fact]
    public async Task EveryRequest_IsOneLine_WithMethodPathStatusAndMilliseconds()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        int mark = app.Logs.Lines.Count;

        await client.GetAsync(new Uri("/api/corpora", UriKind.Relative));
        await client.GetAsync(new Uri("/api/nothing-here", UriKind.Relative));
        await client.PostAsync(new Uri("/api/trainings", UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        IReadOnlyList<LogLine> logged = app.Logs.Since(mark);
        List<LogLine> requests = [.. logged.Where(l => l.Category == LoggingSetup.RequestCategory)];
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal(LogLevel.Information, r.Level));
        Assert.Matches(@"^GET /api/corpora 200 \d+ ms$", requests[0].Message);
        Assert.Matches(@"^GET /api/nothing-here 404 \d+ ms$", requests[1].Message);
        Assert.Matches(@"^POST /api/trainings 400 \d+ ms$", requests[2].Message);
        // ASP.NET Core's own request lines (starting, executing, executed, finished) are below the default level.
        Assert.DoesNotContain(logged, l => l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && l.Level < LogLevel.Warning);
    }

    [Fact]
    public async Task HealthProbes_LogNothing_AtTheDefaultLevel()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();
        int mark = app.Logs.Lines.Count;

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz/ready", UriKind.Relative))).StatusCode);
        }

        // An orchestrator probes every few seconds: a probe that logs is a log that never stops while idle.
        Assert.DoesNotContain(app.Logs.Since(mark), l => l.Level >= LogLevel.Information);
    }

    [Fact]
    public void Start_NamesTheNumericsBackend_AndWhyItWasChosen()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient(); // started; no request made

        NumericsBackend inUse = app.Services.GetRequiredService<NumericsBackend>();
        LogLine line = Assert.Single(app.Logs.Lines, l => l.Category == LoggingSetup.NumericsCategory);
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.StartsWith($"Numerics backend: {inUse.Name} ({inUse.Description}), ", line.Message, StringComparison.Ordinal);
        if (NumericsBackend.Available.Count > 1)
        {
            // Native libraries loaded: the line says the choice was measured and gives every candidate's time,
            // never that no native BLAS loaded (issue 11: it did, with MKL and OpenBLAS both loaded).
            Assert.Contains("measured fastest", line.Message, StringComparison.Ordinal);
            foreach (NumericsBackend candidate in NumericsBackend.Available)
            {
                Assert.Matches($@"\b{candidate.Name} \d+ µs", line.Message);
            }
            Assert.DoesNotContain("No native BLAS", line.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("the only backend that loads here", line.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Start_SaysWhenTheBackendWasSetByConfiguration()
    {
        using var app = new RnnRbmAppFactory(new Dictionary<string, string?> { ["RnnRbm:NumericsBackend"] = "simd" });
        using HttpClient client = app.CreateClient();

        LogLine line = Assert.Single(app.Logs.Lines, l => l.Category == LoggingSetup.NumericsCategory);
        Assert.StartsWith("Numerics backend: simd (", line.Message, StringComparison.Ordinal);
        Assert.Contains("set by RnnRbm:NumericsBackend", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_SaysOnceThatTheServiceListens()
    {
        using var app = new RnnRbmAppFactory();
        using HttpClient client = app.CreateClient();

        // The in-process test server has no URL; a real node names its address (ScaleOut's four-node test checks it).
        LogLine line = Assert.Single(app.Logs.Lines, l => l.Message.StartsWith("RnnRbm listening on ", StringComparison.Ordinal));
        Assert.Equal("RnnRbm listening on the in-process test server (role all, database sqlite).", line.Message);
    }
}
