using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;
using RnnRbm.Core.Analysis;
using RnnRbm.Core.Evaluation;
using RnnRbm.Core.Model;
using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Api.Generation;

/// <summary>
/// The novelty index of each model's training corpus (docs/generation.md, "Is it new?"), built on a model's first
/// generation and kept for the next ones: the train files of the corpus the model learned from, read on the model's
/// grid and range.
/// </summary>
/// <remarks>
/// An entry is keyed by the corpus, the grid, the range and the corpus's train files (ids), so a file added to or
/// removed from the corpus builds a new index rather than serving a stale one. At most <see cref="Capacity"/> indexes
/// are kept (the least recently used goes first): one costs about 100 bytes a step of corpus (Nottingham's training
/// split, 176,561 steps: tens of MiB). Two requests that miss together share one build.
/// </remarks>
internal sealed class NoveltyIndexes
{
    /// <summary>A model's train files, indexed for novelty and measured for style.</summary>
    /// <param name="Index">Their novelty index.</param>
    /// <param name="Style">Their style statistics together.</param>
    /// <param name="Files">Train files read.</param>
    /// <param name="Baseline">
    /// P(pitch on) of independent per-pitch Bernoullis fitted on them (<see cref="Baselines.FitIndependentBernoullis"/>): the
    /// evaluation's log-likelihood floor, for a scored piece.
    /// </param>
    public sealed record CorpusView(NoveltyIndex Index, StyleStatistics Style, int Files, IReadOnlyList<double> Baseline);

    /// <summary>Indexes kept.</summary>
    public const int Capacity = 4;

    private readonly ConcurrentDictionary<string, (Lazy<CorpusView?> View, long Used)> _indexes = new();
    private long _clock;

    /// <summary>
    /// The novelty of <paramref name="piece"/> against the training corpus of <paramref name="modelId"/>'s model, or null
    /// when that corpus is not in this service (an imported or bundled model) or holds no train file readable here.
    /// </summary>
    public async Task<NoveltyReport?> CheckAsync(RnnRbmDbContext db, Guid modelId, RnnRbmModel model, PianoRoll piece, CancellationToken cancellationToken) =>
        (await ViewAsync(db, modelId, model, cancellationToken))?.Index.Check(piece, NoveltyIndex.DefaultThreshold(model.Grid));

    /// <summary>
    /// The train files of <paramref name="modelId"/>'s corpus as the model reads them, indexed and measured once (the
    /// novelty index and the style statistics), or null when that corpus is not here or gives no readable train file.
    /// </summary>
    public async Task<CorpusView?> ViewAsync(RnnRbmDbContext db, Guid modelId, RnnRbmModel model, CancellationToken cancellationToken)
    {
        Guid? corpusId = await db.Models.AsNoTracking().Where(m => m.Id == modelId).Select(m => m.CorpusId).FirstOrDefaultAsync(cancellationToken);
        if (corpusId is not Guid corpus)
        {
            return null;
        }
        List<Guid> files = await db.CorpusFiles.AsNoTracking()
            .Where(f => f.CorpusId == corpus && f.Accepted && f.Bytes != null && f.Split == TrainingData.TrainSplit)
            .OrderBy(f => f.Id).Select(f => f.Id).ToListAsync(cancellationToken);
        if (files.Count == 0)
        {
            return null;
        }
        string key = $"{corpus}|{model.Grid}|{model.Range}|{string.Join(',', files)}";
        long now = Interlocked.Increment(ref _clock);
        var entry = _indexes.AddOrUpdate(key,
            _ => (new Lazy<CorpusView?>(() => Build(db, corpus, model)), now),
            (_, old) => (old.View, now));
        Evict();
        try
        {
            return entry.View.Value;
        }
        catch
        {
            _indexes.TryRemove(key, out _); // a failed build (the request aborted, the database away) is not kept
            throw;
        }
    }

    private static CorpusView? Build(RnnRbmDbContext db, Guid corpusId, RnnRbmModel model) =>
        ModelCorpus.TrainFiles(db, corpusId, model) is { Count: > 0 } files
            ? new CorpusView(new NoveltyIndex(files), StyleStatistics.Measure(files.Select(f => f.Roll)), files.Count,
                Baselines.FitIndependentBernoullis([.. files.Select(f => f.Roll)]))
            : null;

    private void Evict()
    {
        while (_indexes.Count > Capacity)
        {
            string oldest = _indexes.MinBy(e => e.Value.Used).Key;
            _indexes.TryRemove(oldest, out _);
        }
    }
}
