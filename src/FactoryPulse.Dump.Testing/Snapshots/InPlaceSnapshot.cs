using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace FactoryPulse.Dump.Testing.Snapshots;

/// <summary>
/// The in-place strategy of <see cref="DatabaseSnapshot"/>: every user table's rows as binary COPY in memory, every sequence's state,
/// and statement-level triggers that record which tables were written since.
/// </summary>
/// <remarks>
/// <para>
/// Why triggers and not <c>pg_stat_user_tables</c> counters: statistics reach the shared counters only when the writing session
/// flushes them (at transaction end at the earliest, and at most once a second while busy); <c>pg_stat_force_next_flush()</c> only
/// works inside the writing session. A reset right after a test could miss a table. An AFTER … FOR EACH STATEMENT trigger on every
/// table (INSERT, UPDATE, DELETE and TRUNCATE, fired also for foreign-key cascades and in replica mode because it is ENABLE ALWAYS)
/// records the table's oid in the unlogged table <c>fpdump_snapshot.changed_tables</c> in the writer's own transaction: exact, and
/// one tiny insert per table and transaction (it checks for the oid first; the table has no unique key, so concurrent writers never
/// wait on each other). Rolled-back writes leave no mark, and need none.
/// </para>
/// <para>
/// A reset empties the changed tables — with DELETE when every changed table is small (at most
/// <see cref="DatabaseSnapshotOptions.InPlaceDeleteThresholdBytes"/> now and in the snapshot), which is much cheaper than creating new
/// files for each table and index; otherwise with one TRUNCATE of the changed tables plus every table referencing them by foreign key
/// (TRUNCATE refuses otherwise) — and reloads them with <c>session_replication_role = replica</c> (no foreign-key checks, so cycles load in any order;
/// no ordinary user triggers); triggers that fire in replica mode anyway (ENABLE ALWAYS / ENABLE REPLICA) are disabled for the
/// reload and put back exactly. Needs a superuser, as the fixture's connections are.
/// </para>
/// </remarks>
internal sealed class InPlaceSnapshot
{
    internal const string SchemaName = "fpdump_snapshot";
    internal const string TriggerName = "fpdump_snapshot_track";
    private const string ResettingSetting = "fpdump_snapshot.resetting";
    private const int EmptyBinaryCopyLength = 21; // 19-byte header + 2-byte trailer

    private const string UserRelationFilter = """
        n.nspname NOT IN ('pg_catalog', 'information_schema', 'fpdump_snapshot') AND n.nspname NOT LIKE 'pg\_toast%'
          AND c.relpersistence <> 't'
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        """;

    private static readonly string InstallSql = $$"""
        CREATE SCHEMA IF NOT EXISTS {{SchemaName}};
        CREATE UNLOGGED TABLE IF NOT EXISTS {{SchemaName}}.changed_tables (relid oid NOT NULL);
        CREATE OR REPLACE FUNCTION {{SchemaName}}.track() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        BEGIN
            IF coalesce(current_setting('{{ResettingSetting}}', true), '') <> 'on'
               AND NOT EXISTS (SELECT 1 FROM {{SchemaName}}.changed_tables WHERE relid = TG_RELID) THEN
                INSERT INTO {{SchemaName}}.changed_tables (relid) VALUES (TG_RELID);
            END IF;
            RETURN NULL;
        END
        $fn$;
        REVOKE ALL ON FUNCTION {{SchemaName}}.track() FROM PUBLIC;
        COMMENT ON SCHEMA {{SchemaName}} IS 'FactoryPulse.Dump.Testing in-place snapshot: tables written since the snapshot; dropped when the snapshot is disposed';
        DELETE FROM {{SchemaName}}.changed_tables;
        """;

    private static readonly string ChangedSql = $"""
        WITH RECURSIVE changed AS (
            SELECT DISTINCT relid FROM {SchemaName}.changed_tables
            UNION
            SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN changed ch ON i.inhparent = ch.relid)
        SELECT relid, coalesce(pg_catalog.pg_relation_size(relid), 0) FROM changed
        """;


