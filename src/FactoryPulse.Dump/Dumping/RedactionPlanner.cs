using System.Globalization;
using FactoryPulse.Dump.Catalog;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Dumping;

/// <summary>
/// One column to redact: from a Redact rule (Required: the column must exist) or from the Supabase secret list (applies
/// where it exists). Value is the one the user gave (<c>=VALUE</c>) or the profile names; null lets the planner choose.
/// </summary>
internal sealed record RedactionRule(string Schema, string Table, string Column, string? Value, bool Required)
{
    public string Option => Required ? nameof(DumpOptions.Redact) : nameof(DumpOptions.RedactSupabaseSecrets);
}

/// <summary>
/// What the catalog says about a redacted column: TypeName is format_type of its own type (a domain stays a domain, so
/// casting to it checks the domain's constraints); BaseType, BaseCategory (typcategory) and BaseKind (typtype) describe
/// the type under any domains; NotNull is attnotnull.
/// </summary>
internal sealed record RedactedColumn(int Number, string Name, string TypeName, bool NotNull, string BaseType, bool BaseIsBuiltIn, char BaseCategory, char BaseKind);

internal enum RedactionConstraintKind
{
    Check,
    PartitionBound,
    Unique,
    ForeignKey,
    ReferencedByForeignKey,
    Exclusion,
}

/// <summary>
/// Something a replacement value must satisfy for the rows to load again: a constraint, a unique index or the partition
/// bound. Columns are the attribute numbers of the table's columns it involves (for a foreign key pointing here: the
/// referenced ones).
/// </summary>
internal sealed record RedactionConstraint(RedactionConstraintKind Kind, string Name, IReadOnlyList<int> Columns)
{
    /// <summary>A CHECK's or the partition bound's expression; a partial unique index's predicate.</summary>
    public string? Expression { get; init; }

    /// <summary>A unique index's key expressions (columns or expressions), without INCLUDE columns.</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];

    public bool NullsNotDistinct { get; init; }

    /// <summary>The other table of a foreign key: the referenced one, or for a key pointing here the referencing one.</summary>
    public string? OtherTable { get; init; }

    public bool MatchFull { get; init; }

    public bool Involves(int column)
    {
        if (Kind == RedactionConstraintKind.PartitionBound)
            return true;
        foreach (var number in Columns)
        {
            if (number == column)
                return true;
        }
        return false;
    }
}

/// <summary>
/// Chooses, at dump time and from the catalog, what each redacted column is written as so that the archive still
/// restores, or refuses before anything is written. NULL where the column and its constraints allow it; otherwise a
/// neutral constant of the column's type (empty text, '{}' for json, 0, the epoch, the zero uuid …); or the value the
/// user gave. Whatever the choice, the server proves it: the candidate is cast to the column's type (domain constraints
/// included) and every CHECK, partition bound and unique index the column takes part in is evaluated over the table's
/// rows with the candidate in place — the same test the restore's COPY and constraints will make. Foreign keys cannot
/// be proven from one table, so a column in one takes only NULL (where the key allows it) or is refused.
/// </summary>
internal static class RedactionPlanner
{
    /// <summary>The text written where a CHECK refuses the empty string (e.g. char_length(x) &gt; 0): it is no hash, token or key.</summary>
    public const string TextPlaceholder = "redacted";

    private const string Savepoint = "fpdump_redaction";

    /// <summary>Redact rules first, then the Supabase list: for one column the user's own rule wins.</summary>
    public static List<RedactionRule> Rules(DumpOptions options)
    {
        var rules = new List<RedactionRule>();
        foreach (var rule in options.Redact)
        {
            var equals = rule.IndexOf('=', StringComparison.Ordinal);
            var parts = (equals < 0 ? rule : rule[..equals]).Split('.');
            // DumpOptions.Validate has checked the shape (three non-empty parts).
            rules.Add(new RedactionRule(parts[0], parts[1], parts[2], equals < 0 ? null : rule[(equals + 1)..], Required: true));
        }
        if (options.RedactSupabaseSecrets)
        {
            foreach (var (column, value) in Profiles.SupabaseProfile.SecretColumns)
            {
                var parts = column.Split('.');
                rules.Add(new RedactionRule(parts[0], parts[1], parts[2], value, Required: false));
            }
        }
        return rules;
    }

