using System.Text.Json;
using RnnRbm.Core.Model;
using RnnRbm.Core.Training;

namespace RnnRbm.Api.Training;

/// <summary>
/// A <see cref="TrainingLoop"/> at an epoch boundary as the bytes of a row, and back: a model file with its checkpoint
/// section (parameters, velocity, running average, the best parameters and the trainer's random states), beside the
/// row's history. The one format of every job that trains epoch by epoch (a training, a search's trial), so that any
/// worker resumes it bit-identically to an uninterrupted run.
/// </summary>
internal static class LoopCheckpoint
{
    /// <summary>The loop's state now, under <paramref name="manifest"/> (whose checkpoint section is filled in here).</summary>
    public static byte[] Write(TrainingLoop loop, ModelManifest manifest)
    {
        TrainingResume state = loop.Checkpoint();
        return ModelFile.Write(new RnnRbmModel(loop.Trainer.Parameters, manifest with { Checkpoint = CheckpointInfo.From(state.Trainer, best: true) },
            state.Trainer.Velocity, state.Best, state.Trainer.Average));
    }

    /// <summary>
    /// Where a loop resumes from <paramref name="bytes"/>, checked against the row: its <paramref name="epochsCompleted"/>,
    /// its <paramref name="historyJson"/> and the <paramref name="shape"/> it trains; with the digest of the corpus it learned from.
    /// </summary>
    /// <exception cref="InvalidModelFileException">The checkpoint is unreadable or disagrees with its row.</exception>
    public static (RnnRbmParameters Parameters, TrainingResume Resume, string? CorpusDigest) Read(byte[] bytes, int epochsCompleted, string historyJson,
        ModelShape shape, string what)
    {
        RnnRbmModel model = ModelFile.Read(bytes);
        CheckpointInfo info = model.Manifest.Checkpoint
            ?? throw new InvalidModelFileException($"the {what}'s checkpoint has no random states to resume from.");
        List<EpochRecord> history = JsonSerializer.Deserialize<List<EpochRecord>>(historyJson, ModelFile.JsonOptions) ?? [];
        if (model.Manifest.Training.EpochsCompleted != epochsCompleted || history.Count != epochsCompleted
            || model.Manifest.Shape.ToShape() != shape || model.Best is null || model.Manifest.Stopping is null)
        {
            throw new InvalidModelFileException(
                $"the {what}'s checkpoint (epoch {model.Manifest.Training.EpochsCompleted}, {history.Count} history entries) disagrees with its record (epoch {epochsCompleted}).");
        }
        var resume = new TrainingResume(info.ToTrainerCheckpoint(epochsCompleted, model.Velocity, model.Average), model.Manifest.Stopping, history, model.Best);
        return (model.Parameters, resume, model.Manifest.Corpus?.Sha256);
    }
}
