using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace RnnRbm.Api.Corpora;

/// <summary>A file as the client sent it: its name (display only, never a path) and its bytes.</summary>
public sealed record UploadedFile(string FileName, byte[] Content);

/// <summary>
/// One candidate MIDI file out of an upload: a loose file or a zip entry. <see cref="Reason"/> is set when it is
/// already rejected (unsafe path, nested archive, too large, outside the split folders...).
/// </summary>
internal sealed record UploadCandidate(string DisplayName, byte[]? Bytes, string? ArchiveSplit, string? Reason);

/// <summary>An upload that breaks a limit as a whole (zip entries, inflated bytes): nothing of it is kept.</summary>
internal sealed class UploadLimitException(string message) : Exception(message);

/// <summary>
/// Turns uploaded files into candidate MIDI files, opening zips safely.
/// </summary>
/// <remarks>
/// Rules (the "limits and security"):
/// <list type="bullet">
/// <item>A file is recognised by its bytes, never its name: <c>PK\x03\x04</c>/<c>PK\x05\x06</c> is a zip,
/// <c>MThd</c> or <c>RIFF....RMID</c> is MIDI (checked later by <c>MidiReader</c>); anything else is rejected.
/// Inside a zip, an entry with MIDI bytes is accepted whatever its name (<c>song.bin</c>, <c>tune</c>).</item>
/// <item>Zip entries whose name could escape a folder (<c>..</c> segments, a leading <c>/</c>, a drive letter,
/// a backslash, a NUL) are rejected one by one with a reason; the rest of the zip is still read. Nothing is ever
/// written to disk, so the check protects the display names and any later export, not our file system.</item>
/// <item>Archives inside archives (a <c>.zip</c> name or zip bytes) are rejected with a reason, unread.</item>
/// <item>Limits reject the whole upload (<see cref="UploadLimitException"/>, a 400): more than MaxZipEntries entries in
/// one zip (read from the end-of-central-directory record before .NET lists the entries), or more than
/// MaxZipInflatedBytes inflated over all zips of the upload, counted as bytes actually read from the
/// decompressor (the header's sizes are never trusted). An entry inflating past MaxMidiFileBytes is rejected alone.</item>
/// <item>A zip with top-level <c>train/</c>, <c>valid/</c> or <c>test/</c> folders (case-insensitive; or those
/// folders inside one folder holding everything, as zipping a folder makes) keeps that split; its other files are
/// rejected with a reason. <c>__MACOSX/</c> resource forks are rejected as such.</item>
/// </list>
/// </remarks>
internal sealed class UploadUnpacker(int maxFileBytes, int maxZipEntries, long maxInflatedBytes)
{
    private static readonly string[] SplitFolders = ["train", "valid", "test"];
    private const int MaxDisplayNameLength = 240;

    private long _inflated;

    public List<UploadCandidate> Unpack(IReadOnlyList<UploadedFile> files)
    {
        var candidates = new List<UploadCandidate>();
        foreach (UploadedFile file in files)
        {
            string name = DisplayName(LastSegment(file.FileName));
            byte[] bytes = file.Content;
            if (IsZip(bytes))
            {
                candidates.AddRange(UnpackZip(name, bytes));
            }
            else if (IsMidi(bytes))
            {
                candidates.Add(new UploadCandidate(name, bytes, null, null));
            }
            else
            {
                candidates.Add(Rejected(name, bytes.Length == 0
                    ? "the file is empty"
                    : "not a MIDI file (no MThd or RIFF/RMID signature) nor a zip archive"));
            }
        }
        return candidates;
    }

