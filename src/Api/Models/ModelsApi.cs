using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Model;
using RnnRbm.Core.Rendering;

namespace RnnRbm.Api.Models;

/// <summary>/api/models: list, inspect, download, import and delete model files.</summary>
public static class ModelsApi
{
    private const int MaxNameLength = 200;

    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/api/models").WithTags("Models").RequireApiKeyForChanges();

        group.MapGet("/", ListAsync)
            .WithName("ListModels")
            .WithSummary("Lists the models, newest first.")
            .WithDescription("Trained here, imported, or the bundled default. The weights are not included: download them from /api/models/{id}/file. " +
                "Each file is checked (checksum and structure) at most once a minute for lists and whenever it is served: one that fails is listed with " +
                "state 'damaged' and the reason, and refused with 409 for download, generation and evaluation.");

        group.MapGet("/{id:guid}", GetAsync)
            .WithName("GetModel")
            .WithSummary("Gets a model's manifest, metrics and training curve.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id:guid}/file", DownloadAsync)
            .WithName("DownloadModel")
            .WithSummary("Downloads the model file (.rnnrbm).")
            .WithDescription("The file carries its manifest and a SHA-256 checksum; it can be imported by another server or used by the CLI. " +
                "The file is checked before it is sent: a damaged one is refused with 409, never sent.")
            .Produces<Stream>(StatusCodes.Status200OK, "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/{id:guid}/curve.png", CurveAsync)
            .WithName("GetModelCurve")
            .WithSummary("Draws the model's training curve (monitor per epoch on train and valid) as PNG.")
            .Produces<Stream>(StatusCodes.Status200OK, "image/png")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/", ImportAsync)
            .WithName("ImportModel")
            .WithSummary("Imports a model file (multipart field 'file', optional 'name').")
            .WithDescription("The file is checked entirely (signature, version, checksum, manifest, weights); a refused file gets a 400 saying why. " +
                "A file the service already holds is imported all the same; the answer names the models with the same content (sameContentAs, by SHA-256).")
            .ProducesValidationProblem()
            .DisableAntiforgery();