    private readonly string connectionString;
    private readonly TimeSpan lockTimeout;
    private readonly long deleteThresholdBytes;
    private readonly Dictionary<uint, CapturedTable> tables;
    private readonly Dictionary<uint, List<uint>> referencedBy;
    private readonly Dictionary<uint, List<(string Name, char Enabled)>> replicaFiringTriggers;
    private readonly string? sequenceResetSql;
    private readonly SemaphoreSlim gate = new(1, 1);

    private InPlaceSnapshot(
        string connectionString,
        TimeSpan lockTimeout,
        long deleteThresholdBytes,
        Dictionary<uint, CapturedTable> tables,
        Dictionary<uint, List<uint>> referencedBy,
        Dictionary<uint, List<(string Name, char Enabled)>> replicaFiringTriggers,
        string? sequenceResetSql,
        int sequenceCount)
    {
        this.connectionString = connectionString;
        this.lockTimeout = lockTimeout;
        this.deleteThresholdBytes = deleteThresholdBytes;
        this.tables = tables;
        this.referencedBy = referencedBy;
        this.replicaFiringTriggers = replicaFiringTriggers;
        this.sequenceResetSql = sequenceResetSql;
        SequenceCount = sequenceCount;
    }

    public int TableCount => tables.Count;

    public int SequenceCount { get; }

    public long DataBytes => tables.Values.Sum(t => (long)t.Data.Length);

    public static async Task<InPlaceSnapshot> CaptureAsync(string connectionString, TimeSpan lockTimeout, long deleteThresholdBytes, CancellationToken cancellationToken)
    {
        var connection = await ServerSql.OpenAsync(connectionString, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await ServerSql.ExecuteAsync(connection, "SET LOCAL row_security = off", cancellationToken).ConfigureAwait(false);

                var relations = await ServerSql.QueryAsync(
                    connection,
                    $"""
                    SELECT c.oid, format('%I.%I', n.nspname, c.relname), c.relkind::text
                    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relkind IN ('r', 'p') AND {UserRelationFilter}
                    ORDER BY n.nspname, c.relname
                    """,
                    r => (Oid: r.GetFieldValue<uint>(0), Name: r.GetString(1), Kind: r.GetString(2)[0]),
                    cancellationToken).ConfigureAwait(false);

                // Tracking first, in this transaction: its locks keep writers out until the data below is read, so nothing slips between.
                var install = new StringBuilder(InstallSql);
                foreach (var relation in relations)
                {
                    install.Append(CultureInfo.InvariantCulture, $"""

                        DROP TRIGGER IF EXISTS {TriggerName} ON {relation.Name};
                        CREATE TRIGGER {TriggerName} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {relation.Name}
                            FOR EACH STATEMENT EXECUTE FUNCTION {SchemaName}.track();
                        ALTER TABLE {relation.Name} ENABLE ALWAYS TRIGGER {TriggerName};
                        """);
                }

                await ServerSql.ExecuteAsync(connection, install.ToString(), cancellationToken).ConfigureAwait(false);

                var tables = new Dictionary<uint, CapturedTable>();
                foreach (var relation in relations.Where(r => r.Kind == 'r'))
                {
                    // No column list: COPY leaves generated columns out both ways, and the column order is the same on reload.
                    var buffer = new MemoryStream();
                    var copy = await connection.BeginRawBinaryCopyAsync($"COPY {relation.Name} TO STDOUT (FORMAT BINARY)", cancellationToken)
                        .ConfigureAwait(false);
                    await using (copy.ConfigureAwait(false))
                    {
                        await copy.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                    }

                    tables[relation.Oid] = new CapturedTable(relation.Oid, relation.Name, buffer.ToArray());
                }

                var referencedBy = new Dictionary<uint, List<uint>>();
                var edges = await ServerSql.QueryAsync(
                    connection,
                    "SELECT DISTINCT conrelid, confrelid FROM pg_catalog.pg_constraint WHERE contype = 'f'",
                    r => (From: r.GetFieldValue<uint>(0), To: r.GetFieldValue<uint>(1)),
                    cancellationToken).ConfigureAwait(false);
                foreach (var (from, to) in edges)
                {
                    if (from != to && tables.ContainsKey(from) && tables.ContainsKey(to))
                    {
                        if (!referencedBy.TryGetValue(to, out var list))
                        {
                            referencedBy[to] = list = [];
                        }

                        list.Add(from);
                    }
                }

                var triggers = new Dictionary<uint, List<(string Name, char Enabled)>>();
                var triggerRows = await ServerSql.QueryAsync(
                    connection,
                    $"SELECT tgrelid, tgname, tgenabled::text FROM pg_catalog.pg_trigger WHERE NOT tgisinternal AND tgenabled IN ('A', 'R') AND tgname <> '{TriggerName}'",
                    r => (Table: r.GetFieldValue<uint>(0), Name: r.GetString(1), Enabled: r.GetString(2)[0]),
                    cancellationToken).ConfigureAwait(false);
                foreach (var (table, name, enabled) in triggerRows)
                {
                    if (tables.ContainsKey(table))
                    {
                        if (!triggers.TryGetValue(table, out var list))
                        {
                            triggers[table] = list = [];
                        }

                        list.Add((name, enabled));
                    }
                }

                var sequences = await ServerSql.QueryAsync(
                    connection,
                    $"""
                    SELECT c.oid, format('%I.%I', n.nspname, c.relname)
                    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relkind = 'S' AND {UserRelationFilter}
                    ORDER BY 1
                    """,
                    r => (Oid: r.GetFieldValue<uint>(0), Name: r.GetString(1)),
                    cancellationToken).ConfigureAwait(false);
                string? sequenceResetSql = null;
                if (sequences.Count > 0)
                {
                    var read = string.Join(
                        " UNION ALL ",
                        sequences.Select(s => $"SELECT {s.Oid.ToString(CultureInfo.InvariantCulture)}::oid, last_value, is_called FROM {s.Name}"));
                    var values = await ServerSql.QueryAsync(
                        connection, read, r => (Oid: r.GetFieldValue<uint>(0), Value: r.GetInt64(1), Called: r.GetBoolean(2)), cancellationToken)
                        .ConfigureAwait(false);
                    sequenceResetSql = "SELECT " + string.Join(
                        ", ",
                        values.Select(v => string.Create(
                            CultureInfo.InvariantCulture,
                            $"pg_catalog.setval({v.Oid}::oid::regclass, {v.Value}, {(v.Called ? "true" : "false")})")));
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return new InPlaceSnapshot(connectionString, lockTimeout, deleteThresholdBytes, tables, referencedBy, triggers, sequenceResetSql, sequences.Count);
            }
        }
    }

