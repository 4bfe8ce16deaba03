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
        ImportAsync(name, files, validFraction, splitSeed, id: null, ct);

    /// <summary>As the public overload, with a chosen corpus id (the demo's fixed id makes seeding race-safe).</summary>
    internal async Task<CorpusImportResult> ImportAsync(
        string name, IReadOnlyList<UploadedFile> files, double validFraction, ulong splitSeed, Guid? id, CancellationToken ct)
    {
        Dictionary<string, string[]> errors = Validate(name, files?.Count ?? 0, validFraction);
        if (errors.Count > 0)
        {
            return Failed(errors);
        }

        RnnRbmOptions settings = options.Value;
        List<UploadCandidate> candidates;
        try
        {
            candidates = new UploadUnpacker(settings.MaxMidiFileBytes, settings.MaxZipEntries, settings.MaxZipInflatedBytes).Unpack(files!);
        }
        catch (UploadLimitException ex)
        {
            return Failed(new() { ["files"] = [ex.Message] });
        }
        ct.ThrowIfCancellationRequested();

        // Read every candidate on the statistics grid; keep its stats, not its roll.
        MidiReadOptions readOptions = CorpusStatistics.ReadOptions(settings.MaxMidiFileBytes);
        var statistics = new CorpusStatisticsBuilder();
        var read = new List<ReadFile>(candidates.Count);
        foreach (UploadCandidate candidate in candidates)
        {
            ct.ThrowIfCancellationRequested();
            if (candidate.Reason is not null || candidate.Bytes is null)
            {
                read.Add(new ReadFile(candidate, null, candidate.Reason ?? "no content"));
                continue;
            }
            try
            {
                MidiReadResult result = MidiReader.Read(candidate.Bytes, readOptions);
                read.Add(new ReadFile(candidate, statistics.Add(result), null));
            }
            catch (InvalidMidiException ex)
            {
                read.Add(new ReadFile(candidate, null, "invalid MIDI file: " + ex.Reason));
            }
        }

        List<ReadFile> accepted = [.. read.Where(r => r.Stats is not null)];
        if (accepted.Count == 0)
        {
            return Failed(new() { ["files"] = NoFileAccepted(read) });
        }

        // Archive folders place their files; the rest are shuffled with the seed.
        var splits = new Dictionary<ReadFile, string>();
        List<ReadFile> seeded = [.. accepted.Where(r => r.Candidate.ArchiveSplit is null)];
        string[] seededSplits = SeededSplit([.. seeded.Select(r => (r.Candidate.DisplayName, r.Candidate.Bytes!))], validFraction, splitSeed);
        for (int i = 0; i < seeded.Count; i++)
        {
            splits[seeded[i]] = seededSplits[i];
        }
        foreach (ReadFile file in accepted.Where(r => r.Candidate.ArchiveSplit is not null))
        {
            splits[file] = file.Candidate.ArchiveSplit!;
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
                FileName = file.Candidate.DisplayName,
                Split = ok ? splits[file] : CorpusViews.NoSplit,
                Accepted = ok,
                Reason = file.Reason,
                Bytes = ok ? file.Candidate.Bytes : null,
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
        messages.AddRange(read.Take(MaxListedReasons).Select(r => $"{r.Candidate.DisplayName}: {r.Reason}"));
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
    private sealed class ReadFile(UploadCandidate candidate, CorpusFileStats? stats, string? reason)
    {
        public UploadCandidate Candidate { get; } = candidate;
        public CorpusFileStats? Stats { get; } = stats;
        public string? Reason { get; } = reason;
    }

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
