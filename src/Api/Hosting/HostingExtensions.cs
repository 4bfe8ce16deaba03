using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using RnnRbm.Core.Numerics;

namespace RnnRbm.Api.Hosting;

public static class HostingExtensions
{
    /// <summary>Binds <see cref="RnnRbmOptions"/> and checks them at start; caps request sizes.</summary>
    public static WebApplicationBuilder AddRnnRbmOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RnnRbmOptions>()
            .Bind(builder.Configuration.GetSection(RnnRbmOptions.Section))
            .ValidateDataAnnotations()
            .PostConfigure(o =>
            {
                o.Role = o.Role.Trim().ToLowerInvariant();
                o.Database = o.Database.Trim().ToLowerInvariant();
                o.PostgresConnectionString ??= builder.Configuration.GetConnectionString("Postgres");
                if (o.TrainingWorkers is int legacy)
                {
                    o.Workers = legacy;
                }
                if (o.Role == NodeRoles.Web)
                {
                    o.Workers = 0; // a web node never trains or evaluates; workers (or "all" nodes) do
                }
                if (o.Role == NodeRoles.Worker)
                {
                    o.SeedDemo = false; // the web node seeds: workers starting together must not add the demo twice
                }
            })
            .Validate(o => o.NumericsBackend is "auto" or "mkl" or "openblas" or "simd", "RnnRbm:NumericsBackend must be auto, mkl, openblas or simd.")
            .Validate(o => o.Role is NodeRoles.All or NodeRoles.Web or NodeRoles.Worker, "RnnRbm:Role must be all, web or worker.")
            .Validate(o => o.Database is DatabaseKinds.Sqlite or DatabaseKinds.Postgres, "RnnRbm:Database must be sqlite or postgres.")
            .Validate(o => o.Workers <= Environment.ProcessorCount,
                $"RnnRbm:Workers is more than this node's {Environment.ProcessorCount} cores: each training or evaluation uses the cores it can.")
            .Validate(o => o.UploadMemoryShareBytes >= 2L * o.MaxMidiFileBytes,
                "RnnRbm:UploadMemoryBytes / RnnRbm:UploadConcurrency must be at least twice RnnRbm:MaxMidiFileBytes: each upload needs its read buffer and room for one file it keeps.")
            .Validate(o => o.Database != DatabaseKinds.Postgres || !string.IsNullOrWhiteSpace(o.PostgresConnectionString),
                "RnnRbm:Database is postgres: set the connection string ConnectionStrings:Postgres (environment ConnectionStrings__Postgres).")
            .ValidateOnStart();
        // The host waits a little longer than Hangfire's server, so that a job's hand-back of its work is not cut off.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<RnnRbmOptions>>((host, o) =>
            host.ShutdownTimeout = o.Value.ShutdownTimeout + TimeSpan.FromSeconds(5));
        long maxRequest = builder.Configuration.GetSection(RnnRbmOptions.Section).GetValue<long?>(nameof(RnnRbmOptions.MaxRequestBytes))
            ?? new RnnRbmOptions().MaxRequestBytes;
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxRequest);
        builder.Services.Configure<FormOptions>(f =>
        {
            f.MultipartBodyLengthLimit = maxRequest;
            f.ValueCountLimit = 10_000;
        });
        return builder;
    }

    /// <summary>
    /// One numerics backend per process, chosen at start (RnnRbm:NumericsBackend; auto measures) and logged with why
    /// (<see cref="StartupLog"/>); /healthz/ready names it too.
    /// </summary>
    public static WebApplicationBuilder AddNumerics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(services => NumericsBackend.Choose(services.GetRequiredService<IOptions<RnnRbmOptions>>().Value.NumericsBackend));
        builder.Services.AddSingleton(services => services.GetRequiredService<NumericsChoice>().Backend);
        return builder;
    }

    /// <summary>
    /// The Hangfire dashboard at /hangfire: local requests only unless RnnRbm:DashboardAllowRemote; with
    /// RnnRbm:ApiKeyForReads, requests with the API key only, from any address (<see cref="ApiKey.AllowsDashboard"/>).
    /// </summary>
    public static WebApplication MapJobsDashboard(this WebApplication app)
    {
        RnnRbmOptions options = app.Services.GetRequiredService<IOptions<RnnRbmOptions>>().Value;
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new DashboardAccess(options)],
            DashboardTitle = "RnnRbm jobs",
            AppPath = "/",
        });
        return app;
    }

    private sealed class DashboardAccess(RnnRbmOptions options) : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => ApiKey.AllowsDashboard(context.GetHttpContext(), options);
    }
}
