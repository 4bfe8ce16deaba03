using System.Net;
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
            .Validate(o => o.NumericsBackend is "auto" or "mkl" or "openblas" or "simd", "RnnRbm:NumericsBackend must be auto, mkl, openblas or simd.")
            .ValidateOnStart();
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

    /// <summary>One numerics backend per process, chosen at start and logged (also shown by /healthz/ready).</summary>
    public static WebApplicationBuilder AddNumerics(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(services =>
        {
            RnnRbmOptions options = services.GetRequiredService<IOptions<RnnRbmOptions>>().Value;
            NumericsBackend backend = NumericsBackend.Select(options.NumericsBackend);
            ILogger log = services.GetRequiredService<ILoggerFactory>().CreateLogger("RnnRbm.Numerics");
            log.LogInformation("Numerics backend: {Backend} ({Description})", backend.Name, backend.Description);
            if (backend.Kind == BackendKind.Simd)
            {
                log.LogWarning("No native BLAS (MKL or OpenBLAS) loaded: training runs on the slower C# kernels.");
            }
            return backend;
        });
        return builder;
    }

    /// <summary>The Hangfire dashboard at /hangfire: local requests only unless RnnRbm:DashboardAllowRemote.</summary>
    public static WebApplication MapJobsDashboard(this WebApplication app)
    {
        bool remote = app.Services.GetRequiredService<IOptions<RnnRbmOptions>>().Value.DashboardAllowRemote;
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [new LocalOrAllowed(remote)],
            DashboardTitle = "RnnRbm jobs",
            AppPath = "/",
        });
        return app;
    }

    private sealed class LocalOrAllowed(bool allowRemote) : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            if (allowRemote)
            {
                return true;
            }
            HttpContext http = context.GetHttpContext();
            IPAddress? remote = http.Connection.RemoteIpAddress;
            return remote is null || IPAddress.IsLoopback(remote) || remote.Equals(http.Connection.LocalIpAddress);
        }
    }
}
