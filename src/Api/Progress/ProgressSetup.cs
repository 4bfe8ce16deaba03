namespace RnnRbm.Api.Progress;

/// <summary>Live training progress over SignalR at <see cref="ProgressHub.Path"/>, and the progress of long requests at /api/progress/{id}.</summary>
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
        builder.Services.AddSingleton<RequestProgress>();
        return builder;
    }

    public static IEndpointRouteBuilder MapProgressHub(this IEndpointRouteBuilder app)
    {
        app.MapHub<ProgressHub>(ProgressHub.Path);
        app.MapGet("/api/progress/{id:guid}", RequestProgressEndpoint.Get)
            .WithTags("Progress")
            .WithName("GetRequestProgress")
            .WithSummary("How far a generation or a score is: send a random id in the X-Progress-Id header with the request, then poll this.")
            .WithDescription("POST /generate, POST /api/generations and POST /api/models/{id}/score answer only when their work is done. A client that " +
                "sends `X-Progress-Id: <a GUID it made up>` with one of them can poll this meanwhile: the share done (never decreasing), the seconds " +
                "elapsed and, once 2 % is done, the seconds left (at the speed of the last one to two seconds). 404 until the request has started, and a " +
                "minute after it answered. Held in the memory of the node that runs the request.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }
}
