namespace RnnRbm.Cli.Tests;

internal static class DemoCorpusFolders
{
    /// <summary>A folder in <paramref name="temp"/> holding the first <paramref name="count"/> files of the repository's demo corpus.</summary>
    public static string DemoCorpus(this TempFolder temp, int count, string name = "corpus")
    {
        string folder = temp[name];
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.GetFiles(TestEnvironment.RepositoryPath("datasets", "demo"), "*.mid").Order(StringComparer.Ordinal).Take(count))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }
        return folder;
    }
}
