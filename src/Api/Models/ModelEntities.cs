using System.Text.Json;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Model;

namespace RnnRbm.Api.Models;

/// <summary>Builds <see cref="ModelEntity"/> rows (file bytes plus the manifest as JSON for queries) and reads them back.</summary>
public static class ModelEntities
{
    public const string FromTraining = "training";
    public const string FromSearch = "search";
    public const string FromImport = "import";
    public const string Bundled = "bundled";

    /// <summary>A new row for an already serialised, valid model file.</summary>
    public static ModelEntity Create(byte[] file, ModelManifest manifest, string name, string origin, Guid? trainingId = null, Guid? corpusId = null) => new()
    {
        Id = Guid.NewGuid(),
        Name = name,
        CreatedUtc = DateTimeOffset.UtcNow,
        File = file,
        ContentSha256 = ContentHash.Of(file),
        ManifestJson = JsonSerializer.Serialize(manifest, ModelFile.JsonOptions),
        TrainingId = trainingId,
        CorpusId = corpusId,
        Origin = origin,
    };

    /// <summary>A new row for <paramref name="model"/>, serialising it.</summary>
    public static ModelEntity Create(RnnRbmModel model, string name, string origin, Guid? trainingId = null, Guid? corpusId = null) =>
        Create(ModelFile.Write(model), model.Manifest, name, origin, trainingId, corpusId);

    /// <summary>The manifest stored beside the file.</summary>
    public static ModelManifest Manifest(string manifestJson) =>
        JsonSerializer.Deserialize<ModelManifest>(manifestJson, ModelFile.JsonOptions)
        ?? throw new InvalidOperationException("A stored model has an empty manifest.");

    /// <summary>A name safe as a download file name: no path separators, quotes or control characters.</summary>
    public static string FileName(string name)
    {
        char[] invalid = [.. Path.GetInvalidFileNameChars(), '"', '\\', '/'];
        string safe = new([.. name.Trim().Select(c => char.IsControl(c) || invalid.Contains(c) ? '_' : c)]);
        return (safe.Length == 0 ? "model" : safe) + ".rnnrbm";
    }
}
