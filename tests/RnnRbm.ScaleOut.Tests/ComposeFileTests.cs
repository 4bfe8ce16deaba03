using System.Diagnostics;
using System.Text.RegularExpressions;
using RnnRbm.Api.Hosting;

namespace RnnRbm.ScaleOut.Tests;

/// <summary>docker-compose.yml and the Dockerfile: valid, and naming only settings the service has.</summary>
public partial class ComposeFileTests
{
    [ToolFact("docker-compose")]
    public void ComposeFile_IsValid()
    {
        (int code, string output) = Compose("config", "-q");
        Assert.True(code == 0, $"docker-compose config -q failed ({code}):\n{output}");
    }

    [ToolFact("docker-compose")]
    public void ComposeFile_NamesOnlySettingsTheServiceHas()
    {
        (int code, string output) = Compose("config");
        Assert.True(code == 0, output);
        string dockerfile = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "Dockerfile"));
        var known = typeof(RnnRbmOptions).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        string[] used = [.. Setting().Matches(output + "\n" + dockerfile).Select(m => m.Groups[1].Value).Distinct()];
        Assert.Contains("Role", used);
        Assert.Contains("ShutdownTimeout", used);
        Assert.All(used, name => Assert.True(known.Contains(name), $"RnnRbm__{name} is not a setting of RnnRbmOptions."));
        Assert.Contains("ConnectionStrings__Postgres", output, StringComparison.Ordinal);
    }

    private static (int Code, string Output) Compose(params string[] arguments)
    {
        var start = new ProcessStartInfo("docker-compose")
        {
            WorkingDirectory = TestEnvironment.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["-f", "docker-compose.yml", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["POSTGRES_PASSWORD"] = "x";
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "docker-compose config did not finish within 60 s.");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [GeneratedRegex(@"RnnRbm__(\w+)")]
    private static partial Regex Setting();
}

/// <summary>
/// A test that needs a command-line tool. Skipped on a developer machine without it; in CI (CI=true) it runs and
/// fails, since scripts/install-deps.sh --tests installs it.
/// </summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(string tool)
    {
        bool found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
        if (!found && !TestEnvironment.IsCi)
        {
            Skip = $"{tool} is not installed (scripts/install-deps.sh --tests installs it).";
        }
    }
}
