using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Catalog;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Restore;

/// <summary>
/// Loads archived rows into an existing schema, in one transaction: tables in foreign-key order, cycles broken by
/// deferring their constraints (made DEFERRABLE for the transaction when they are not, then put back), user
/// triggers off during the load and back to their exact previous state after, FORCE ROW LEVEL SECURITY lifted for
/// the owner while loading. Works for the tables' owner; superuser only for the replication-role strategy.
/// </summary>
internal static class DataOnlyRestorer
{
    // Name is quoted for statements; DisplayName (schema.table) is for messages.
    private sealed record TargetTable(string Name, string DisplayName, uint Oid, bool Owned, bool RowSecurity, bool ForceRowSecurity);

    private sealed record TriggerState(string Table, string Name, char Enabled);

    public static async Task<(List<RestoredTable> Tables, int Sequences, List<string> Warnings)> RunAsync(
        NpgsqlConnection connection, IReadOnlyList<TocEntry> entries, RestoreOptions options, byte[]? key, IProgress<DumpProgress>? progress, CancellationToken cancellationToken)
    {
        var dataEntries = new List<TocEntry>();
        foreach (var entry in entries)
        {
            if (entry.Data is not null && entry.Data.Format != DataFormat.LargeObjects)
                dataEntries.Add(entry);
        }
        var tableNames = dataEntries.ConvertAll(entry => SqlText.QuoteQualified(entry.Schema, entry.Name));
        var (superuser, bypassRls) = await RoleAsync(connection, cancellationToken).ConfigureAwait(false);
        var targets = await ReadTargetsAsync(connection, dataEntries, tableNames, cancellationToken).ConfigureAwait(false);

        // Everything that can be known before the first change is reported together.
        var problems = new List<string>();
        foreach (var target in targets.Values)
        {
            if (!superuser && !target.Owned)
                problems.Add($"{target.DisplayName} is not owned by the restoring role, so its triggers cannot be switched off for the load (restore as its owner or a superuser)");
            if (target.RowSecurity && !superuser && !bypassRls && !target.Owned)
                problems.Add($"{target.DisplayName} has row-level security and the restoring role neither owns it nor has BYPASSRLS");
        }
        if (options.ForeignKeyCycles == ForeignKeyCycleStrategy.ReplicationRole && !superuser)
            problems.Add("the replication-role strategy needs a superuser (session_replication_role)");
        if (problems.Count > 0)
            throw new DumpException("Cannot restore the data: " + string.Join("; ", problems) + ". Nothing was changed.");

        var tablesByOid = new Dictionary<uint, string>();
        foreach (var target in targets.Values)
            tablesByOid[target.Oid] = target.Name;
        var keys = await ReadForeignKeysAsync(connection, tablesByOid, cancellationToken).ConfigureAwait(false);
        var order = RestorePlan.OrderDataOnly(dataEntries, entry => targets[entry.DumpId].Name, keys, entries);

        var warnings = new List<string>();
        var restored = new List<RestoredTable>();
        var sequences = 0;
        await ServerConnection.ExecuteAsync(connection, "BEGIN", cancellationToken).ConfigureAwait(false);
        try
        {
            // Functions behind defaults and checks may rely on the database's search_path; the COPYs are qualified.
            await ServerConnection.ExecuteAsync(connection, "RESET search_path", cancellationToken).ConfigureAwait(false);
            if (options.Clean && tableNames.Count > 0)
                await ServerConnection.ExecuteAsync(connection, $"TRUNCATE TABLE {string.Join(", ", Distinct(targets))}", cancellationToken).ConfigureAwait(false);

            var triggers = options.DisableTriggers && options.ForeignKeyCycles != ForeignKeyCycleStrategy.ReplicationRole
                ? await DisableTriggersAsync(connection, tablesByOid, cancellationToken).ConfigureAwait(false)
                : [];
            var forced = new List<TargetTable>();
            foreach (var target in targets.Values)
            {
                if (target.ForceRowSecurity && target.Owned && !bypassRls && !superuser && !forced.Contains(target))
                {
                    forced.Add(target);
                    await ServerConnection.ExecuteAsync(connection, $"ALTER TABLE {target.Name} NO FORCE ROW LEVEL SECURITY", cancellationToken).ConfigureAwait(false);
                }
            }
            var restoreKeys = await BreakCyclesAsync(connection, order.CycleKeys, options.ForeignKeyCycles, cancellationToken).ConfigureAwait(false);

            long rows = 0, bytes = 0;
            foreach (var entry in order.Loads)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new DumpProgress { Phase = OperationPhase.Data, CurrentObject = entry.DisplayName, TablesDone = restored.Count, TablesTotal = dataEntries.Count, RowsDone = rows, BytesDone = bytes });
                await DataLoader.LoadAsync(connection, options.InputPath, entry, entry.Data!, truncateFirst: false, freeze: false, key, cancellationToken).ConfigureAwait(false);
                restored.Add(new RestoredTable { Table = entry.QualifiedName, Rows = entry.Data!.Rows });
                rows += entry.Data.Rows;
                bytes += entry.Data.Bytes;
            }
            foreach (var entry in order.AfterLoads)
            {
                if (entry.Data is { Format: DataFormat.LargeObjects } blobs)
                    await DataLoader.LoadAsync(connection, options.InputPath, entry, blobs, truncateFirst: false, freeze: false, key, cancellationToken).ConfigureAwait(false);
                else
                {
                    await StatementBatch.ExecuteAsync(connection, entry.Statements, cancellationToken).ConfigureAwait(false);
                    sequences++;
                }
            }

