using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Api.Health;

/// <summary>
/// Liveness at /healthz (the process answers; touches nothing) and readiness at /healthz/ready (the database answers
/// a real query; names the numerics backend). Both open without the API key, for load balancers and orchestrators.
/// </summary>
/// <remarks>
/// Plain endpoints rather than ASP.NET health-check middleware, so that both appear in the OpenAPI document with
/// their response shapes.
/// </remarks>
public static class HealthSetup
{
    /// <summary>How long readiness waits for the database (its busy timeout is 30 s: a probe must not hang that long).</summary>
    public static readonly TimeSpan DatabaseTimeout = TimeSpan.FromSeconds(5);

    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Alive)
            .WithTags("Health")
            .WithName("Alive")
            .WithSummary("Liveness: 200 \"Healthy\" while the process serves requests. Does not touch the database.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        app.MapGet("/healthz/ready", Ready)
            .WithTags("Health")
            .WithName("Ready")
            .WithSummary("Readiness: the database answers a query; names the numerics backend. 503 with the same JSON when not ready.")
            .Produces<ReadinessReport>(StatusCodes.Status200OK)
            .Produces<ReadinessReport>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static ContentHttpResult Alive() => TypedResults.Text("Healthy", "text/plain");

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Any failure of the probe means not ready; it is logged.")]
    private static async Task<JsonHttpResult<ReadinessReport>> Ready(
        RnnRbmDbContext db, NumericsBackend numerics, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var backend = new NumericsReport(numerics.Name, numerics.Description);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DatabaseTimeout);
        try
        {
            // A real read of an app table: opening a SQLite connection alone proves nothing (it is lazy). AnyAsync, not
            // an unordered FirstOrDefault, which EF Core warns about (a log line at the first probe).
            await db.Models.AnyAsync(timeout.Token);
            return TypedResults.Json(new ReadinessReport("Healthy", "reachable", backend), statusCode: StatusCodes.Status200OK);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logs.CreateLogger(typeof(HealthSetup)).LogWarning(ex, "Readiness: the database did not answer");
            string database = ex is OperationCanceledException ? "timeout" : "unreachable";
            return TypedResults.Json(new ReadinessReport("Unhealthy", database, backend), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}

/// <summary>What /healthz/ready found.</summary>
/// <param name="Status">Healthy or Unhealthy.</param>
/// <param name="Database">reachable, unreachable or timeout (details are in the server log, not here: the endpoint is open).</param>
/// <param name="Numerics">The numerics backend this process trains on.</param>
public sealed record ReadinessReport(string Status, string Database, NumericsReport Numerics);

/// <summary>A numerics backend.</summary>
/// <param name="Backend">Its short name: mkl, openblas or simd.</param>
/// <param name="Description">Library, version and threading.</param>
public sealed record NumericsReport(string Backend, string Description);