    /// <summary>Neutral constants of a type, in the order tried; empty when no value is safe to write for every row (enums, composites …).</summary>
    public static IReadOnlyList<string> NeutralValues(RedactedColumn column)
    {
        if (column.BaseIsBuiltIn)
        {
            switch (column.BaseType)
            {
                case "json" or "jsonb":
                    return ["{}"];
                case "uuid":
                    return ["00000000-0000-0000-0000-000000000000"];
                case "bytea":
                    return [""];
            }
        }
        return column.BaseKind switch
        {
            // Any label of an enum means something (a role, a status): no label is neutral.
            'e' => [],
            'r' => ["empty"],
            'm' => ["{}"],
            _ => column.BaseCategory switch
            {
                'S' => ["", TextPlaceholder],
                'N' => ["0", "1"],
                'B' => ["false"],
                // Casts to date, time, timetz, timestamp and timestamptz alike.
                'D' => ["1970-01-01 00:00:00+00"],
                'T' => ["0"],
                'I' => ["0.0.0.0"],
                'A' => ["{}"],
                _ => [],
            },
        };
    }

    /// <summary>The values tried for a column, in order: the given one alone, or NULL (unless NOT NULL) and then the type's neutral values.</summary>
    public static List<string?> Candidates(RedactedColumn column, string? given)
    {
        if (given is not null)
            return [given];
        var candidates = new List<string?>();
        if (!column.NotNull)
            candidates.Add(null);
        candidates.AddRange(NeutralValues(column));
        return candidates;
    }

    /// <summary>Why a candidate breaks a constraint that needs no look at the rows, or null when it does not (or the server must tell).</summary>
    public static string? StaticConflict(RedactionConstraint constraint, string? candidate) => constraint.Kind switch
    {
        RedactionConstraintKind.ReferencedByForeignKey =>
            $"foreign key {constraint.Name} of {constraint.OtherTable} points at its values, so replacing them would orphan those rows",
        RedactionConstraintKind.ForeignKey when candidate is null =>
            constraint.MatchFull && constraint.Columns.Count > 1 ? $"NULL breaks foreign key {constraint.Name} (MATCH FULL) to {constraint.OtherTable}" : null,
        RedactionConstraintKind.ForeignKey =>
            $"{Show(candidate)} would have to exist in {constraint.OtherTable} (foreign key {constraint.Name})",
        RedactionConstraintKind.Exclusion when candidate is not null => $"{Show(candidate)} would conflict with itself in exclusion constraint {constraint.Name}",
        _ => null,
    };

    /// <summary>Whether the server must evaluate the constraint over the rows with the candidate in place.</summary>
    public static bool NeedsRowCheck(RedactionConstraint constraint, string? candidate) => constraint.Kind switch
    {
        RedactionConstraintKind.Check or RedactionConstraintKind.PartitionBound => constraint.Expression is not null,
        // NULLs never collide in a unique index unless it says NULLS NOT DISTINCT.
        RedactionConstraintKind.Unique => candidate is not null || constraint.NullsNotDistinct,
        _ => false,
    };

    public static string Show(string? value) => value is null ? "NULL" : SqlText.QuoteLiteral(value);

