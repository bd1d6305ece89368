using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Catalog;

/// <summary>Tables, views, materialized views and sequences with their columns, inheritance, partitions, defaults and ownership.</summary>
internal sealed class RelationReader(CatalogSession session) : CatalogFamilyReader(session)
{
    /// <summary>reloptions as WITH (…) text; the TOAST table's own options get their "toast." prefix back.</summary>
    private static string? FormatOptions(string[]? options, string[]? toastOptions = null)
    {
        var parts = new List<string>();
        foreach (var option in options ?? [])
            parts.Add(FormatOption(option, ""));
        foreach (var option in toastOptions ?? [])
            parts.Add(FormatOption(option, "toast."));
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private static string FormatOption(string option, string prefix)
    {
        var equals = option.IndexOf('=', StringComparison.Ordinal);
        return prefix + (equals < 0 ? option : option[..equals] + "=" + SqlText.QuoteLiteral(option[(equals + 1)..]));
    }

    public async Task<Dictionary<uint, double>> ReadRelationsAsync()
    {
        var estimates = new Dictionary<uint, double>();
        var sequenceOptions = new Dictionary<uint, SequenceOptions>();
        await Query(
            """
            SELECT s.seqrelid, pg_catalog.format_type(s.seqtypid, NULL) AS type_name, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle
            FROM pg_catalog.pg_sequence s
            """,
            row => sequenceOptions[row.Oid("seqrelid")] = new SequenceOptions(row.String("type_name"), row.Long("seqstart"), row.Long("seqincrement"),
                row.Long("seqmin"), row.Long("seqmax"), row.Long("seqcache"), row.Bool("seqcycle"))).ConfigureAwait(false);

        await Query(
            $"""
            SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
                   c.relpersistence::text AS persistence, c.relrowsecurity, c.relforcerowsecurity, c.relreplident::text AS replica_identity,
                   c.reloptions, c.relispopulated, c.reltuples::float8 AS reltuples, c.relispartition, c.reloftype,
                   CASE WHEN c.reloftype <> 0 THEN pg_catalog.format_type(c.reloftype, NULL) END AS of_type,
                   (SELECT tc.reloptions FROM pg_catalog.pg_class tc WHERE tc.oid = c.reltoastrelid) AS toast_options,
                   CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,
                   CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END AS view_definition,
                   -- a table access method other than the default heap is written as USING
                   (SELECT am.amname FROM pg_catalog.pg_am am WHERE am.oid = c.relam AND am.amname <> 'heap') AS access_method,
                   -- 0 is the database's default tablespace, written as nothing (pg_dump: SET default_tablespace = '')
                   (SELECT t.spcname FROM pg_catalog.pg_tablespace t WHERE t.oid = c.reltablespace) AS tablespace
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND {UserSchema} AND {NotExtensionMember("pg_class", "c")}
            ORDER BY n.nspname, c.relname
            """,
            row =>
            {
                var oid = row.Oid("oid");
                string schema = row.String("schema"), name = row.String("name"), owner = row.String("owner");
                var unlogged = row.Char("persistence") == 'u';
                var options = FormatOptions(row.StringArray("reloptions"), row.StringArray("toast_options"));
                RelationObject relation = row.Char("kind") switch
                {
                    'r' or 'p' => new TableObject(oid, schema, name, owner, unlogged, options, row.Char("replica_identity"), row.Bool("relrowsecurity"), row.Bool("relforcerowsecurity"))
                    {
                        PartitionKey = row.NullableString("partition_key"),
                        IsPartition = row.Bool("relispartition"),
                        OfType = row.NullableString("of_type"),
                        AccessMethod = row.NullableString("access_method"),
                        Tablespace = row.NullableString("tablespace"),
                    },
                    'v' => new ViewObject(oid, schema, name, owner, options, row.String("view_definition")),
                    'm' => new MaterializedViewObject(oid, schema, name, owner, options, row.String("view_definition"), row.Bool("relispopulated"))
                    {
                        AccessMethod = row.NullableString("access_method"),
                        Tablespace = row.NullableString("tablespace"),
                    },
                    _ => new SequenceObject(oid, schema, name, owner, unlogged, sequenceOptions[oid]),
                };
                relation.AddDependency(Lookups.SchemaNamed(schema));
                // A typed table (CREATE TABLE … OF type) needs its composite type first.
                if (row.Oid("reloftype") != 0 && Lookups.Resolve(CatalogClasses.Type, row.Oid("reloftype")) is { } ofType)
                    relation.AddDependency(ofType);
                Lookups.Relations[oid] = relation;
                Lookups.Objects.Add(relation);
                estimates[oid] = row.Double("reltuples");
            }).ConfigureAwait(false);

        await Query(
            """
            SELECT i.inhrelid, i.inhparent, c.relispartition, pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound
            FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
            WHERE c.relkind IN ('r', 'p', 'f')
            ORDER BY i.inhrelid, i.inhseqno
            """,
            row =>
            {
                if (!Lookups.Relations.TryGetValue(row.Oid("inhrelid"), out var childRelation) || childRelation is not TableObject child
                    || !Lookups.Relations.TryGetValue(row.Oid("inhparent"), out var parentRelation) || parentRelation is not TableObject parent)
                    return;
                child.AddDependency(parent);
                if (row.Bool("relispartition"))
                {
                    var attach = new PartitionAttachObject(parent, child, row.String("bound"));
                    attach.AddDependency(parent);
                    attach.AddDependency(child);
                    Lookups.Objects.Add(attach);
                }
                else
                {
                    child.InheritParents.Add(parent);
                }
            }).ConfigureAwait(false);

        foreach (var relation in Lookups.Relations.Values)
        {
            switch (relation)
            {
                case TableObject { RowSecurity: true } table:
                    var rowSecurity = new RowSecurityObject(table);
                    rowSecurity.AddDependency(table);
                    Lookups.Objects.Add(rowSecurity);
                    break;
            }
        }
        return estimates;
    }

    public Task ReadExtensionConfigTablesAsync() => Query(
        """
        SELECT x.oid AS extension, c.oid, n.nspname AS schema, c.relname AS name, pg_catalog.pg_get_userbyid(c.relowner) AS owner, NULLIF(u.condition, '') AS condition
        FROM pg_catalog.pg_extension x
        CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(x.extconfig), pg_catalog.unnest(x.extcondition)) AS u(relid, condition)
        JOIN pg_catalog.pg_class c ON c.oid = u.relid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r'
        ORDER BY n.nspname, c.relname
        """,
        row =>
        {
            if (!Lookups.Extensions.TryGetValue(row.Oid("extension"), out var extension))
                return;
            var table = new TableObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.String("owner"), false, null, 'd', false, false);
            Lookups.ExtensionConfigByOid[table.Id.ObjectId] = table;
            Lookups.ExtensionConfigTables.Add((table, row.NullableString("condition"), extension));
        });

