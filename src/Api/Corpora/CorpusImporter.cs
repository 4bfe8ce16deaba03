using RnnRbm.Core.PianoRolls;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Midi;

namespace RnnRbm.Api.Corpora;

/// <summary>The outcome of an import: the corpus created, or the errors (by field) that prevented it.</summary>
/// <param name="Corpus">The new corpus with its per-file report; null when nothing was created.</param>
/// <param name="Errors">Each bad field and what was wrong with it; empty when <paramref name="Corpus"/> is set.</param>
public sealed record CorpusImportResult(CorpusDetails? Corpus, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Created => Corpus is not null;
}

/// <summary>
/// Creates corpora from uploaded files: unpacks zips safely, reads every MIDI file on the statistics grid,
/// assigns the split, computes the statistics once and stores everything. Used by <c>POST /api/corpora</c>
/// and the demo seeding; other features may use it too (scoped, like the DbContext it writes with).
/// </summary>
/// <remarks>
/// An upload where no file is accepted creates nothing and answers with every file's reason: a corpus is
/// never empty. Limits (entries per zip, inflated bytes) refuse the whole upload, so a zip bomb leaves nothing behind.
/// </remarks>
public sealed class CorpusImporter(RnnRbmDbContext db, IOptions<RnnRbmOptions> options, ILogger<CorpusImporter> log)
{
    public const int MaxNameLength = 200;
    public const double DefaultValidFraction = CorpusLimits.DefaultValidFraction;
    public const double MaxValidFraction = CorpusLimits.MaxValidFraction;
    public const ulong DefaultSplitSeed = CorpusLimits.DefaultSplitSeed;

    // Rejections listed in a 400; beyond this many the rest are counted, not named.
    private const int MaxListedReasons = 100;

    public Task<CorpusImportResult> ImportAsync(string name, IReadOnlyList<UploadedFile> files, double validFraction, ulong splitSeed, CancellationToken ct) =>
        ImportAsync(name, files, validFraction, splitSeed, id: null, lease: null, ct);

