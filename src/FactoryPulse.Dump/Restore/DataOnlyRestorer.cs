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
/// loads what the source holds and leaves every constraint as it was, convalidated included.
/// <para>
/// Ownership is asked for only where a statement needs it: a table whose firing triggers are switched off, a cycle's
/// key made DEFERRABLE or dropped, a NOT VALID constraint put aside, a materialized view refreshed. Otherwise the
/// privileges a plain load needs are enough (USAGE on the schemas, INSERT, TRUNCATE when it truncates, UPDATE on the
/// sequences it sets), as with psql. All are checked before the first change and every missing one is reported
/// together (<see cref="PreflightProblems.AddPrivilege"/>).
/// </para>
/// </summary>
internal static class DataOnlyRestorer
{
    // Name is quoted for statements; DisplayName (schema.table) is for messages.
    private sealed record TargetTable(string Name, string DisplayName, uint Oid, bool Owned, bool RowSecurity, bool ForceRowSecurity);

    private sealed record TriggerState(string Table, uint TableOid, string Name, char Enabled)
    {
        // 'O' fires in the default origin session, 'A' always; 'D' is off and 'R' fires only for replicas.
        public bool Fires => Enabled is 'O' or 'A';
    }

    /// <summary>A NOT VALID constraint put aside for the load; <paramref name="Definition"/> (pg_get_constraintdef) ends in NOT VALID.</summary>
    private sealed record NotValidConstraint(string Table, string DisplayTable, bool Owned, string Name, string Definition, string? Comment);

    /// <summary>The restoring role, and what it may do beyond object privileges.</summary>
    private sealed record RestoringRole(string Name, bool Superuser, bool BypassRls, bool CanSetReplicationRole, bool ServerHasMaintain);

    /// <summary>What the catalog says about one archived relation in the target, and the role's privileges on it.</summary>
    private sealed record RelationFacts(
        uint Oid, bool Owned, bool SchemaUsage, bool RowSecurity, bool ForceRowSecurity, bool CanInsert, bool CanTruncate, bool CanUpdate, bool CanMaintain);

