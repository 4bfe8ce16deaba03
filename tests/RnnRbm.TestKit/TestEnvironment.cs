namespace RnnRbm.TestKit;

/// <summary>What the test run knows about where it runs.</summary>
public static class TestEnvironment
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>CI sets CI=true: there, everything the tests need must be installed, and nothing is skipped.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The repository's root (the folder holding RnnRbm.sln), found above the test binary.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>A path inside the repository: everything the tests read lives in it, never outside.</summary>
    public static string RepositoryPath(params string[] parts) => Path.Combine([RepositoryRoot, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RnnRbm.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"No RnnRbm.sln above {AppContext.BaseDirectory}.");
    }
}