    /// <summary>
    /// As the public overload, with a chosen corpus id (the demo's fixed id makes seeding race-safe) and the upload's
    /// place in the <see cref="UploadBudget"/> (null: unbudgeted, for the bundled demo), which every byte kept is
    /// reserved from.
    /// </summary>
    internal async Task<CorpusImportResult> ImportAsync(
        string name, IReadOnlyList<UploadedFile> files, double validFraction, ulong splitSeed, Guid? id, UploadBudget.Lease? lease, CancellationToken ct)
    {
        Dictionary<string, string[]> errors = Validate(name, files?.Count ?? 0, validFraction);
        if (errors.Count > 0)
        {
            return Failed(errors);
        }

        // Each file is read as soon as it is unpacked and only what is accepted is kept (docs/reliability.md): the
        // upload holds the unpacker's one buffer and the accepted files, both reserved from its share of the budget.
        RnnRbmOptions settings = options.Value;
        MidiReadOptions readOptions = CorpusStatistics.ReadOptions(settings.MaxMidiFileBytes);
        var statistics = new CorpusStatisticsBuilder();
        var read = new List<ReadFile>();
        using (var unpacker = new UploadUnpacker(settings.MaxMidiFileBytes, settings.MaxZipEntries, settings.MaxZipInflatedBytes))
        {
            if (lease is not null && !lease.TryReserve(unpacker.BufferBytes))
            {
                return Failed(new() { ["files"] = [OverShare(lease)] });
            }
            try
            {
                foreach (UploadCandidate candidate in unpacker.Unpack(files!))
                {
                    ct.ThrowIfCancellationRequested();
                    if (candidate.Reason is not null)
                    {
                        read.Add(new ReadFile(candidate.DisplayName, null, candidate.ArchiveSplit, null, candidate.Reason));
                        continue;
                    }
                    MidiReadResult result;
                    try
                    {
                        result = MidiReader.Read(candidate.Bytes.Span, readOptions);
                    }
                    catch (InvalidMidiException ex)
                    {
                        read.Add(new ReadFile(candidate.DisplayName, null, candidate.ArchiveSplit, null, "invalid MIDI file: " + ex.Reason));
                        continue;
                    }
                    if (NothingToLearn(result.Stats) is string empty)
                    {
                        read.Add(new ReadFile(candidate.DisplayName, null, candidate.ArchiveSplit, null, empty));
                        continue;
                    }
                    if (lease is not null && !lease.TryReserve(candidate.Bytes.Length))
                    {
                        return Failed(new() { ["files"] = [OverShare(lease)] });
                    }
                    byte[] kept = candidate.Bytes.ToArray();
                    read.Add(new ReadFile(candidate.DisplayName, kept, candidate.ArchiveSplit, statistics.Add(result), null));
                }
            }
            catch (UploadLimitException ex)
            {
                return Failed(new() { ["files"] = [ex.Message] });
            }
        }

        List<ReadFile> accepted = [.. read.Where(r => r.Stats is not null)];
        if (accepted.Count == 0)
        {
            return Failed(new() { ["files"] = NoFileAccepted(read) });
        }

        // Archive folders place their files; the rest are shuffled with the seed.
        var splits = new Dictionary<ReadFile, string>();
        List<ReadFile> seeded = [.. accepted.Where(r => r.ArchiveSplit is null)];
        string[] seededSplits = SeededSplit([.. seeded.Select(r => (r.DisplayName, r.Bytes!))], validFraction, splitSeed);
        for (int i = 0; i < seeded.Count; i++)
        {
            splits[seeded[i]] = seededSplits[i];
        }
        foreach (ReadFile file in accepted.Where(r => r.ArchiveSplit is not null))
        {
            splits[file] = file.ArchiveSplit!;
        }
        string splitSource = seeded.Count == 0 ? "archive" : seeded.Count == accepted.Count ? "seeded" : "mixed";

        long StepsIn(string split) => accepted.Where(r => splits[r] == split).Sum(r => (long)r.Stats!.Steps);
        var steps = new CorpusSteps(StepsIn("train"), StepsIn("valid"), StepsIn("test"), accepted.Sum(r => (long)r.Stats!.Steps));
        CorpusStatistics stats = statistics.Build(steps, seeded.Count > 0 ? validFraction : null, seeded.Count > 0 ? splitSeed : null);

        var corpus = new CorpusEntity
        {
            Id = id ?? Guid.CreateVersion7(),
            Name = name.Trim(),
            CreatedUtc = DateTimeOffset.UtcNow,
            SplitSource = splitSource,
            StatisticsJson = stats.ToJson(),
        };
        foreach (ReadFile file in read)
        {
            bool ok = file.Stats is not null;
            corpus.Files.Add(new CorpusFileEntity
            {
                Id = Guid.CreateVersion7(),
                CorpusId = corpus.Id,
                FileName = file.DisplayName,
                Split = ok ? splits[file] : CorpusViews.NoSplit,
                Accepted = ok,
                Reason = file.Reason,
                Bytes = ok ? file.Bytes : null,
                ContentSha256 = ok ? ContentHash.Of(file.Bytes) : null,
                StatsJson = ok ? System.Text.Json.JsonSerializer.Serialize(file.Stats, CorpusStatistics.Json) : null,
            });
        }
        db.Corpora.Add(corpus);
        await db.SaveChangesAsync(ct);
        log.LogInformation("Corpus {Id} '{Name}': {Accepted} files accepted, {Rejected} rejected, {Steps} steps, split {Split}",
            corpus.Id, corpus.Name, accepted.Count, read.Count - accepted.Count, steps.Total, splitSource);

        return new CorpusImportResult(CorpusViews.Details(corpus, corpus.Files.Select(CorpusViews.FileRow.From)), new Dictionary<string, string[]>());
    }