    public static async Task<(List<RestoredTable> Tables, int Sequences, List<string> Warnings)> RunAsync(
        NpgsqlConnection connection, IReadOnlyList<TocEntry> entries, RestoreOptions options, IEntryDataSource entryData, IProgress<DumpProgress>? progress, CancellationToken cancellationToken)
    {
        var dataEntries = new List<TocEntry>();
        foreach (var entry in entries)
        {
            if (entry.Data is not null && entry.Data.Format != DataFormat.LargeObjects)
                dataEntries.Add(entry);
        }
        var tableNames = dataEntries.ConvertAll(entry => SqlText.QuoteQualified(entry.Schema, entry.Name));
        var role = await RoleAsync(connection, cancellationToken).ConfigureAwait(false);
        var facts = await ReadRelationsAsync(connection, entries, role, cancellationToken).ConfigureAwait(false);
        var targets = new Dictionary<int, TargetTable>();
        for (var i = 0; i < dataEntries.Count; i++)
        {
            var fact = facts[dataEntries[i].DumpId];
            targets[dataEntries[i].DumpId] = new TargetTable(tableNames[i], dataEntries[i].QualifiedName, fact.Oid, fact.Owned, fact.RowSecurity, fact.ForceRowSecurity);
        }

        var tablesByOid = new Dictionary<uint, string>();
        foreach (var target in targets.Values)
            tablesByOid[target.Oid] = target.Name;
        var allKeys = await ReadForeignKeysAsync(connection, tablesByOid, cancellationToken).ConfigureAwait(false);
        // NOT VALID keys are off during the load (below), so they neither order the tables nor make cycles.
        var keys = allKeys.FindAll(key => key.Validated);
        var order = RestorePlan.OrderDataOnly(dataEntries, entry => targets[entry.DumpId].Name, keys, entries);
        var notValid = await ReadNotValidConstraintsAsync(connection, tablesByOid, cancellationToken).ConfigureAwait(false);
        var triggers = await ReadTriggersAsync(connection, tablesByOid, cancellationToken).ConfigureAwait(false);
        // Replica mode skips the triggers too, so that strategy switches none off by itself; it is set only when there is work for it.
        var replicaMode = options.ForeignKeyCycles == ForeignKeyCycleStrategy.ReplicationRole && (order.CycleKeys.Count > 0 || (options.DisableTriggers && triggers.Exists(trigger => trigger.Fires)));
        var switchOff = options.DisableTriggers && options.ForeignKeyCycles != ForeignKeyCycleStrategy.ReplicationRole
            ? TriggersToSwitchOff(triggers)
            : [];

        // Everything that can be known before the first change is reported together.
        var problems = new PreflightProblems { Role = role.Name };
        CheckPrivileges(problems, entries, facts, targets, order, notValid, switchOff, replicaMode, options, role);
        if (problems.ToException() is { } refused)
            throw refused;

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

            await DisableTriggersAsync(connection, switchOff, cancellationToken).ConfigureAwait(false);
            var forced = new List<TargetTable>();
            foreach (var target in targets.Values)
            {
                if (target.ForceRowSecurity && target.Owned && !role.BypassRls && !role.Superuser && !forced.Contains(target))
                {
                    forced.Add(target);
                    await ServerConnection.ExecuteAsync(connection, $"ALTER TABLE {target.Name} NO FORCE ROW LEVEL SECURITY", cancellationToken).ConfigureAwait(false);
                }
            }
            foreach (var constraint in notValid)
                await ServerConnection.ExecuteAsync(connection, $"ALTER TABLE {constraint.Table} DROP CONSTRAINT {SqlText.QuoteIdentifier(constraint.Name)}", cancellationToken).ConfigureAwait(false);
            var restoreKeys = await BreakCyclesAsync(connection, order.CycleKeys, options.ForeignKeyCycles, replicaMode, cancellationToken).ConfigureAwait(false);

            long rows = 0, bytes = 0, rowsTotal = 0, bytesTotal = 0;
            foreach (var entry in order.Loads)
            {
                rowsTotal += entry.Data!.Rows;
                bytesTotal += entry.Data.Bytes;
            }
            foreach (var entry in order.Loads)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new DumpProgress
                {
                    Phase = OperationPhase.Data, CurrentObject = entry.DisplayName, TablesDone = restored.Count, TablesTotal = dataEntries.Count,
                    RowsDone = rows, BytesDone = bytes, EstimatedRows = rowsTotal, EstimatedBytes = bytesTotal,
                });
                await entryData.LoadAsync(connection, entry, entry.Data!, freeze: false, cancellationToken).ConfigureAwait(false);
                restored.Add(new RestoredTable { Table = entry.QualifiedName, Rows = entry.Data!.Rows });
                rows += entry.Data.Rows;
                bytes += entry.Data.Bytes;
            }
            foreach (var entry in order.AfterLoads)
            {
                if (entry.Data is { Format: DataFormat.LargeObjects } blobs)
                    await entryData.LoadAsync(connection, entry, blobs, freeze: false, cancellationToken).ConfigureAwait(false);
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
            await RestoreTriggersAsync(connection, switchOff, cancellationToken).ConfigureAwait(false);
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

    private static async Task<RestoringRole> RoleAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // SET on a parameter can be granted from PostgreSQL 15 (and MAINTAIN, which allows REFRESH, from 17); before, only a superuser sets session_replication_role.
        var major = connection.PostgreSqlVersion.Major;
        var canSet = major >= 15 ? "pg_catalog.has_parameter_privilege('session_replication_role', 'SET')" : "r.rolsuper";
        var role = new RestoringRole("", false, false, false, major >= 17);
        await CatalogQuery.ForEachAsync(connection, $"SELECT r.rolname, r.rolsuper, r.rolbypassrls, {canSet} AS can_set FROM pg_catalog.pg_roles r WHERE r.rolname = current_user",
            row => role = role with { Name = row.String("rolname"), Superuser = row.Bool("rolsuper"), BypassRls = row.Bool("rolbypassrls"), CanSetReplicationRole = row.Bool("can_set") },
            cancellationToken).ConfigureAwait(false);
        return role;
    }

    /// <summary>Whether an entry names a relation the data-only restore writes to: a table it loads, a sequence it sets, a materialized view it refreshes.</summary>
    private static string? TargetKind(TocEntry entry) => entry switch
    {
        { Data: { Format: not DataFormat.LargeObjects } } => "table",
        { Kind: ObjectKind.SequenceSet } => "sequence",
        { Kind: ObjectKind.MaterializedViewData } => "materialized view",
        _ => null,
    };

    /// <summary>
    /// The relations the restore writes to, by dump id. Looked up by name in the catalog, which needs no privilege (a
    /// schema the role may not use is then reported with the rest, not met as an error); a missing one stops here.
    /// </summary>
    private static async Task<Dictionary<int, RelationFacts>> ReadRelationsAsync(NpgsqlConnection connection, IReadOnlyList<TocEntry> entries, RestoringRole role, CancellationToken cancellationToken)
    {
        var facts = new Dictionary<int, RelationFacts>();
        var missing = new List<string>();
        var command = new NpgsqlCommand(
            $"""
            SELECT c.oid, pg_catalog.pg_has_role(c.relowner, 'USAGE') AS owned, pg_catalog.has_schema_privilege(n.oid, 'USAGE') AS schema_usage,
                   c.relrowsecurity, c.relforcerowsecurity,
                   pg_catalog.has_table_privilege(c.oid, 'INSERT') AS can_insert, pg_catalog.has_table_privilege(c.oid, 'TRUNCATE') AS can_truncate,
                   CASE WHEN c.relkind = 'S' THEN pg_catalog.has_sequence_privilege(c.oid, 'UPDATE') ELSE pg_catalog.has_table_privilege(c.oid, 'UPDATE') END AS can_update,
                   {(role.ServerHasMaintain ? "pg_catalog.has_table_privilege(c.oid, 'MAINTAIN')" : "false")} AS can_maintain
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2
            """, connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        foreach (var entry in entries)
        {
            if (TargetKind(entry) is not { } kind)
                continue;
            command.Parameters[0].Value = entry.Schema ?? "";
            command.Parameters[1].Value = entry.Name;
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    missing.Add($"{kind} {entry.QualifiedName}");
                    continue;
                }
                facts[entry.DumpId] = new RelationFacts(reader.GetFieldValue<uint>(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4),
                    reader.GetBoolean(5), reader.GetBoolean(6), reader.GetBoolean(7), reader.GetBoolean(8));
            }
        }
        if (missing.Count > 0)
            throw new DumpException($"Cannot restore the data: the target has no {string.Join(", ", missing)}. Restore the schema first. Nothing was changed.");
        await AllowColumnInsertsAsync(connection, entries, facts, cancellationToken).ConfigureAwait(false);
        return facts;
    }

    /// <summary>
    /// COPY names its columns, so INSERT on each of them serves as well as INSERT on the table (as for psql): a table
    /// the role may not insert into as a whole counts as insertable when every archived column is.
    /// </summary>
    private static async Task AllowColumnInsertsAsync(NpgsqlConnection connection, IReadOnlyList<TocEntry> entries, Dictionary<int, RelationFacts> facts, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(
            """
            SELECT count(*) = pg_catalog.cardinality($2) FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = $1 AND a.attname = ANY ($2) AND NOT a.attisdropped AND pg_catalog.has_column_privilege($1, a.attnum, 'INSERT')
            """, connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
        foreach (var entry in entries)
        {
            if (entry.Data is not { Format: not DataFormat.LargeObjects, Columns.Count: > 0 } data || !facts.TryGetValue(entry.DumpId, out var fact) || fact.CanInsert)
                continue;
            var columns = new string[data.Columns.Count];
            for (var i = 0; i < columns.Length; i++)
                columns[i] = data.Columns[i].Name;
            command.Parameters[0].Value = fact.Oid;
            command.Parameters[1].Value = columns;
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                facts[entry.DumpId] = fact with { CanInsert = true };
        }
    }

    /// <summary>
    /// Every privilege the load needs that the role lacks, one problem each, naming the object, what is missing and why.
    /// Ownership is asked for only where a statement needs it (see the class summary).
    /// </summary>
    private static void CheckPrivileges(PreflightProblems problems, IReadOnlyList<TocEntry> entries, Dictionary<int, RelationFacts> facts, Dictionary<int, TargetTable> targets,
        RestorePlan.DataOnlyOrder order, List<NotValidConstraint> notValid, List<TriggerState> switchOff, bool replicaMode, RestoreOptions options, RestoringRole role)
    {
        var grantee = SqlText.QuoteIdentifier(role.Name);
        // Every name the restore uses lies behind its schema's USAGE: one problem per schema, naming what it holds.
        var schemas = new List<(string Schema, List<string> Objects)>();
        foreach (var entry in entries)
        {
            if (!facts.TryGetValue(entry.DumpId, out var fact) || fact.SchemaUsage)
                continue;
            var index = schemas.FindIndex(blocked => blocked.Schema == entry.Schema);
            if (index < 0)
                schemas.Add((entry.Schema ?? "", [entry.QualifiedName]));
            else if (!schemas[index].Objects.Contains(entry.QualifiedName))
                schemas[index].Objects.Add(entry.QualifiedName);
        }
        foreach (var (schema, objects) in schemas)
            problems.AddPrivilege($"schema {schema}", $"schema {schema}: no USAGE privilege, needed to reach {string.Join(", ", objects)} (GRANT USAGE ON SCHEMA {SqlText.QuoteIdentifier(schema)} TO {grantee})");

        var checkedTables = new List<uint>();
        foreach (var (dumpId, target) in targets)
        {
            if (checkedTables.Contains(target.Oid))
                continue;
            checkedTables.Add(target.Oid);
            var fact = facts[dumpId];
            var table = target.DisplayName;
            if (!fact.CanInsert)
                problems.AddPrivilege(table, $"{table}: no INSERT privilege on the table or on each of the archived columns, needed to load its rows (GRANT INSERT ON {target.Name} TO {grantee})");
            if (options.Clean && !fact.CanTruncate)
                problems.AddPrivilege(table, $"{table}: no TRUNCATE privilege, needed to empty it before the load (GRANT TRUNCATE ON {target.Name} TO {grantee})");
            // The owner is exempt unless FORCE, which it lifts for the load; anyone else meets the policies, and COPY FROM refuses them.
            if (fact.RowSecurity && !fact.Owned && !role.BypassRls && !role.Superuser)
                problems.AddPrivilege(table, $"{table}: has row-level security, which applies to a role that neither owns it nor has BYPASSRLS, and COPY cannot load rows through policies — run as its owner or a role with BYPASSRLS");
            if (fact.Owned)
                continue;
            var names = new List<string>();
            foreach (var trigger in switchOff)
            {
                if (trigger.TableOid == target.Oid && trigger.Fires)
                    names.Add(trigger.Name);
            }
            if (names.Count > 0)
            {
                var its = names.Count == 1 ? $"its trigger {names[0]}" : $"its triggers {string.Join(", ", names)}";
                problems.AddPrivilege(table, $"{table}: not the owner, and {its} must be switched off for the load (ALTER TABLE … DISABLE TRIGGER needs ownership) — run as the owner, or set DisableTriggers = false (--keep-triggers)");
            }
            foreach (var key in order.CycleKeys)
            {
                if (key.Table != target.Name || replicaMode)
                    continue;
                if (options.ForeignKeyCycles == ForeignKeyCycleStrategy.DropAndRecreate)
                    problems.AddPrivilege(table, $"{table}: not the owner, and its foreign key {key.Name} closes a cycle among the restored tables, so it must be dropped for the load and re-created (needs ownership) — run as the owner, or use ForeignKeyCycles = DeferConstraints (--foreign-key-cycles defer)");
                else if (!key.Deferrable)
                    problems.AddPrivilege(table, $"{table}: not the owner, and its foreign key {key.Name} closes a cycle among the restored tables, so it must be made DEFERRABLE for the load (ALTER CONSTRAINT needs ownership) — run as the owner, or declare the key DEFERRABLE");
            }
        }
        foreach (var constraint in notValid)
        {
            if (!constraint.Owned)
                problems.AddPrivilege(constraint.DisplayTable, $"{constraint.DisplayTable}: not the owner, and its NOT VALID constraint {constraint.Name} must be put aside for the load and added back, still NOT VALID (ALTER TABLE needs ownership) — run as the owner");
        }
        foreach (var entry in order.AfterLoads)
        {
            if (entry.Kind == ObjectKind.SequenceSet && facts.TryGetValue(entry.DumpId, out var sequence) && !sequence.CanUpdate)
                problems.AddPrivilege(entry.QualifiedName, $"{entry.QualifiedName}: no UPDATE privilege on the sequence, needed by setval to set its value (GRANT UPDATE ON SEQUENCE {SqlText.QuoteQualified(entry.Schema, entry.Name)} TO {grantee})");
        }
        foreach (var entry in order.Refreshes)
        {
            if (facts.TryGetValue(entry.DumpId, out var view) && !view.Owned && !view.CanMaintain)
            {
                var needs = role.ServerHasMaintain ? "ownership or the MAINTAIN privilege" : "ownership";
                problems.AddPrivilege(entry.QualifiedName, $"{entry.QualifiedName}: not the owner, and the materialized view must be refreshed after the load (REFRESH MATERIALIZED VIEW needs {needs}) — run as its owner, or leave it out of the restore (--use-list)");
            }
        }
        if (replicaMode && !role.Superuser && !role.CanSetReplicationRole)
            problems.AddPrivilege("session_replication_role", "session_replication_role: the replication-role strategy sets it to replica for the load, which needs a superuser or the SET privilege on it (PostgreSQL 15+: GRANT SET ON PARAMETER session_replication_role) — or use ForeignKeyCycles = DeferConstraints (--foreign-key-cycles defer)");
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
            SELECT n.nspname AS schema, t.relname AS table_name, pg_catalog.pg_has_role(t.relowner, 'USAGE') AS owned, c.conname, pg_catalog.pg_get_constraintdef(c.oid) AS definition,
                   pg_catalog.obj_description(c.oid, 'pg_constraint') AS comment
            FROM pg_catalog.pg_constraint c
            JOIN pg_catalog.pg_class t ON t.oid = c.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
            WHERE c.contype IN ('f', 'c') AND NOT c.convalidated AND c.conislocal AND c.conparentid = 0
              AND c.conrelid IN (SELECT r.oid FROM restored r)
            ORDER BY c.coninhcount, n.nspname, t.relname, c.conname
            """,
            row => constraints.Add(new NotValidConstraint(SqlText.QuoteQualified(row.String("schema"), row.String("table_name")), $"{row.String("schema")}.{row.String("table_name")}",
                row.Bool("owned"), row.String("conname"), row.String("definition"), row.NullableString("comment"))), cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Returns the statements that put the constraints back once the rows are in and checked. With
    /// <c>replicaMode</c> (the replication-role strategy has work: cycles, or triggers to keep quiet) the session
    /// skips triggers instead and nothing needs putting back.
    /// </summary>
    private static async Task<List<string>> BreakCyclesAsync(NpgsqlConnection connection, IReadOnlyList<ForeignKey> keys, ForeignKeyCycleStrategy strategy, bool replicaMode, CancellationToken cancellationToken)
    {
        var restore = new List<string>();
        if (replicaMode)
        {
            // Replica mode skips all ordinary triggers, the foreign-key ones included; the rows are not checked.
            await ServerConnection.ExecuteAsync(connection, "SET LOCAL session_replication_role = replica", cancellationToken).ConfigureAwait(false);
            return restore;
        }
        if (keys.Count == 0)
            return restore;
        switch (strategy)
        {
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

    /// <summary>The user triggers of the restored tables, with their state.</summary>
    private static async Task<List<TriggerState>> ReadTriggersAsync(NpgsqlConnection connection, Dictionary<uint, string> byOid, CancellationToken cancellationToken)
    {
        var states = new List<TriggerState>();
        await CatalogQuery.ForEachAsync(connection,
            "SELECT t.tgrelid, t.tgname, t.tgenabled::text AS enabled FROM pg_catalog.pg_trigger t WHERE NOT t.tgisinternal ORDER BY t.tgrelid, t.tgname",
            row =>
            {
                if (byOid.TryGetValue(row.Oid("tgrelid"), out var table))
                    states.Add(new TriggerState(table, row.Oid("tgrelid"), row.String("tgname"), row.Char("enabled")));
            }, cancellationToken).ConfigureAwait(false);
        return states;
    }

    /// <summary>
    /// The triggers of the tables that have one that would fire: those tables are switched off as a whole (DISABLE
    /// TRIGGER USER) and every trigger of theirs put back. A table whose triggers are all off is left alone, so it needs
    /// no ownership.
    /// </summary>
    private static List<TriggerState> TriggersToSwitchOff(List<TriggerState> triggers)
    {
        var firing = new List<uint>();
        foreach (var trigger in triggers)
        {
            if (trigger.Fires && !firing.Contains(trigger.TableOid))
                firing.Add(trigger.TableOid);
        }
        return triggers.FindAll(trigger => firing.Contains(trigger.TableOid));
    }

    private static async Task DisableTriggersAsync(NpgsqlConnection connection, List<TriggerState> states, CancellationToken cancellationToken)
    {
        var tables = new List<string>();
        foreach (var state in states)
        {
            if (!tables.Contains(state.Table))
                tables.Add(state.Table);
        }
        foreach (var table in tables)
            await ServerConnection.ExecuteAsync(connection, $"ALTER TABLE {table} DISABLE TRIGGER USER", cancellationToken).ConfigureAwait(false);
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
