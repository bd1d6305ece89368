using System.Globalization;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests.Oracle;

/// <summary>
/// Compares two existing databases the way /work/shared/tools/pgcompare does (lib/compare.sh,
/// lib/normalize_schema.awk), with the source deciding what should exist:
/// (a) schema objects from pg_dump --schema-only, (b) row count + order-independent checksum of every
/// table / materialized view, (c) sequences, (d) large objects. Matched/Total equals pgcompare's `fidelity: X/Y`.
/// Reading data sets row_security = off, so the roles used must see every row (superuser or BYPASSRLS).
/// </summary>
public static class DatabaseOracle
{
    // cmp_SESSION: fixes every setting that changes the text form of a value, so both sides hash alike
    private static readonly string[] SessionSettings =
    [
        "SET search_path = pg_catalog", "SET DateStyle = 'ISO, YMD'", "SET IntervalStyle = 'postgres'",
        "SET TimeZone = 'UTC'", "SET extra_float_digits = 1", "SET bytea_output = 'hex'", "SET lc_monetary = 'C'",
        "SET xmloption = content", "SET statement_timeout = 0", "SET row_security = off", "SET standard_conforming_strings = on",
    ];

    // cmp_REL_FILTER; $1 = excluded schema names. Extension members are left to the extension, except its configuration tables and
    // sequences (pg_extension.extconfig): pg_dump dumps their contents, so their rows are checked. All rows, not only those the
    // extcondition selects: a restore must neither lose the user's rows nor double the ones CREATE EXTENSION put back (only a
    // source whose extension-installed rows were edited would then differ, and pg_dump would not keep such an edit either).
    private const string RelationFilter = """
        n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
          AND (NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
               OR EXISTS (SELECT 1 FROM pg_extension x WHERE c.oid = ANY (x.extconfig)))
          AND n.nspname <> ALL ($1::name[])
        """;

    // Database-level properties: what pg_dump --create writes for the DATABASE entry (CREATE DATABASE's encoding, locale provider,
    // locales, tablespace; connection limit, template and allow-connections flags; owner; ACL; comment; security labels) and the
    // DATABASE PROPERTIES entry (ALTER DATABASE … SET, ALTER ROLE … IN DATABASE … SET). The name is left out: the two sides are two
    // databases of one server. Columns newer servers add come through to_jsonb, so one query serves every version.
    private const string DatabasePropertiesSql = """
        WITH d AS (SELECT db.oid, db.datdba, db.dattablespace, db.datacl, to_jsonb(db) AS j FROM pg_database db WHERE db.datname = current_database())
        SELECT p.name, coalesce(p.value, '<null>')
        FROM d CROSS JOIN LATERAL (VALUES
            ('owner', pg_get_userbyid(d.datdba)::text),
            ('encoding', pg_encoding_to_char((d.j ->> 'encoding')::int)::text),
            ('locale provider', d.j ->> 'datlocprovider'),
            ('lc_collate', d.j ->> 'datcollate'),
            ('lc_ctype', d.j ->> 'datctype'),
            ('locale', coalesce(d.j ->> 'datlocale', d.j ->> 'daticulocale')),
            ('icu rules', d.j ->> 'daticurules'),
            ('tablespace', (SELECT t.spcname::text FROM pg_tablespace t WHERE t.oid = d.dattablespace)),
            ('connection limit', d.j ->> 'datconnlimit'),
            ('is template', d.j ->> 'datistemplate'),
            ('allow connections', d.j ->> 'datallowconn'),
            -- aclitems (grantee=privileges/grantor) sorted: their order is the order of the grants; NULL is the default ACL
            ('acl', (SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(coalesce(d.datacl, acldefault('d', d.datdba))) a)),
            ('comment', shobj_description(d.oid, 'pg_database')),
            ('security labels', (SELECT string_agg(l.provider || '=' || l.label, ' ' ORDER BY l.provider)
                                 FROM pg_shseclabel l WHERE l.objoid = d.oid AND l.classoid = 'pg_database'::regclass)),
            -- per role (the database's own first), settings sorted: each is name=value, their order means nothing
            ('settings', (SELECT string_agg(coalesce(pg_get_userbyid(NULLIF(s.setrole, 0))::text, '(database)') || ': '
                                            || (SELECT string_agg(c, '; ' ORDER BY c) FROM unnest(s.setconfig) c), ' | '
                                            ORDER BY s.setrole <> 0, pg_get_userbyid(NULLIF(s.setrole, 0)))
                          FROM pg_db_role_setting s WHERE s.setdatabase = d.oid))
        ) AS p(name, value)
        """;