    /// <summary>
    /// One line: the column, each value tried and why it fails, and what the user can do. When a key refused the last
    /// value (<paramref name="keyConflict"/>: unique, foreign key, exclusion) no single value can help, so none is suggested.
    /// </summary>
    public static string RefusalMessage(string schema, string table, RedactedColumn column, bool given, bool keyConflict, IReadOnlyList<string> reasons)
    {
        var what = given ? "the given value" : "a replacement";
        var because = reasons.Count == 0 ? $"the column is NOT NULL and its type {column.TypeName} has no neutral value" : string.Join("; ", reasons);
        var exclude = $"leave the table's rows out of the dump (ExcludeTableData, --exclude-table-data {schema}.{table})";
        var advice = keyConflict
            ? $"One value in every row cannot satisfy that key: {exclude}, or do not redact the column."
            : $"Name a value that fits with {schema}.{table}.{column.Name}=VALUE, or {exclude}.";
        return $"Cannot redact {schema}.{table}.{column.Name} ({column.TypeName}) with {what} the archive could restore: {because}. {advice}";
    }

    /// <summary>Constraints no single replacement for every row can get past, whatever its value.</summary>
    public static bool IsKey(RedactionConstraintKind kind) => kind is RedactionConstraintKind.Unique or RedactionConstraintKind.ForeignKey
        or RedactionConstraintKind.ReferencedByForeignKey or RedactionConstraintKind.Exclusion;

    /// <summary>A replacement as SQL: NULL or the literal, cast to the column's type.</summary>
    public static string Literal(string? value, string typeName) => $"{(value is null ? "NULL" : SqlText.QuoteLiteral(value))}::{typeName}";

    /// <summary>
    /// The table's rows as they would be restored: replaced columns swapped for their literals, generated columns computed
    /// again from them (as the restore computes them), under the table's own name so the catalog's expressions resolve.
    /// </summary>
    public static string SubstitutedRelation(TableObject table, IReadOnlyDictionary<string, string> replacements)
    {
        var stored = new List<string>(table.Columns.Count);
        var all = new List<string>(table.Columns.Count);
        var generated = false;
        foreach (var column in table.Columns)
        {
            var name = SqlText.QuoteIdentifier(column.Name);
            if (column.GeneratedExpression is not null)
            {
                generated = true;
                all.Add($"({column.GeneratedExpression}) AS {name}");
                continue;
            }
            stored.Add(replacements.TryGetValue(column.Name, out var replacement) ? $"{replacement} AS {name}" : name);
            all.Add(name);
        }
        var alias = SqlText.QuoteIdentifier(table.Name);
        var rows = $"SELECT {string.Join(", ", stored)} FROM ONLY {SqlText.QuoteQualified(table.Schema, table.Name)}";
        if (generated)
            rows = $"SELECT {string.Join(", ", all)} FROM ({rows}) AS {alias}";
        return $"({rows}) AS {alias}";
    }

