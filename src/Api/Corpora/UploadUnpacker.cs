using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace RnnRbm.Api.Corpora;

/// <summary>
/// A file as the client sent it: its name (display only, never a path), its length in bytes, and how to read it.
/// <see cref="Open"/> must give a seekable stream (a zip is read from its end): the form's files and byte arrays do.
/// </summary>
public sealed record UploadedFile(string FileName, long Length, Func<Stream> Open)
{
    /// <summary>A file held in memory.</summary>
    public UploadedFile(string fileName, byte[] content)
        : this(fileName, content.Length, () => new MemoryStream(content, writable: false))
    {
    }
}

/// <summary>
/// One candidate MIDI file out of an upload: a loose file or a zip entry. <see cref="Reason"/> is set when it is
/// already rejected (unsafe path, nested archive, too large, outside the split folders...). <see cref="Bytes"/> lies
/// in the unpacker's one buffer: valid until the next candidate is asked for, so a caller copies what it keeps.
/// </summary>
internal readonly record struct UploadCandidate(string DisplayName, ReadOnlyMemory<byte> Bytes, string? ArchiveSplit, string? Reason);

/// <summary>An upload that breaks a limit as a whole (zip entries, inflated bytes): nothing of it is kept.</summary>
internal sealed class UploadLimitException(string message) : Exception(message);

/// <summary>
/// Turns uploaded files into candidate MIDI files, one at a time, opening zips safely.
/// </summary>
/// <remarks>
/// Rules (the upload issue's "limits and security", issue 13's "hold under hostile input and load"; docs/reliability.md):
/// <list type="bullet">
/// <item>Streaming: files and zip entries are read one after another into one buffer of MaxMidiFileBytes (rented once
/// per upload), and each candidate is handed out before the next is read. The caller reads it and keeps only what it
/// accepts, so an upload holds one file's bytes plus the files it keeps, never everything it inflates. The zip itself
/// is read from the request's stream (the form spools large files to disk), never copied into memory.</item>
/// <item>A file is recognised by its bytes, never its name: <c>PK\x03\x04</c>/<c>PK\x05\x06</c> is a zip,
/// <c>MThd</c> or <c>RIFF....RMID</c> is MIDI (checked later by <c>MidiReader</c>); anything else is rejected as soon as
/// its first 12 bytes are read. Inside a zip, an entry with MIDI bytes is accepted whatever its name.</item>
/// <item>Zip entries whose name could escape a folder (<c>..</c> segments, a leading <c>/</c>, a drive letter,
/// a backslash, a NUL) are rejected one by one with a reason; the rest of the zip is still read. Nothing is ever
/// written to disk, so the check protects the display names and any later export, not our file system.</item>
/// <item>Archives inside archives (a <c>.zip</c> name or zip bytes) are rejected with a reason, unread.</item>
/// <item>Limits reject the whole upload (<see cref="UploadLimitException"/>, a 400): more than MaxZipEntries entries in
/// one zip, counted on the central directory's records themselves before .NET lists them (the end record's count is
/// only a claim), or more than MaxZipInflatedBytes inflated over all zips of the upload, counted as bytes actually
/// read from the decompressor (the header's sizes are never trusted). An entry inflating past MaxMidiFileBytes is
/// rejected alone, as soon as reading passes the cap; the rest of it is never inflated.</item>
/// <item>A zip whose end record and central directory disagree (a miscounted end record, a directory outside the
/// file) is rejected as a whole with the reason; .NET's own complaints about a broken zip are reasons too.</item>
/// <item>A zip with top-level <c>train/</c>, <c>valid/</c> or <c>test/</c> folders (case-insensitive; or those
/// folders inside one folder holding everything, as zipping a folder makes) keeps that split; its other files are
/// rejected with a reason. <c>__MACOSX/</c> resource forks are rejected as such.</item>
/// </list>
/// </remarks>
internal sealed class UploadUnpacker(int maxFileBytes, int maxZipEntries, long maxInflatedBytes) : IDisposable
{
    private static readonly string[] SplitFolders = ["train", "valid", "test"];
    private const int MaxDisplayNameLength = 240;
    private const int SignatureBytes = 12;
    private const int ChunkBytes = 64 * 1024;

