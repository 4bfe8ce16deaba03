namespace RnnRbm.Cli.Tests;

/// <summary>A fresh folder under the system temp folder, removed on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = Directory.CreateTempSubdirectory("rnnrbm-cli-tests-").FullName;
    }

    public string Path { get; }

    public string this[string name] => System.IO.Path.Combine(Path, name);

    /// <summary>A folder of the first <paramref name="count"/> files of the repository's demo corpus.</summary>
    public string DemoCorpus(int count, string name = "corpus")
    {
        string folder = this[name];
        Directory.CreateDirectory(folder);
        foreach (string file in Directory.GetFiles(Repository.Path("datasets", "demo"), "*.mid").Order(StringComparer.Ordinal).Take(count))
        {
            File.Copy(file, System.IO.Path.Combine(folder, System.IO.Path.GetFileName(file)));
        }
        return folder;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; the folder is under /tmp anyway.
        }
    }
}

internal static class Repository
{
    public static string Path(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "RnnRbm.sln")))
            {
                return System.IO.Path.Combine([dir.FullName, .. parts]);
            }
        }
        throw new InvalidOperationException("RnnRbm.sln not found above the test folder.");
    }
}