    public static bool IsMidi(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith("MThd"u8) || (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("RMID"u8));

    public static bool IsZip(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith("PK\x03\x04"u8) || bytes.StartsWith("PK\x05\x06"u8) || bytes.StartsWith("PK\x07\x08"u8);

    private List<UploadCandidate> UnpackZip(string zipName, byte[] bytes)
    {
        long declared = DeclaredEntryCount(bytes);
        if (declared > maxZipEntries)
        {
            throw new UploadLimitException($"'{zipName}' holds {declared} entries, above the limit of {maxZipEntries} (RnnRbm:MaxZipEntries).");
        }

        ZipArchive archive;
        try
        {
            archive = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
        }
        catch (InvalidDataException ex)
        {
            return [Rejected(zipName, $"not a readable zip archive: {ex.Message}")];
        }

        using (archive)
        {
            if (archive.Entries.Count > maxZipEntries)
            {
                throw new UploadLimitException($"'{zipName}' holds {archive.Entries.Count} entries, above the limit of {maxZipEntries} (RnnRbm:MaxZipEntries).");
            }

            // First pass: names only (nothing inflated) to reject unsafe entries and find the split folders.
            var entries = new List<(ZipArchiveEntry Entry, string[] Segments, string Display)>();
            var result = new List<UploadCandidate>();
            foreach (ZipArchiveEntry entry in archive.Entries)
            {
                string display = zipName + "/" + DisplayName(entry.FullName);
                if (UnsafePathReason(entry.FullName) is string unsafeReason)
                {
                    result.Add(Rejected(display, unsafeReason));
                    continue;
                }
                string[] segments = entry.FullName.Split('/', StringSplitOptions.RemoveEmptyEntries);
                if (entry.FullName.EndsWith('/') || segments.Length == 0)
                {
                    continue; // a folder entry: nothing to read
                }
                if (segments[0].Equals("__MACOSX", StringComparison.OrdinalIgnoreCase))
                {
                    result.Add(Rejected(display, "macOS resource fork (__MACOSX), not music"));
                    continue;
                }
                entries.Add((entry, segments, display));
            }

            int root = SplitRootDepth(entries.Select(e => e.Segments).ToList());
            foreach ((ZipArchiveEntry entry, string[] segments, string display) in entries)
            {
                string? split = null;
                if (root >= 0)
                {
                    split = segments.Length > root + 1 ? SplitFolders.FirstOrDefault(s => s.Equals(segments[root], StringComparison.OrdinalIgnoreCase)) : null;
                    if (split is null)
                    {
                        result.Add(Rejected(display, "outside the archive's train/, valid/ and test/ folders: an archive with those folders sets the split, so every file must be in one of them"));
                        continue;
                    }
                }
                if (segments[^1].EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
                {
                    result.Add(Rejected(display, "nested archives are not accepted: unpack it into the outer archive"));
                    continue;
                }
                result.Add(ReadEntry(entry, display, split));
            }
            return result;
        }
    }

    private UploadCandidate ReadEntry(ZipArchiveEntry entry, string display, string? split)
    {
        // The header's Length is only a hint for the buffer; the cap is applied to the bytes the decompressor gives.
        int readCap = maxFileBytes + 1;
        using var buffer = new MemoryStream((int)Math.Clamp(entry.Length, 0, readCap));
        byte[] chunk = new byte[81920];
        try
        {
            using Stream stream = entry.Open();
            int read;
            while ((read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, readCap - buffer.Length))) > 0)
            {
                _inflated += read;
                if (_inflated > maxInflatedBytes)
                {
                    throw new UploadLimitException(
                        $"the archives of this upload inflate to more than {maxInflatedBytes} bytes (RnnRbm:MaxZipInflatedBytes); split the upload or raise the limit.");
                }
                buffer.Write(chunk, 0, read);
                if (buffer.Length >= readCap)
                {
                    return Rejected(display, $"inflates to more than {maxFileBytes} bytes, above the per-file limit (RnnRbm:MaxMidiFileBytes)");
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or IOException)
        {
            return Rejected(display, $"the zip entry cannot be read: {ex.Message}");
        }

        byte[] bytes = buffer.ToArray();
        if (IsZip(bytes))
        {
            return Rejected(display, "nested archives are not accepted: unpack it into the outer archive");
        }
        if (!IsMidi(bytes))
        {
            return Rejected(display, bytes.Length == 0 ? "the file is empty" : "not a MIDI file (no MThd or RIFF/RMID signature)");
        }
        return new UploadCandidate(display, bytes, split, null);
    }

    /// <summary>
    /// How many leading folders to skip to reach train/valid/test: 0 when they are at the top, 1 when everything
    /// lies in one folder that holds them, -1 when the archive has no split folders (a seeded split then).
    /// </summary>
    private static int SplitRootDepth(List<string[]> paths)
    {
        static bool IsSplit(string segment) => SplitFolders.Any(s => s.Equals(segment, StringComparison.OrdinalIgnoreCase));
        if (paths.Any(p => p.Length > 1 && IsSplit(p[0])))
        {
            return 0;
        }
        if (paths.Count > 0 && paths.All(p => p.Length > 1 && p[0] == paths[0][0]) && paths.Any(p => p.Length > 2 && IsSplit(p[1])))
        {
            return 1;
        }
        return -1;
    }

    /// <summary>Why a zip entry name could escape its folder, or null when it is a plain relative path.</summary>
    internal static string? UnsafePathReason(string name)
    {
        if (name.Contains('\\', StringComparison.Ordinal))
        {
            return "unsafe path in the archive: backslashes are not allowed in entry names";
        }
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            return "unsafe path in the archive: NUL in the entry name";
        }
        if (name.StartsWith('/'))
        {
            return "unsafe path in the archive: absolute paths are not allowed";
        }
        if (name.Length >= 2 && char.IsAsciiLetter(name[0]) && name[1] == ':')
        {
            return "unsafe path in the archive: drive letters are not allowed";
        }
        if (name.Split('/').Any(s => s == ".."))
        {
            return "unsafe path in the archive: '..' would escape the archive's folder";
        }
        return null;
    }

    /// <summary>
    /// The zip's declared entry count from its end-of-central-directory record, so a zip declaring millions of
    /// entries is refused before .NET builds an object per entry. 0 when the record is not found or is Zip64
    /// (then the count of <see cref="ZipArchive.Entries"/> is checked instead; the request cap bounds that list).
    /// </summary>
    private static long DeclaredEntryCount(ReadOnlySpan<byte> zip)
    {
        const int eocdSize = 22;
        int lowest = Math.Max(0, zip.Length - eocdSize - ushort.MaxValue);
        for (int pos = zip.Length - eocdSize; pos >= lowest; pos--)
        {
            if (zip.Slice(pos, 4).SequenceEqual("PK\x05\x06"u8))
            {
                ushort total = BinaryPrimitives.ReadUInt16LittleEndian(zip[(pos + 10)..]);
                return total == ushort.MaxValue ? 0 : total;
            }
        }
        return 0;
    }

    private static UploadCandidate Rejected(string display, string reason) => new(display, null, null, reason);

    private static string LastSegment(string name)
    {
        int cut = name.LastIndexOfAny(['/', '\\']);
        return cut >= 0 ? name[(cut + 1)..] : name;
    }

    /// <summary>The client's name made safe to show: control and format characters dropped, length capped.</summary>
    internal static string DisplayName(string name)
    {
        var text = new StringBuilder(Math.Min(name.Length, MaxDisplayNameLength));
        foreach (Rune rune in name.EnumerateRunes())
        {
            UnicodeCategory category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse)
            {
                continue;
            }
            if (text.Length + rune.Utf16SequenceLength > MaxDisplayNameLength)
            {
                text.Append('…');
                break;
            }
            text.Append(rune.ToString());
        }
        string result = text.ToString().Trim();
        return result.Length == 0 ? "unnamed" : result;
    }
}
