using System.Text;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests.Support;

/// <summary>
/// A pg_dump-free schema comparison for servers without a matching pg_dump (pg_dump refuses servers newer than itself): one line per
/// user object, built from the catalog and the server's own deparsers (pg_get_*def), plus object counts per catalog and kind.
/// The queries run unchanged on PostgreSQL 13 to 18. Lines start with the object kind, so a caller can drop lines that legitimately
/// differ between server versions (e.g. PostgreSQL 18 records NOT NULL as pg_constraint rows of contype 'n'). Owner and ACL text name
/// roles, so both databases must live on servers with the same roles. Statistics targets are compared as -1 for "default" on every
/// version (NULL since 17).
/// </summary>
internal static class CatalogFingerprint
{
    // User schemas only: no system schemas, no extension members.
    private const string NamespaceFilter = """
        n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
        """;

    private const string NotExtensionMember = """
        NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = {0}::regclass AND d.objid = {1} AND d.deptype = 'e')
        """;

    private static string Acl(string column) =>
        $"coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest({column}) a), '-')";

    private static string NotMember(string catalog, string oid) => string.Format(System.Globalization.CultureInfo.InvariantCulture, NotExtensionMember, $"'{catalog}'", oid);

    private static readonly string[] Queries =
    [
        // schemas
        $"""
        SELECT format('schema %I owner=%s acl=%s comment=%s', n.nspname, pg_get_userbyid(n.nspowner), {Acl("n.nspacl")},
                      coalesce(obj_description(n.oid, 'pg_namespace'), '-'))
        FROM pg_namespace n WHERE {NamespaceFilter} AND {NotMember("pg_namespace", "n.oid")}
        """,
        // relations (tables, views, matviews, sequences, indexes, composite types, partitioned tables, foreign tables)
        $"""
        SELECT format('relation %I.%I kind=%s persistence=%s rls=%s force_rls=%s owner=%s acl=%s options=%s comment=%s',
                      n.nspname, c.relname, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
                      pg_get_userbyid(c.relowner), {Acl("c.relacl")}, coalesce(array_to_string(c.reloptions, ','), '-'),
                      coalesce(obj_description(c.oid, 'pg_class'), '-'))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind <> 't' AND {NamespaceFilter} AND {NotMember("pg_class", "c.oid")}
        """,
        // columns: position among the live columns (dropped ones are not restored by anyone)
        $"""
        SELECT format('column %I.%I #%s %I type=%s notnull=%s default=%s identity=%s generated=%s collation=%s stats=%s acl=%s comment=%s',
                      n.nspname, c.relname, row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum), a.attname,
                      format_type(a.atttypid, a.atttypmod), a.attnotnull, coalesce(pg_get_expr(ad.adbin, ad.adrelid), '-'),
                      nullif(a.attidentity, ''), nullif(a.attgenerated, ''),
                      CASE WHEN a.attcollation <> 0 THEN (SELECT collname FROM pg_collation WHERE oid = a.attcollation) END,
                      coalesce(a.attstattarget::int, -1), -- NULL for "default" since 17, -1 before
                      {Acl("a.attacl")}, coalesce(col_description(c.oid, a.attnum), '-'))
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
          AND {NamespaceFilter} AND {NotMember("pg_class", "c.oid")}
        """,
        // constraints of tables and domains
        $"""
        SELECT format('constraint %s %s.%I type=%s def=%s deferrable=%s deferred=%s validated=%s comment=%s',
                      CASE WHEN con.conrelid <> 0 THEN 'on ' || con.conrelid::regclass::text ELSE 'on domain ' || con.contypid::regtype::text END,
                      n.nspname, con.conname, con.contype, pg_get_constraintdef(con.oid), con.condeferrable, con.condeferred,
                      con.convalidated, coalesce(obj_description(con.oid, 'pg_constraint'), '-'))
        FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
        WHERE {NamespaceFilter}
        """,
        // indexes, by the server's own CREATE INDEX text
        $"""
        SELECT format('index %I.%I %s', n.nspname, c.relname, pg_get_indexdef(c.oid))
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {NamespaceFilter} AND {NotMember("pg_class", "c.oid")}
        """,
        // views and materialized views
        $"""
        SELECT format('view %I.%I %s', n.nspname, c.relname, pg_get_viewdef(c.oid))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND {NamespaceFilter} AND {NotMember("pg_class", "c.oid")}
        """,
        // functions and procedures (aggregates have no pg_get_functiondef)
        $"""
        SELECT format('function %I.%I(%s) kind=%s owner=%s acl=%s comment=%s def=%s', n.nspname, p.proname,
                      pg_get_function_identity_arguments(p.oid), p.prokind, pg_get_userbyid(p.proowner), {Acl("p.proacl")},
                      coalesce(obj_description(p.oid, 'pg_proc'), '-'),
                      CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) ELSE '-' END)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE {NamespaceFilter} AND {NotMember("pg_proc", "p.oid")}
        """,
        // triggers
        $"""
        SELECT format('trigger %s.%I enabled=%s comment=%s def=%s', t.tgrelid::regclass::text, t.tgname, t.tgenabled,
                      coalesce(obj_description(t.oid, 'pg_trigger'), '-'), pg_get_triggerdef(t.oid))
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND {NamespaceFilter}
        """,
        // row-level security policies
        """
        SELECT format('policy %s.%I cmd=%s permissive=%s roles=%s using=%s check=%s comment=%s', p.polrelid::regclass::text, p.polname,
                      p.polcmd, p.polpermissive,
                      (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END, ',' ORDER BY 1)
                       FROM unnest(p.polroles) r),
                      coalesce(pg_get_expr(p.polqual, p.polrelid), '-'), coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '-'),
                      coalesce(obj_description(p.oid, 'pg_policy'), '-'))
        FROM pg_policy p
        """,
        // types: enums (with labels in order), domains (base type, NOT NULL, default), composite and range types
        $"""
        SELECT format('type %I.%I typtype=%s owner=%s acl=%s comment=%s base=%s notnull=%s default=%s labels=%s', n.nspname, t.typname,
                      t.typtype, pg_get_userbyid(t.typowner), {Acl("t.typacl")}, coalesce(obj_description(t.oid, 'pg_type'), '-'),
                      CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE '-' END,
                      t.typnotnull, coalesce(t.typdefault, '-'),
                      coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '-'))
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typtype IN ('e', 'd', 'r', 'm') AND {NamespaceFilter} AND {NotMember("pg_type", "t.oid")}
        """,
        // sequence parameters (values are compared by the data oracle)
        $"""
        SELECT format('sequence %I.%I type=%s start=%s increment=%s min=%s max=%s cache=%s cycle=%s', n.nspname, c.relname,
                      format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle)
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {NamespaceFilter}
        """,
        // default privileges
        $"""
        SELECT format('default_acl role=%s schema=%s objtype=%s acl=%s', pg_get_userbyid(d.defaclrole),
                      coalesce(d.defaclnamespace::regnamespace::text, '-'), d.defaclobjtype, {Acl("d.defaclacl")})
        FROM pg_default_acl d
        """,
        // extensions
        """
        SELECT format('extension %I version=%s schema=%I', x.extname, x.extversion, n.nspname)
        FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace WHERE x.extname <> 'plpgsql'
        """,
        // counts, as a quick overview in failure messages
        $"""
        SELECT format('count pg_class relkind=%s: %s', c.relkind, count(*))
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind <> 't' AND {NamespaceFilter} GROUP BY c.relkind
        """,
        $"""
        SELECT format('count pg_constraint contype=%s: %s', con.contype, count(*))
        FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace WHERE {NamespaceFilter} GROUP BY con.contype
        """,
        $"SELECT format('count pg_proc: %s', count(*)) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {NamespaceFilter}",
        "SELECT format('count pg_policy: %s', count(*)) FROM pg_policy",
        "SELECT format('count pg_trigger: %s', count(*)) FROM pg_trigger WHERE NOT tgisinternal",
    ];

