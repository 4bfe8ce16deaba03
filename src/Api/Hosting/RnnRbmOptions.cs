using System.ComponentModel.DataAnnotations;
using RnnRbm.Core.Limits;

namespace RnnRbm.Api.Hosting;

/// <summary>
/// The service's settings (section <c>RnnRbm</c> of configuration; environment <c>RnnRbm__ApiKey</c> etc.).
/// Defaults live here; a bad value fails at start (ValidateOnStart), never in the middle of a job.
/// </summary>
public sealed class RnnRbmOptions
{
    public const string Section = "RnnRbm";

    /// <summary>
    /// What this node does (<see cref="NodeRoles"/>): <c>all</c> (the default: API, UI and training),
    /// <c>web</c> (API and UI; trainings run elsewhere) or <c>worker</c> (trainings; over HTTP only /healthz).
    /// </summary>
    [Required]
    public string Role { get; set; } = NodeRoles.All;

    /// <summary>
    /// Where app data and Hangfire's jobs live: <c>sqlite</c> (the default: one file under <see cref="DataFolder"/>,
    /// one node) or <c>postgres</c> (the connection string <c>ConnectionStrings:Postgres</c>; many nodes).
    /// </summary>
    [Required]
    public string Database { get; set; } = DatabaseKinds.Sqlite;

    /// <summary>From <c>ConnectionStrings:Postgres</c> (environment <c>ConnectionStrings__Postgres</c>); required for postgres.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// How long a stopping node waits for its jobs to reach a safe point and hand their work back (Hangfire
    /// server's ShutdownTimeout; the host's is 5 s longer). Keep it below the orchestrator's grace period (compose: 60 s).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// PostgreSQL only: Hangfire's sliding invisibility timeout. A running job renews it; the queue entry of a node that
    /// died becomes visible to other workers this long after its last renewal. Takeover normally comes sooner
    /// (<see cref="TakeoverDelay"/>, which moves the work to the front of the queue); this is Hangfire's fallback.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:30", "01:00:00")]
    public TimeSpan JobInvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Folder of the embedded database (created on first start).</summary>
    [Required]
    public string DataFolder { get; set; } = "var";

    /// <summary>When set, every mutating endpoint requires it in the <c>X-Api-Key</c> header.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// With <see cref="ApiKey"/> set: reads under <c>/api/</c> (model downloads, the generation history...) need the key
    /// too, and the Hangfire dashboard needs it from every address (header, or HTTP Basic with the key as password).
    /// </summary>
    public bool ApiKeyForReads { get; set; }

