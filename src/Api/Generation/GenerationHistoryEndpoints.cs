using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Audio;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Model;

namespace RnnRbm.Api.Generation;

/// <summary>GET /api/generations, GET /api/generations/{id} and its views: the served generations, to hear, see, regenerate or vary one.</summary>
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
        var rows = await Rows(db, query.OrderByDescending(g => g.CreatedUtc).ThenByDescending(g => g.Id).Skip(skip).Take(take), withPiece: false)
            .ToListAsync(cancellationToken);
        // A list shows what each request was, not its primer file: GET /api/generations/{id} has it.
        return TypedResults.Ok(new GenerationPage([.. rows.Select(r => ToSummary(r, withPrimer: false))], total, take, skip));
    }

    public static async Task<Results<Ok<GenerationSummary>, ProblemHttpResult>> Get(RnnRbmDbContext db, Guid id, CancellationToken cancellationToken)
    {
        GenerationSummary? found = await FindAsync(db, id, withPiece: true, cancellationToken);
        return found is null ? ErrorHandling.NotFound("Generation", id) : TypedResults.Ok(found);
    }

    /// <summary>One generation with its full request (primer included) and, when asked, its piece; null when there is none.</summary>
    public static async Task<GenerationSummary?> FindAsync(RnnRbmDbContext db, Guid id, bool withPiece, CancellationToken cancellationToken)
    {
        Row? row = await Rows(db, db.Generations.AsNoTracking().Where(g => g.Id == id), withPiece).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : ToSummary(row, withPrimer: true);
    }

    /// <summary>GET /api/generations/{id}/midi: the stored piece as a MIDI file.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Midi(RnnRbmDbContext db, Guid id, CancellationToken cancellationToken)
    {
        (GenerationJson? piece, ProblemHttpResult? problem) = await PieceAsync(db, id, cancellationToken);
        return piece is null ? problem! : TypedResults.File(StoredPiece.Midi(piece), "audio/midi", fileDownloadName: StoredPiece.MidiFileName(piece));
    }

    /// <summary>GET /api/generations/{id}/png: the stored piece as a piano-roll image.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Png(RnnRbmDbContext db, Guid id, CancellationToken cancellationToken)
    {
        (GenerationJson? piece, ProblemHttpResult? problem) = await PieceAsync(db, id, cancellationToken);
        return piece is null ? problem! : TypedResults.File(StoredPiece.Png(piece), "image/png");
    }

    /// <summary>GET /api/generations/{id}/audio: the stored piece rendered to audio, as POST /api/audio renders its MIDI file.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Audio(
        RnnRbmDbContext db, Guid id, HttpContext http, AudioRenderer renderer, AudioSlots slots, IOptions<AudioOptions> options)
    {
        (GenerationJson? piece, ProblemHttpResult? problem) = await PieceAsync(db, id, http.RequestAborted);
        return piece is null ? problem! : await AudioSetup.RenderAsync(StoredPiece.Midi(piece), http, renderer, slots, options.Value);
    }

    /// <summary>The address of <see cref="Zip"/> for these generations.</summary>
    public static string ZipAddress(IEnumerable<Guid> ids) => "/api/generations/zip?" + string.Join("&", ids.Select(id => $"ids={id}"));

    /// <summary>GET /api/generations/zip?ids=…: the MIDI files of several stored pieces (a request's <c>count</c>) in one zip, in the order given.</summary>
    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> Zip(RnnRbmDbContext db, Guid[]? ids, CancellationToken cancellationToken)
    {
        int most = (int)GenerationLimits.Count.Maximum!.Value;
        if (ids is not { Length: > 0 } || ids.Length > most)
        {
            return ErrorHandling.Invalid("ids", $"ids must name 1 to {most} generations (ids=…&ids=…, as a request's pieces list them); got {ids?.Length ?? 0}.");
        }
        var pieces = new List<GenerationJson>(ids.Length);
        foreach (Guid id in ids)
        {
            (GenerationJson? piece, ProblemHttpResult? problem) = await PieceAsync(db, id, cancellationToken);
            if (piece is null)
            {
                return problem!;
            }
            pieces.Add(piece);
        }
        return TypedResults.File(StoredPiece.Zip(pieces, png: false), "application/zip", fileDownloadName: StoredPiece.ZipFileName(pieces, png: false));
    }

    private static async Task<(GenerationJson? Piece, ProblemHttpResult? Problem)> PieceAsync(RnnRbmDbContext db, Guid id, CancellationToken cancellationToken)
    {
        var row = await db.Generations.AsNoTracking().Where(g => g.Id == id).Select(g => new { g.Piece }).FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return (null, ErrorHandling.NotFound("Generation", id));
        }
        return row.Piece is null
            ? (null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "This generation's piece was not kept.",
                detail: $"Generation {id} was recorded before the service kept pieces. POST its request (GET /api/generations/{id}) to /generate to sample it again: the same seed gives the same piece."))
            : (StoredPiece.Unpack(row.Piece), null);
    }

    private sealed record Row(GenerationEntity Generation, string? ModelName);

    // The model's name only (never its file), and null once the model is deleted: the history outlives models. Lists
    // leave the stored piece in the database.
    private static IQueryable<Row> Rows(RnnRbmDbContext db, IQueryable<GenerationEntity> generations, bool withPiece) =>
        from g in generations
        join m in db.Models on g.ModelId equals m.Id into matches
        from m in matches.DefaultIfEmpty()
        select new Row(
            new GenerationEntity
            {
                Id = g.Id, ModelId = g.ModelId, CreatedUtc = g.CreatedUtc, RequestJson = g.RequestJson, Steps = g.Steps, Notes = g.Notes,
                Piece = withPiece ? g.Piece : null,
            },
            m == null ? null : m.Name);

    private static GenerationSummary ToSummary(Row row, bool withPrimer)
    {
        GenerationEntity g = row.Generation;
        GenerationSettings request = JsonSerializer.Deserialize<GenerationSettings>(g.RequestJson, GenerateEndpoint.HistoryJson)
            ?? throw new InvalidOperationException($"Generation {g.Id} has no stored request.");
        bool hasPrimer = request.Primer is not null;
        return new GenerationSummary(g.Id, g.ModelId, row.ModelName, g.CreatedUtc, g.Steps, g.Notes, hasPrimer,
            withPrimer ? request : request with { Primer = null, Melody = null, Fill = null },
            g.Piece is null ? null : StoredPiece.Unpack(g.Piece));
    }
}