    private readonly byte[] _head = new byte[SignatureBytes];
    private readonly byte[] _probe = new byte[1];
    private byte[]? _buffer;
    private long _inflated;

    /// <summary>The bytes this unpacker holds while it reads (its one buffer), for the upload's memory budget.</summary>
    public int BufferBytes => maxFileBytes;

    /// <summary>
    /// The candidates of <paramref name="files"/>, in order, read lazily: each one's <see cref="UploadCandidate.Bytes"/>
    /// is overwritten by the next.
    /// </summary>
    /// <exception cref="UploadLimitException">The upload breaks a limit as a whole.</exception>
    public IEnumerable<UploadCandidate> Unpack(IReadOnlyList<UploadedFile> files)
    {
        foreach (UploadedFile file in files)
        {
            string name = DisplayName(LastSegment(file.FileName));
            using Stream stream = file.Open();
            int head = stream.ReadAtLeast(_head, SignatureBytes, throwOnEndOfStream: false);
            if (IsZip(_head.AsSpan(0, head)))
            {
                stream.Position = 0;
                foreach (UploadCandidate candidate in UnpackZip(name, stream))
                {
                    yield return candidate;
                }
            }
            else if (IsMidi(_head.AsSpan(0, head)) && file.Length > maxFileBytes)
            {
                // Known from the form before reading: no need to read it to refuse it.
                yield return Rejected(name, $"the file has {file.Length} bytes, above the limit of {maxFileBytes} bytes per MIDI file (RnnRbm:MaxMidiFileBytes)");
            }
            else
            {
                stream.Position = 0;
                yield return ReadFile(stream, name, split: null, inflating: false);
            }
        }
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }

