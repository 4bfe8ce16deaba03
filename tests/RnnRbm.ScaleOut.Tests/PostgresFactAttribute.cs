namespace RnnRbm.ScaleOut.Tests;

/// <summary>
/// A test that needs the PostgreSQL server named by <see cref="TestDatabase.ServerVariable"/> (scripts/test.sh
/// starts one). Skipped on a developer machine without it; in CI (CI=true) it runs and fails, so that a missing
/// server never passes silently.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TestDatabase.ServerVariable)) && !TestEnvironment.IsCi)
        {
            Skip = $"No PostgreSQL: set {TestDatabase.ServerVariable} (e.g. Host=127.0.0.1;Port=55434;Username=postgres) or run scripts/test.sh.";
        }
    }
}

/// <summary>What the test run knows about where it runs.</summary>
public static class TestEnvironment
{
    /// <summary>CI sets CI=true: there, everything the tests need must be installed, and nothing is skipped.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The repository's root (the folder holding RnnRbm.sln), found above the test binary.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RnnRbm.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("RnnRbm.sln was not found above the test binary.");
    }
}