    /// <summary>The checks any caller's input must pass (the endpoint adds its parse errors to these).</summary>
    public static Dictionary<string, string[]> Validate(string? name, int fileCount, double validFraction)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(name))
        {
            errors["name"] = ["A corpus needs a name (form field 'name')."];
        }
        else if (name.Trim().Length > MaxNameLength)
        {
            errors["name"] = [$"The name has {name.Trim().Length} characters; at most {MaxNameLength} are allowed."];
        }
        if (fileCount == 0)
        {
            errors["files"] = ["Upload at least one .mid/.midi/.kar file or .zip archive in the form field 'files'."];
        }
        if (!double.IsFinite(validFraction) || validFraction < 0 || validFraction > MaxValidFraction)
        {
            errors["validFraction"] = [string.Create(CultureInfo.InvariantCulture, $"validFraction must lie in [0, {MaxValidFraction}]; got {validFraction}.")];
        }
        return errors;
    }

    /// <summary>
    /// The seeded split: files ordered by name (then content, for equal names), shuffled by a SplitMix64 stream of
    /// <paramref name="seed"/>, and the first <c>round(n · validFraction)</c> sent to valid, the rest to train.
    /// The same files and seed give the same split, whatever order they came in. With a positive fraction and at
    /// least two files, valid gets at least one and train keeps at least one.
    /// </summary>
    /// <returns>The split of each file, in the order given.</returns>
    internal static string[] SeededSplit(IReadOnlyList<(string Name, byte[] Bytes)> files, double validFraction, ulong seed)
    {
        int n = files.Count;
        int[] order = [.. Enumerable.Range(0, n)
            .OrderBy(i => files[i].Name, StringComparer.Ordinal)
            .ThenBy(i => Convert.ToHexString(SHA256.HashData(files[i].Bytes)), StringComparer.Ordinal)];
        var random = new SplitMix64(seed);
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(random.Next() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        int valid = (int)Math.Round(n * validFraction, MidpointRounding.AwayFromZero);
        if (validFraction > 0 && n >= 2)
        {
            valid = Math.Clamp(valid, 1, n - 1);
        }
        var splits = new string[n];
        for (int k = 0; k < n; k++)
        {
            splits[order[k]] = k < valid ? "valid" : "train";
        }
        return splits;
    }

    private static string[] NoFileAccepted(List<ReadFile> read)
    {
        var messages = new List<string> { "No file was accepted, so no corpus was created. Each file and why:" };
        messages.AddRange(read.Take(MaxListedReasons).Select(r => $"{r.DisplayName}: {r.Reason}"));
        if (read.Count > MaxListedReasons)
        {
            messages.Add($"... and {read.Count - MaxListedReasons} more.");
        }
        if (read.Count == 0)
        {
            messages.Add("The upload held no files (empty archives).");
        }
        return [.. messages];
    }

    private static CorpusImportResult Failed(Dictionary<string, string[]> errors) => new(null, errors);

    // A class, not a record: two uploads of the same bytes under the same name are still two files (reference identity).
    private sealed class ReadFile(string displayName, byte[]? bytes, string? archiveSplit, CorpusFileStats? stats, string? reason)
    {
        public string DisplayName { get; } = displayName;
        public byte[]? Bytes { get; } = bytes;
        public string? ArchiveSplit { get; } = archiveSplit;
        public CorpusFileStats? Stats { get; } = stats;
        public string? Reason { get; } = reason;
    }

    /// <summary>
    /// Why a readable file is still no use to a corpus: no notes inside the piano range, or no length. Such files
    /// made corpora of 0 steps whose trainings failed only once started (issue 13); each is now rejected by name.
    /// </summary>
    internal static string? NothingToLearn(MidiFileStats stats)
    {
        if (stats.Notes == 0)
        {
            var why = new List<string>();
            if (stats.NotesOutsideRange > 0)
            {
                why.Add($"its {stats.NotesOutsideRange} notes lie outside the piano range A0-C8 (MIDI 21-108)");
            }
            if (stats.DrumNotesSkipped > 0)
            {
                why.Add($"its {stats.DrumNotesSkipped} drum notes (channel 10) are left out");
            }
            if (stats.UnclosedNotes > 0)
            {
                why.Add($"its {stats.UnclosedNotes} note-ons are never closed");
            }
            return "no notes to learn from: " + (why.Count == 0 ? "the file holds no notes" : string.Join("; ", why));
        }
        if (stats.Steps == 0)
        {
            return "no notes to learn from: its notes last no time (0 steps)";
        }
        return null;
    }

    private static string OverShare(UploadBudget.Lease lease) =>
        $"the accepted files of this upload need more than {lease.ShareBytes} bytes of memory, one upload's share (RnnRbm:UploadMemoryBytes / RnnRbm:UploadConcurrency); split the upload into smaller ones.";

    /// <summary>Sebastiano Vigna's SplitMix64: a tiny, fully specified generator, so the split never depends on .NET's Random.</summary>
    private struct SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
