using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Tests.Midi;

/// <summary>
/// The ground-truth piano-rolls of a dataset: <c>datasets/&lt;name&gt;/&lt;name&gt;.json.gz</c>,
/// <c>splits[split][i][t]</c> = sorted MIDI pitches (layout in datasets/README.md).
/// </summary>
internal static class DatasetRolls
{
    public static readonly string[] Splits = ["train", "valid", "test"];

    // Parsed once per test run: Nottingham's 3.7 MB of JSON takes a second or two.
    private static readonly ConcurrentDictionary<string, Lazy<Dictionary<string, List<PianoRoll>>>> Cache = new();

    /// <summary>Rolls by split, in JSON order (index i ↔ file <c>&lt;name&gt;_&lt;split&gt;_&lt;iii&gt;.mid</c>).</summary>
    public static Dictionary<string, List<PianoRoll>> Load(string name) =>
        Cache.GetOrAdd(name, n => new Lazy<Dictionary<string, List<PianoRoll>>>(() => Parse(n))).Value;

    private static Dictionary<string, List<PianoRoll>> Parse(string name)
    {
        using FileStream file = File.OpenRead(RepositoryPaths.Dataset(name, $"{name}.json.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using JsonDocument json = JsonDocument.Parse(gzip);
        JsonElement splits = json.RootElement.GetProperty("splits");
        var rolls = new Dictionary<string, List<PianoRoll>>();
        foreach (string split in Splits)
        {
            rolls[split] = [.. splits.GetProperty(split).EnumerateArray().Select(ToRoll)];
        }
        return rolls;
    }

    private static PianoRoll ToRoll(JsonElement sequence)
    {
        List<IReadOnlyList<int>> steps = [.. sequence.EnumerateArray().Select(step => (IReadOnlyList<int>)[.. step.EnumerateArray().Select(p => p.GetInt32())])];
        return PianoRoll.FromNoteLists(steps, PitchRange.Piano);
    }
}
