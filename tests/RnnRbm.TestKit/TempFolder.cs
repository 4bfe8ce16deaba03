namespace RnnRbm.TestKit;

/// <summary>A fresh folder under the system temp folder, removed on dispose.</summary>
public sealed class TempFolder(string prefix = "rnnrbm-tests-") : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The path of <paramref name="name"/> in this folder.</summary>
    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // SQLite or a child process may hold a file a moment longer; it is a temp folder.
        }
    }
}
