namespace RnnRbm.Core.Tests;

/// <summary>Finds files the tests read: everything lives in this repository, never outside it.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The folder holding RnnRbm.sln.</summary>
    public static string Root => RootPath.Value;

    /// <summary>A path under <c>datasets/</c> (copied from the paper's data, see datasets/README.md).</summary>
    public static string Dataset(params string[] parts) => Path.Combine([Root, "datasets", .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RnnRbm.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No RnnRbm.sln above {AppContext.BaseDirectory}.");
    }
}
