using FactoryPulse.Dump.Model;
using Npgsql;

namespace FactoryPulse.Dump.Catalog;

/// <summary>
/// Reads the catalog with the server's own deparsers (pg_get_functiondef, pg_get_viewdef, pg_get_constraintdef,
/// pg_get_indexdef, pg_get_triggerdef, pg_get_expr) under an empty search_path, so every name comes back qualified.
/// One reader per object family; they share the lookups of a <see cref="CatalogSession"/> and run in the order below.
/// The reader reports facts; decisions on them (binary or text COPY, where a CHECK goes) belong to later phases.
/// </summary>
/// <remarks>
/// Fill order — each step only looks up what the steps before it filled:
/// <list type="number">
/// <item>Server facts (version → <see cref="ServerFeatures"/>, keywords), comments.</item>
/// <item>Type shapes (TypeReader): <c>TypeShapes</c> and array <c>TypeAliases</c>; needed by dependency resolution.</item>
/// <item>Schemas, then extensions (SchemaAndExtensionReader): <c>Schemas</c>, <c>Extensions</c>; everything later depends on its schema by name.</item>
/// <item>Types (TypeReader): <c>Types</c>, domain CHECKs in <c>Constraints</c>, multirange and composite <c>TypeAliases</c>.</item>
/// <item>Collations, functions, aggregates, casts and operators, operator classes and families (pending members), text search (Routine/TextSearchAndCollationReader);
///   procedural languages, transforms, access methods, conversions (LanguageAndAccessMethodReader).</item>
/// <item>Collations, functions, aggregates, casts and operators, operator classes and families (pending members), text search (Routine/TextSearchAndCollationReader).</item>
/// <item>Foreign data wrappers, servers, user mappings, then foreign tables (ForeignDataReader): need <c>Schemas</c> and <c>Extensions</c>;
///   foreign tables go into <c>Relations</c> first so the relation steps below treat them as tables.</item>
/// <item>Relations (RelationReader): <c>Relations</c> with inheritance and partitions; then extension config tables (needs <c>Extensions</c>);
///   columns (need <c>Relations</c> and config tables); NOT NULL names (need columns); sequence ownership; defaults (<c>Defaults</c>).</item>
/// <item>Constraints, indexes, index attachments (ConstraintAndIndexReader): need <c>Relations</c>; fill <c>Constraints</c>, <c>Indexes</c>; attachments need both.</item>
/// <item>Triggers, rules, statistics (PolicyTriggerRuleReader), event triggers (RoutineReader), policies: need <c>Relations</c>.</item>
/// <item>Publications (PublicationReader): need <c>Relations</c> and schemas; then large objects.</item>
/// <item>Dependencies (DependencyReader): every lookup above is complete; pg_depend rows become edges, inline CHECKs' references are kept as facts.</item>
/// <item>Type/function loops repaired with shell types (TypeReader: needs the edges), operator class members attached (need every operator and
///   function), then ACLs and default ACLs (AclReader): need the final objects.</item>
/// </list>
/// </remarks>
internal static class CatalogReader
{
    public static Task<DatabaseCatalog> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        ReadAsync(connection, null, cancellationToken);

    /// <summary>
    /// Reads the catalog on <paramref name="connection"/>; with a <paramref name="helper"/> connection that imported its
    /// snapshot, the largest per-table families (columns, defaults, constraints, indexes, triggers, policies) are read
    /// there at the same time. The rows are the same either way and are applied in the same order.
    /// </summary>
    public static async Task<DatabaseCatalog> ReadAsync(NpgsqlConnection connection, NpgsqlConnection? helper, CancellationToken cancellationToken)
    {
        int versionNumber = 0;
        string version = "", database = "", encoding = "";
        await CatalogQuery.ForEachAsync(connection,
            """
            SELECT pg_catalog.current_setting('server_version_num')::int AS version_number,
                   pg_catalog.current_setting('server_version') AS version,
                   pg_catalog.current_database() AS database,
                   pg_catalog.pg_encoding_to_char(d.encoding) AS encoding
            FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()
            """,
            row =>
            {
                versionNumber = row.Int("version_number");
                version = row.String("version");
                database = row.String("database");
                encoding = row.String("encoding");
            }, cancellationToken).ConfigureAwait(false);

        var keywords = new HashSet<string>(StringComparer.Ordinal);
        await CatalogQuery.ForEachAsync(connection, "SELECT word FROM pg_catalog.pg_get_keywords() WHERE catcode <> 'U'",
            row => keywords.Add(row.String("word")), cancellationToken).ConfigureAwait(false);
        var session = new CatalogSession(connection, new ServerFeatures(versionNumber), keywords, cancellationToken);
        try
        {
            return await ReadAsync(session, helper, version, database, encoding).ConfigureAwait(false);
        }
        finally
        {
            // The helper goes on to dump data: it must not still be answering a catalog query.
            await session.ReleaseHelperAsync().ConfigureAwait(false);
        }
    }