    public async Task<SnapshotResetResult> ResetAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var connection = await ServerSql.OpenAsync(connectionString, cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                // One round trip when nothing changed: read the marks and set the sequences back (setval is cheap and not transactional).
                var changed = new List<uint>();
                var small = true;
                var batch = new NpgsqlBatch(connection);
                await using (batch.ConfigureAwait(false))
                {
                    batch.BatchCommands.Add(new NpgsqlBatchCommand(ChangedSql));
                    if (sequenceResetSql is not null)
                    {
                        batch.BatchCommands.Add(new NpgsqlBatchCommand(sequenceResetSql));
                    }

                    var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            var oid = reader.GetFieldValue<uint>(0);
                            changed.Add(oid);
                            if (tables.TryGetValue(oid, out var captured) && (reader.GetInt64(1) > deleteThresholdBytes || captured.Data.Length > deleteThresholdBytes))
                            {
                                small = false;
                            }
                        }
                    }
                }

                if (changed.Count == 0)
                {
                    return new SnapshotResetResult { ReloadedTables = [], ChangedTables = [], Elapsed = stopwatch.Elapsed };
                }

                var changedTables = changed.Where(tables.ContainsKey).ToList();
                // Small tables: DELETE just the changed ones (with foreign-key triggers off, nothing cascades and nothing checks the
                // rows that reference them, which come back unchanged). Otherwise TRUNCATE, which must take the referencing tables too.
                var reload = small ? [.. tables.Keys.Where(changedTables.Contains)] : Closure(changedTables);
                if (reload.Count > 0)
                {
                    await ReloadAsync(connection, reload, changed, truncate: !small, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // Only tables outside the snapshot (e.g. partitioned parents) were marked.
                    var clear = new NpgsqlCommand($"DELETE FROM {SchemaName}.changed_tables WHERE relid = ANY($1)", connection);
                    await using (clear.ConfigureAwait(false))
                    {
                        clear.Parameters.Add(new NpgsqlParameter { Value = changed.ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid });
                        await clear.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                return new SnapshotResetResult
                {
                    ReloadedTables = [.. reload.Select(oid => tables[oid].Name)],
                    ChangedTables = [.. changedTables.Select(oid => tables[oid].Name)],
                    Elapsed = stopwatch.Elapsed,
                };
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task RemoveTrackingAsync(CancellationToken cancellationToken)
    {
        // Dropping the function drops every tracking trigger with it.
        await ServerSql.ExecuteAsync(connectionString, $"DROP SCHEMA IF EXISTS {SchemaName} CASCADE", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The changed tables plus, transitively, every snapshot table referencing one of them by foreign key, in snapshot order.</summary>
    private List<uint> Closure(List<uint> changed)
    {
        var seen = new HashSet<uint>(changed);
        var queue = new Queue<uint>(changed);
        while (queue.TryDequeue(out var table))
        {
            if (referencedBy.TryGetValue(table, out var referencing))
            {
                foreach (var other in referencing)
                {
                    if (seen.Add(other))
                    {
                        queue.Enqueue(other);
                    }
                }
            }
        }

        return [.. tables.Keys.Where(seen.Contains)];
    }

    private async Task ReloadAsync(NpgsqlConnection connection, List<uint> reload, List<uint> marks, bool truncate, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var before = new StringBuilder();
            var after = new StringBuilder();
            before.Append("SET LOCAL session_replication_role = replica; ")
                .Append(CultureInfo.InvariantCulture, $"SET LOCAL {ResettingSetting} = 'on'; ")
                .Append(CultureInfo.InvariantCulture, $"SET LOCAL lock_timeout = {(long)lockTimeout.TotalMilliseconds}; ");
            foreach (var oid in reload)
            {
                if (replicaFiringTriggers.TryGetValue(oid, out var triggers))
                {
                    foreach (var (name, enabled) in triggers)
                    {
                        var quoted = ServerSql.QuoteIdentifier(name);
                        before.Append(CultureInfo.InvariantCulture, $"ALTER TABLE {tables[oid].Name} DISABLE TRIGGER {quoted}; ");
                        after.Append(CultureInfo.InvariantCulture, $"ALTER TABLE {tables[oid].Name} ENABLE {(enabled == 'A' ? "ALWAYS" : "REPLICA")} TRIGGER {quoted}; ");
                    }
                }
            }

            // ONLY: inheritance children are separate snapshot tables, reloaded only when they changed themselves.
            if (truncate)
            {
                before.Append("TRUNCATE ONLY ").AppendJoin(", ", reload.Select(oid => tables[oid].Name));
            }
            else
            {
                foreach (var oid in reload)
                {
                    before.Append(CultureInfo.InvariantCulture, $"DELETE FROM ONLY {tables[oid].Name}; ");
                }
            }
            try
            {
                await ServerSql.ExecuteAsync(connection, before.ToString(), cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                throw new InvalidOperationException(
                    $"The in-place snapshot reset of {ServerSql.DatabaseOf(connectionString)} waited {lockTimeout.TotalSeconds:0.#} s for a lock: another session holds one "
                    + "(a transaction left open by a test?). Close it before resetting.",
                    ex);
            }

            foreach (var oid in reload)
            {
                var table = tables[oid];
                if (table.Data.Length <= EmptyBinaryCopyLength)
                {
                    continue;
                }

                var copy = await connection.BeginRawBinaryCopyAsync($"COPY {table.Name} FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
                await using (copy.ConfigureAwait(false))
                {
                    await copy.WriteAsync(table.Data, cancellationToken).ConfigureAwait(false);
                }
            }

            after.Append(CultureInfo.InvariantCulture, $"DELETE FROM {SchemaName}.changed_tables WHERE relid = ANY(@marks)");
            var finish = new NpgsqlCommand(after.ToString(), connection, transaction);
            await using (finish.ConfigureAwait(false))
            {
                finish.Parameters.Add(new NpgsqlParameter("marks", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid) { Value = marks.ToArray() });
                await finish.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record CapturedTable(uint Oid, string Name, byte[] Data);
}
