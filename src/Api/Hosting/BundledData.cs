namespace RnnRbm.Api.Hosting;

/// <summary>
/// Where the bundled demo corpus (<c>datasets/demo/*.mid</c>) and default model (<c>models/*.rnnrbm</c>) are:
/// <see cref="RnnRbmOptions.BundledDataFolder"/> when set, else the nearest folder above the binary that holds
/// <c>datasets/demo</c> (the repository, when run from a clone).
/// </summary>
public static class BundledData
{
    /// <summary>The root folder, or null when none is found (then nothing is seeded, and the log says so).</summary>
    public static string? Locate(RnnRbmOptions options)
    {
        if (!string.IsNullOrEmpty(options.BundledDataFolder))
        {
            return Directory.Exists(options.BundledDataFolder) ? Path.GetFullPath(options.BundledDataFolder) : null;
        }
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (Directory.Exists(Path.Combine(dir.FullName, "datasets", "demo")))
                {
                    return dir.FullName;
                }
            }
        }
        return null;
    }

    /// <summary>The demo corpus's MIDI files, in name order (empty when not found).</summary>
    public static IReadOnlyList<string> DemoCorpusFiles(RnnRbmOptions options) =>
        Locate(options) is string root && Directory.Exists(Path.Combine(root, "datasets", "demo"))
            ? [.. Directory.GetFiles(Path.Combine(root, "datasets", "demo"), "*.mid").Order(StringComparer.Ordinal)]
            : [];

    /// <summary>The default model file, or null.</summary>
    public static string? DefaultModelFile(RnnRbmOptions options) =>
        Locate(options) is string root && File.Exists(Path.Combine(root, "models", "nottingham-default.rnnrbm"))
            ? Path.Combine(root, "models", "nottingham-default.rnnrbm")
            : null;
}
