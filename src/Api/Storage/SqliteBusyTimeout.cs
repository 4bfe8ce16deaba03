using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace RnnRbm.Api.Storage;

/// <summary>
/// Sets SQLite's own busy timeout, and <c>synchronous = NORMAL</c> (what SQLite recommends in WAL mode: durable when
/// the process dies, not through a power cut; docs/deployment.md, "SQLite durability"), on every connection EF Core
/// opens. <c>FULL</c> waited for the disk on each commit: a generation's history row cost more than the rest of it.
/// </summary>
/// <remarks>
/// The busy timeout: without it, a write that finds the file locked by
/// another writer (two generations recording their history at once, a checkpoint, Hangfire) is retried by the ADO.NET
/// provider after sleeping 150 ms, which showed as 100-470 ms tails under concurrent generation; SQLite's busy handler
/// retries within milliseconds instead. The provider's Default Timeout stays the overall bound.
/// </remarks>
internal sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    private const string Pragma = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using DbCommand command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
