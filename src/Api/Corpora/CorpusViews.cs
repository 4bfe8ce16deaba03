using System.Text.Json;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Training;

namespace RnnRbm.Api.Corpora;

/// <summary>Stored corpus rows to the API's records.</summary>
internal static class CorpusViews
{
    /// <summary>The split stored for a rejected file (the column is required); shown as null.</summary>
    public const string NoSplit = "none";

    /// <summary>A file row without its bytes (queries project onto this so that reading a corpus never loads its MIDI).</summary>
    public sealed record FileRow(Guid Id, string FileName, string Split, bool Accepted, string? Reason, string? StatsJson)
    {
        public static FileRow From(CorpusFileEntity f) => new(f.Id, f.FileName, f.Split, f.Accepted, f.Reason, f.StatsJson);
    }

    public static CorpusDetails Details(CorpusEntity corpus, IEnumerable<FileRow> fileRows)
    {
        List<FileRow> rows = [.. fileRows.OrderBy(f => f.FileName, StringComparer.Ordinal).ThenBy(f => f.Id)];
        CorpusStatistics stats = CorpusStatistics.FromJson(corpus.StatisticsJson);
        IReadOnlyList<PitchCount> histogram = stats.Histogram();
        return new CorpusDetails(
            corpus.Id,
            corpus.Name,
            corpus.CreatedUtc,
            new CorpusSplit(corpus.SplitSource, stats.ValidFraction, stats.SplitSeed),
            Counts(rows.Select(r => (r.Split, r.Accepted, 1))),
            CorpusStatistics.Grid,
            stats.Steps,
            histogram,
            stats.Polyphony,
            stats.Tempos,
            stats.TimeSignatures,
            [.. rows.Select(r => new CorpusFile(
                r.Id,
                r.FileName,
                r.Accepted ? r.Split : null,
                r.Accepted,
                r.Reason,
                r.StatsJson is null ? null : JsonSerializer.Deserialize<CorpusFileStats>(r.StatsJson, CorpusStatistics.Json)))],
            Played(histogram));
    }

    /// <summary>The keys that sound at all, and the range a training is offered (TrainingLimits.SuggestedPitchRange).</summary>
    private static CorpusPitchRange? Played(IReadOnlyList<PitchCount> histogram)
    {
        PitchCount[] sounding = [.. histogram.Where(p => p.NoteSteps > 0).OrderBy(p => p.Pitch)];
        if (sounding.Length == 0)
        {
            return null;
        }
        (int lowest, int highest) = TrainingLimits.SuggestedPitchRange(sounding[0].Pitch, sounding[^1].Pitch);
        return new CorpusPitchRange(sounding[0].Pitch, sounding[^1].Pitch, sounding[0].Name, sounding[^1].Name, lowest, highest);
    }

    public static CorpusSummary Summary(CorpusEntity corpus, IEnumerable<(string Split, bool Accepted, int Count)> files) =>
        new(corpus.Id, corpus.Name, corpus.CreatedUtc, corpus.SplitSource, Counts(files), CorpusStatistics.FromJson(corpus.StatisticsJson).Steps);

    /// <summary>Files per split and rejected, from (split, accepted, how many) groups.</summary>
    public static CorpusFileCounts Counts(IEnumerable<(string Split, bool Accepted, int Count)> groups)
    {
        int train = 0, valid = 0, test = 0, rejected = 0;
        foreach ((string split, bool accepted, int count) in groups)
        {
            if (!accepted)
            {
                rejected += count;
            }
            else if (split == "train")
            {
                train += count;
            }
            else if (split == "valid")
            {
                valid += count;
            }
            else
            {
                test += count;
            }
        }
        return new CorpusFileCounts(train, valid, test, rejected);
    }
}
