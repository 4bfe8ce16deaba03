namespace RnnRbm.Api.Progress;

/// <summary>Live training progress over SignalR at <see cref="ProgressHub.Path"/>.</summary>
public static class ProgressSetup
{
    public static WebApplicationBuilder AddProgressHub(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalR();
        builder.Services.AddOptions<ProgressOptions>()
            .Bind(builder.Configuration.GetSection(ProgressOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ProgressSubscriptions>();
        builder.Services.AddHostedService<ProgressPoller>();
        return builder;
    }

    public static IEndpointRouteBuilder MapProgressHub(this IEndpointRouteBuilder app)
    {
        app.MapHub<ProgressHub>(ProgressHub.Path);
        return app;
    }
}
