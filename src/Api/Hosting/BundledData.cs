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

    /// <summary>The bundled models (models/README.md says how each was made), by file name, with the name a user sees.</summary>
    public static IReadOnlyList<(string File, string Name)> Models { get; } =
    [
        ("nottingham-default.rnnrbm", "Nottingham default"),
        ("nottingham-tuned.rnnrbm", "Nottingham tuned"),
        ("piano-midi-tuned.rnnrbm", "Piano-midi.de tuned"),
        ("nottingham-recipe.rnnrbm", "Nottingham, default recipe"),
        ("piano-midi-recipe.rnnrbm", "Piano-midi.de, default recipe"),
    ];

    /// <summary>The bundled model files that are present, with their names, in <see cref="Models"/>' order.</summary>
    public static IReadOnlyList<(string Path, string Name)> ModelFiles(RnnRbmOptions options) =>
        Locate(options) is string root
            ? [.. Models.Select(m => (Path: Path.Combine(root, "models", m.File), m.Name)).Where(m => File.Exists(m.Path))]
            : [];
}