            // The deferred checks run here; a violation names its constraint and table.
            await ServerConnection.ExecuteAsync(connection, "SET CONSTRAINTS ALL IMMEDIATE", cancellationToken).ConfigureAwait(false);
            await StatementBatch.ExecuteAsync(connection, restoreKeys, cancellationToken).ConfigureAwait(false);
            foreach (var entry in order.Refreshes)
                await StatementBatch.ExecuteAsync(connection, entry.Statements, cancellationToken).ConfigureAwait(false);
            foreach (var target in forced)
                await ServerConnection.ExecuteAsync(connection, $"ALTER TABLE {target.Name} FORCE ROW LEVEL SECURITY", cancellationToken).ConfigureAwait(false);
            await RestoreTriggersAsync(connection, triggers, cancellationToken).ConfigureAwait(false);
            await ServerConnection.ExecuteAsync(connection, "COMMIT", cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException exception)
        {
            await RollbackAsync(connection).ConfigureAwait(false);
            var what = exception.SqlState == "23503"
                ? $"foreign key {exception.ConstraintName} on table {exception.SchemaName}.{exception.TableName} is violated by the archived rows ({exception.Detail ?? exception.MessageText})"
                : exception.MessageText + (exception.Detail is null ? "" : $" ({exception.Detail})");
            throw new RestoreFailedException($"Data-only restore failed: {what}. The transaction was rolled back; nothing was changed.", exception);
        }
        catch
        {
            await RollbackAsync(connection).ConfigureAwait(false);
            throw;
        }
        return (restored, sequences, warnings);
    }

    private static List<string> Distinct(Dictionary<int, TargetTable> targets)
    {
        var names = new List<string>();
        foreach (var target in targets.Values)
        {
            if (!names.Contains(target.Name))
                names.Add(target.Name);
        }
        return names;
    }

    private static async Task RollbackAsync(NpgsqlConnection connection)
    {
        try
        {
            await ServerConnection.ExecuteAsync(connection, "ROLLBACK", CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // Connection gone: the server rolls back by itself.
        }
    }

    private static async Task<(bool Superuser, bool BypassRls)> RoleAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        bool superuser = false, bypass = false;
        await CatalogQuery.ForEachAsync(connection, "SELECT r.rolsuper, r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = current_user",
            row =>
            {
                superuser = row.Bool("rolsuper");
                bypass = row.Bool("rolbypassrls");
            }, cancellationToken).ConfigureAwait(false);
        return (superuser, bypass);
    }

    private static async Task<Dictionary<int, TargetTable>> ReadTargetsAsync(NpgsqlConnection connection, List<TocEntry> entries, List<string> names, CancellationToken cancellationToken)
    {
        var targets = new Dictionary<int, TargetTable>();
        var missing = new List<string>();
        var command = new NpgsqlCommand(
            """
            SELECT c.oid, pg_catalog.pg_has_role(c.relowner, 'USAGE') AS owned, c.relrowsecurity, c.relforcerowsecurity
            FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass($1)
            """, connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        for (var i = 0; i < entries.Count; i++)
        {
            command.Parameters[0].Value = names[i];
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    missing.Add($"{entries[i].Schema}.{entries[i].Name}");
                    continue;
                }
                targets[entries[i].DumpId] = new TargetTable(names[i], $"{entries[i].Schema}.{entries[i].Name}", reader.GetFieldValue<uint>(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3));
            }
        }
        if (missing.Count > 0)
            throw new DumpException($"Cannot restore the data: the target has no table {string.Join(", ", missing)}. Restore the schema first. Nothing was changed.");
        return targets;
    }

    /// <summary>Foreign keys between restored tables (<paramref name="byOid"/>: restored tables by oid, as quoted names).</summary>
    private static async Task<List<ForeignKey>> ReadForeignKeysAsync(NpgsqlConnection connection, Dictionary<uint, string> byOid, CancellationToken cancellationToken)
    {
        var keys = new List<ForeignKey>();
        await CatalogQuery.ForEachAsync(connection,
            "SELECT c.conname, c.conrelid, c.confrelid, c.condeferrable, c.condeferred FROM pg_catalog.pg_constraint c WHERE c.contype = 'f' AND c.conparentid = 0 ORDER BY c.conrelid, c.conname",
            row =>
            {
                if (byOid.TryGetValue(row.Oid("conrelid"), out var table) && byOid.TryGetValue(row.Oid("confrelid"), out var referenced))
                    keys.Add(new ForeignKey(row.String("conname"), table, referenced, row.Bool("condeferrable"), row.Bool("condeferred")));
            }, cancellationToken).ConfigureAwait(false);
        return keys;
    }

    /// <summary>Returns the statements that put the constraints back once the rows are in and checked.</summary>
    private static async Task<List<string>> BreakCyclesAsync(NpgsqlConnection connection, IReadOnlyList<ForeignKey> keys, ForeignKeyCycleStrategy strategy, CancellationToken cancellationToken)
    {
        var restore = new List<string>();
        if (keys.Count == 0)
            return restore;
        switch (strategy)
        {
            case ForeignKeyCycleStrategy.ReplicationRole:
                // Replica mode skips all ordinary triggers, the foreign-key ones included; the rows are not checked.
                await ServerConnection.ExecuteAsync(connection, "SET LOCAL session_replication_role = replica", cancellationToken).ConfigureAwait(false);
                return restore;
            case ForeignKeyCycleStrategy.DropAndRecreate:
                foreach (var key in keys)
                {
                    string definition = await ServerConnection.ScalarAsync<string>(connection,
                        $"SELECT pg_catalog.pg_get_constraintdef(c.oid) FROM pg_catalog.pg_constraint c WHERE c.conrelid = {SqlText.QuoteLiteral(key.Table)}::pg_catalog.regclass AND c.conname = {SqlText.QuoteLiteral(key.Name)}",
                        cancellationToken).ConfigureAwait(false);
                    await ServerConnection.ExecuteAsync(connection, $"ALTER TABLE {key.Table} DROP CONSTRAINT {SqlText.QuoteIdentifier(key.Name)}", cancellationToken).ConfigureAwait(false);
                    restore.Add($"ALTER TABLE {key.Table} ADD CONSTRAINT {SqlText.QuoteIdentifier(key.Name)} {definition} NOT VALID");
                    restore.Add($"ALTER TABLE {key.Table} VALIDATE CONSTRAINT {SqlText.QuoteIdentifier(key.Name)}");
                }
                return restore;
            default:
                foreach (var key in keys)
                {
                    var name = SqlText.QuoteIdentifier(key.Name);
                    if (!key.Deferrable)
                    {
                        // Owner-level, transactional and undone below: no superuser needed, nothing left behind on error.
                        await ServerConnection.ExecuteAsync(connection, $"ALTER TABLE {key.Table} ALTER CONSTRAINT {name} DEFERRABLE INITIALLY DEFERRED", cancellationToken).ConfigureAwait(false);
                        restore.Add($"ALTER TABLE {key.Table} ALTER CONSTRAINT {name} NOT DEFERRABLE");
                    }
                }
                // Constraint names are not unique across tables, so defer them all; SET CONSTRAINTS ALL IMMEDIATE checks them later.
                await ServerConnection.ExecuteAsync(connection, "SET CONSTRAINTS ALL DEFERRED", cancellationToken).ConfigureAwait(false);
                return restore;
        }
    }

    private static async Task<List<TriggerState>> DisableTriggersAsync(NpgsqlConnection connection, Dictionary<uint, string> byOid, CancellationToken cancellationToken)
    {
        var states = new List<TriggerState>();
        await CatalogQuery.ForEachAsync(connection,
            "SELECT t.tgrelid, t.tgname, t.tgenabled::text AS enabled FROM pg_catalog.pg_trigger t WHERE NOT t.tgisinternal ORDER BY t.tgrelid, t.tgname",
            row =>
            {
                if (byOid.TryGetValue(row.Oid("tgrelid"), out var table))
                    states.Add(new TriggerState(table, row.String("tgname"), row.Char("enabled")));
            }, cancellationToken).ConfigureAwait(false);
        var tables = new List<string>();
        foreach (var state in states)
        {
            if (!tables.Contains(state.Table))
                tables.Add(state.Table);
        }
        foreach (var table in tables)
            await ServerConnection.ExecuteAsync(connection, $"ALTER TABLE {table} DISABLE TRIGGER USER", cancellationToken).ConfigureAwait(false);
        return states;
    }

    /// <summary>Every trigger goes back to exactly what it was: enabled, disabled, replica or always.</summary>
    private static async Task RestoreTriggersAsync(NpgsqlConnection connection, List<TriggerState> states, CancellationToken cancellationToken)
    {
        foreach (var state in states)
        {
            await ServerConnection.ExecuteAsync(connection, $"ALTER TABLE {state.Table} {Model.EnableState.Words(state.Enabled)} TRIGGER {SqlText.QuoteIdentifier(state.Name)}", cancellationToken).ConfigureAwait(false);
        }
    }
}
