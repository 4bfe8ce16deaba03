using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace RnnRbm.Cli.Tests;

/// <summary>Runs the real <c>rnnrbm</c> program (the built rnnrbm.dll beside the tests) as a child process.</summary>
internal sealed partial class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _lines = [];
    private readonly object _gate = new();

    private CliProcess(IEnumerable<string> args, string workingDirectory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rnnrbm.dll"));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (_gate)
            {
                _stdout.AppendLine(e.Data);
                _lines.Add(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_gate)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout { get { lock (_gate) { return _stdout.ToString(); } } }

    public string Stderr { get { lock (_gate) { return _stderr.ToString(); } } }

    public int ExitCode => _process.ExitCode;

    public static CliProcess Start(string workingDirectory, params string[] args) => new(args, workingDirectory);

    /// <summary>Runs to completion (at most two minutes) and returns the finished process.</summary>
    public static CliProcess Run(string workingDirectory, params string[] args) => Run(120, workingDirectory, args);

    public static CliProcess Run(int timeoutSeconds, string workingDirectory, params string[] args)
    {
        var process = new CliProcess(args, workingDirectory);
        process.WaitForExit(timeoutSeconds);
        return process;
    }

    public void WaitForExit(int timeoutSeconds)
    {
        if (!_process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rnnrbm did not finish within {timeoutSeconds} s. stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }
        _process.WaitForExit(); // flush the asynchronous readers
    }

    /// <summary>Waits until a line of standard output satisfies <paramref name="predicate"/>.</summary>
    public void WaitForLine(Func<string, bool> predicate, int timeoutSeconds)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < timeoutSeconds)
        {
            lock (_gate)
            {
                if (_lines.Any(predicate))
                {
                    return;
                }
            }
            if (_process.HasExited)
            {
                break;
            }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"No matching line within {timeoutSeconds} s. stdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    /// <summary>
    /// Sends SIGINT, as Ctrl+C in a terminal does; where this process inherited SIGINT as ignored (a CI runner or a
    /// shell's background job), the child inherits that too and would never see it, so SIGTERM, which the CLI treats
    /// the same, is sent instead. Returns the signal sent.
    /// </summary>
    public int Interrupt()
    {
        int signal = SigIntIgnored() ? 15 : 2;
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({signal}) failed.");
        }
        return signal;
    }

    // /proc/self/status "SigIgn:" is a hexadecimal mask; bit (n - 1) is signal n.
    private static bool SigIntIgnored()
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << 1)) != 0;
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
