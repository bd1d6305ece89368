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
/// the owner while loading. NOT VALID foreign keys and CHECKs on the restored tables are dropped for the load and
/// added back NOT VALID in the same transaction: the source may hold rows that violate them, and a data-only restore
/// loads what the source holds and leaves every constraint as it was, convalidated included. Works for the tables'
/// owner; superuser only for the replication-role strategy.
/// </summary>
internal static class DataOnlyRestorer
{
    // Name is quoted for statements; DisplayName (schema.table) is for messages.
    private sealed record TargetTable(string Name, string DisplayName, uint Oid, bool Owned, bool RowSecurity, bool ForceRowSecurity);

    private sealed record TriggerState(string Table, string Name, char Enabled);

    /// <summary>A NOT VALID constraint put aside for the load; <paramref name="Definition"/> (pg_get_constraintdef) ends in NOT VALID.</summary>
    private sealed record NotValidConstraint(string Table, string Name, string Definition, string? Comment);

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
        var allKeys = await ReadForeignKeysAsync(connection, tablesByOid, cancellationToken).ConfigureAwait(false);
        // NOT VALID keys are off during the load (below), so they neither order the tables nor make cycles.
        var keys = allKeys.FindAll(key => key.Validated);
        var order = RestorePlan.OrderDataOnly(dataEntries, entry => targets[entry.DumpId].Name, keys, entries);
        var notValid = await ReadNotValidConstraintsAsync(connection, tablesByOid, cancellationToken).ConfigureAwait(false);

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
            foreach (var constraint in notValid)
                await ServerConnection.ExecuteAsync(connection, $"ALTER TABLE {constraint.Table} DROP CONSTRAINT {SqlText.QuoteIdentifier(constraint.Name)}", cancellationToken).ConfigureAwait(false);
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
            // Back NOT VALID, never validated; in reverse, so a child's own copy of an inherited CHECK is there before
            // its parent's merges into it.
            for (var i = notValid.Count - 1; i >= 0; i--)
                await StatementBatch.ExecuteAsync(connection, AddConstraint(notValid[i].Table, notValid[i].Name, notValid[i].Definition, notValid[i].Comment), cancellationToken).ConfigureAwait(false);
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
            var what = exception.SqlState == PostgresErrorCodes.ForeignKeyViolation
                ? $"foreign key {exception.ConstraintName} on table {exception.SchemaName}.{exception.TableName} is violated by the archived rows ({exception.Detail ?? exception.MessageText})"
                : exception.MessageText + (exception.Detail is null ? "" : $" ({exception.Detail})");
            throw new RestoreFailedException($"Data-only restore failed: {what}. The transaction was rolled back; nothing was changed.", exception)
            {
                SqlState = exception.SqlState,
                ObjectName = RestoreRunner.ObjectNameOf(exception),
            };
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
            "SELECT c.conname, c.conrelid, c.confrelid, c.condeferrable, c.condeferred, c.convalidated FROM pg_catalog.pg_constraint c WHERE c.contype = 'f' AND c.conparentid = 0 ORDER BY c.conrelid, c.conname",
            row =>
            {
                if (byOid.TryGetValue(row.Oid("conrelid"), out var table) && byOid.TryGetValue(row.Oid("confrelid"), out var referenced))
                    keys.Add(new ForeignKey(row.String("conname"), table, referenced, row.Bool("condeferrable"), row.Bool("condeferred"), row.Bool("convalidated")));
            }, cancellationToken).ConfigureAwait(false);
        return keys;
    }

    /// <summary>
    /// NOT VALID foreign keys and CHECKs that apply to rows loaded into the restored tables: their own, and those of
    /// their inheritance and partition ancestors (an inherited copy cannot be dropped alone, so the definition at the
    /// top is taken, and dropping it drops its copies). Ordered so that a constraint is dropped before a child's own
    /// merged copy of it (coninhcount first).
    /// </summary>
    private static async Task<List<NotValidConstraint>> ReadNotValidConstraintsAsync(NpgsqlConnection connection, Dictionary<uint, string> byOid, CancellationToken cancellationToken)
    {
        var constraints = new List<NotValidConstraint>();
        if (byOid.Count == 0)
            return constraints;
        var oids = new List<string>(byOid.Count);
        foreach (var oid in byOid.Keys)
            oids.Add(oid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await CatalogQuery.ForEachAsync(connection,
            $$"""
            WITH RECURSIVE restored(oid) AS (
                SELECT pg_catalog.unnest('{{{string.Join(",", oids)}}}'::pg_catalog.oid[])
              UNION
                SELECT i.inhparent FROM pg_catalog.pg_inherits i JOIN restored r ON i.inhrelid = r.oid)
            SELECT n.nspname AS schema, t.relname AS table_name, c.conname, pg_catalog.pg_get_constraintdef(c.oid) AS definition,
                   pg_catalog.obj_description(c.oid, 'pg_constraint') AS comment
            FROM pg_catalog.pg_constraint c
            JOIN pg_catalog.pg_class t ON t.oid = c.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
            WHERE c.contype IN ('f', 'c') AND NOT c.convalidated AND c.conislocal AND c.conparentid = 0
              AND c.conrelid IN (SELECT r.oid FROM restored r)
            ORDER BY c.coninhcount, n.nspname, t.relname, c.conname
            """,
            row => constraints.Add(new NotValidConstraint(SqlText.QuoteQualified(row.String("schema"), row.String("table_name")), row.String("conname"),
                row.String("definition"), row.NullableString("comment"))), cancellationToken).ConfigureAwait(false);
        return constraints;
    }

    /// <summary>ADD CONSTRAINT with the definition as given, and the constraint's comment (a dropped constraint loses it).</summary>
    private static List<string> AddConstraint(string table, string name, string definition, string? comment)
    {
        var statements = new List<string> { $"ALTER TABLE {table} ADD CONSTRAINT {SqlText.QuoteIdentifier(name)} {definition}" };
        if (comment is not null)
            statements.Add($"COMMENT ON CONSTRAINT {SqlText.QuoteIdentifier(name)} ON {table} IS {SqlText.QuoteLiteral(comment)}");
        return statements;
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
                    string definition = "";
                    string? comment = null;
                    await CatalogQuery.ForEachAsync(connection,
                        $"SELECT pg_catalog.pg_get_constraintdef(c.oid) AS definition, pg_catalog.obj_description(c.oid, 'pg_constraint') AS comment FROM pg_catalog.pg_constraint c WHERE c.conrelid = {SqlText.QuoteLiteral(key.Table)}::pg_catalog.regclass AND c.conname = {SqlText.QuoteLiteral(key.Name)}",
                        row =>
                        {
                            definition = row.String("definition");
                            comment = row.NullableString("comment");
                        }, cancellationToken).ConfigureAwait(false);
                    await ServerConnection.ExecuteAsync(connection, $"ALTER TABLE {key.Table} DROP CONSTRAINT {SqlText.QuoteIdentifier(key.Name)}", cancellationToken).ConfigureAwait(false);
                    // A NOT VALID key's definition already ends in NOT VALID and it stays so; a valid one is added
                    // unchecked and then validated, once the whole cycle is in.
                    restore.AddRange(AddConstraint(key.Table, key.Name, key.Validated ? definition + " NOT VALID" : definition, comment));
                    if (key.Validated)
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
