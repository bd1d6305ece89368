using Npgsql;

namespace FactoryPulse.Dump.Restore;

/// <summary>
/// Runs an archive entry's statements as one <see cref="NpgsqlBatch"/>, one batch command per statement, in one round
/// trip. A batch command without parameters is sent exactly as written — Npgsql neither rewrites nor splits it — so
/// semicolons inside BEGIN ATOMIC bodies, dollar quotes or comments need no lexer and no workaround. Outside an explicit
/// transaction the server runs the batch as one implicit transaction: an entry applies whole or not at all.
/// </summary>
internal static class StatementBatch
{
    public static async Task ExecuteAsync(NpgsqlConnection connection, IReadOnlyList<string> statements, CancellationToken cancellationToken)
    {
        if (statements.Count == 0)
            return;
        var batch = new NpgsqlBatch(connection);
        await using var batchScope = batch.ConfigureAwait(false);
        foreach (var statement in statements)
            batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An entry's statements and, unless <paramref name="withOwner"/> is false, its owner statements: one batch.</summary>
    public static Task ExecuteAsync(NpgsqlConnection connection, Archive.TocEntry entry, bool withOwner, CancellationToken cancellationToken)
    {
        if (!withOwner || entry.OwnerStatements is not { Count: > 0 } owner)
            return ExecuteAsync(connection, entry.Statements, cancellationToken);
        var all = new List<string>(entry.Statements.Count + owner.Count);
        all.AddRange(entry.Statements);
        all.AddRange(owner);
        return ExecuteAsync(connection, all, cancellationToken);
    }
}
