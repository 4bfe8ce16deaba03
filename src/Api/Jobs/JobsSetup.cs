using Hangfire;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;

namespace RnnRbm.Api.Jobs;

/// <summary>
/// Wires background work onto Hangfire: one line per kind (<see cref="AddBackgroundWork{TEntity, TRun}"/>); the first
/// one also adds the job, recovery, and this node's one Hangfire server (docs/architecture.md, "Adding a new kind of
/// background work").
/// </summary>
public static class JobsSetup
{
    /// <summary>How often a server looks whether one of its jobs was deleted (a cancel): its token fires within this.</summary>
    public static readonly TimeSpan CancellationCheckInterval = TimeSpan.FromMilliseconds(300);

    /// <summary>Jobs of <see cref="WorkLoad.Coordination"/> one node runs at once (each mostly waits on the database).</summary>
    public const int CoordinationWorkers = 4;

    /// <summary>
    /// Registers a kind of background work: rows of <typeparamref name="TEntity"/> run by <typeparamref name="TRun"/>,
    /// new ones on the Hangfire queue <paramref name="name"/>, served by the compute server or (for
    /// <see cref="WorkLoad.Coordination"/>) by the node's coordination server.
    /// </summary>
    public static WebApplicationBuilder AddBackgroundWork<TEntity, TRun>(this WebApplicationBuilder builder, string name, WorkLoad load = WorkLoad.Compute)
        where TEntity : class, IBackgroundWork
        where TRun : WorkRun<TEntity>
    {
        WorkKinds? kinds = builder.Services.FirstOrDefault(d => d.ServiceType == typeof(WorkKinds))?.ImplementationInstance as WorkKinds;
        if (kinds is null)
        {
            kinds = new WorkKinds();
            AddJobSystem(builder, kinds);
        }
        if (load == WorkLoad.Coordination && kinds.CoordinationQueues.Length == 0 && ServerWorkers(builder.Configuration) > 0)
        {
            AddCoordinationServer(builder);
        }
        kinds.Add(WorkKind.Of<TEntity, TRun>(name, load));
        return builder;
    }

    /// <summary>The node's second server: coordination work only, so that it never waits behind (or blocks) compute work.</summary>
    private static void AddCoordinationServer(WebApplicationBuilder builder) =>
        builder.Services.AddHangfireServer((services, server) =>
        {
            RnnRbmOptions options = services.GetRequiredService<IOptions<RnnRbmOptions>>().Value;
            server.ServerName = "rnnrbm-coordination:" + services.GetRequiredService<WorkerIdentity>().Id;
            server.WorkerCount = CoordinationWorkers;
            server.Queues = services.GetRequiredService<WorkKinds>().CoordinationQueues;
            server.ShutdownTimeout = options.ShutdownTimeout;
            server.CancellationCheckInterval = CancellationCheckInterval;
        });

    private static void AddJobSystem(WebApplicationBuilder builder, WorkKinds kinds)
    {
        builder.Services.AddSingleton(kinds);
        builder.Services.AddSingleton<WorkerIdentity>();
        builder.Services.AddSingleton<BackgroundWork>();
        builder.Services.AddTransient<WorkJob>();
        // Start order matters: the database exists (StorageExtensions' initialiser runs first), then recovery moves lost
        // work to the front, then the server takes work. Stop order is the reverse.
        builder.Services.AddHostedService<WorkRecovery>();
        if (ServerWorkers(builder.Configuration) == 0)
        {
            return; // a web node, or RnnRbm:Workers = 0: the work runs on other nodes
        }
        // One server over every compute kind's queue: trainings, evaluations and search trials share the node's budget of CPU-bound jobs.
        builder.Services.AddHangfireServer((services, server) =>
        {
            RnnRbmOptions options = services.GetRequiredService<IOptions<RnnRbmOptions>>().Value;
            server.ServerName = "rnnrbm:" + services.GetRequiredService<WorkerIdentity>().Id;
            server.WorkerCount = Math.Max(1, options.Workers);
            server.Queues = services.GetRequiredService<WorkKinds>().Queues;
            // A job stops at its next safe point and hands its work back well within this (RnnRbm:ShutdownTimeout;
            // the host waits 5 s longer, the orchestrator longer still).
            server.ShutdownTimeout = options.ShutdownTimeout;
            server.CancellationCheckInterval = CancellationCheckInterval;
        });
    }

    /// <summary>
    /// The node's budget, read from configuration when the services are registered (a server is registered or not);
    /// <see cref="HostingExtensions.AddRnnRbmOptions"/> applies the same rules to the bound options.
    /// </summary>
    private static int ServerWorkers(ConfigurationManager configuration)
    {
        if (NodeRoles.Of(configuration) == NodeRoles.Web)
        {
            return 0;
        }
        IConfigurationSection section = configuration.GetSection(RnnRbmOptions.Section);
        return section.GetValue<int?>(nameof(RnnRbmOptions.TrainingWorkers))
            ?? section.GetValue<int?>(nameof(RnnRbmOptions.Workers))
            ?? new RnnRbmOptions().Workers;
    }
}
