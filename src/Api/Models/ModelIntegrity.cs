using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;
using RnnRbm.Core.Model;

namespace RnnRbm.Api.Models;

/// <summary>
/// Whether each stored model file is whole (issue 13: a damaged model used to be listed and downloaded as healthy, and
/// only generation found out, with a 500). A file is checked entirely (<see cref="ModelFile.Read(ReadOnlySpan{byte})"/>:
/// signature, version, SHA-256 checksum, manifest, weights) before it is stored (an import and the bundled models'
/// seeder read it so; a training writes it), and when it is listed and served. The verdict is kept per model id and file
/// length for <see cref="RecheckAfter"/>, so a list reads and hashes each file at most once a minute however often it is
/// asked; serving always checks the bytes it sends (they are read anyway) and updates the verdict at once.
/// </summary>
public sealed class ModelIntegrity
{
    /// <summary>The <c>state</c> of a whole model.</summary>
    public const string Ok = "ok";

    /// <summary>The <c>state</c> of a model whose stored file fails its checks.</summary>
    public const string Damaged = "damaged";

    /// <summary>How long a verdict is trusted before a list reads the file again (damage at rest shows within it).</summary>
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Guid, (long Length, string? Damage, long CheckedMs)> _verdicts = new();

    /// <summary>Why the file is damaged, or null when it is whole; remembers the verdict.</summary>
    public string? Check(Guid id, byte[] file)
    {
        string? damage = Damage(file);
        _verdicts[id] = (file.LongLength, damage, Environment.TickCount64);
        return damage;
    }

    /// <summary>
    /// Why the stored file of model <paramref name="id"/> (of <paramref name="length"/> bytes) is damaged, or null when it
    /// is whole: the remembered verdict when the length is unchanged, else the file is read and checked.
    /// </summary>
    public async Task<string?> DamageAsync(RnnRbmDbContext db, Guid id, long length, CancellationToken cancellationToken)
    {
        if (_verdicts.TryGetValue(id, out (long Length, string? Damage, long CheckedMs) known) && known.Length == length
            && Environment.TickCount64 - known.CheckedMs < RecheckAfter.TotalMilliseconds)
        {
            return known.Damage;
        }
        byte[]? file = await db.Models.AsNoTracking().Where(m => m.Id == id).Select(m => m.File).FirstOrDefaultAsync(cancellationToken);
        return file is null ? null : Check(id, file);
    }

    /// <summary>Forgets a model's verdict (deleted or replaced).</summary>
    public void Forget(Guid id) => _verdicts.TryRemove(id, out _);

    /// <summary>Why <paramref name="file"/> is not a usable model file, or null.</summary>
    public static string? Damage(byte[] file)
    {
        try
        {
            ModelFile.Read(file);
            return null;
        }
        catch (InvalidModelFileException ex)
        {
            return ex.Reason;
        }
    }

    /// <summary>The 409 a damaged model gets where its file would be used.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Conflict(Guid id, string damage) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The model's stored file is damaged.",
            detail: $"Model {id} is marked damaged ({damage.TrimEnd('.')}) and cannot be used. A bundled model is restored from the bundle " +
                $"at the next start; otherwise delete it (DELETE /api/models/{id}) and import or train it again.");
}