    // Per table: the check statement of cmp_data (count + sum of 64-bit md5 prefixes of the row text, columns
    // by name; ::text added so both numbers come back exactly as psql prints them), the per-column diagnosis
    // statement of cmp_data (NULL without columns, as compare.sh's join drops such tables) and the column names.
    private const string TablePlanSql = $$"""
        SELECT row_number() OVER w,
               translate(format('%I.%I', n.nspname, c.relname), E'\n\t\037', '   '),
               c.relkind = 'm',
               CASE WHEN c.relkind = 'm' AND NOT c.relispopulated THEN
                 format('SELECT %L, %L FROM pg_class WHERE oid = to_regclass(%L) AND NOT relispopulated;',
                        'unpopulated', 'matview', format('%I.%I', n.nspname, c.relname))
               ELSE
                 format('SELECT count(*)::text, coalesce(sum((''x'' || left(md5(ROW(%s)::text), 16))::bit(64)::bigint::numeric), 0)::text FROM ONLY %I.%I AS "fid t";',
                        coalesce((SELECT string_agg(format('"fid t".%I', a.attname), ', ' ORDER BY a.attnum)
                                  FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), ''),
                        n.nspname, c.relname)
               END,
               (SELECT format('SELECT %s FROM ONLY %I.%I AS "fid t";',
                              string_agg(format('%L || '':'' || count("fid t".%I) || '':'' || coalesce(sum((''x'' || left(md5(ROW("fid t".%I)::text), 16))::bit(64)::bigint::numeric), 0)',
                                                a.attname, a.attname, a.attname), ', ' ORDER BY a.attnum),
                              n.nspname, c.relname)
                FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                HAVING count(*) > 0),
               coalesce((SELECT array_agg(a.attname::text ORDER BY a.attnum)
                         FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '{}')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'm') AND {{RelationFilter}}
        WINDOW w AS (ORDER BY n.nspname, c.relname)
        ORDER BY n.nspname, c.relname
        """;

    private const string SequencePlanSql = $$"""
        SELECT format('%I.%I', n.nspname, c.relname), format('SELECT last_value, is_called FROM %I.%I;', n.nspname, c.relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'S' AND {{RelationFilter}}
        ORDER BY n.nspname, c.relname
        """;

    private const string LargeObjectSql = """
        SELECT l.oid::text, pg_get_userbyid(l.lomowner)::text,
               coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(l.lomacl) a), '-'),
               md5(lo_get(l.oid)), coalesce(md5(obj_description(l.oid, 'pg_largeobject')), '-')
        FROM pg_largeobject_metadata l ORDER BY 1
        """;

    private const string None = "<none>";
    private const int MaxDiagnosedTables = 30;

    public static async Task<OracleReport> CompareAsync(
        string sourceConnectionString, string targetConnectionString, OracleOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceConnectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetConnectionString);
        options ??= new OracleOptions();
        if (!options.Schema && !options.Data && !options.DatabaseProperties)
            throw new ArgumentException("Schema, Data and DatabaseProperties cannot all be off", nameof(options));

        var result = new ReportBuilder();
        // like pgcompare: both sides must be reachable before anything is compared
        await using var source = await OpenAsync(sourceConnectionString, "source", ct);
        await using var target = await OpenAsync(targetConnectionString, "target", ct);

        if (options.Schema)
        {
            var dumps = await Task.WhenAll(
                PgDump.SchemaOnlyAsync(sourceConnectionString, options.ExcludeSchemas, "source", ct),
                PgDump.SchemaOnlyAsync(targetConnectionString, options.ExcludeSchemas, "target", ct));
            var schema = SchemaComparer.Compare(
                SchemaNormalizer.Normalize(dumps[0]), SchemaNormalizer.Normalize(dumps[1]), options.DiffLines);
            result.Add(schema.Matched, schema.Total, schema.Differences,
                $"schema objects matched: {schema.Matched}/{schema.Total}  (differing {schema.Differing.Count}, missing {schema.Missing.Count}, extra {schema.Extra.Count})");
        }

        if (options.DatabaseProperties)
            await CompareDatabasePropertiesAsync(source, target, result, ct);

