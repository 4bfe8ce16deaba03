namespace RnnRbm.Api.Tests;

/// <summary>A temporary folder for a test that restarts the service on one database; deleted at the end.</summary>
internal sealed class TempFolder(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; it is a temp folder.
        }
    }
}