    /// <summary>Reads the fingerprint of one database: sorted lines, one per object (or count).</summary>
    public static async Task<List<string>> ReadAsync(string connectionString, CancellationToken ct = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        // Deparsed text qualifies names relative to search_path: make it the same on both sides.
        await using (var set = new NpgsqlCommand("SET search_path = pg_catalog", connection))
            await set.ExecuteNonQueryAsync(ct);
        var lines = new List<string>();
        foreach (var sql in Queries)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                lines.Add(reader.GetString(0).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal));
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>
    /// Compares two fingerprints; returns <see langword="null"/> when they are equal, else a report of the lines missing from and extra
    /// in the target. <paramref name="ignore"/> drops lines on both sides (e.g. kinds that differ between server versions).
    /// </summary>
    public static string? Compare(IReadOnlyList<string> source, IReadOnlyList<string> target, Func<string, bool>? ignore = null)
    {
        ignore ??= _ => false;
        var src = source.Where(line => !ignore(line)).ToList();
        var dst = target.Where(line => !ignore(line)).ToList();
        var missing = Except(src, dst);
        var extra = Except(dst, src);
        if (missing.Count == 0 && extra.Count == 0)
            return null;
        var text = new StringBuilder();
        text.Append("catalog fingerprint differs: ").Append(missing.Count).Append(" source line(s) missing in target, ")
            .Append(extra.Count).Append(" extra line(s) in target").Append('\n');
        foreach (var line in missing)
            text.Append("  - ").Append(line).Append('\n');
        foreach (var line in extra)
            text.Append("  + ").Append(line).Append('\n');
        return text.ToString();
    }

    // Multiset difference, keeping order.
    private static List<string> Except(List<string> left, List<string> right)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in right)
            counts[line] = counts.GetValueOrDefault(line) + 1;
        var result = new List<string>();
        foreach (var line in left)
        {
            if (counts.GetValueOrDefault(line) is var n && n > 0)
                counts[line] = n - 1;
            else
                result.Add(line);
        }
        return result;
    }
}
