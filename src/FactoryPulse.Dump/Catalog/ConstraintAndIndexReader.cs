using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Catalog;

/// <summary>Table constraints (CHECK, keys, exclusion, foreign keys), indexes and partition index attachments.</summary>
internal sealed class ConstraintAndIndexReader(CatalogSession session) : CatalogFamilyReader(session)
{
    /// <summary>Table constraints (ReadConstraintsAsync).</summary>
    public static string ConstraintsSql =>
        """
        SELECT c.oid, c.conrelid, c.conname, c.contype::text AS type, pg_catalog.pg_get_constraintdef(c.oid) AS definition,
               c.convalidated, c.conislocal, c.conindid, c.conparentid, c.condeferrable, c.condeferred,
               COALESCE(ix.indisreplident, false) AS replica_identity, COALESCE(ix.indisclustered, false) AS clustered,
               CASE WHEN c.contype IN ('p', 'u') THEN pg_catalog.pg_get_indexdef(c.conindid) END AS index_definition,
               ci.relname AS index_name, am.amname AS index_method,
               -- pg_get_constraintdef leaves out the key index's tablespace and a key's WITH (…) (pg_dump writes both)
               (SELECT t.spcname FROM pg_catalog.pg_tablespace t WHERE t.oid = ci.reltablespace) AS index_tablespace,
               pg_catalog.array_to_string(ci.reloptions, ', ') AS index_options, pg_catalog.pg_get_expr(ix.indpred, ix.indrelid) AS index_predicate,
               fn.nspname AS referenced_schema, fc.relname AS referenced_table
        FROM pg_catalog.pg_constraint c
        LEFT JOIN pg_catalog.pg_class fc ON fc.oid = c.confrelid
        LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
        LEFT JOIN pg_catalog.pg_index ix ON ix.indexrelid = c.conindid AND c.contype IN ('p', 'u', 'x')
        LEFT JOIN pg_catalog.pg_class ci ON ci.oid = ix.indexrelid
        LEFT JOIN pg_catalog.pg_am am ON am.oid = ci.relam
        WHERE c.conrelid <> 0 AND c.contype IN ('c', 'p', 'u', 'x', 'f')
        ORDER BY c.conrelid, c.conname
        """;

    public Task ReadConstraintsAsync() => Query(ConstraintsSql,
        row =>
        {
            if (!Lookups.Relations.TryGetValue(row.Oid("conrelid"), out var relation) || relation is not TableObject table)
                return;
            var oid = row.Oid("oid");
            var type = row.Char("type");
            var isLocal = row.Bool("conislocal");
            // Foreign keys cloned onto partitions come back with the parent's constraint.
            if (type == 'f' && row.Oid("conparentid") != 0)
                return;
            if (type == 'c' && row.Bool("convalidated"))
            {
                // Valid CHECKs live inside CREATE TABLE, as pg_dump writes them; a partition repeats its parent's. Those that call
                // a function leave it later (Sorting.CheckConstraintPlacement, from the references DependencyReader keeps).
                table.Checks.Add(new InlineCheck(oid, row.String("conname"), row.String("definition"), isLocal));
                Lookups.Constraints[oid] = table;
                return;
            }
            if (type == 'c' && !isLocal)
                return;
            var constraint = new ConstraintObject(oid, table, row.String("conname"), type, row.String("definition"))
            {
                ReplicaIdentity = row.Bool("replica_identity"),
                Clustered = row.Bool("clustered"),
                IndexDefinition = row.NullableString("index_definition"),
                IndexName = row.NullableString("index_name"),
                IndexMethod = row.NullableString("index_method"),
                IndexTablespace = row.NullableString("index_tablespace"),
                IndexOptions = row.NullableString("index_options") is { Length: > 0 } indexOptions ? indexOptions : null,
                IndexPredicate = row.NullableString("index_predicate"),
                Deferrable = row.Bool("condeferrable"),
                InitiallyDeferred = row.Bool("condeferred"),
                ReferencedSchema = row.NullableString("referenced_schema"),
                ReferencedTable = row.NullableString("referenced_table"),
            };
            constraint.AddDependency(table);
            Lookups.Constraints[oid] = constraint;
            if (type is 'p' or 'u' or 'x')
                Lookups.Indexes[row.Oid("conindid")] = constraint;
            Lookups.Objects.Add(constraint);
        });

    /// <summary>Indexes that are not a key constraint's (ReadIndexesAsync).</summary>
    public static string IndexesSql =>
        $"""
        SELECT i.indexrelid, i.indrelid, ic.relname AS name, pg_catalog.pg_get_indexdef(i.indexrelid) AS definition, i.indisclustered, i.indisreplident,
               (SELECT t.spcname FROM pg_catalog.pg_tablespace t WHERE t.oid = ic.reltablespace) AS tablespace,
               pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate,
               ARRAY(SELECT a.attnum || ' ' || a.attstattarget FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid = i.indexrelid AND COALESCE(a.attstattarget::int, -1) >= 0 ORDER BY a.attnum) AS column_statistics
        FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = tc.relnamespace
        WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c
                          WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))
          -- only the indexes of tables in user schemas can belong to a dumped relation: the deparser is not run for
          -- the system catalogs' and every TOAST table's index (a third of all indexes when most tables have TOAST)
          AND {UserSchema}
        ORDER BY i.indrelid, ic.relname
        """;

    public Task ReadIndexesAsync() => Query(IndexesSql,
        row =>
        {
            if (!Lookups.Relations.TryGetValue(row.Oid("indrelid"), out var relation) || relation is not (TableObject or MaterializedViewObject))
                return;
            var statistics = new List<(int, int)>();
            foreach (var pair in row.StringArray("column_statistics") ?? [])
            {
                var parts = pair.Split(' ');
                statistics.Add((int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)));
            }
            var index = new IndexObject(row.Oid("indexrelid"), relation, row.String("name"), row.String("definition"), row.Bool("indisclustered"))
            {
                ReplicaIdentity = row.Bool("indisreplident"),
                ColumnStatistics = statistics,
                Tablespace = row.NullableString("tablespace"),
                Predicate = row.NullableString("predicate"),
            };
            index.AddDependency(relation);
            Lookups.Indexes[index.Id.ObjectId] = index;
            Lookups.Objects.Add(index);
        });

    /// <summary>A partition's index (or key) attached to its parent's: pg_inherits rows between indexes.</summary>
    public Task ReadIndexAttachmentsAsync() => Query(
        """
        SELECT i.inhrelid, i.inhparent, pn.nspname AS parent_schema, pc.relname AS parent_name, cn.nspname AS child_schema, cc.relname AS child_name
        FROM pg_catalog.pg_inherits i
        JOIN pg_catalog.pg_class cc ON cc.oid = i.inhrelid JOIN pg_catalog.pg_namespace cn ON cn.oid = cc.relnamespace
        JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
        WHERE cc.relkind IN ('i', 'I')
        ORDER BY i.inhrelid
        """,
        row =>
        {
            if (!Lookups.Indexes.TryGetValue(row.Oid("inhrelid"), out var child) || !Lookups.Indexes.TryGetValue(row.Oid("inhparent"), out var parent))
                return;
            var attach = new IndexAttachObject(child, row.String("parent_schema"), row.String("parent_name"), row.String("child_schema"), row.String("child_name"));
            attach.AddDependency(parent);
            attach.AddDependency(child);
            Lookups.Objects.Add(attach);
        });
}