    /// <summary>Columns of every relation and extension configuration table (ReadColumnsAsync).</summary>
    public string ColumnsSql =>
        $"""
        SELECT a.attrelid, a.attnum::int AS attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_name, a.atttypid,
               a.attnotnull, a.attgenerated::text AS generated,
               CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END AS generated_expression,
               CASE WHEN a.attcollation <> t.typcollation THEN cn.nspname END AS collation_schema,
               CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation_name,
               CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
               COALESCE(a.attstattarget::int, -1) AS stattarget, a.attislocal, a.attoptions,
               {(Features.HasColumnCompression ? "NULLIF(a.attcompression::text, '')" : "NULL::text")} AS compression,
               CASE WHEN c.relkind = 'f' THEN {ForeignDataReader.OptionsText("a.attfdwoptions")} END AS fdw_options
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
        LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
        -- 16384 is FirstNormalObjectId: below it are initdb's catalogs and information_schema views, whose ~2 000
        -- columns were read (with format_type each) only to be dropped by the handler; every dumped relation and
        -- extension config table was created later.
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped AND a.attrelid >= 16384
        ORDER BY a.attrelid, a.attnum
        """;

    public Task ReadColumnsAsync() => Query(ColumnsSql,
        row =>
        {
            if (!Lookups.Relations.TryGetValue(row.Oid("attrelid"), out var relation))
            {
                if (!Lookups.ExtensionConfigByOid.TryGetValue(row.Oid("attrelid"), out var configTable))
                    return;
                relation = configTable;
            }
            var storage = row.NullableString("storage") switch
            {
                "p" => "PLAIN",
                "e" => "EXTERNAL",
                "m" => "MAIN",
                "x" => "EXTENDED",
                _ => null,
            };
            relation.Columns.Add(new ColumnInfo(row.Int("attnum"), row.String("attname"), row.String("type_name"), row.Bool("attnotnull"),
                row.NullableString("generated_expression"), Collation(row), storage, row.Int("stattarget"), row.Oid("atttypid"), row.Bool("attislocal"))
            {
                Options = FormatOptions(row.StringArray("attoptions")),
                Compression = row.NullableString("compression") switch
                {
                    "p" => "pglz",
                    "l" => "lz4",
                    _ => null,
                },
                ForeignOptions = row.NullableString("fdw_options"),
                GeneratedVirtual = row.Char("generated") == 'v',
            });
        });

