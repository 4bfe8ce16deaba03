using System.IO.Compression;
using RnnRbm.Core.Midi;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Cli;

/// <summary>One file named on the command line: its bytes, or why they were not read.</summary>
internal sealed record CorpusFile(string Name, byte[]? Bytes, string? Problem);

/// <summary>MIDI files named on the command line: files, folders (recursively) or .zip archives.</summary>
internal static class CorpusFiles
{
    private static readonly string[] MidiExtensions = [".mid", ".midi", ".kar", ".rmi"];
    private const long MaxZipInflatedBytes = 512L * 1024 * 1024;

    /// <summary>Every MIDI file under <paramref name="path"/>, in name order.</summary>
    public static IReadOnlyList<CorpusFile> Read(string path)
    {
        if (File.Exists(path) && path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            return ReadZip(path);
        }
        if (File.Exists(path))
        {
            return [ReadFile(path, Path.GetFileName(path))];
        }
        if (Directory.Exists(path))
        {
            return [.. Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(IsMidiName)
                .Order(StringComparer.Ordinal)
                .Select(f => ReadFile(f, Path.GetRelativePath(path, f)))];
        }
        throw new FileNotFoundException($"No file or folder at {path}.");
    }

    /// <summary>Reads every file and keeps the rolls of those accepted; the reports say why others were not.</summary>
    public static (List<PianoRoll> Rolls, List<MidiFileReport> Reports) Load(string path, MidiReadOptions options)
    {
        var rolls = new List<PianoRoll>();
        var reports = new List<MidiFileReport>();
        foreach (CorpusFile file in Read(path))
        {
            if (file.Bytes is null)
            {
                reports.Add(new MidiFileReport(file.Name, false, null, file.Problem));
                continue;
            }
            try
            {
                MidiReadResult result = MidiReader.Read(file.Bytes, options);
                rolls.Add(result.Roll);
                reports.Add(new MidiFileReport(file.Name, true, result.Stats, null));
            }
            catch (InvalidMidiException ex)
            {
                reports.Add(new MidiFileReport(file.Name, false, null, ex.Reason));
            }
        }
        return (rolls, reports);
    }

    private static bool IsMidiName(string file) =>
        MidiExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase);

    private static CorpusFile ReadFile(string file, string name)
    {
        long length = new FileInfo(file).Length;
        return length > MidiLimits.Default.MaxBytes
            ? new CorpusFile(name, null, TooLarge(length))
            : new CorpusFile(name, File.ReadAllBytes(file), null);
    }

    private static string TooLarge(long length) =>
        $"{length} bytes is more than the {MidiLimits.Default.MaxBytes} allowed.";

    private static List<CorpusFile> ReadZip(string path)
    {
        using ZipArchive zip = ZipFile.OpenRead(path);
        var files = new List<CorpusFile>();
        long inflated = 0;
        foreach (ZipArchiveEntry entry in zip.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            if (entry.FullName.EndsWith('/') || !IsMidiName(entry.Name))
            {
                continue;
            }
            if (entry.Length > MidiLimits.Default.MaxBytes)
            {
                files.Add(new CorpusFile(entry.FullName, null, TooLarge(entry.Length)));
                continue;
            }
            inflated += entry.Length;
            if (inflated > MaxZipInflatedBytes)
            {
                throw new InvalidDataException($"{path} inflates to more than {MaxZipInflatedBytes} bytes.");
            }
            using Stream stream = entry.Open();
            using var buffer = new MemoryStream((int)entry.Length);
            stream.CopyTo(buffer);
            files.Add(new CorpusFile(entry.FullName, buffer.ToArray(), null));
        }
        return files;
    }
}