        if (options.Data)
        {
            // the check statements are generated from the source catalog before the session settings apply
            var excluded = options.ExcludeSchemas.ToArray();
            var tables = await QueryAsync(source, TablePlanSql, excluded, r => new TablePlan(
                r.GetInt64(0), r.GetString(1), r.GetBoolean(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.GetFieldValue<string[]>(5)), ct);
            var sequences = await QueryAsync(source, SequencePlanSql, excluded, r => (Name: r.GetString(0), Sql: r.GetString(1)), ct);

            await Task.WhenAll(ApplySessionAsync(source, "source", result, ct), ApplySessionAsync(target, "target", result, ct));
            await CompareTablesAsync(source, target, tables, result, ct);
            await CompareSequencesAsync(source, target, sequences, result, ct);
            await CompareLargeObjectsAsync(source, target, result, ct);
        }
        return result.Build();
    }

    /// <summary>Raw `pg_dump --schema-only` output of a database (password passed via PGPASSWORD).</summary>
    public static Task<string> SchemaDumpAsync(string connectionString, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return PgDump.SchemaOnlyAsync(connectionString, [], "database", ct);
    }

    // ---- database-level properties --------------------------------------------------------------------------

    private static async Task CompareDatabasePropertiesAsync(NpgsqlConnection source, NpgsqlConnection target, ReportBuilder result, CancellationToken ct)
    {
        var read = await Task.WhenAll(
            QueryAsync(source, DatabasePropertiesSql, null, r => (Name: r.GetString(0), Value: r.GetString(1)), ct),
            QueryAsync(target, DatabasePropertiesSql, null, r => (Name: r.GetString(0), Value: r.GetString(1)), ct));
        var matched = 0;
        var differences = new List<string>();
        for (var i = 0; i < read[0].Count; i++)
        {
            var (name, value) = read[0][i];
            var other = read[1][i].Value;
            if (value == other)
                matched++;
            else
                differences.Add($"DIFFERS: database {name} (src {value}, dst {other})");
        }
        result.Add(matched, read[0].Count, differences, $"database properties matched: {matched}/{read[0].Count}");
    }

    // ---- (b) table data ---------------------------------------------------------------------------------

    private sealed record TablePlan(long Index, string Name, bool IsMatview, string CheckSql, string? DiagSql, string[] Columns);

    private sealed record TableCheck(string? Count, string? Sum, string? Error);

    private static async Task CompareTablesAsync(
        NpgsqlConnection source, NpgsqlConnection target, List<TablePlan> tables, ReportBuilder result, CancellationToken ct)
    {
        var checks = await Task.WhenAll(RunTableChecksAsync(source, tables, ct), RunTableChecksAsync(target, tables, ct));
        var (src, dst) = (checks[0], checks[1]);

        var matched = 0;
        var bad = new List<TablePlan>();
        foreach (var table in tables)
        {
            var (s, d) = (src[table.Index], dst[table.Index]);
            if (s.Count is not null && s.Count == d.Count && s.Sum == d.Sum)
                matched++;
            else
                bad.Add(table);
        }

        // per-column diagnosis for differing tables with the same row count
        var diagnosis = new Dictionary<long, string>();
        var toDiagnose = bad.Where(t => src[t.Index].Count is { } count && count == dst[t.Index].Count && count != "unpopulated")
            .Take(MaxDiagnosedTables).ToList();
        foreach (var table in toDiagnose)
        {
            if (table.DiagSql is null)
                continue;
            var values = await Task.WhenAll(TryReadRowAsync(source, table.DiagSql, ct), TryReadRowAsync(target, table.DiagSql, ct));
            if (values[0] is not { } s || values[1] is not { } d)
                continue;
            var differing = new List<string>();
            for (var i = 0; i < s.Length && i < table.Columns.Length; i++)
            {
                if (i >= d.Length || s[i] != d[i])
                    differing.Add(table.Columns[i]);
            }
            diagnosis[table.Index] = string.Join(", ", differing);
        }

        var differences = new List<string>();
        foreach (var table in bad)
        {
            var (s, d) = (src[table.Index], dst[table.Index]);
            string why;
            if (d.Count is null && s.Count == "unpopulated")
                why = "materialized view should be unpopulated (or is missing)";
            else if (s.Count is null)
                why = "not readable in source" + (s.Error is null ? "" : ": " + s.Error);
            else if (d.Count is null)
                why = "not readable in target" + (d.Error is null ? "" : ": " + d.Error);
            else if (s.Count != d.Count)
                why = $"rows src={s.Count} dst={d.Count}";
            else
                why = $"same row count {s.Count}, different content";
            if (diagnosis.TryGetValue(table.Index, out var columns) && columns.Length > 0)
                why += "; columns differing: " + columns;
            differences.Add($"DIFFERS: {(table.IsMatview ? "materialized view" : "table")} {table.Name} ({why})");
        }
        result.Add(matched, tables.Count, differences, $"tables with identical data: {matched}/{tables.Count}");
    }