    /// <summary>Largest request body, in bytes (uploads included).</summary>
    [Range(1024, 2L * 1024 * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Largest single MIDI file, in bytes.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public int MaxMidiFileBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Most entries a zip may hold.</summary>
    [Range(1, 1_000_000)]
    public int MaxZipEntries { get; set; } = 5000;

    /// <summary>Most bytes all entries of one upload's zips may inflate to.</summary>
    [Range(1024, 16L * 1024 * 1024 * 1024)]
    public long MaxZipInflatedBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// Uploads unpacked and read at once in this process (each one's files are read one at a time); beyond it, 429 with
    /// Retry-After. Counted once the request's body has been received (the form spools large files to disk).
    /// </summary>
    [Range(1, 64)]
    public int UploadConcurrency { get; set; } = 2;

    /// <summary>
    /// Memory that the uploads in flight may hold together: each of the <see cref="UploadConcurrency"/> uploads gets an
    /// equal share (<see cref="UploadMemoryShareBytes"/>) for its read buffer (<see cref="MaxMidiFileBytes"/>) and the
    /// accepted files it keeps until they are stored; an upload that needs more is refused (400) and asked to be split.
    /// </summary>
    [Range(64 * 1024, 64L * 1024 * 1024 * 1024)]
    public long UploadMemoryBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>What one upload may hold: <see cref="UploadMemoryBytes"/> over <see cref="UploadConcurrency"/>.</summary>
    public long UploadMemoryShareBytes => UploadMemoryBytes / UploadConcurrency;

    /// <summary>
    /// The speed, in 10⁹ FLOP per second, at which a training's or evaluation's work is estimated before it is accepted
    /// (Core's <see cref="WorkBudget"/>; measure a host with <c>rnnrbm bench</c>, which prints it as trainGflopsPerSecond).
    /// </summary>
    [Range(0.001, 1_000_000)]
    public double WorkGflopsPerSecond { get; set; } = WorkBudget.DefaultGflopsPerSecond;

    /// <summary>The longest estimated training or evaluation accepted, in hours; a larger one is refused with 400 naming the fields to lower.</summary>
    [Range(0.001, 1_000_000)]
    public double MaxWorkHours { get; set; } = WorkBudget.DefaultMaxHours;

    /// <summary>The work budget of one job, from <see cref="WorkGflopsPerSecond"/> and <see cref="MaxWorkHours"/>.</summary>
    public WorkBudget WorkBudget => new(WorkGflopsPerSecond, MaxWorkHours);

    /// <summary>Generations computed at once in this process; beyond it a request waits for a slot (<see cref="GenerationSlotWait"/>), then 429 with Retry-After.</summary>
    [Range(1, 1024)]
    public int GenerationConcurrency { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>How long a generation request waits for a free slot before it is refused with 429 (0 = refuse at once).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan GenerationSlotWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The node's budget of CPU-bound jobs: trainings and evaluations run at once by this process, together (one
    /// Hangfire server over both queues with this many workers). Each job uses the cores it can, so the default is 1;
    /// 0 runs none (a web node forces 0); more than the node's cores fails at start.
    /// </summary>
    [Range(0, 64)]
    public int Workers { get; set; } = 1;

    /// <summary>The name <see cref="Workers"/> had before trainings and evaluations shared it; when set, it wins.</summary>
    [Range(0, 64)]
    public int? TrainingWorkers { get; set; }

    /// <summary>
    /// How long a running training or evaluation may go without a heartbeat from its worker before another node takes
    /// it over (from its last checkpoint, ahead of new work). Its worker is shown <c>stalled</c> after half of it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan TakeoverDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A running job shows <c>stalled</c> when its worker has been silent this long: half the takeover delay.</summary>
    public TimeSpan StalledAfter => TakeoverDelay / 2;

    /// <summary>The longest a running job goes without renewing its heartbeat: a sixth of the takeover delay, 0.5 to 5 s.</summary>
    public TimeSpan HeartbeatInterval => TimeSpan.FromTicks(Math.Clamp((TakeoverDelay / 6).Ticks, TimeSpan.FromMilliseconds(500).Ticks, TimeSpan.FromSeconds(5).Ticks));

    /// <summary>Whether the Hangfire dashboard at /hangfire also answers non-local requests.</summary>
    public bool DashboardAllowRemote { get; set; }

    /// <summary>Whether first start adds the bundled demo corpus and default model.</summary>
    public bool SeedDemo { get; set; } = true;

    /// <summary>Folder holding the bundled demo corpus and default model (the repository's, by default found from the binary).</summary>
    public string? BundledDataFolder { get; set; }

    /// <summary>Numerics backend: auto, mkl, openblas or simd.</summary>
    [Required]
    public string NumericsBackend { get; set; } = "auto";

    /// <summary>How often a queued job is looked for (Hangfire's poll interval).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan JobPollInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>The values of <see cref="RnnRbmOptions.Role"/>.</summary>
public static class NodeRoles
{
    public const string All = "all";
    public const string Web = "web";
    public const string Worker = "worker";

    /// <summary>The role configured, read before the options exist (Program.cs decides what to map from it).</summary>
    public static string Of(IConfiguration configuration) =>
        (configuration[$"{RnnRbmOptions.Section}:{nameof(RnnRbmOptions.Role)}"] ?? All).Trim().ToLowerInvariant();

    /// <summary>Whether the node serves the REST API, the UI, the progress hub and the dashboard.</summary>
    public static bool ServesApi(string role) => role != Worker;
}

/// <summary>The values of <see cref="RnnRbmOptions.Database"/>.</summary>
public static class DatabaseKinds
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
}
