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

    /// <summary>
    /// An entry's statements, then what <paramref name="defaultPrivileges"/> says takes the target's default privileges
    /// back off the object it created, then (unless <paramref name="withOwner"/> is false) its owner statements: one batch.
    /// </summary>
    public static Task ExecuteAsync(NpgsqlConnection connection, Archive.TocEntry entry, bool withOwner, TargetDefaultPrivileges? defaultPrivileges, CancellationToken cancellationToken)
    {
        var undo = defaultPrivileges?.UndoFor(entry, withOwner);
        var owner = withOwner ? entry.OwnerStatements : null;
        if (undo is null && owner is not { Count: > 0 })
            return ExecuteAsync(connection, entry.Statements, cancellationToken);
        var all = new List<string>(entry.Statements.Count + (undo?.Count ?? 0) + (owner?.Count ?? 0));
        all.AddRange(entry.Statements);
        // Before the owner changes: the restoring role still owns the object and can revoke what its defaults granted.
        if (undo is not null)
            all.AddRange(undo);
        if (owner is not null)
            all.AddRange(owner);
        return ExecuteAsync(connection, all, cancellationToken);
    }
}