    private static async Task<Dictionary<long, TableCheck>> RunTableChecksAsync(
        NpgsqlConnection connection, List<TablePlan> tables, CancellationToken ct)
    {
        var checks = new Dictionary<long, TableCheck>();
        foreach (var table in tables)
        {
            // like psql without ON_ERROR_STOP: a failing table only loses its own result
            try
            {
                var rows = await QueryAsync(connection, table.CheckSql, null, r => (Count: r.GetString(0), Sum: r.GetString(1)), ct);
                checks[table.Index] = rows.Count > 0 ? new TableCheck(rows[0].Count, rows[0].Sum, null) : new TableCheck(null, null, null);
            }
            catch (PostgresException e)
            {
                checks[table.Index] = new TableCheck(null, null, e.MessageText);
            }
        }
        return checks;
    }

    private static async Task<string[]?> TryReadRowAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        try
        {
            var rows = await QueryAsync(connection, sql, null, r =>
            {
                var values = new string[r.FieldCount];
                for (var i = 0; i < values.Length; i++)
                    values[i] = r.GetString(i);
                return values;
            }, ct);
            return rows.Count > 0 ? rows[0] : null;
        }
        catch (PostgresException)
        {
            return null;
        }
    }

    // ---- (c) sequences ----------------------------------------------------------------------------------

    private static async Task CompareSequencesAsync(
        NpgsqlConnection source, NpgsqlConnection target, List<(string Name, string Sql)> sequences, ReportBuilder result, CancellationToken ct)
    {
        var read = await Task.WhenAll(ReadSequencesAsync(source, sequences, ct), ReadSequencesAsync(target, sequences, ct));
        var (src, dst) = (read[0], read[1]);

        // sequences the source cannot read are not counted, as in compare.sh
        var names = src.Keys.ToList();
        names.Sort((x, y) => CodePointComparer.Instance.Compare(SequenceLine(x, src[x]), SequenceLine(y, src[y])));
        var matched = 0;
        var differences = new List<string>();
        foreach (var name in names)
        {
            var s = src[name];
            if (dst.TryGetValue(name, out var d) && d == s)
            {
                matched++;
                continue;
            }
            var dstText = dst.ContainsKey(name) ? $"{d.LastValue}/{(d.IsCalled ? "true" : "false")}" : None;
            differences.Add($"DIFFERS: sequence {name} (src {s.LastValue}/{(s.IsCalled ? "true" : "false")}, dst {dstText})");
        }
        result.Add(matched, src.Count, differences, $"sequences matched: {matched}/{src.Count}");
    }

    private static string SequenceLine(string name, (long LastValue, bool IsCalled) value) =>
        $"{name}\u001f{value.LastValue.ToString(CultureInfo.InvariantCulture)}\u001f{(value.IsCalled ? "t" : "f")}";

    private static async Task<Dictionary<string, (long LastValue, bool IsCalled)>> ReadSequencesAsync(
        NpgsqlConnection connection, List<(string Name, string Sql)> sequences, CancellationToken ct)
    {
        var values = new Dictionary<string, (long, bool)>(StringComparer.Ordinal);
        foreach (var (name, sql) in sequences)
        {
            try
            {
                var rows = await QueryAsync(connection, sql, null, r => (r.GetInt64(0), r.GetBoolean(1)), ct);
                if (rows.Count > 0)
                    values[name] = rows[0];
            }
            catch (PostgresException)
            {
                // missing / unreadable: no line, as with psql's output going to /dev/null
            }
        }
        return values;
    }

    // ---- (d) large objects ------------------------------------------------------------------------------

    private static async Task CompareLargeObjectsAsync(
        NpgsqlConnection source, NpgsqlConnection target, ReportBuilder result, CancellationToken ct)
    {
        var read = await Task.WhenAll(ReadLargeObjectsAsync(source, "source", result, ct), ReadLargeObjectsAsync(target, "target", result, ct));
        var (src, dst) = (read[0], read[1]);

        var dstLines = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in dst)
            dstLines[Line(row)] = dstLines.GetValueOrDefault(Line(row)) + 1;
        var matched = 0;
        foreach (var row in src)
        {
            if (dstLines.GetValueOrDefault(Line(row)) is var n && n > 0)
            {
                matched++;
                dstLines[Line(row)] = n - 1;
            }
        }

        var dstByOid = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var row in dst)
            dstByOid.TryAdd(row[0], row);
        var differences = new List<string>();
        foreach (var s in src)
        {
            var what = new List<string>();
            if (!dstByOid.TryGetValue(s[0], out var d))
            {
                what.Add("missing in target");
            }
            else
            {
                if (s[1] != d[1])
                    what.Add($"owner {s[1]}->{d[1]}");
                if (s[2] != d[2])
                    what.Add($"acl {s[2]}->{d[2]}");
                if (s[3] != d[3])
                    what.Add("content");
                if (s[4] != d[4])
                    what.Add("comment");
            }
            if (what.Count > 0)
                differences.Add($"DIFFERS: large object {s[0]} ({string.Join(' ', what)})");
        }
        if (matched < src.Count)
        {
            // tells "restored under other oids" apart from "contents lost"
            var dstContents = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var row in dst)
                dstContents[row[3]] = dstContents.GetValueOrDefault(row[3]) + 1;
            var present = 0;
            foreach (var row in src)
            {
                if (dstContents.GetValueOrDefault(row[3]) is var n && n > 0)
                {
                    present++;
                    dstContents[row[3]] = n - 1;
                }
            }
            result.Note($"large objects: contents present in target under any oid: {present}/{src.Count} (target has {dst.Count})");
        }
        result.Add(matched, src.Count, differences, $"large objects matched: {matched}/{src.Count}");

        static string Line(string[] row) => string.Join('\u001f', row);
    }

    private static async Task<List<string[]>> ReadLargeObjectsAsync(NpgsqlConnection connection, string side, ReportBuilder result, CancellationToken ct)
    {
        try
        {
            var rows = await QueryAsync(connection, LargeObjectSql, null, r => new[]
            {
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
            }, ct);
            rows.Sort((x, y) => CodePointComparer.Instance.Compare(string.Join('\u001f', x), string.Join('\u001f', y)));
            return rows;
        }
        catch (PostgresException e)
        {
            // compare.sh discards this error and counts no large objects for the side
            result.Note($"large objects of {side} not readable: {e.MessageText}");
            return [];
        }
    }

    // ---- plumbing -----------------------------------------------------------------------------------------

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString, string side, CancellationToken ct)
    {
        // no pooling: session settings must not leak, and no idle connection may block DROP DATABASE
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException($"cannot connect to {side} {builder.Host}:{builder.Port}/{builder.Database}: {e.Message}", e);
        }
    }

    private static async Task ApplySessionAsync(NpgsqlConnection connection, string side, ReportBuilder result, CancellationToken ct)
    {
        foreach (var setting in SessionSettings)
        {
            try
            {
                await using var command = new NpgsqlCommand(setting, connection);
                await command.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e)
            {
                result.Note($"{side}: `{setting}` failed: {e.MessageText}");
            }
        }
    }

    private static async Task<List<T>> QueryAsync<T>(
        NpgsqlConnection connection, string sql, string[]? excludedSchemas, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        if (excludedSchemas is not null)
            command.Parameters.Add(new NpgsqlParameter { Value = excludedSchemas });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
            rows.Add(read(reader));
        return rows;
    }

    private sealed class ReportBuilder
    {
        private readonly List<string> _differences = [];
        private readonly List<string> _scoreLines = [];
        private readonly List<string> _notes = [];
        private int _matched;
        private int _total;

        public void Add(int matched, int total, IEnumerable<string> differences, string scoreLine)
        {
            _matched += matched;
            _total += total;
            _differences.AddRange(differences);
            _scoreLines.Add(scoreLine);
        }

        public void Note(string note)
        {
            lock (_notes)
                _notes.Add(note);
        }

        public OracleReport Build() => new(_differences, _matched, _total, _scoreLines, _notes);
    }
}