    /// <summary>PostgreSQL 18 names NOT NULL constraints; keep a name that is not the default one.</summary>
    public Task ReadNotNullConstraintNamesAsync()
    {
        if (!Features.HasNotNullConstraints)
            return Task.CompletedTask;
        return Query(
            """
            SELECT c.conrelid, a.attname, c.conname
            FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'n'
            """,
            row =>
            {
                if (!Lookups.Relations.TryGetValue(row.Oid("conrelid"), out var relation))
                    return;
                var index = relation.Columns.FindIndex(candidate => candidate.Name == row.String("attname"));
                if (index >= 0)
                    relation.Columns[index] = relation.Columns[index] with { NotNullConstraintName = row.String("conname") };
            });
    }

    public async Task ReadSequencesAsync()
    {
        await Query(
            """
            SELECT d.objid AS sequence, d.refobjid AS relation, a.attname AS column_name, d.deptype::text AS deptype, a.attidentity::text AS identity
            FROM pg_catalog.pg_depend d
            JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
              AND d.deptype IN ('a', 'i') AND d.objid IN (SELECT s.seqrelid FROM pg_catalog.pg_sequence s)
            """,
            row =>
            {
                if (!Lookups.Relations.TryGetValue(row.Oid("sequence"), out var relation) || relation is not SequenceObject sequence
                    || !Lookups.Relations.TryGetValue(row.Oid("relation"), out var owner) || owner is not TableObject table)
                    return;
                sequence.OwnedBy = (table, row.String("column_name"));
                if (row.Char("deptype") == 'i')
                    sequence.IdentityKind = row.Char("identity");
                sequence.AddDependency(table);
                if (sequence.IdentityKind is null)
                {
                    var ownedBy = new SequenceOwnedByObject(sequence, table, row.String("column_name"));
                    ownedBy.AddDependency(sequence);
                    ownedBy.AddDependency(table);
                    Lookups.Objects.Add(ownedBy);
                }
            }).ConfigureAwait(false);
    }

    /// <summary>Column defaults (ReadDefaultsAsync).</summary>
    public static string DefaultsSql =>
        """
        SELECT d.oid, d.adrelid, a.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS expression
        FROM pg_catalog.pg_attrdef d
        JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
        WHERE a.attgenerated = '' AND NOT a.attisdropped
        ORDER BY d.adrelid, a.attnum
        """;

    public Task ReadDefaultsAsync() => Query(DefaultsSql,
        row =>
        {
            if (!Lookups.Relations.TryGetValue(row.Oid("adrelid"), out var relation) || relation is SequenceObject)
                return;
            var columnDefault = new ColumnDefaultObject(row.Oid("oid"), relation, row.String("attname"), row.String("expression"), relation is ViewObject);
            columnDefault.AddDependency(relation);
            Lookups.Defaults[columnDefault.Id.ObjectId] = columnDefault;
            Lookups.Objects.Add(columnDefault);
        });
}
