using FactoryPulse.Dump.Archive;
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
    public static Task ExecuteAsync(NpgsqlConnection connection, TocEntry entry, bool withOwner, TargetDefaultPrivileges? defaultPrivileges, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, StatementsOf(entry, withOwner, defaultPrivileges), cancellationToken);

    /// <summary>What <see cref="ExecuteAsync(NpgsqlConnection, TocEntry, bool, TargetDefaultPrivileges?, CancellationToken)"/> sends for one entry.</summary>
    public static IReadOnlyList<string> StatementsOf(TocEntry entry, bool withOwner, TargetDefaultPrivileges? defaultPrivileges)
    {
        var undo = defaultPrivileges?.UndoFor(entry, withOwner);
        var owner = withOwner ? entry.OwnerStatements : null;
        if (undo is null && owner is not { Count: > 0 })
            return entry.Statements;
        var all = new List<string>(entry.Statements.Count + (undo?.Count ?? 0) + (owner?.Count ?? 0));
        all.AddRange(entry.Statements);
        // Before the owner changes: the restoring role still owns the object and can revoke what its defaults granted.
        if (undo is not null)
            all.AddRange(undo);
        if (owner is not null)
            all.AddRange(owner);
        return all;
    }

    /// <summary>
    /// Runs the statements of several entries as one batch: one round trip instead of one per entry. Outside an explicit
    /// transaction the batch is one implicit transaction, so a failure leaves none of them applied; inside one (single
    /// transaction) the transaction is aborted. Either way the failure names the entry whose statement failed.
    /// </summary>
    /// <returns>Null when every statement ran; otherwise the index (into <paramref name="statementsPerEntry"/>) of the failing entry and the server's error.</returns>
    public static async Task<PipelineFailure?> TryExecuteAsync(NpgsqlConnection connection, IReadOnlyList<IReadOnlyList<string>> statementsPerEntry, CancellationToken cancellationToken)
    {
        var batch = new NpgsqlBatch(connection);
        await using var batchScope = batch.ConfigureAwait(false);
        // firstCommand[i] = index of entry i's first batch command: the failing command's index maps back to its entry.
        var firstCommand = new int[statementsPerEntry.Count];
        for (var i = 0; i < statementsPerEntry.Count; i++)
        {
            firstCommand[i] = batch.BatchCommands.Count;
            foreach (var statement in statementsPerEntry[i])
                batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
        }
        if (batch.BatchCommands.Count == 0)
            return null;
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (PostgresException exception)
        {
            var command = exception.BatchCommand is NpgsqlBatchCommand failed ? batch.BatchCommands.IndexOf(failed) : -1;
            var entry = -1;
            for (var i = 0; i < firstCommand.Length && command >= 0; i++)
            {
                // Entries without statements share their first index with the next entry: the last one at or before wins.
                if (firstCommand[i] <= command)
                    entry = i;
            }
            return new PipelineFailure(entry, exception);
        }
    }
}

/// <summary>A pipelined batch failed: <paramref name="Entry"/> is the failing entry's index, or -1 when the server's error does not say which command failed.</summary>
internal sealed record PipelineFailure(int Entry, PostgresException Exception);