    /// <summary>
    /// Sets <see cref="TableDataObject.Redactions"/> on every dumped table a rule applies to (a rule naming a parent
    /// applies to its partitions and inheritance children, whose rows are dumped as their own), or throws
    /// <see cref="RedactionRefusedException"/>. Runs inside the dump's snapshot; failed probes roll back to a savepoint.
    /// </summary>
    public static async Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<TableObject> tables, List<DumpableObject> objects, DumpOptions options, CancellationToken cancellationToken)
    {
        var rules = Rules(options);
        if (rules.Count == 0)
            return;
        CheckRequiredColumnsExist(rules, tables);
        foreach (var item in objects)
        {
            // Extension configuration tables are dumped by the extension's condition; rules name the user's tables.
            if (item is not TableDataObject { Extension: null } data)
                continue;
            var matched = Match(rules, data.Table);
            if (matched.Count == 0)
                continue;
            var columns = await ReadColumnsAsync(connection, data.Table, cancellationToken).ConfigureAwait(false);
            var constraints = await ReadConstraintsAsync(connection, data.Table, cancellationToken).ConfigureAwait(false);
            var chosen = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var rule in matched)
            {
                var column = columns[rule.Column];
                chosen[rule.Column] = await ChooseAsync(connection, data.Table, columns, column, rule, constraints, chosen, cancellationToken).ConfigureAwait(false);
            }
            data.Redactions = chosen;
        }
    }

    /// <summary>A Redact rule must name an existing table and one of its stored columns: a typo would otherwise leave the secret in the archive.</summary>
    private static void CheckRequiredColumnsExist(List<RedactionRule> rules, IReadOnlyList<TableObject> tables)
    {
        foreach (var rule in rules)
        {
            if (!rule.Required)
                continue;
            TableObject? table = null;
            foreach (var candidate in tables)
            {
                if (candidate.Schema == rule.Schema && candidate.Name == rule.Table)
                    table = candidate;
            }
            var name = $"{rule.Schema}.{rule.Table}.{rule.Column}";
            if (table is null)
                throw new RedactionRefusedException($"Cannot redact {name}: the database has no table {rule.Schema}.{rule.Table}.", rule.Option, name);
            if (StoredColumn(table, rule.Column) is null)
                throw new RedactionRefusedException($"Cannot redact {name}: the table has no such (non-generated) column.", rule.Option, name);
        }
    }

    private static ColumnInfo? StoredColumn(TableObject table, string name)
    {
        foreach (var column in table.Columns)
        {
            if (column.Name == name && column.GeneratedExpression is null)
                return column;
        }
        return null;
    }

    /// <summary>The rules for this table's rows, one per column (the first wins), including rules naming one of its ancestors.</summary>
    private static List<RedactionRule> Match(List<RedactionRule> rules, TableObject table)
    {
        var names = new HashSet<(string, string)>();
        var pending = new Stack<TableObject>();
        pending.Push(table);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            if (!names.Add((next.Schema!, next.Name)))
                continue;
            foreach (var parent in next.InheritParents)
                pending.Push(parent);
            // A partition's parent is not among InheritParents (it is attached instead); the partition depends on it.
            foreach (var dependency in next.Dependencies)
            {
                if (next.IsPartition && dependency is TableObject { PartitionKey: not null } parent)
                    pending.Push(parent);
            }
        }
        var matched = new List<RedactionRule>();
        var columns = new HashSet<string>(StringComparer.Ordinal);
        // Rules naming the table itself before rules naming an ancestor: the more specific one wins.
        foreach (var ownRules in new[] { true, false })
        {
            foreach (var rule in rules)
            {
                var own = rule.Schema == table.Schema && rule.Table == table.Name;
                if (own == ownRules && names.Contains((rule.Schema, rule.Table)) && StoredColumn(table, rule.Column) is not null && columns.Add(rule.Column))
                    matched.Add(rule);
            }
        }
        return matched;
    }

    private static async Task<string?> ChooseAsync(
        NpgsqlConnection connection, TableObject table, Dictionary<string, RedactedColumn> columns, RedactedColumn column, RedactionRule rule,
        List<RedactionConstraint> constraints, Dictionary<string, string?> chosen, CancellationToken cancellationToken)
    {
        var reasons = new List<string>();
        string? blockingConstraint = null;
        var keyConflict = false;
        foreach (var candidate in Candidates(column, rule.Value))
        {
            keyConflict = false;
            if (candidate is null && column.NotNull)
            {
                reasons.Add("NULL: the column is NOT NULL");
                continue;
            }
            // The cast proves the value valid for the type and any domain's NOT NULL and CHECKs, and gives it as the
            // server will store it (varchar(n) cuts it): what the manifest records and the COPY writes.
            var cast = await TryScalarAsync(connection, $"SELECT ({Literal(candidate, column.TypeName)})::text", cancellationToken).ConfigureAwait(false);
            if (cast.Error is not null)
            {
                reasons.Add($"{Show(candidate)} is not a valid {column.TypeName} ({cast.Error})");
                continue;
            }
            var value = cast.Value;
            string? reason = null;
            foreach (var constraint in constraints)
            {
                if (!constraint.Involves(column.Number))
                    continue;
                reason = StaticConflict(constraint, value);
                if (reason is null && NeedsRowCheck(constraint, value))
                    reason = await RowConflictAsync(connection, table, columns, column, value, constraint, chosen, cancellationToken).ConfigureAwait(false);
                if (reason is not null)
                {
                    blockingConstraint = constraint.Kind == RedactionConstraintKind.PartitionBound ? null : constraint.Name;
                    keyConflict = IsKey(constraint.Kind);
                    break;
                }
            }
            if (reason is null)
                return value;
            reasons.Add(reason);
        }
        var name = $"{table.Schema}.{table.Name}.{column.Name}";
        throw new RedactionRefusedException(RefusalMessage(table.Schema!, table.Name, column, rule.Value is not null, keyConflict, reasons), rule.Option, name)
        {
            ConstraintName = blockingConstraint,
        };
    }

    /// <summary>Evaluates one constraint over the table's rows with the candidate (and the columns already chosen) in place.</summary>
    private static async Task<string?> RowConflictAsync(
        NpgsqlConnection connection, TableObject table, Dictionary<string, RedactedColumn> columns, RedactedColumn column, string? value,
        RedactionConstraint constraint, Dictionary<string, string?> chosen, CancellationToken cancellationToken)
    {
        var replacements = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, replacement) in chosen)
            replacements[name] = Literal(replacement, columns[name].TypeName);
        replacements[column.Name] = Literal(value, column.TypeName);
        var relation = SubstitutedRelation(table, replacements);
        string sql;
        if (constraint.Kind == RedactionConstraintKind.Unique)
        {
            var conditions = new List<string>();
            if (constraint.Expression is not null)
                conditions.Add($"({constraint.Expression})");
            var keys = new List<string>(constraint.Keys.Count);
            foreach (var key in constraint.Keys)
            {
                keys.Add($"({key})");
                if (!constraint.NullsNotDistinct)
                    conditions.Add($"({key}) IS NOT NULL");
            }
            var where = conditions.Count == 0 ? "" : $" WHERE {string.Join(" AND ", conditions)}";
            sql = $"SELECT EXISTS (SELECT 1 FROM {relation}{where} GROUP BY {string.Join(", ", keys)} HAVING pg_catalog.count(*) > 1)";
        }
        else
        {
            // A CHECK passes unless it is false (NULL passes), as the server applies it.
            sql = $"SELECT EXISTS (SELECT 1 FROM {relation} WHERE NOT ({constraint.Expression}))";
        }
        var result = await TryScalarAsync(connection, sql, cancellationToken).ConfigureAwait(false);
        var what = constraint.Kind switch
        {
            RedactionConstraintKind.Unique => $"unique index {constraint.Name}",
            RedactionConstraintKind.PartitionBound => "the partition's bound",
            _ => $"check constraint {constraint.Name}",
        };
        if (result.Error is not null)
            return $"{Show(value)}: {what} could not be evaluated with it ({result.Error})";
        if (result.Value != "true")
            return null;
        return constraint.Kind switch
        {
            RedactionConstraintKind.Unique => $"{Show(value)} would repeat in {what}",
            RedactionConstraintKind.PartitionBound => $"{Show(value)} falls outside the partition's bound {constraint.Expression}",
            _ => $"{Show(value)} breaks check constraint {constraint.Name} {constraint.Expression}",
        };
    }

    /// <summary>
    /// Runs a probe under a savepoint: an error the candidate causes (invalid input, a failing CHECK expression) rolls
    /// back only the probe and comes back as text. Privilege and connection errors are the dump's and propagate.
    /// </summary>
    private static async Task<(string? Value, string? Error)> TryScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await ServerConnection.ExecuteAsync(connection, $"SAVEPOINT {Savepoint}", cancellationToken).ConfigureAwait(false);
        try
        {
            var value = await ServerConnection.ScalarAsync<object?>(connection, sql, cancellationToken).ConfigureAwait(false);
            await ServerConnection.ExecuteAsync(connection, $"RELEASE SAVEPOINT {Savepoint}", cancellationToken).ConfigureAwait(false);
            return (value switch
            {
                null or DBNull => null,
                bool flag => flag ? "true" : "false",
                _ => Convert.ToString(value, CultureInfo.InvariantCulture),
            }, null);
        }
        catch (PostgresException exception) when (IsCausedByTheValue(exception.SqlState))
        {
            await ServerConnection.ExecuteAsync(connection, $"ROLLBACK TO SAVEPOINT {Savepoint}", cancellationToken).ConfigureAwait(false);
            await ServerConnection.ExecuteAsync(connection, $"RELEASE SAVEPOINT {Savepoint}", cancellationToken).ConfigureAwait(false);
            return (null, string.Join(' ', exception.MessageText.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }
    }

    /// <summary>Data exceptions, integrity violations, syntax and semantic errors (except a missing privilege), errors raised by functions.</summary>
    private static bool IsCausedByTheValue(string sqlState) =>
        sqlState != PostgresErrorCodes.InsufficientPrivilege
        && (sqlState.StartsWith("22", StringComparison.Ordinal) || sqlState.StartsWith("23", StringComparison.Ordinal) || sqlState.StartsWith("42", StringComparison.Ordinal)
            || sqlState.StartsWith("0A", StringComparison.Ordinal) || sqlState.StartsWith("2F", StringComparison.Ordinal) || sqlState.StartsWith("38", StringComparison.Ordinal)
            || sqlState.StartsWith("39", StringComparison.Ordinal) || sqlState.StartsWith("P0", StringComparison.Ordinal));

    /// <summary>Every stored column of the table with its type facts (a domain resolved down to its base type).</summary>
    private static async Task<Dictionary<string, RedactedColumn>> ReadColumnsAsync(NpgsqlConnection connection, TableObject table, CancellationToken cancellationToken)
    {
        var columns = new Dictionary<string, RedactedColumn>(StringComparer.Ordinal);
        await CatalogQuery.ForEachAsync(connection,
            $"""
            SELECT a.attnum::int AS number, a.attname::text AS name, a.attnotnull AS not_null,
                   pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_name, b.typname::text AS base_type,
                   b.typnamespace = 'pg_catalog'::pg_catalog.regnamespace AS base_builtin, b.typcategory::text AS base_category, b.typtype::text AS base_kind
            FROM pg_catalog.pg_attribute a
            CROSS JOIN LATERAL (
                WITH RECURSIVE chain(type_oid, depth) AS (
                    SELECT a.atttypid, 0
                    UNION ALL
                    SELECT t.typbasetype, chain.depth + 1 FROM chain JOIN pg_catalog.pg_type t ON t.oid = chain.type_oid WHERE t.typtype = 'd')
                SELECT chain.type_oid FROM chain ORDER BY chain.depth DESC LIMIT 1) AS base
            JOIN pg_catalog.pg_type b ON b.oid = base.type_oid
            WHERE a.attrelid = {table.Id.ObjectId.ToString(CultureInfo.InvariantCulture)} AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
            """,
            row =>
            {
                var column = new RedactedColumn(row.Int("number"), row.String("name"), row.String("type_name"), row.Bool("not_null"),
                    row.String("base_type"), row.Bool("base_builtin"), row.String("base_category")[0], row.String("base_kind")[0]);
                columns[column.Name] = column;
            }, cancellationToken).ConfigureAwait(false);
        return columns;
    }

    /// <summary>
    /// Validated CHECKs (a NOT VALID one is restored NOT VALID and never meets the rows), foreign keys both ways,
    /// exclusion constraints, unique indexes (keys, UNIQUE constraints and plain unique indexes, partial ones with their
    /// predicate; the columns they involve from indkey and, for expressions, pg_depend), and a partition's bound.
    /// </summary>
    private static async Task<List<RedactionConstraint>> ReadConstraintsAsync(NpgsqlConnection connection, TableObject table, CancellationToken cancellationToken)
    {
        var oid = table.Id.ObjectId.ToString(CultureInfo.InvariantCulture);
        const string IndexColumns = """
            ARRAY(SELECT k::text FROM pg_catalog.unnest(x.indkey::pg_catalog.int2[]) AS k WHERE k > 0
                  UNION SELECT d.refobjsubid::text FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = x.indexrelid
                    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = x.indrelid AND d.refobjsubid > 0)
            """;
        var constraints = new List<RedactionConstraint>();
        await CatalogQuery.ForEachAsync(connection,
            $"""
            SELECT 'c' AS kind, c.conname::text AS name, c.conkey::text[] AS columns, pg_catalog.pg_get_expr(c.conbin, c.conrelid) AS expression,
                   NULL::text[] AS keys, false AS nulls_not_distinct, NULL::text AS other_table, false AS match_full
            FROM pg_catalog.pg_constraint c WHERE c.conrelid = {oid} AND c.contype = 'c' AND c.convalidated
            UNION ALL
            SELECT 'f', c.conname::text, c.conkey::text[], NULL, NULL, false, c.confrelid::pg_catalog.regclass::text, c.confmatchtype = 'f'
            FROM pg_catalog.pg_constraint c WHERE c.conrelid = {oid} AND c.contype = 'f'
            UNION ALL
            SELECT 'r', c.conname::text, c.confkey::text[], NULL, NULL, false, c.conrelid::pg_catalog.regclass::text, false
            FROM pg_catalog.pg_constraint c WHERE c.confrelid = {oid} AND c.contype = 'f'
            UNION ALL
            SELECT 'x', c.conname::text, {IndexColumns}, NULL, NULL, false, NULL, false
            FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_index x ON x.indexrelid = c.conindid WHERE c.conrelid = {oid} AND c.contype = 'x'
            UNION ALL
            SELECT 'u', i.relname::text, {IndexColumns}, pg_catalog.pg_get_expr(x.indpred, x.indrelid),
                   ARRAY(SELECT pg_catalog.pg_get_indexdef(x.indexrelid, k, true) FROM pg_catalog.generate_series(1, x.indnkeyatts::int) AS k ORDER BY k),
                   -- indnullsnotdistinct exists from PostgreSQL 15 on; read through to_jsonb so one query serves every version.
                   COALESCE((pg_catalog.to_jsonb(x) ->> 'indnullsnotdistinct')::boolean, false), NULL, false
            FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = {oid} AND x.indisunique
            UNION ALL
            SELECT 'p', 'partition bound', NULL, pg_catalog.pg_get_partition_constraintdef(r.oid), NULL, false, NULL, false
            FROM pg_catalog.pg_class r WHERE r.oid = {oid} AND r.relispartition
            """,
            row =>
            {
                var kind = row.String("kind") switch
                {
                    "c" => RedactionConstraintKind.Check,
                    "f" => RedactionConstraintKind.ForeignKey,
                    "r" => RedactionConstraintKind.ReferencedByForeignKey,
                    "x" => RedactionConstraintKind.Exclusion,
                    "u" => RedactionConstraintKind.Unique,
                    _ => RedactionConstraintKind.PartitionBound,
                };
                var numbers = new List<int>();
                foreach (var number in row.StringArray("columns") ?? [])
                    numbers.Add(int.Parse(number, CultureInfo.InvariantCulture));
                constraints.Add(new RedactionConstraint(kind, row.String("name"), numbers)
                {
                    Expression = row.NullableString("expression"),
                    Keys = row.StringArray("keys") ?? [],
                    NullsNotDistinct = row.Bool("nulls_not_distinct"),
                    OtherTable = row.NullableString("other_table"),
                    MatchFull = row.Bool("match_full"),
                });
            }, cancellationToken).ConfigureAwait(false);
        return constraints;
    }
}
