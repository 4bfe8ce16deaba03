namespace RnnRbm.Core.Tests;

/// <summary>Finds files the tests read: everything lives in this repository, never outside it.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder holding RnnRbm.sln.</summary>
    public static string Root => TestEnvironment.RepositoryRoot;

    /// <summary>A path under <c>datasets/</c> (copied from the paper's data, see datasets/README.md).</summary>
    public static string Dataset(params string[] parts) => TestEnvironment.RepositoryPath(["datasets", .. parts]);
}
