using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Corpora;

/// <summary>
/// How many frames (time steps) a corpus split gives at a grid, estimated from the per-file statistics taken at upload
/// (<see cref="CorpusStatistics.Grid"/>, 2 steps per quarter note, and each file's duration), without reading the files:
/// what a training or an evaluation is sized by before it is accepted.
/// </summary>
internal static class CorpusFrames
{
    private sealed record FileLength(int Steps, double DurationSeconds);

    /// <summary>Frames of the accepted files of <paramref name="splits"/> at <paramref name="grid"/>.</summary>
    public static async Task<long> EstimateAsync(RnnRbmDbContext db, Guid corpusId, IReadOnlyCollection<string> splits, TimeGrid grid,
        CancellationToken cancellationToken)
    {
        List<string?> stats = await db.CorpusFiles.AsNoTracking()
            .Where(f => f.CorpusId == corpusId && f.Accepted && splits.Contains(f.Split))
            .Select(f => f.StatsJson)
            .ToListAsync(cancellationToken);
        double frames = 0;
        foreach (string? json in stats)
        {
            if (json is null || JsonSerializer.Deserialize<FileLength>(json, CorpusStatistics.Json) is not FileLength file)
            {
                continue;
            }
            frames += grid switch
            {
                TimeGrid.Beats beats => (double)file.Steps * beats.StepsPerQuarter / CorpusStatistics.StepsPerQuarter,
                TimeGrid.Seconds seconds => file.DurationSeconds / seconds.StepSeconds,
                _ => file.Steps,
            };
        }
        return (long)Math.Ceiling(frames);
    }
}