    private static async Task<DatabaseCatalog> ReadAsync(CatalogSession session, NpgsqlConnection? helper, string version, string database, string encoding)
    {
        if (helper is not null)
        {
            session.UseHelper(helper);
            // In the order the steps below ask for them; each family's deparsers then run on the other backend.
            session.Prefetch(new RelationReader(session).ColumnsSql);
            session.Prefetch(RelationReader.DefaultsSql);
            session.Prefetch(ConstraintAndIndexReader.ConstraintsSql);
            session.Prefetch(ConstraintAndIndexReader.IndexesSql);
            session.Prefetch(PolicyTriggerRuleReader.TriggersSql);
            session.Prefetch(PolicyTriggerRuleReader.PoliciesSql);
        }

        var comments = new Dictionary<(uint, uint, int), string>();
        await session.Query(
            """
            SELECT d.classoid, d.objoid, d.objsubid, d.description FROM pg_catalog.pg_description d
            WHERE d.objoid >= 16384 OR d.classoid IN ('pg_catalog.pg_namespace'::pg_catalog.regclass, 'pg_catalog.pg_largeobject'::pg_catalog.regclass)
            UNION ALL
            -- subscriptions are shared objects: their comments live in pg_shdescription
            SELECT d.classoid, d.objoid, 0, d.description FROM pg_catalog.pg_shdescription d
            WHERE d.classoid = 'pg_catalog.pg_subscription'::pg_catalog.regclass
            """,
            row => comments[(row.Oid("classoid"), row.Oid("objoid"), row.Int("objsubid"))] = row.String("description")).ConfigureAwait(false);
        var context = new DdlContext(session.Keywords, comments);

        var schemas = new SchemaAndExtensionReader(session);
        var types = new TypeReader(session);
        var textSearch = new TextSearchAndCollationReader(session);
        var routines = new RoutineReader(session);
        var foreignData = new ForeignDataReader(session);
        var relations = new RelationReader(session);
        var constraints = new ConstraintAndIndexReader(session);
        var attached = new PolicyTriggerRuleReader(session);
        var publications = new PublicationReader(session);
        var dependencies = new DependencyReader(session);
        var acls = new AclReader(session);
        var languages = new LanguageAndAccessMethodReader(session);

        await types.ReadTypeShapesAsync().ConfigureAwait(false);
        await schemas.ReadSchemasAsync().ConfigureAwait(false);
        await schemas.ReadExtensionsAsync().ConfigureAwait(false);
        await types.ReadTypesAsync().ConfigureAwait(false);
        await textSearch.ReadCollationsAsync().ConfigureAwait(false);
        await routines.ReadFunctionsAsync().ConfigureAwait(false);
        await routines.ReadAggregatesAsync().ConfigureAwait(false);
        await routines.ReadCastsAndOperatorsAsync().ConfigureAwait(false);
        await routines.ReadOperatorClassesAsync().ConfigureAwait(false);
        await textSearch.ReadTextSearchAsync().ConfigureAwait(false);
        await languages.ReadAsync().ConfigureAwait(false);
        await foreignData.ReadWrappersAndServersAsync().ConfigureAwait(false);
        await foreignData.ReadUserMappingsAsync().ConfigureAwait(false);
        await foreignData.ReadForeignTablesAsync().ConfigureAwait(false);
        var rowEstimates = await relations.ReadRelationsAsync().ConfigureAwait(false);
        await relations.ReadExtensionConfigTablesAsync().ConfigureAwait(false);
        await relations.ReadColumnsAsync().ConfigureAwait(false);
        await relations.ReadNotNullConstraintNamesAsync().ConfigureAwait(false);
        await relations.ReadSequencesAsync().ConfigureAwait(false);
        await relations.ReadDefaultsAsync().ConfigureAwait(false);
        await constraints.ReadConstraintsAsync().ConfigureAwait(false);
        await constraints.ReadIndexesAsync().ConfigureAwait(false);
        await constraints.ReadIndexAttachmentsAsync().ConfigureAwait(false);
        await attached.ReadTriggersAsync().ConfigureAwait(false);
        await attached.ReadRulesAsync().ConfigureAwait(false);
        await attached.ReadStatisticsAsync().ConfigureAwait(false);
        await routines.ReadEventTriggersAsync().ConfigureAwait(false);
        await attached.ReadPoliciesAsync().ConfigureAwait(false);
        await publications.ReadPublicationsAsync().ConfigureAwait(false);
        await publications.ReadSubscriptionsAsync().ConfigureAwait(false);
        await schemas.ReadLargeObjectsAsync().ConfigureAwait(false);
        await dependencies.ReadDependenciesAsync().ConfigureAwait(false);
        types.RepairTypeFunctionLoops();
        routines.AttachOperatorClassMembers();
        await acls.ReadAclsAsync(context).ConfigureAwait(false);
        await acls.ReadDefaultAclsAsync().ConfigureAwait(false);

        var lookups = session.Lookups;
        var tables = new List<TableObject>();
        var sequences = new List<SequenceObject>();
        var matviews = new List<MaterializedViewObject>();
        foreach (var relation in lookups.Relations.Values)
        {
            switch (relation)
            {
                case TableObject table:
                    tables.Add(table);
                    break;
                case SequenceObject sequence:
                    sequences.Add(sequence);
                    break;
                case MaterializedViewObject matview:
                    matviews.Add(matview);
                    break;
            }
        }

        return new DatabaseCatalog
        {
            ServerVersionNumber = session.Features.VersionNumber,
            ServerVersion = version,
            DatabaseName = database,
            Encoding = encoding,
            Context = context,
            Objects = lookups.Objects,
            Tables = tables,
            Sequences = sequences,
            MaterializedViews = matviews,
            TableRowEstimates = rowEstimates,
            LargeObjects = lookups.LargeObjects,
            ExtensionConfigTables = lookups.ExtensionConfigTables,
            TypeShapes = lookups.TypeShapes,
            InlineCheckReferences = lookups.InlineCheckReferences,
            Warnings = lookups.Warnings,
        };
    }
}
