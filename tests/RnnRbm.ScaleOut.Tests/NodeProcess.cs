using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RnnRbm.ScaleOut.Tests;

/// <summary>
/// One node of the service: the real binary (src/Api's build) in a process of its own, bound to 127.0.0.1 on a free
/// port, with a role and the test's PostgreSQL database. Disposing kills it (only this process, by its id).
/// </summary>
public sealed partial class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataFolder;
    private readonly bool _ownsFolder;
    private readonly Lock _outputGate = new();
    private readonly Queue<string> _output = new();

    private NodeProcess(Process process, string role, Uri address, string dataFolder, bool ownsFolder)
    {
        _process = process;
        Role = role;
        Address = address;
        _dataFolder = dataFolder;
        _ownsFolder = ownsFolder;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Role { get; }

    public Uri Address { get; }

    /// <summary>The process id: also the middle part of the lease owner ("host/pid/instance") it trains under.</summary>
    public int Pid => _process.Id;

    public HttpClient Client { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>RnnRbm:TakeoverDelay of every node: a killed worker's work shows stalled after half of it, moves after it.</summary>
    public static readonly TimeSpan TakeoverDelay = TimeSpan.FromSeconds(15);

    /// <summary>The binary the nodes run: src/Api's own build of the configuration this test was built in.</summary>
    public static string ApiBinary
    {
        get
        {
            string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Release>/net10.0/
            return Path.Combine(TestEnvironment.RepositoryRoot, "src", "Api", "bin", configuration, "net10.0", "RnnRbm.Api.dll");
        }
    }

    /// <summary>
    /// Starts a node and waits until /healthz/ready answers 200 (its migrations have run), at most
    /// <paramref name="readyWithin"/> (default 60 s; a node that exits fails at once).
    /// </summary>
    public static Task<NodeProcess> StartAsync(string role, TestDatabase database, IDictionary<string, string>? settings = null,
        TimeSpan? readyWithin = null) =>
        StartAsync(role, new Dictionary<string, string>
        {
            ["--RnnRbm:Database"] = "postgres",
            ["--ConnectionStrings:Postgres"] = database.ConnectionString,
        }, Directory.CreateTempSubdirectory("rnnrbm-node-").FullName, ownsFolder: true, settings, readyWithin);

    /// <summary>
    /// Starts a single node of role "all" on the embedded SQLite database in <paramref name="dataFolder"/>, which the
    /// caller owns: a second node started on the same folder after this one is killed is the same server restarted.
    /// </summary>
    public static Task<NodeProcess> StartSqliteAsync(string dataFolder, IDictionary<string, string>? settings = null) =>
        StartAsync("all", new Dictionary<string, string> { ["--RnnRbm:Database"] = "sqlite" }, dataFolder, ownsFolder: false, settings, null);

    private static async Task<NodeProcess> StartAsync(string role, Dictionary<string, string> database, string dataFolder, bool ownsFolder,
        IDictionary<string, string>? settings, TimeSpan? readyWithin)
    {
        string binary = ApiBinary;
        Assert.True(File.Exists(binary), $"{binary} is missing: build the solution first (dotnet build RnnRbm.sln -c Release).");
        int port = FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataFolder,
        };
        start.ArgumentList.Add(binary);
        var arguments = new Dictionary<string, string>
        {
            ["--urls"] = $"http://127.0.0.1:{port}",
            ["--RnnRbm:Role"] = role,
            ["--RnnRbm:DataFolder"] = dataFolder,
            ["--RnnRbm:SeedDemo"] = "false",
            ["--RnnRbm:JobPollInterval"] = "00:00:00.500",
            ["--RnnRbm:JobInvisibilityTimeout"] = "00:01:00",
            ["--RnnRbm:TakeoverDelay"] = TakeoverDelay.ToString(),
            ["--RnnRbm:ShutdownTimeout"] = "00:00:05",
        };
        foreach (KeyValuePair<string, string> setting in database.Concat(settings ?? new Dictionary<string, string>()))
        {
            arguments[setting.Key] = setting.Value;
        }
        foreach (KeyValuePair<string, string> argument in arguments)
        {
            start.ArgumentList.Add(argument.Key);
            start.ArgumentList.Add(argument.Value);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // The app's own default levels, but for the request lines: the tests' polling (five a second) would crowd the
        // job lines out of Output(), which failure messages show.
        start.Environment["Logging__LogLevel__RnnRbm.Requests"] = "Warning";
        var process = new Process { StartInfo = start };
        var node = new NodeProcess(process, role, new Uri($"http://127.0.0.1:{port}"), dataFolder, ownsFolder);
        process.OutputDataReceived += (_, e) => node.Record(e.Data);
        process.ErrorDataReceived += (_, e) => node.Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await node.WaitUntilReadyAsync(readyWithin ?? TimeSpan.FromSeconds(60));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    /// <summary>SIGKILL: the process dies at once, mid-update, without releasing anything.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit(10_000);
    }

    /// <summary>
    /// SIGTERM, as <c>docker stop</c> sends it: the node stops gracefully (its jobs hand their work back) and exits;
    /// returns its exit code.
    /// </summary>
    public int Terminate(TimeSpan timeout)
    {
        if (SendSignal(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException("kill(SIGTERM) failed.");
        }
        Assert.True(_process.WaitForExit(timeout), $"The {Role} node did not exit within {timeout.TotalSeconds} s of SIGTERM.\n{Output()}");
        return _process.ExitCode;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);

    /// <summary>The last lines the node logged, for failure messages.</summary>
    public string Output()
    {
        lock (_outputGate)
        {
            return $"--- {Role} node {(_process.HasExited ? "(exited)" : $"pid {Pid}")} ---\n" + string.Join('\n', _output);
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_outputGate)
        {
            _output.Enqueue(line);
            while (_output.Count > 200)
            {
                _output.Dequeue();
            }
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"The {Role} node exited with code {_process.ExitCode} before it was ready.\n{Output()}");
            }
            try
            {
                using HttpResponseMessage response = await Client.GetAsync(new Uri("/healthz/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"The {Role} node was not ready within {timeout.TotalSeconds} s.\n{Output()}");
            }
            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        Client.Dispose();
        try
        {
            if (_ownsFolder)
            {
                Directory.Delete(_dataFolder, recursive: true);
            }
        }
        catch (IOException)
        {
            // A temp folder.
        }
        return ValueTask.CompletedTask;
    }
}