        group.MapDelete("/{id:guid}", DeleteAsync)
            .WithName("DeleteModel")
            .WithSummary("Deletes a model.")
            .WithDescription("A training that made it keeps its history but loses its modelId.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    internal static async Task<Ok<List<ModelSummary>>> ListAsync(RnnRbmDbContext db, ModelIntegrity integrity, CancellationToken cancellationToken)
    {
        var rows = await db.Models.AsNoTracking()
            .OrderByDescending(m => m.CreatedUtc)
            .Select(m => new { m.Id, m.Name, m.Origin, m.CreatedUtc, m.TrainingId, m.CorpusId, FileBytes = (long)m.File.Length, m.ManifestJson })
            .ToListAsync(cancellationToken);
        var damage = new Dictionary<Guid, string?>();
        foreach (var row in rows)
        {
            damage[row.Id] = await integrity.DamageAsync(db, row.Id, row.FileBytes, cancellationToken);
        }
        return TypedResults.Ok(rows.Select(m =>
        {
            ModelManifest manifest = ModelEntities.Manifest(m.ManifestJson);
            EpochRecord? last = manifest.History.Count > 0 ? manifest.History[^1] : null;
            return new ModelSummary(m.Id, m.Name, m.Origin, m.CreatedUtc, m.TrainingId, m.CorpusId, m.FileBytes,
                manifest.Shape.ToResponse(), manifest.PitchRange.ToResponse(), manifest.TimeGrid.ToResponse(),
                manifest.Training.EpochsCompleted,
                last is null ? null : ModelContractMapping.Finite(last.Monitor),
                last?.ValidMonitor is double v ? ModelContractMapping.Finite(v) : null,
                damage[m.Id] is null ? ModelIntegrity.Ok : ModelIntegrity.Damaged, damage[m.Id]);
        }).ToList());
    }

    internal static async Task<Results<Ok<ModelDetails>, ProblemHttpResult>> GetAsync(Guid id, RnnRbmDbContext db, ModelIntegrity integrity,
        CancellationToken cancellationToken)
    {
        var m = await db.Models.AsNoTracking()
            .Where(m => m.Id == id)
            .Select(m => new { m.Id, m.Name, m.Origin, m.CreatedUtc, m.TrainingId, m.CorpusId, FileBytes = (long)m.File.Length, m.ManifestJson, m.ContentSha256 })
            .FirstOrDefaultAsync(cancellationToken);
        if (m is null)
        {
            return ErrorHandling.NotFound("Model", id);
        }
        ManifestResponse manifest = ModelEntities.Manifest(m.ManifestJson).ToResponse();
        string? damage = await integrity.DamageAsync(db, m.Id, m.FileBytes, cancellationToken);
        return TypedResults.Ok(new ModelDetails(m.Id, m.Name, m.Origin, m.CreatedUtc, m.TrainingId, m.CorpusId, m.FileBytes,
            manifest, manifest.Metrics, manifest.History, damage is null ? ModelIntegrity.Ok : ModelIntegrity.Damaged, damage, m.ContentSha256));
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadAsync(Guid id, RnnRbmDbContext db, ModelIntegrity integrity,
        CancellationToken cancellationToken)
    {
        var m = await db.Models.AsNoTracking().Where(m => m.Id == id).Select(m => new { m.Name, m.File }).FirstOrDefaultAsync(cancellationToken);
        if (m is null)
        {
            return ErrorHandling.NotFound("Model", id);
        }
        // The bytes about to be sent are the ones checked: a damaged file is never served as a model.
        return integrity.Check(id, m.File) is string damage
            ? ModelIntegrity.Conflict(id, damage)
            : TypedResults.File(m.File, "application/octet-stream", ModelEntities.FileName(m.Name));
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> CurveAsync(Guid id, RnnRbmDbContext db, CancellationToken cancellationToken)
    {
        var m = await db.Models.AsNoTracking().Where(m => m.Id == id).Select(m => new { m.Name, m.ManifestJson }).FirstOrDefaultAsync(cancellationToken);
        if (m is null)
        {
            return ErrorHandling.NotFound("Model", id);
        }
        byte[] png = CurveImages.Render(ModelEntities.Manifest(m.ManifestJson).History, m.Name);
        return TypedResults.File(png, "image/png");
    }

    internal static async Task<Results<Created<ModelDetails>, ValidationProblem>> ImportAsync(
        IFormFile? file, [FromForm] string? name, RnnRbmDbContext db, CancellationToken cancellationToken)
    {
        if (file is null || file.Length == 0)
        {
            return ErrorHandling.Invalid("file", "Attach a model file (.rnnrbm) in the multipart field 'file'.");
        }
        if (file.Length > ModelFile.MaxBytes)
        {
            return ErrorHandling.Invalid("file", $"The file is {file.Length} bytes; model files are at most {ModelFile.MaxBytes}.");
        }
        string? given = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
        if (given is { Length: > MaxNameLength })
        {
            return ErrorHandling.Invalid("name", $"The name must be at most {MaxNameLength} characters.");
        }

        byte[] bytes;
        await using (Stream stream = file.OpenReadStream())
        {
            using var buffer = new MemoryStream((int)file.Length);
            await stream.CopyToAsync(buffer, cancellationToken);
            bytes = buffer.ToArray();
        }
        RnnRbmModel model;
        try
        {
            model = ModelFile.Read(bytes);
        }
        catch (InvalidModelFileException ex)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["file"] = [ex.Reason] },
                detail: ex.Reason,
                title: "The file is not a usable model file.");
        }

        string modelName = given
            ?? (Path.GetFileNameWithoutExtension(file.FileName) is { Length: > 0 } stem ? stem[..Math.Min(stem.Length, MaxNameLength)] : null)
            ?? model.Manifest.Corpus?.Name
            ?? "imported model";
        ModelEntity entity = ModelEntities.Create(bytes, model.Manifest, modelName, ModelEntities.FromImport);
        // The same file imported before: said in the answer, never refused or merged, so that nothing is lost and the
        // person chooses which to keep (the page offers "use the existing one").
        List<SameModel> same = await db.Models.AsNoTracking()
            .Where(m => m.ContentSha256 == entity.ContentSha256)
            .OrderBy(m => m.CreatedUtc)
            .Select(m => new SameModel(m.Id, m.Name, m.CreatedUtc))
            .ToListAsync(cancellationToken);
        db.Models.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        ManifestResponse manifest = model.Manifest.ToResponse();
        return TypedResults.Created($"/api/models/{entity.Id}", new ModelDetails(entity.Id, entity.Name, entity.Origin, entity.CreatedUtc,
            null, null, bytes.LongLength, manifest, manifest.Metrics, manifest.History, ContentSha256: entity.ContentSha256, SameContentAs: same));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, RnnRbmDbContext db, ModelIntegrity integrity,
        CancellationToken cancellationToken)
    {
        int deleted = await db.Models.Where(m => m.Id == id).ExecuteDeleteAsync(cancellationToken);
        integrity.Forget(id);
        if (deleted == 0)
        {
            return ErrorHandling.NotFound("Model", id);
        }
        // Only finished trainings point at a model, so no worker writes these rows any more.
        await db.Trainings.Where(t => t.ModelId == id).ExecuteUpdateAsync(s => s.SetProperty(t => t.ModelId, (Guid?)null), cancellationToken);
        return TypedResults.NoContent();
    }
}

/// <summary>Training curves as PNG, for models and trainings alike.</summary>
public static class CurveImages
{
    public static byte[] Render(IReadOnlyList<EpochRecord> history, string title)
    {
        CurvePoint[] train = [.. history.Select(e => new CurvePoint(e.Epoch, e.Monitor))];
        CurvePoint[] valid = [.. history.Where(e => e.ValidMonitor is not null).Select(e => new CurvePoint(e.Epoch, e.ValidMonitor!.Value))];
        CurvePoint[] likelihood = [.. history.Where(e => e.ValidLogLikelihood is not null).Select(e => new CurvePoint(e.Epoch, e.ValidLogLikelihood!.Value))];
        return TrainingCurveImage.RenderPng(train, valid.Length > 0 ? valid : null, title: title, yLabel: "nats per step",
            validLikelihood: likelihood);
    }
}