    public static bool IsMidi(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith("MThd"u8) || (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("RMID"u8));

    public static bool IsZip(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith("PK\x03\x04"u8) || bytes.StartsWith("PK\x05\x06"u8) || bytes.StartsWith("PK\x07\x08"u8);

    private IEnumerable<UploadCandidate> UnpackZip(string zipName, Stream stream)
    {
        if (CentralDirectoryProblem(zipName, stream) is string problem)
        {
            yield return Rejected(zipName, problem);
            yield break;
        }
        stream.Position = 0;
        ZipPlan plan = Plan(zipName, stream);
        using (plan.Archive)
        {
            foreach (UploadCandidate rejected in plan.Rejected)
            {
                yield return rejected;
            }
            foreach ((ZipArchiveEntry entry, string[] segments, string display) in plan.Entries)
            {
                string? split = null;
                if (plan.SplitRoot >= 0)
                {
                    split = segments.Length > plan.SplitRoot + 1 ? SplitFolders.FirstOrDefault(s => s.Equals(segments[plan.SplitRoot], StringComparison.OrdinalIgnoreCase)) : null;
                    if (split is null)
                    {
                        yield return Rejected(display, "outside the archive's train/, valid/ and test/ folders: an archive with those folders sets the split, so every file must be in one of them");
                        continue;
                    }
                }
                if (segments[^1].EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
                {
                    yield return Rejected(display, "nested archives are not accepted: unpack it into the outer archive");
                    continue;
                }
                yield return ReadEntry(entry, display, split);
            }
        }
    }

    /// <summary>The zip's entries to read (names only, nothing inflated), those already rejected, and the split folders.</summary>
    private sealed record ZipPlan(
        ZipArchive? Archive,
        List<UploadCandidate> Rejected,
        List<(ZipArchiveEntry Entry, string[] Segments, string Display)> Entries,
        int SplitRoot);

    private static ZipPlan Plan(string zipName, Stream stream)
    {
        var rejected = new List<UploadCandidate>();
        var entries = new List<(ZipArchiveEntry Entry, string[] Segments, string Display)>();
        ZipArchive archive;
        IReadOnlyCollection<ZipArchiveEntry> listed;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            return new ZipPlan(null, [Rejected(zipName, $"not a readable zip archive: {ex.Message}")], entries, -1);
        }
        try
        {
            listed = archive.Entries;
        }
        catch (InvalidDataException ex)
        {
            archive.Dispose();
            return new ZipPlan(null, [Rejected(zipName, $"not a readable zip archive: {ex.Message}")], entries, -1);
        }

        foreach (ZipArchiveEntry entry in listed)
        {
            string display = zipName + "/" + DisplayName(entry.FullName);
            if (UnsafePathReason(entry.FullName) is string unsafeReason)
            {
                rejected.Add(Rejected(display, unsafeReason));
                continue;
            }
            string[] segments = entry.FullName.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (entry.FullName.EndsWith('/') || segments.Length == 0)
            {
                continue; // a folder entry: nothing to read
            }
            if (segments[0].Equals("__MACOSX", StringComparison.OrdinalIgnoreCase))
            {
                rejected.Add(Rejected(display, "macOS resource fork (__MACOSX), not music"));
                continue;
            }
            entries.Add((entry, segments, display));
        }
        return new ZipPlan(archive, rejected, entries, SplitRootDepth([.. entries.Select(e => e.Segments)]));
    }

    private UploadCandidate ReadEntry(ZipArchiveEntry entry, string display, string? split)
    {
        try
        {
            using Stream stream = entry.Open();
            return ReadFile(stream, display, split, inflating: true);
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or IOException)
        {
            return Rejected(display, $"the zip entry cannot be read: {ex.Message}");
        }
    }

    /// <summary>
    /// Reads one file into the buffer, stopping early: after its first 12 bytes when they are not MIDI, and at the
    /// first byte past MaxMidiFileBytes. Inflated bytes (<paramref name="inflating"/>) count towards MaxZipInflatedBytes.
    /// </summary>
    private UploadCandidate ReadFile(Stream source, string display, string? split, bool inflating)
    {
        byte[] buffer = _buffer ??= ArrayPool<byte>.Shared.Rent(maxFileBytes);
        int length = source.ReadAtLeast(buffer.AsSpan(0, Math.Min(SignatureBytes, maxFileBytes)), SignatureBytes, throwOnEndOfStream: false);
        Count(length, inflating);
        ReadOnlySpan<byte> head = buffer.AsSpan(0, length);
        if (IsZip(head))
        {
            return Rejected(display, "nested archives are not accepted: unpack it into the outer archive");
        }
        if (!IsMidi(head))
        {
            return Rejected(display, length == 0
                ? "the file is empty"
                : inflating ? "not a MIDI file (no MThd or RIFF/RMID signature)" : "not a MIDI file (no MThd or RIFF/RMID signature) nor a zip archive");
        }
        while (length < maxFileBytes)
        {
            int read = source.Read(buffer, length, Math.Min(ChunkBytes, maxFileBytes - length));
            if (read == 0)
            {
                return new UploadCandidate(display, buffer.AsMemory(0, length), split, null);
            }
            Count(read, inflating);
            length += read;
        }
        // The buffer is full: one byte more is one byte past the cap, and the rest is never read.
        int extra = source.Read(_probe, 0, 1);
        if (extra == 0)
        {
            return new UploadCandidate(display, buffer.AsMemory(0, length), split, null);
        }
        Count(extra, inflating);
        return Rejected(display, inflating
            ? $"inflates to more than {maxFileBytes} bytes, above the per-file limit (RnnRbm:MaxMidiFileBytes)"
            : $"the file has more than {maxFileBytes} bytes, above the limit of {maxFileBytes} bytes per MIDI file (RnnRbm:MaxMidiFileBytes)");
    }

    private void Count(int read, bool inflating)
    {
        if (!inflating)
        {
            return;
        }
        _inflated += read;
        if (_inflated > maxInflatedBytes)
        {
            throw new UploadLimitException(
                $"the archives of this upload inflate to more than {maxInflatedBytes} bytes (RnnRbm:MaxZipInflatedBytes); split the upload or raise the limit.");
        }
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
    /// Checks the zip's central directory against its end record before .NET reads either: counts the directory's
    /// records themselves, refusing the upload at the first record past MaxZipEntries (a zip whose end record says 1
    /// while its directory holds 100,000 is refused on the 5,001st), and returns why the zip is unreadable when the two
    /// disagree or the directory lies outside the file; null when they agree. Work: one 64 KiB read of the tail and at
    /// most MaxZipEntries + 1 reads of 46 bytes.
    /// </summary>
    private string? CentralDirectoryProblem(string zipName, Stream stream)
    {
        const int eocdSize = 22;
        const int zip64LocatorSize = 20;
        const int zip64RecordSize = 56;
        const int centralHeaderSize = 46;
        long length = stream.Length;
        if (length < eocdSize)
        {
            return "not a readable zip archive: too short to hold an end-of-central-directory record";
        }
        int tailLength = (int)Math.Min(length, eocdSize + ushort.MaxValue);
        byte[] tail = new byte[tailLength];
        stream.Position = length - tailLength;
        stream.ReadExactly(tail);
        int eocd = tail.AsSpan(0, tailLength - eocdSize + 4).LastIndexOf("PK\x05\x06"u8);
        if (eocd < 0)
        {
            return "not a readable zip archive: no end-of-central-directory record";
        }
        ReadOnlySpan<byte> record = tail.AsSpan(eocd);
        ulong declared = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
        ulong directorySize = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
        ulong directoryOffset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
        if (declared == ushort.MaxValue || directorySize == uint.MaxValue || directoryOffset == uint.MaxValue)
        {
            // Zip64: the real values are in the Zip64 end record, found through the locator just before this one.
            long locator = length - tailLength + eocd - zip64LocatorSize;
            Span<byte> buffer = stackalloc byte[zip64RecordSize];
            if (locator < 0)
            {
                return "not a readable zip archive: its Zip64 locator is missing";
            }
            stream.Position = locator;
            stream.ReadExactly(buffer[..zip64LocatorSize]);
            ulong zip64 = BinaryPrimitives.ReadUInt64LittleEndian(buffer[8..]);
            if (!buffer.StartsWith("PK\x06\x07"u8) || zip64 > (ulong)(length - zip64RecordSize))
            {
                return "not a readable zip archive: its Zip64 locator is missing or points outside the file";
            }
            stream.Position = (long)zip64;
            stream.ReadExactly(buffer);
            if (!buffer.StartsWith("PK\x06\x06"u8))
            {
                return "not a readable zip archive: no Zip64 end-of-central-directory record where its locator points";
            }
            declared = BinaryPrimitives.ReadUInt64LittleEndian(buffer[32..]);
            directorySize = BinaryPrimitives.ReadUInt64LittleEndian(buffer[40..]);
            directoryOffset = BinaryPrimitives.ReadUInt64LittleEndian(buffer[48..]);
        }
        if (directoryOffset > (ulong)length || directorySize > (ulong)length - directoryOffset)
        {
            return $"not a readable zip archive: its central directory ({directorySize} bytes at offset {directoryOffset}) lies outside the file of {length} bytes";
        }

        long position = (long)directoryOffset;
        long end = position + (long)directorySize;
        long count = 0;
        byte[] header = new byte[centralHeaderSize];
        while (end - position >= centralHeaderSize)
        {
            stream.Position = position;
            stream.ReadExactly(header);
            if (!header.AsSpan().StartsWith("PK\x01\x02"u8))
            {
                break;
            }
            if (++count > maxZipEntries)
            {
                throw new UploadLimitException($"'{zipName}' holds more than {maxZipEntries} entries, the limit (RnnRbm:MaxZipEntries).");
            }
            position += centralHeaderSize
                + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28))
                + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(30))
                + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(32));
        }
        if ((ulong)count != declared)
        {
            return $"not a readable zip archive: its end record declares {declared} entries but its central directory holds {count}; the archive is damaged or forged, re-create it";
        }
        return null;
    }

    private static UploadCandidate Rejected(string display, string reason) => new(display, ReadOnlyMemory<byte>.Empty, null, reason);

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
