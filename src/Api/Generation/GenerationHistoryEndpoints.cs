using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Generation;

/// <summary>GET /api/generations and GET /api/generations/{id}: the served generations, to regenerate or vary one.</summary>
internal static class GenerationHistoryEndpoints
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    public static async Task<Results<Ok<GenerationPage>, ValidationProblem>> List(
        RnnRbmDbContext db, int? limit, int? offset, Guid? modelId, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        int take = limit ?? DefaultLimit;
        int skip = offset ?? 0;
        if (take is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit must lie in [1, {MaxLimit}]; got {take}."];
        }
        if (skip < 0)
        {
            errors["offset"] = [$"offset must be 0 or more; got {skip}."];
        }
        if (errors.Count > 0)
        {
            return ErrorHandling.Invalid(errors);
        }

        IQueryable<GenerationEntity> query = db.Generations.AsNoTracking();
        if (modelId is Guid model)
        {
            query = query.Where(g => g.ModelId == model);
        }
        int total = await query.CountAsync(cancellationToken);
        var rows = await Rows(db, query.OrderByDescending(g => g.CreatedUtc).ThenByDescending(g => g.Id).Skip(skip).Take(take))
            .ToListAsync(cancellationToken);
        // A list shows what each request was, not its primer file: GET /api/generations/{id} has it.
        return TypedResults.Ok(new GenerationPage([.. rows.Select(r => ToSummary(r, withPrimer: false))], total, take, skip));
    }

    public static async Task<Results<Ok<GenerationSummary>, ProblemHttpResult>> Get(RnnRbmDbContext db, Guid id, CancellationToken cancellationToken)
    {
        Row? row = await Rows(db, db.Generations.AsNoTracking().Where(g => g.Id == id)).FirstOrDefaultAsync(cancellationToken);
        return row is null ? ErrorHandling.NotFound("Generation", id) : TypedResults.Ok(ToSummary(row, withPrimer: true));
    }

    private sealed record Row(GenerationEntity Generation, string? ModelName);

    // The model's name only (never its file), and null once the model is deleted: the history outlives models.
    private static IQueryable<Row> Rows(RnnRbmDbContext db, IQueryable<GenerationEntity> generations) =>
        from g in generations
        join m in db.Models on g.ModelId equals m.Id into matches
        from m in matches.DefaultIfEmpty()
        select new Row(g, m == null ? null : m.Name);

    private static GenerationSummary ToSummary(Row row, bool withPrimer)
    {
        GenerationEntity g = row.Generation;
        GenerationSettings request = JsonSerializer.Deserialize<GenerationSettings>(g.RequestJson, GenerateEndpoint.HistoryJson)
            ?? throw new InvalidOperationException($"Generation {g.Id} has no stored request.");
        bool hasPrimer = request.Primer is not null;
        return new GenerationSummary(g.Id, g.ModelId, row.ModelName, g.CreatedUtc, g.Steps, g.Notes, hasPrimer,
            withPrimer ? request : request with { Primer = null });
    }
}
