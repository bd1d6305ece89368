using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Catalog;

/// <summary>Everything read from one database in one snapshot: the objects, their dependencies and how to write them.</summary>
internal sealed class DatabaseCatalog
{
    public required int ServerVersionNumber { get; init; }
    public required string ServerVersion { get; init; }
    public required string DatabaseName { get; init; }
    public required string Encoding { get; init; }
    public required DdlContext Context { get; init; }
    public required List<DumpableObject> Objects { get; init; }
    public required List<TableObject> Tables { get; init; }
    public required List<SequenceObject> Sequences { get; init; }
    public required List<MaterializedViewObject> MaterializedViews { get; init; }
    public required Dictionary<uint, bool> TableBinarySafe { get; init; }
    public required Dictionary<uint, double> TableRowEstimates { get; init; }
    public required List<LargeObjectObject> LargeObjects { get; init; }

    /// <summary>Tables an extension marked with pg_extension_config_dump: their user rows are data to keep.</summary>
    public required List<(TableObject Table, string? Condition, ExtensionObject Extension)> ExtensionConfigTables { get; init; }
}

/// <summary>
/// Reads the catalog with the server's own deparsers (pg_get_functiondef, pg_get_viewdef, pg_get_constraintdef,
/// pg_get_indexdef, pg_get_triggerdef, pg_get_expr) under an empty search_path, so every name comes back qualified.
/// </summary>
internal sealed class CatalogReader
{
    // Schemas initdb creates for the system; pg_toast/pg_temp_N and friends all start with pg_.
    private const string UserSchema = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'";

    private readonly NpgsqlConnection _connection;
    private readonly CancellationToken _cancellationToken;
    private HashSet<string> _keywords = new(StringComparer.Ordinal);
    private int _versionNumber;

    private readonly Dictionary<uint, SchemaObject> _schemas = [];
    private readonly Dictionary<string, SchemaObject> _schemasByName = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, ExtensionObject> _extensions = [];
    private readonly Dictionary<uint, TypeObject> _types = [];
    private readonly Dictionary<uint, FunctionObject> _functions = [];
    private readonly Dictionary<uint, RelationObject> _relations = [];
    private readonly Dictionary<uint, ColumnDefaultObject> _defaults = [];
    private readonly Dictionary<uint, DumpableObject> _constraints = [];
    private readonly Dictionary<uint, DumpableObject> _indexes = [];
    private readonly Dictionary<uint, TriggerObject> _triggers = [];
    private readonly Dictionary<uint, PolicyObject> _policies = [];
    private readonly Dictionary<uint, PublicationObject> _publications = [];
    private readonly Dictionary<uint, PublicationTableObject> _publicationTables = [];
    private readonly Dictionary<uint, uint> _typeAliases = [];
    private readonly Dictionary<uint, uint> _rewriteToView = [];
    private readonly Dictionary<uint, TypeShape> _typeShapes = [];
    private readonly List<DumpableObject> _objects = [];
    private readonly Dictionary<CatalogId, DumpableObject> _others = [];
    private readonly List<LargeObjectObject> _largeObjects = [];
    private readonly List<(TableObject Table, string? Condition, ExtensionObject Extension)> _extensionConfigTables = [];
    private readonly Dictionary<uint, TableObject> _extensionConfigByOid = [];

    /// <summary>Registers an object of a kind without its own lookup table, so dependencies can find it.</summary>
    private void AddOther(DumpableObject item)
    {
        _others[item.Id] = item;
        _objects.Add(item);
    }

    private CatalogReader(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        _connection = connection;
        _cancellationToken = cancellationToken;
    }

    private readonly record struct TypeShape(char Type, uint BaseType, uint Element, bool HasSend, uint RelationId);

    public static Task<DatabaseCatalog> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        new CatalogReader(connection, cancellationToken).ReadAsync();

    private Task Query(string sql, Action<CatalogRow> onRow) => CatalogQuery.ForEachAsync(_connection, sql, onRow, _cancellationToken);

    private static string NotExtensionMember(string catalog, string alias) =>
        $"NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend member WHERE member.classid = 'pg_catalog.{catalog}'::pg_catalog.regclass AND member.objid = {alias}.oid AND member.deptype = 'e')";

    private string Ident(string name) => SqlText.QuoteIdentifierIfNeeded(name, _keywords);

    private string? Collation(CatalogRow row) =>
        row.NullableString("collation_name") is { } name ? Ident(row.String("collation_schema")) + "." + Ident(name) : null;

    private async Task<DatabaseCatalog> ReadAsync()
    {
        int versionNumber = 0;
        string version = "", database = "", encoding = "";
        await Query(
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
            }).ConfigureAwait(false);

        _versionNumber = versionNumber;
        var keywords = new HashSet<string>(StringComparer.Ordinal);
        await Query("SELECT word FROM pg_catalog.pg_get_keywords() WHERE catcode <> 'U'", row => keywords.Add(row.String("word"))).ConfigureAwait(false);
        _keywords = keywords;

        await RefuseUnsupportedAsync(versionNumber).ConfigureAwait(false);

        var comments = new Dictionary<(uint, uint, int), string>();
        await Query(
            """
            SELECT d.classoid, d.objoid, d.objsubid, d.description FROM pg_catalog.pg_description d
            WHERE d.objoid >= 16384 OR d.classoid IN ('pg_catalog.pg_namespace'::pg_catalog.regclass, 'pg_catalog.pg_largeobject'::pg_catalog.regclass)
            """,
            row => comments[(row.Oid("classoid"), row.Oid("objoid"), row.Int("objsubid"))] = row.String("description")).ConfigureAwait(false);
        var context = new DdlContext(keywords, comments);

        await ReadTypeShapesAsync().ConfigureAwait(false);
        await ReadSchemasAsync().ConfigureAwait(false);
        await ReadExtensionsAsync().ConfigureAwait(false);
        await ReadTypesAsync().ConfigureAwait(false);
        await ReadCollationsAsync(versionNumber).ConfigureAwait(false);
        await ReadFunctionsAsync().ConfigureAwait(false);
        await ReadAggregatesAsync().ConfigureAwait(false);
        await ReadCastsAndOperatorsAsync().ConfigureAwait(false);
        await ReadOperatorClassesAsync().ConfigureAwait(false);
        await ReadTextSearchAsync().ConfigureAwait(false);
        var rowEstimates = await ReadRelationsAsync().ConfigureAwait(false);
        await ReadExtensionConfigTablesAsync().ConfigureAwait(false);
        await ReadColumnsAsync().ConfigureAwait(false);
        await ReadNotNullConstraintNamesAsync(versionNumber).ConfigureAwait(false);
        await ReadSequencesAsync().ConfigureAwait(false);
        await ReadDefaultsAsync().ConfigureAwait(false);
        await ReadConstraintsAsync().ConfigureAwait(false);
        await ReadIndexesAsync().ConfigureAwait(false);
        await ReadIndexAttachmentsAsync().ConfigureAwait(false);
        await ReadTriggersAsync().ConfigureAwait(false);
        await ReadRulesAsync().ConfigureAwait(false);
        await ReadStatisticsAsync().ConfigureAwait(false);
        await ReadEventTriggersAsync().ConfigureAwait(false);
        await ReadPoliciesAsync().ConfigureAwait(false);
        await ReadPublicationsAsync(versionNumber).ConfigureAwait(false);
        await ReadLargeObjectsAsync().ConfigureAwait(false);
        await ReadDependenciesAsync().ConfigureAwait(false);
        AttachOperatorClassMembers();
        await ReadAclsAsync(context).ConfigureAwait(false);
        await ReadDefaultAclsAsync().ConfigureAwait(false);

        var tables = new List<TableObject>();
        var sequences = new List<SequenceObject>();
        var matviews = new List<MaterializedViewObject>();
        var binarySafe = new Dictionary<uint, bool>();
        foreach (var (configTable, _, _) in _extensionConfigTables)
        {
            var safe = true;
            foreach (var column in configTable.Columns)
                safe &= column.BinarySafe;
            binarySafe[configTable.Id.ObjectId] = safe;
        }
        foreach (var relation in _relations.Values)
        {
            switch (relation)
            {
                case TableObject table:
                    tables.Add(table);
                    var safe = true;
                    foreach (var column in table.Columns)
                        safe &= column.BinarySafe;
                    binarySafe[table.Id.ObjectId] = safe;
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
            ServerVersionNumber = versionNumber,
            ServerVersion = version,
            DatabaseName = database,
            Encoding = encoding,
            Context = context,
            Objects = _objects,
            Tables = tables,
            Sequences = sequences,
            MaterializedViews = matviews,
            TableBinarySafe = binarySafe,
            TableRowEstimates = rowEstimates,
            LargeObjects = _largeObjects,
            ExtensionConfigTables = _extensionConfigTables,
        };
    }

    /// <summary>Objects this version cannot yet restore faithfully are refused up front, never silently dropped.</summary>
    private async Task RefuseUnsupportedAsync(int versionNumber)
    {
        var found = new List<string>();
        await Query(
            $"""
            SELECT kind, name FROM (
              SELECT 'foreign table' AS kind, n.nspname || '.' || c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'f' AND {UserSchema} AND {NotExtensionMember("pg_class", "c")}
              UNION ALL SELECT 'window function', n.nspname || '.' || p.proname FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                WHERE p.prokind = 'w' AND {UserSchema} AND {NotExtensionMember("pg_proc", "p")}
              UNION ALL SELECT 'base type', n.nspname || '.' || t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                WHERE t.typtype = 'b' AND t.typcategory <> 'A' AND {UserSchema} AND {NotExtensionMember("pg_type", "t")}
              UNION ALL SELECT 'range type with a canonical function', n.nspname || '.' || t.typname FROM pg_catalog.pg_range r JOIN pg_catalog.pg_type t ON t.oid = r.rngtypid
                JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE r.rngcanonical <> 0 AND {UserSchema} AND {NotExtensionMember("pg_type", "t")}
              UNION ALL SELECT 'conversion', n.nspname || '.' || c.conname FROM pg_catalog.pg_conversion c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace
                WHERE {UserSchema} AND {NotExtensionMember("pg_conversion", "c")}
              UNION ALL SELECT 'foreign data wrapper', w.fdwname FROM pg_catalog.pg_foreign_data_wrapper w WHERE {NotExtensionMember("pg_foreign_data_wrapper", "w")}
              UNION ALL SELECT 'foreign server', s.srvname FROM pg_catalog.pg_foreign_server s WHERE {NotExtensionMember("pg_foreign_server", "s")}
              UNION ALL SELECT 'procedural language', l.lanname FROM pg_catalog.pg_language l WHERE l.oid >= 16384 AND {NotExtensionMember("pg_language", "l")}
              UNION ALL SELECT 'transform', t.trftype::pg_catalog.regtype::text FROM pg_catalog.pg_transform t WHERE {NotExtensionMember("pg_transform", "t")}
              UNION ALL SELECT 'access method', a.amname FROM pg_catalog.pg_am a WHERE a.oid >= 16384 AND {NotExtensionMember("pg_am", "a")}
            ) unsupported ORDER BY kind, name
            """,
            row => found.Add($"{row.String("kind")} {row.String("name")}")).ConfigureAwait(false);
        if (found.Count > 0)
        {
            var shown = found.Count > 10 ? string.Join(", ", found.GetRange(0, 10)) + $" and {found.Count - 10} more" : string.Join(", ", found);
            throw new UnsupportedObjectException($"The database holds objects this version of FactoryPulse.Dump cannot dump faithfully yet: {shown}. Nothing was written.");
        }
    }

    private Task ReadTypeShapesAsync() => Query(
        // reg* values are oids in binary (names differ per database) and an empty tsquery fails binary input: text COPY.
        "SELECT t.oid, t.typtype::text AS type, t.typbasetype, t.typelem, t.typrelid, t.typcategory::text AS category, " +
        "t.typsend <> 0 AND NOT (t.typnamespace = 11 AND (t.typname LIKE 'reg%' OR t.typname = 'tsquery')) AS has_send FROM pg_catalog.pg_type t",
        row =>
        {
            var oid = row.Oid("oid");
            _typeShapes[oid] = new TypeShape(row.Char("type"), row.Oid("typbasetype"), row.Oid("typelem"), row.Bool("has_send"), row.Oid("typrelid"));
            // Array types and table row types stand for their element / relation in dependencies.
            if (oid >= CatalogClasses.FirstNormalObjectId && row.Char("category") == 'A' && row.Oid("typelem") != 0)
                _typeAliases[oid] = row.Oid("typelem");
        });

    private Task ReadSchemasAsync() => Query(
        $"""
        SELECT n.oid, n.nspname AS name, pg_catalog.pg_get_userbyid(n.nspowner) AS owner
        FROM pg_catalog.pg_namespace n
        WHERE {UserSchema} AND {NotExtensionMember("pg_namespace", "n")}
        """,
        row =>
        {
            var schema = new SchemaObject(row.Oid("oid"), row.String("name"), row.String("owner"));
            _schemas[schema.Id.ObjectId] = schema;
            _schemasByName[schema.Name] = schema;
            _objects.Add(schema);
        });

    private SchemaObject? SchemaNamed(string? name) => name is not null && _schemasByName.TryGetValue(name, out var schema) ? schema : null;

    private Task ReadExtensionsAsync() => Query(
        """
        SELECT x.oid, x.extname AS name, n.nspname AS schema, x.extversion AS version
        FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
        WHERE x.oid >= 16384 -- plpgsql comes with initdb; pg_dump leaves it out as well
        """,
        row =>
        {
            var extension = new ExtensionObject(row.Oid("oid"), row.String("name"), row.String("schema"), row.String("version"));
            extension.AddDependency(SchemaNamed(extension.ExtensionSchema));
            _extensions[extension.Id.ObjectId] = extension;
            _objects.Add(extension);
        });

    private async Task ReadTypesAsync()
    {
        var labels = new Dictionary<uint, List<string>>();
        await Query(
            "SELECT e.enumtypid, e.enumlabel FROM pg_catalog.pg_enum e ORDER BY e.enumtypid, e.enumsortorder",
            row =>
            {
                var type = row.Oid("enumtypid");
                if (!labels.TryGetValue(type, out var list))
                    labels[type] = list = [];
                list.Add(row.String("enumlabel"));
            }).ConfigureAwait(false);

        var attributes = new Dictionary<uint, List<CompositeAttribute>>();
        await Query(
            """
            SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_name,
                   CASE WHEN a.attcollation <> t.typcollation THEN cn.nspname END AS collation_schema,
                   CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation_name
            FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid = a.attrelid AND c.relkind = 'c'
            JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
            LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
            WHERE a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attrelid, a.attnum
            """,
            row =>
            {
                var relation = row.Oid("attrelid");
                if (!attributes.TryGetValue(relation, out var list))
                    attributes[relation] = list = [];
                list.Add(new CompositeAttribute(row.String("attname"), row.String("type_name"), Collation(row)));
            }).ConfigureAwait(false);

        var constraints = new Dictionary<uint, List<DomainConstraint>>();
        await Query(
            """
            SELECT c.oid, c.contypid, c.conname, pg_catalog.pg_get_constraintdef(c.oid) AS definition, c.convalidated
            FROM pg_catalog.pg_constraint c WHERE c.contypid <> 0 AND c.contype = 'c'
            ORDER BY c.contypid, c.conname
            """,
            row =>
            {
                var type = row.Oid("contypid");
                if (!constraints.TryGetValue(type, out var list))
                    constraints[type] = list = [];
                list.Add(new DomainConstraint(row.Oid("oid"), row.String("conname"), row.String("definition"), row.Bool("convalidated")));
            }).ConfigureAwait(false);

        var ranges = new Dictionary<uint, RangeDefinition>();
        var multirange = _versionNumber >= 140000
            ? "CASE WHEN r.rngmultitypid <> 0 THEN mn.nspname END AS multirange_schema, mt.typname AS multirange_name, r.rngmultitypid"
            : "NULL::name AS multirange_schema, NULL::name AS multirange_name, 0::oid AS rngmultitypid";
        var multirangeJoin = _versionNumber >= 140000
            ? "LEFT JOIN pg_catalog.pg_type mt ON mt.oid = r.rngmultitypid LEFT JOIN pg_catalog.pg_namespace mn ON mn.oid = mt.typnamespace"
            : "";
        await Query(
            $"""
            SELECT r.rngtypid, pg_catalog.format_type(r.rngsubtype, NULL) AS subtype,
                   CASE WHEN NOT opc.opcdefault THEN opcn.nspname END AS opclass_schema, opc.opcname,
                   CASE WHEN r.rngcollation <> st.typcollation THEN cn.nspname END AS collation_schema,
                   CASE WHEN r.rngcollation <> st.typcollation THEN co.collname END AS collation_name,
                   NULLIF(r.rngcanonical::pg_catalog.regproc::text, '-') AS canonical,
                   NULLIF(r.rngsubdiff::pg_catalog.regproc::text, '-') AS subtype_diff,
                   {multirange}
            FROM pg_catalog.pg_range r
            JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
            JOIN pg_catalog.pg_opclass opc ON opc.oid = r.rngsubopc JOIN pg_catalog.pg_namespace opcn ON opcn.oid = opc.opcnamespace
            LEFT JOIN pg_catalog.pg_collation co ON co.oid = r.rngcollation LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
            {multirangeJoin}
            """,
            row =>
            {
                var oid = row.Oid("rngtypid");
                var opclass = row.NullableString("opclass_schema") is { } opcSchema ? Ident(opcSchema) + "." + Ident(row.String("opcname")) : null;
                var multirangeName = row.NullableString("multirange_schema") is { } mrSchema ? Ident(mrSchema) + "." + Ident(row.String("multirange_name")) : null;
                ranges[oid] = new RangeDefinition(row.String("subtype"), opclass, Collation(row), row.NullableString("canonical"), row.NullableString("subtype_diff"), multirangeName);
                if (row.Oid("rngmultitypid") != 0)
                    _typeAliases[row.Oid("rngmultitypid")] = oid;
            }).ConfigureAwait(false);

        await Query(
            $"""
            SELECT t.oid, n.nspname AS schema, t.typname AS name, pg_catalog.pg_get_userbyid(t.typowner) AS owner,
                   t.typtype::text AS kind, t.typrelid,
                   pg_catalog.format_type(t.typbasetype, t.typtypmod) AS base_type, t.typnotnull, t.typdefault,
                   CASE WHEN t.typcollation <> bt.typcollation THEN cn.nspname END AS collation_schema,
                   CASE WHEN t.typcollation <> bt.typcollation THEN co.collname END AS collation_name
            FROM pg_catalog.pg_type t
            JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
            LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation
            LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
            WHERE {UserSchema} AND {NotExtensionMember("pg_type", "t")}
              AND t.typtype IN ('e', 'c', 'd', 'r')
              -- composite types only: every table, view and sequence has a row type too
              AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
            ORDER BY n.nspname, t.typname
            """,
            row =>
            {
                var oid = row.Oid("oid");
                string schema = row.String("schema"), name = row.String("name"), owner = row.String("owner");
                TypeObject type = row.Char("kind") switch
                {
                    'e' => new EnumTypeObject(oid, schema, name, owner, labels.TryGetValue(oid, out var l) ? l : []),
                    'c' => new CompositeTypeObject(oid, row.Oid("typrelid"), schema, name, owner, attributes.TryGetValue(row.Oid("typrelid"), out var a) ? a : []),
                    'r' => new RangeTypeObject(oid, schema, name, owner, ranges[oid]),
                    _ => new DomainObject(oid, schema, name, owner, row.String("base_type"), Collation(row), row.NullableString("typdefault"), row.Bool("typnotnull"),
                        constraints.TryGetValue(oid, out var c) ? c : []),
                };
                type.AddDependency(SchemaNamed(schema));
                _types[oid] = type;
                if (type is DomainObject domain)
                {
                    foreach (var constraint in domain.Constraints)
                    {
                        // What a domain CHECK calls is a dependency of the domain (or of its separate NOT VALID entry).
                        if (constraint.Validated)
                        {
                            _constraints[constraint.Oid] = domain;
                            continue;
                        }
                        var notValid = new DomainConstraintObject(domain, constraint);
                        notValid.AddDependency(domain);
                        _constraints[constraint.Oid] = notValid;
                        AddOther(notValid);
                    }
                }
                if (type is CompositeTypeObject composite)
                    _typeAliases[composite.RelationOid] = oid;
                _objects.Add(type);
            }).ConfigureAwait(false);
    }

    private Task ReadCollationsAsync(int versionNumber)
    {
        // The ICU/builtin locale moved: collcollate (13–14), colliculocale (15–16), colllocale (17+).
        var locale = versionNumber >= 170000 ? "c.colllocale" : versionNumber >= 150000 ? "c.colliculocale" : "NULL::text";
        return Query(
            $"""
            SELECT c.oid, n.nspname AS schema, c.collname AS name, pg_catalog.pg_get_userbyid(c.collowner) AS owner,
                   c.collprovider::text AS provider, c.collcollate, c.collctype, {locale} AS locale, c.collisdeterministic
            FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace
            WHERE {UserSchema} AND {NotExtensionMember("pg_collation", "c")}
            ORDER BY n.nspname, c.collname
            """,
            row =>
            {
                var collation = new CollationObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.String("owner"), row.Char("provider"),
                    row.NullableString("collcollate"), row.NullableString("collctype"), row.NullableString("locale"), row.Bool("collisdeterministic"));
                collation.AddDependency(SchemaNamed(collation.Schema));
                AddOther(collation);
            });
    }

    private Task ReadAggregatesAsync() => Query(
        $"""
        SELECT p.oid, n.nspname AS schema, p.proname AS name, pg_catalog.pg_get_userbyid(p.proowner) AS owner,
               pg_catalog.pg_get_function_arguments(p.oid) AS arguments, pg_catalog.pg_get_function_identity_arguments(p.oid) AS identity_arguments,
               a.aggkind::text AS kind, a.aggtransfn::pg_catalog.regproc::text AS sfunc, pg_catalog.format_type(a.aggtranstype, NULL) AS stype, a.aggtransspace,
               NULLIF(a.aggfinalfn::pg_catalog.regproc::text, '-') AS finalfunc, a.aggfinalextra, a.aggfinalmodify::text AS finalmodify,
               NULLIF(a.aggcombinefn::pg_catalog.regproc::text, '-') AS combinefunc,
               NULLIF(a.aggserialfn::pg_catalog.regproc::text, '-') AS serialfunc,
               NULLIF(a.aggdeserialfn::pg_catalog.regproc::text, '-') AS deserialfunc,
               NULLIF(a.aggmtransfn::pg_catalog.regproc::text, '-') AS msfunc,
               NULLIF(a.aggminvtransfn::pg_catalog.regproc::text, '-') AS minvfunc,
               CASE WHEN a.aggmtranstype <> 0 THEN pg_catalog.format_type(a.aggmtranstype, NULL) END AS mstype, a.aggmtransspace,
               NULLIF(a.aggmfinalfn::pg_catalog.regproc::text, '-') AS mfinalfunc, a.aggmfinalextra, a.aggmfinalmodify::text AS mfinalmodify,
               a.agginitval, a.aggminitval,
               CASE WHEN a.aggsortop <> 0 THEN on_.nspname END AS sortop_schema, o.oprname AS sortop_name,
               p.proparallel::text AS parallel
        FROM pg_catalog.pg_aggregate a
        JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        LEFT JOIN pg_catalog.pg_operator o ON o.oid = a.aggsortop LEFT JOIN pg_catalog.pg_namespace on_ ON on_.oid = o.oprnamespace
        WHERE {UserSchema} AND {NotExtensionMember("pg_proc", "p")}
        ORDER BY n.nspname, p.proname, identity_arguments
        """,
        row =>
        {
            var sortOperator = row.NullableString("sortop_schema") is { } opSchema ? $"OPERATOR({Ident(opSchema)}.{row.String("sortop_name")})" : null;
            var definition = new AggregateDefinition(row.String("arguments"), row.Char("kind"), row.String("sfunc"), row.String("stype"), row.Int("aggtransspace"),
                row.NullableString("finalfunc"), row.Bool("aggfinalextra"), row.Char("finalmodify"), row.NullableString("combinefunc"),
                row.NullableString("serialfunc"), row.NullableString("deserialfunc"), row.NullableString("msfunc"), row.NullableString("minvfunc"),
                row.NullableString("mstype"), row.Int("aggmtransspace"), row.NullableString("mfinalfunc"), row.Bool("aggmfinalextra"), row.Char("mfinalmodify"),
                row.NullableString("agginitval"), row.NullableString("aggminitval"), sortOperator, row.Char("parallel"));
            var aggregate = new AggregateObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.String("owner"), row.String("identity_arguments"), definition);
            aggregate.AddDependency(SchemaNamed(aggregate.Schema));
            AddOther(aggregate);
        });

    private async Task ReadCastsAndOperatorsAsync()
    {
        await Query(
            $"""
            SELECT c.oid, pg_catalog.format_type(c.castsource, NULL) AS source, pg_catalog.format_type(c.casttarget, NULL) AS target,
                   CASE WHEN c.castfunc <> 0 THEN c.castfunc::pg_catalog.regprocedure::text END AS function,
                   c.castcontext::text AS context, c.castmethod::text AS method
            FROM pg_catalog.pg_cast c
            WHERE c.oid >= 16384 AND {NotExtensionMember("pg_cast", "c")}
              -- range-to-multirange casts come with CREATE TYPE … AS RANGE
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass AND i.objid = c.oid AND i.deptype = 'i')
            ORDER BY source, target
            """,
            row => AddOther(new CastObject(row.Oid("oid"), row.String("source"), row.String("target"), row.NullableString("function"), row.Char("context"), row.Char("method")))).ConfigureAwait(false);

        await Query(
            $"""
            SELECT o.oid, n.nspname AS schema, o.oprname AS name, pg_catalog.pg_get_userbyid(o.oprowner) AS owner,
                   CASE WHEN o.oprleft <> 0 THEN pg_catalog.format_type(o.oprleft, NULL) END AS left_type,
                   CASE WHEN o.oprright <> 0 THEN pg_catalog.format_type(o.oprright, NULL) END AS right_type,
                   o.oprcode::pg_catalog.regproc::text AS function,
                   cn.nspname AS commutator_schema, co.oprname AS commutator_name,
                   nn.nspname AS negator_schema, ng.oprname AS negator_name,
                   NULLIF(o.oprrest::pg_catalog.regproc::text, '-') AS restrict_function,
                   NULLIF(o.oprjoin::pg_catalog.regproc::text, '-') AS join_function,
                   o.oprcanhash, o.oprcanmerge
            FROM pg_catalog.pg_operator o
            JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
            LEFT JOIN pg_catalog.pg_operator co ON co.oid = o.oprcom LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.oprnamespace
            LEFT JOIN pg_catalog.pg_operator ng ON ng.oid = o.oprnegate LEFT JOIN pg_catalog.pg_namespace nn ON nn.oid = ng.oprnamespace
            WHERE {UserSchema} AND {NotExtensionMember("pg_operator", "o")}
            ORDER BY n.nspname, o.oprname, left_type, right_type
            """,
            row =>
            {
                var commutator = row.NullableString("commutator_schema") is { } cs ? $"OPERATOR({Ident(cs)}.{row.String("commutator_name")})" : null;
                var negator = row.NullableString("negator_schema") is { } ns ? $"OPERATOR({Ident(ns)}.{row.String("negator_name")})" : null;
                var definition = new OperatorDefinition(row.NullableString("left_type"), row.NullableString("right_type"), row.String("function"), commutator, negator,
                    row.NullableString("restrict_function"), row.NullableString("join_function"), row.Bool("oprcanhash"), row.Bool("oprcanmerge"));
                var op = new OperatorObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.String("owner"), definition);
                op.AddDependency(SchemaNamed(op.Schema));
                AddOther(op);
            }).ConfigureAwait(false);
    }

    private async Task ReadOperatorClassesAsync()
    {
        var families = new Dictionary<uint, OperatorFamilyObject>();
        await Query(
            $"""
            SELECT f.oid, n.nspname AS schema, f.opfname AS name, pg_catalog.pg_get_userbyid(f.opfowner) AS owner, am.amname
            FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod
            WHERE {UserSchema} AND {NotExtensionMember("pg_opfamily", "f")}
            ORDER BY n.nspname, f.opfname, am.amname
            """,
            row =>
            {
                var family = new OperatorFamilyObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.String("owner"), row.String("amname"));
                family.AddDependency(SchemaNamed(family.Schema));
                families[family.Id.ObjectId] = family;
                AddOther(family);
            }).ConfigureAwait(false);

        var classes = new Dictionary<uint, OperatorClassObject>();
        await Query(
            $"""
            SELECT c.oid, n.nspname AS schema, c.opcname AS name, pg_catalog.pg_get_userbyid(c.opcowner) AS owner, am.amname, c.opcdefault,
                   pg_catalog.format_type(c.opcintype, NULL) AS type, fn.nspname AS family_schema, f.opfname AS family_name, c.opcfamily,
                   CASE WHEN c.opckeytype <> 0 THEN pg_catalog.format_type(c.opckeytype, NULL) END AS storage
            FROM pg_catalog.pg_opclass c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.opcnamespace JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod
            JOIN pg_catalog.pg_opfamily f ON f.oid = c.opcfamily JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace
            WHERE {UserSchema} AND {NotExtensionMember("pg_opclass", "c")}
            ORDER BY n.nspname, c.opcname, am.amname
            """,
            row =>
            {
                var opclass = new OperatorClassObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.String("owner"), row.String("amname"),
                    row.Bool("opcdefault"), row.String("type"), Ident(row.String("family_schema")) + "." + Ident(row.String("family_name")), row.NullableString("storage"));
                opclass.AddDependency(SchemaNamed(opclass.Schema));
                if (families.TryGetValue(row.Oid("opcfamily"), out var family))
                    opclass.AddDependency(family);
                classes[opclass.Id.ObjectId] = opclass;
                AddOther(opclass);
            }).ConfigureAwait(false);
        if (families.Count == 0 && classes.Count == 0)
            return;

        // Members that the class created depend on it internally; members added to the family alone depend on it automatically.
        var members = new List<(uint Owner, bool OfClass, OperatorClassMember Member)>();
        await Query(
            """
            SELECT d.refobjid AS owner, d.refclassid = 'pg_catalog.pg_opclass'::pg_catalog.regclass AS of_class,
                   'OPERATOR ' || ao.amopstrategy || ' ' || ao.amopopr::pg_catalog.regoperator::text
                     || CASE WHEN ao.amoppurpose = 'o' THEN ' FOR ORDER BY ' || pg_catalog.quote_ident(sn.nspname) || '.' || pg_catalog.quote_ident(sf.opfname) ELSE '' END AS text,
                   ao.amopopr AS operator, 0::oid AS function, 0 AS kind, ao.amopstrategy::int AS number
            FROM pg_catalog.pg_amop ao
            JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass AND d.objid = ao.oid
            LEFT JOIN pg_catalog.pg_opfamily sf ON sf.oid = ao.amopsortfamily LEFT JOIN pg_catalog.pg_namespace sn ON sn.oid = sf.opfnamespace
            WHERE (d.refclassid = 'pg_catalog.pg_opclass'::pg_catalog.regclass AND d.deptype = 'i')
               OR (d.refclassid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND d.deptype = 'a')
            UNION ALL
            SELECT d.refobjid, d.refclassid = 'pg_catalog.pg_opclass'::pg_catalog.regclass,
                   'FUNCTION ' || ap.amprocnum || ' (' || pg_catalog.format_type(ap.amproclefttype, NULL) || ', ' || pg_catalog.format_type(ap.amprocrighttype, NULL) || ') '
                     || ap.amproc::pg_catalog.regprocedure::text,
                   0::oid, ap.amproc, 1, ap.amprocnum::int
            FROM pg_catalog.pg_amproc ap
            JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass AND d.objid = ap.oid
            WHERE (d.refclassid = 'pg_catalog.pg_opclass'::pg_catalog.regclass AND d.deptype = 'i')
               OR (d.refclassid = 'pg_catalog.pg_opfamily'::pg_catalog.regclass AND d.deptype = 'a')
            ORDER BY owner, kind, number, text
            """,
            row => members.Add((row.Oid("owner"), row.Bool("of_class"), new OperatorClassMember(row.String("text"), row.Oid("operator"), row.Oid("function"))))).ConfigureAwait(false);
        _pendingMembers.AddRange(members.ConvertAll(m => ((DumpableObject?)(m.OfClass ? classes.GetValueOrDefault(m.Owner) : families.GetValueOrDefault(m.Owner)), m.Member)));
    }

    /// <summary>Operator class members wait for ReadDependenciesAsync, when every operator and function is known.</summary>
    private readonly List<(DumpableObject? Owner, OperatorClassMember Member)> _pendingMembers = [];

    private void AttachOperatorClassMembers()
    {
        foreach (var (owner, member) in _pendingMembers)
        {
            switch (owner)
            {
                case OperatorClassObject opclass:
                    opclass.Members.Add(member);
                    break;
                case OperatorFamilyObject family:
                    family.LooseMembers.Add(member);
                    break;
                default:
                    continue;
            }
            owner.AddDependency(Resolve(CatalogClasses.Operator, member.ReferencedOperator));
            owner.AddDependency(Resolve(CatalogClasses.Proc, member.ReferencedFunction));
        }
    }

    private async Task ReadTextSearchAsync()
    {
        await Query(
            $"""
            SELECT p.oid, n.nspname AS schema, p.prsname AS name, p.prsstart::pg_catalog.regproc::text AS start_function,
                   p.prstoken::pg_catalog.regproc::text AS token_function, p.prsend::pg_catalog.regproc::text AS end_function,
                   p.prslextype::pg_catalog.regproc::text AS lextypes_function, NULLIF(p.prsheadline::pg_catalog.regproc::text, '-') AS headline_function
            FROM pg_catalog.pg_ts_parser p JOIN pg_catalog.pg_namespace n ON n.oid = p.prsnamespace
            WHERE {UserSchema} AND {NotExtensionMember("pg_ts_parser", "p")}
            ORDER BY n.nspname, p.prsname
            """,
            row =>
            {
                var parser = new TextSearchParserObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.String("start_function"), row.String("token_function"),
                    row.String("end_function"), row.String("lextypes_function"), row.NullableString("headline_function"));
                parser.AddDependency(SchemaNamed(parser.Schema));
                AddOther(parser);
            }).ConfigureAwait(false);
        await Query(
            $"""
            SELECT t.oid, n.nspname AS schema, t.tmplname AS name, NULLIF(t.tmplinit::pg_catalog.regproc::text, '-') AS init_function,
                   t.tmpllexize::pg_catalog.regproc::text AS lexize_function
            FROM pg_catalog.pg_ts_template t JOIN pg_catalog.pg_namespace n ON n.oid = t.tmplnamespace
            WHERE {UserSchema} AND {NotExtensionMember("pg_ts_template", "t")}
            ORDER BY n.nspname, t.tmplname
            """,
            row =>
            {
                var template = new TextSearchTemplateObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.NullableString("init_function"), row.String("lexize_function"));
                template.AddDependency(SchemaNamed(template.Schema));
                AddOther(template);
            }).ConfigureAwait(false);

        await Query(
            $"""
            SELECT d.oid, n.nspname AS schema, d.dictname AS name, pg_catalog.pg_get_userbyid(d.dictowner) AS owner,
                   tn.nspname AS template_schema, t.tmplname AS template_name, d.dictinitoption
            FROM pg_catalog.pg_ts_dict d
            JOIN pg_catalog.pg_namespace n ON n.oid = d.dictnamespace
            JOIN pg_catalog.pg_ts_template t ON t.oid = d.dicttemplate JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace
            WHERE {UserSchema} AND {NotExtensionMember("pg_ts_dict", "d")}
            ORDER BY n.nspname, d.dictname
            """,
            row =>
            {
                var dictionary = new TextSearchDictionaryObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.String("owner"),
                    Ident(row.String("template_schema")) + "." + Ident(row.String("template_name")), row.NullableString("dictinitoption"));
                dictionary.AddDependency(SchemaNamed(dictionary.Schema));
                AddOther(dictionary);
            }).ConfigureAwait(false);

        var mappings = new Dictionary<uint, List<TextSearchMapping>>();
        await Query(
            """
            SELECT m.mapcfg, t.alias, m.maptokentype, dn.nspname AS dictionary_schema, d.dictname AS dictionary_name
            FROM pg_catalog.pg_ts_config_map m
            JOIN pg_catalog.pg_ts_config c ON c.oid = m.mapcfg
            JOIN pg_catalog.pg_ts_dict d ON d.oid = m.mapdict JOIN pg_catalog.pg_namespace dn ON dn.oid = d.dictnamespace
            CROSS JOIN LATERAL pg_catalog.ts_token_type(c.cfgparser) t
            WHERE t.tokid = m.maptokentype AND c.oid >= 16384
            ORDER BY m.mapcfg, m.maptokentype, m.mapseqno
            """,
            row =>
            {
                var configuration = row.Oid("mapcfg");
                if (!mappings.TryGetValue(configuration, out var list))
                    mappings[configuration] = list = [];
                var dictionary = Ident(row.String("dictionary_schema")) + "." + Ident(row.String("dictionary_name"));
                if (list.Count > 0 && list[^1].TokenType == row.String("alias"))
                    ((List<string>)list[^1].Dictionaries).Add(dictionary);
                else
                    list.Add(new TextSearchMapping(row.String("alias"), new List<string> { dictionary }));
            }).ConfigureAwait(false);

        await Query(
            $"""
            SELECT c.oid, n.nspname AS schema, c.cfgname AS name, pg_catalog.pg_get_userbyid(c.cfgowner) AS owner,
                   pn.nspname AS parser_schema, p.prsname AS parser_name
            FROM pg_catalog.pg_ts_config c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace
            JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace
            WHERE {UserSchema} AND {NotExtensionMember("pg_ts_config", "c")}
            ORDER BY n.nspname, c.cfgname
            """,
            row =>
            {
                var oid = row.Oid("oid");
                var configuration = new TextSearchConfigurationObject(oid, row.String("schema"), row.String("name"), row.String("owner"),
                    Ident(row.String("parser_schema")) + "." + Ident(row.String("parser_name")), mappings.TryGetValue(oid, out var list) ? list : []);
                configuration.AddDependency(SchemaNamed(configuration.Schema));
                AddOther(configuration);
            }).ConfigureAwait(false);
    }

    private Task ReadLargeObjectsAsync() => Query(
        "SELECT l.oid, pg_catalog.pg_get_userbyid(l.lomowner) AS owner FROM pg_catalog.pg_largeobject_metadata l ORDER BY l.oid",
        row =>
        {
            var largeObject = new LargeObjectObject(row.Oid("oid"), row.String("owner"));
            _largeObjects.Add(largeObject);
            AddOther(largeObject);
        });

    private Task ReadRulesAsync() => Query(
        """
        SELECT r.oid, r.ev_class, r.rulename, pg_catalog.pg_get_ruledef(r.oid) AS definition, r.ev_enabled::text AS enabled
        FROM pg_catalog.pg_rewrite r WHERE r.rulename <> '_RETURN'
        ORDER BY r.ev_class, r.rulename
        """,
        row =>
        {
            if (!_relations.TryGetValue(row.Oid("ev_class"), out var relation))
                return;
            var rule = new RuleObject(row.Oid("oid"), relation, row.String("rulename"), row.String("definition"), row.Char("enabled"));
            rule.AddDependency(relation);
            AddOther(rule);
        });

    private Task ReadStatisticsAsync() => Query(
        $"""
        SELECT s.oid, n.nspname AS schema, s.stxname AS name, pg_catalog.pg_get_userbyid(s.stxowner) AS owner, s.stxrelid,
               pg_catalog.pg_get_statisticsobjdef(s.oid) AS definition, COALESCE(s.stxstattarget::int, -1) AS stattarget
        FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace
        WHERE {UserSchema}
        ORDER BY n.nspname, s.stxname
        """,
        row =>
        {
            if (!_relations.TryGetValue(row.Oid("stxrelid"), out var relation))
                return;
            var statistics = new StatisticsObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.String("owner"), row.String("definition"), row.Int("stattarget"));
            statistics.AddDependency(relation);
            statistics.AddDependency(SchemaNamed(statistics.Schema));
            AddOther(statistics);
        });

    private Task ReadEventTriggersAsync() => Query(
        $"""
        SELECT e.oid, e.evtname, e.evtevent, pg_catalog.pg_get_userbyid(e.evtowner) AS owner, e.evtfoid::pg_catalog.regproc::text AS function,
               e.evtenabled::text AS enabled, e.evttags
        FROM pg_catalog.pg_event_trigger e WHERE {NotExtensionMember("pg_event_trigger", "e")}
        ORDER BY e.evtname
        """,
        row => AddOther(new EventTriggerObject(row.Oid("oid"), row.String("evtname"), row.String("owner"), row.String("evtevent"), row.String("function"),
            row.Char("enabled"), row.StringArray("evttags"))));

    private Task ReadFunctionsAsync() => Query(
        $"""
        SELECT p.oid, n.nspname AS schema, p.proname AS name, pg_catalog.pg_get_userbyid(p.proowner) AS owner,
               p.prokind::text AS kind, pg_catalog.pg_get_function_identity_arguments(p.oid) AS identity_arguments,
               pg_catalog.pg_get_functiondef(p.oid) AS definition, p.prosecdef AS security_definer
        FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE {UserSchema} AND {NotExtensionMember("pg_proc", "p")} AND p.prokind IN ('f', 'p')
          -- constructors of range and multirange types come with CREATE TYPE
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND i.objid = p.oid AND i.deptype = 'i')
        ORDER BY n.nspname, p.proname, identity_arguments
        """,
        row =>
        {
            var function = new FunctionObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.String("owner"),
                row.String("identity_arguments"), row.Char("kind") == 'p', row.String("definition"))
            {
                SecurityDefiner = row.Bool("security_definer"),
            };
            function.AddDependency(SchemaNamed(function.Schema));
            _functions[function.Id.ObjectId] = function;
            _objects.Add(function);
        });

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

    private async Task<Dictionary<uint, double>> ReadRelationsAsync()
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
                   c.reloptions, c.relispopulated, c.reltuples::float8 AS reltuples, c.relispartition,
                   (SELECT tc.reloptions FROM pg_catalog.pg_class tc WHERE tc.oid = c.reltoastrelid) AS toast_options,
                   CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,
                   CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END AS view_definition
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
                    },
                    'v' => new ViewObject(oid, schema, name, owner, options, row.String("view_definition")),
                    'm' => new MaterializedViewObject(oid, schema, name, owner, options, row.String("view_definition"), row.Bool("relispopulated")),
                    _ => new SequenceObject(oid, schema, name, owner, unlogged, sequenceOptions[oid]),
                };
                relation.AddDependency(SchemaNamed(schema));
                _relations[oid] = relation;
                _objects.Add(relation);
                estimates[oid] = row.Double("reltuples");
            }).ConfigureAwait(false);

        await Query(
            """
            SELECT i.inhrelid, i.inhparent, c.relispartition, pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound
            FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
            WHERE c.relkind IN ('r', 'p')
            ORDER BY i.inhrelid, i.inhseqno
            """,
            row =>
            {
                if (!_relations.TryGetValue(row.Oid("inhrelid"), out var childRelation) || childRelation is not TableObject child
                    || !_relations.TryGetValue(row.Oid("inhparent"), out var parentRelation) || parentRelation is not TableObject parent)
                    return;
                child.AddDependency(parent);
                if (row.Bool("relispartition"))
                {
                    var attach = new PartitionAttachObject(parent, child, row.String("bound"));
                    attach.AddDependency(parent);
                    attach.AddDependency(child);
                    _objects.Add(attach);
                }
                else
                {
                    child.InheritParents.Add(parent);
                }
            }).ConfigureAwait(false);

        foreach (var relation in _relations.Values)
        {
            switch (relation)
            {
                case TableObject { RowSecurity: true } table:
                    var rowSecurity = new RowSecurityObject(table);
                    rowSecurity.AddDependency(table);
                    _objects.Add(rowSecurity);
                    break;
            }
        }
        return estimates;
    }

    private Task ReadExtensionConfigTablesAsync() => Query(
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
            if (!_extensions.TryGetValue(row.Oid("extension"), out var extension))
                return;
            var table = new TableObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.String("owner"), false, null, 'd', false, false);
            _extensionConfigByOid[table.Id.ObjectId] = table;
            _extensionConfigTables.Add((table, row.NullableString("condition"), extension));
        });

    private Task ReadColumnsAsync() => Query(
        """
        SELECT a.attrelid, a.attnum::int AS attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_name, a.atttypid,
               a.attnotnull, a.attgenerated::text AS generated,
               CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END AS generated_expression,
               CASE WHEN a.attcollation <> t.typcollation THEN cn.nspname END AS collation_schema,
               CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation_name,
               CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage::text END AS storage,
               COALESCE(a.attstattarget::int, -1) AS stattarget, a.attislocal, a.attoptions
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
        LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum
        """,
        row =>
        {
            if (!_relations.TryGetValue(row.Oid("attrelid"), out var relation))
            {
                if (!_extensionConfigByOid.TryGetValue(row.Oid("attrelid"), out var configTable))
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
                row.NullableString("generated_expression"), Collation(row), storage, row.Int("stattarget"), IsBinarySafe(row.Oid("atttypid")), row.Bool("attislocal"))
            {
                Options = FormatOptions(row.StringArray("attoptions")),
                GeneratedVirtual = row.Char("generated") == 'v',
            });
        });

    /// <summary>
    /// Binary COPY embeds type oids in arrays and composites, which differ between databases for user types, and
    /// types without a send function have no binary form: such columns go through text COPY.
    /// </summary>
    private bool IsBinarySafe(uint typeOid)
    {
        for (var depth = 0; depth < 32; depth++)
        {
            if (!_typeShapes.TryGetValue(typeOid, out var shape) || !shape.HasSend)
                return false;
            switch (shape.Type)
            {
                case 'd':
                    typeOid = shape.BaseType;
                    continue;
                case 'c' or 'p':
                    return false;
                case 'e':
                    return true; // an enum travels as its label
            }
            if (shape.Element != 0)
            {
                // An array header holds the element oid: only built-in arrays of built-in elements are portable.
                return typeOid < CatalogClasses.FirstNormalObjectId && shape.Element < CatalogClasses.FirstNormalObjectId && IsBinarySafe(shape.Element);
            }
            return typeOid < CatalogClasses.FirstNormalObjectId;
        }
        return false;
    }

    /// <summary>PostgreSQL 18 names NOT NULL constraints; keep a name that is not the default one.</summary>
    private Task ReadNotNullConstraintNamesAsync(int versionNumber)
    {
        if (versionNumber < 180000)
            return Task.CompletedTask;
        return Query(
            """
            SELECT c.conrelid, a.attname, c.conname
            FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'n'
            """,
            row =>
            {
                if (!_relations.TryGetValue(row.Oid("conrelid"), out var relation))
                    return;
                var column = relation.Columns.Find(candidate => candidate.Name == row.String("attname"));
                if (column is not null)
                    column.NotNullConstraintName = row.String("conname");
            });
    }

    private async Task ReadSequencesAsync()
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
                if (!_relations.TryGetValue(row.Oid("sequence"), out var relation) || relation is not SequenceObject sequence
                    || !_relations.TryGetValue(row.Oid("relation"), out var owner) || owner is not TableObject table)
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
                    _objects.Add(ownedBy);
                }
            }).ConfigureAwait(false);
    }

    private Task ReadDefaultsAsync() => Query(
        """
        SELECT d.oid, d.adrelid, a.attname, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS expression
        FROM pg_catalog.pg_attrdef d
        JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
        WHERE a.attgenerated = '' AND NOT a.attisdropped
        ORDER BY d.adrelid, a.attnum
        """,
        row =>
        {
            if (!_relations.TryGetValue(row.Oid("adrelid"), out var relation) || relation is SequenceObject)
                return;
            var columnDefault = new ColumnDefaultObject(row.Oid("oid"), relation, row.String("attname"), row.String("expression"), relation is ViewObject);
            columnDefault.AddDependency(relation);
            _defaults[columnDefault.Id.ObjectId] = columnDefault;
            _objects.Add(columnDefault);
        });

    private Task ReadConstraintsAsync() => Query(
        """
        SELECT c.oid, c.conrelid, c.conname, c.contype::text AS type, pg_catalog.pg_get_constraintdef(c.oid) AS definition,
               c.convalidated, c.conislocal, c.conindid, c.conparentid, c.condeferrable, c.condeferred,
               COALESCE(ix.indisreplident, false) AS replica_identity, COALESCE(ix.indisclustered, false) AS clustered,
               CASE WHEN c.contype IN ('p', 'u') THEN pg_catalog.pg_get_indexdef(c.conindid) END AS index_definition,
               ci.relname AS index_name, am.amname AS index_method, COALESCE(ci.reltablespace <> 0, false) AS index_own_tablespace,
               fn.nspname AS referenced_schema, fc.relname AS referenced_table
        FROM pg_catalog.pg_constraint c
        LEFT JOIN pg_catalog.pg_class fc ON fc.oid = c.confrelid
        LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
        LEFT JOIN pg_catalog.pg_index ix ON ix.indexrelid = c.conindid AND c.contype IN ('p', 'u', 'x')
        LEFT JOIN pg_catalog.pg_class ci ON ci.oid = ix.indexrelid
        LEFT JOIN pg_catalog.pg_am am ON am.oid = ci.relam
        WHERE c.conrelid <> 0 AND c.contype IN ('c', 'p', 'u', 'x', 'f')
        ORDER BY c.conrelid, c.conname
        """,
        row =>
        {
            if (!_relations.TryGetValue(row.Oid("conrelid"), out var relation) || relation is not TableObject table)
                return;
            var oid = row.Oid("oid");
            var type = row.Char("type");
            var isLocal = row.Bool("conislocal");
            // Foreign keys cloned onto partitions come back with the parent's constraint.
            if (type == 'f' && row.Oid("conparentid") != 0)
                return;
            if (type == 'c' && row.Bool("convalidated"))
            {
                // Valid CHECKs live inside CREATE TABLE, as pg_dump writes them; a partition repeats its parent's.
                table.Checks.Add(new InlineCheck(oid, row.String("conname"), row.String("definition"), isLocal));
                _constraints[oid] = table;
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
                IndexInOwnTablespace = row.Bool("index_own_tablespace"),
                Deferrable = row.Bool("condeferrable"),
                InitiallyDeferred = row.Bool("condeferred"),
                ReferencedSchema = row.NullableString("referenced_schema"),
                ReferencedTable = row.NullableString("referenced_table"),
            };
            constraint.AddDependency(table);
            _constraints[oid] = constraint;
            if (type is 'p' or 'u' or 'x')
                _indexes[row.Oid("conindid")] = constraint;
            _objects.Add(constraint);
        });

    private Task ReadIndexesAsync() => Query(
        """
        SELECT i.indexrelid, i.indrelid, ic.relname AS name, pg_catalog.pg_get_indexdef(i.indexrelid) AS definition, i.indisclustered, i.indisreplident,
               ARRAY(SELECT a.attnum || ' ' || a.attstattarget FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid = i.indexrelid AND COALESCE(a.attstattarget::int, -1) >= 0 ORDER BY a.attnum) AS column_statistics
        FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
        WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c
                          WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))
        ORDER BY i.indrelid, ic.relname
        """,
        row =>
        {
            if (!_relations.TryGetValue(row.Oid("indrelid"), out var relation) || relation is not (TableObject or MaterializedViewObject))
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
            };
            index.AddDependency(relation);
            _indexes[index.Id.ObjectId] = index;
            _objects.Add(index);
        });

    /// <summary>A partition's index (or key) attached to its parent's: pg_inherits rows between indexes.</summary>
    private Task ReadIndexAttachmentsAsync() => Query(
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
            if (!_indexes.TryGetValue(row.Oid("inhrelid"), out var child) || !_indexes.TryGetValue(row.Oid("inhparent"), out var parent))
                return;
            var attach = new IndexAttachObject(child, row.String("parent_schema"), row.String("parent_name"), row.String("child_schema"), row.String("child_name"));
            attach.AddDependency(parent);
            attach.AddDependency(child);
            _objects.Add(attach);
        });

    private Task ReadTriggersAsync() => Query(
        """
        SELECT t.oid, t.tgrelid, t.tgname, pg_catalog.pg_get_triggerdef(t.oid, false) AS definition, t.tgenabled::text AS enabled
        FROM pg_catalog.pg_trigger t
        WHERE NOT t.tgisinternal -- foreign-key triggers come back with their constraints
          AND t.tgparentid = 0   -- clones on partitions come back with the partitioned table's trigger
        ORDER BY t.tgrelid, t.tgname
        """,
        row =>
        {
            if (!_relations.TryGetValue(row.Oid("tgrelid"), out var relation))
                return;
            var trigger = new TriggerObject(row.Oid("oid"), relation, row.String("tgname"), row.String("definition"), row.Char("enabled"));
            trigger.AddDependency(relation);
            _triggers[trigger.Id.ObjectId] = trigger;
            _objects.Add(trigger);
        });

    private Task ReadPoliciesAsync() => Query(
        """
        SELECT p.oid, p.polrelid, p.polname, p.polcmd::text AS command, p.polpermissive,
               CASE WHEN p.polroles = '{0}' THEN NULL
                    ELSE ARRAY(SELECT CASE WHEN r.role = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r.role)::text END
                               FROM pg_catalog.unnest(p.polroles) WITH ORDINALITY AS r(role, position) ORDER BY r.position) END AS roles,
               pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expression,
               pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS check_expression
        FROM pg_catalog.pg_policy p
        ORDER BY p.polrelid, p.polname
        """,
        row =>
        {
            if (!_relations.TryGetValue(row.Oid("polrelid"), out var relation))
                return;
            var policy = new PolicyObject(row.Oid("oid"), relation, row.String("polname"), row.Char("command"), row.Bool("polpermissive"),
                row.StringArray("roles"), row.NullableString("using_expression"), row.NullableString("check_expression"));
            policy.AddDependency(relation);
            _policies[policy.Id.ObjectId] = policy;
            _objects.Add(policy);
        });

    private async Task ReadPublicationsAsync(int versionNumber)
    {
        await Query(
            """
            SELECT p.oid, p.pubname, pg_catalog.pg_get_userbyid(p.pubowner) AS owner, p.puballtables,
                   p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot
            FROM pg_catalog.pg_publication p ORDER BY p.pubname
            """,
            row =>
            {
                var operations = new List<string>(4);
                if (row.Bool("pubinsert")) operations.Add("insert");
                if (row.Bool("pubupdate")) operations.Add("update");
                if (row.Bool("pubdelete")) operations.Add("delete");
                if (row.Bool("pubtruncate")) operations.Add("truncate");
                var publication = new PublicationObject(row.Oid("oid"), row.String("pubname"), row.String("owner"), row.Bool("puballtables"),
                    string.Join(", ", operations), row.Bool("pubviaroot"));
                _publications[publication.Id.ObjectId] = publication;
                _objects.Add(publication);
            }).ConfigureAwait(false);

        // Column lists and row filters arrived in PostgreSQL 15.
        var columnsAndFilter = versionNumber >= 150000
            ? """
              pg_catalog.pg_get_expr(pr.prqual, pr.prrelid) AS row_filter,
              CASE WHEN pr.prattrs IS NULL THEN NULL
                   ELSE ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(pr.prattrs) WITH ORDINALITY AS u(attnum, position)
                              JOIN pg_catalog.pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = u.attnum ORDER BY u.position) END AS columns
              """
            : "NULL::text AS row_filter, NULL::text[] AS columns";
        if (versionNumber >= 150000)
        {
            await Query(
                "SELECT pn.oid, pn.pnpubid, n.nspname FROM pg_catalog.pg_publication_namespace pn JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid",
                row =>
                {
                    if (!_publications.TryGetValue(row.Oid("pnpubid"), out var publication))
                        return;
                    var member = new PublicationSchemaObject(row.Oid("oid"), publication, row.String("nspname"));
                    member.AddDependency(publication);
                    member.AddDependency(SchemaNamed(member.Schema));
                    AddOther(member);
                }).ConfigureAwait(false);
        }
        await Query(
            $"SELECT pr.oid, pr.prpubid, pr.prrelid, {columnsAndFilter} FROM pg_catalog.pg_publication_rel pr",
            row =>
            {
                if (!_publications.TryGetValue(row.Oid("prpubid"), out var publication) || !_relations.TryGetValue(row.Oid("prrelid"), out var relation))
                    return;
                var member = new PublicationTableObject(row.Oid("oid"), publication, relation, row.StringArray("columns"), row.NullableString("row_filter"));
                member.AddDependency(publication);
                member.AddDependency(relation);
                _publicationTables[member.Id.ObjectId] = member;
                _objects.Add(member);
            }).ConfigureAwait(false);
    }

    private DumpableObject? Resolve(uint classId, uint objectId)
    {
        switch (classId)
        {
            case CatalogClasses.Class:
                if (_relations.TryGetValue(objectId, out var relation))
                    return relation;
                if (_indexes.TryGetValue(objectId, out var index))
                    return index;
                return _typeAliases.TryGetValue(objectId, out var compositeType) && _types.TryGetValue(compositeType, out var composite) ? composite : null;
            case CatalogClasses.Type:
                if (_types.TryGetValue(objectId, out var type))
                    return type;
                if (_typeAliases.TryGetValue(objectId, out var element))
                    return Resolve(CatalogClasses.Type, element);
                // A table's row type stands for the table.
                return _typeShapes.TryGetValue(objectId, out var shape) && shape.RelationId != 0 ? Resolve(CatalogClasses.Class, shape.RelationId) : null;
            case CatalogClasses.Proc:
                return _functions.TryGetValue(objectId, out var function) ? function : _others.GetValueOrDefault(new CatalogId(classId, objectId));
            case CatalogClasses.Namespace:
                return _schemas.GetValueOrDefault(objectId);
            case CatalogClasses.Constraint:
                return _constraints.GetValueOrDefault(objectId);
            case CatalogClasses.AttrDef:
                return _defaults.GetValueOrDefault(objectId);
            case CatalogClasses.Rewrite:
                if (_rewriteToView.TryGetValue(objectId, out var view))
                    return _relations.GetValueOrDefault(view);
                return _others.GetValueOrDefault(new CatalogId(classId, objectId));
            case CatalogClasses.Trigger:
                return _triggers.GetValueOrDefault(objectId);
            case CatalogClasses.Policy:
                return _policies.GetValueOrDefault(objectId);
            case CatalogClasses.Extension:
                return _extensions.GetValueOrDefault(objectId);
            case CatalogClasses.Publication:
                return _publications.GetValueOrDefault(objectId);
            case CatalogClasses.PublicationRel:
                return _publicationTables.GetValueOrDefault(objectId);
            default:
                return _others.GetValueOrDefault(new CatalogId(classId, objectId));
        }
    }

    private async Task ReadDependenciesAsync()
    {
        await Query("SELECT r.oid, r.ev_class FROM pg_catalog.pg_rewrite r WHERE r.oid >= 16384 AND r.rulename = '_RETURN'",
            row => _rewriteToView[row.Oid("oid")] = row.Oid("ev_class")).ConfigureAwait(false);
        await Query(
            """
            SELECT d.classid, d.objid, d.refclassid, d.refobjid FROM pg_catalog.pg_depend d
            WHERE d.deptype IN ('n', 'a') AND d.objid >= 16384
            """,
            row =>
            {
                var dependent = Resolve(row.Oid("classid"), row.Oid("objid"));
                var referenced = Resolve(row.Oid("refclassid"), row.Oid("refobjid"));
                if (dependent is null || referenced is null)
                    return;
                if (row.Oid("classid") == CatalogClasses.Constraint && dependent is TableObject table && referenced is FunctionObject or AggregateObject)
                    dependent = SplitCheckOut(table, row.Oid("objid")) ?? dependent;
                // A sequence OWNED BY a column points at its table on purpose (ReadSequencesAsync); the reverse
                // "table uses sequence" edge lives on the column default instead.
                dependent.AddDependency(referenced);
            }).ConfigureAwait(false);
    }

    /// <summary>
    /// A CHECK that calls a user function leaves CREATE TABLE and is added after the data (pg_dump's repair of the
    /// table/constraint loop): the function may read the table, as a SQL-standard body does.
    /// </summary>
    private ConstraintObject? SplitCheckOut(TableObject table, uint constraintOid)
    {
        if (table.IsPartition || table.InheritParents.Count > 0 || table.PartitionKey is not null)
            return null; // inherited checks must stay inline to keep their inheritance bookkeeping
        var index = table.Checks.FindIndex(check => check.Oid == constraintOid);
        if (index < 0)
            return null;
        var check = table.Checks[index];
        table.Checks.RemoveAt(index);
        var constraint = new ConstraintObject(check.Oid, table, check.Name, 'c', check.Definition);
        constraint.AddDependency(table);
        _constraints[check.Oid] = constraint;
        _objects.Add(constraint);
        return constraint;
    }

    /// <summary>
    /// Privileges as pg_dump writes them: what differs from the built-in default (acldefault) for that kind and
    /// owner. Writing differences rather than the whole list keeps privileges a newer server grants by default
    /// (MAINTAIN in 17) when an older dump is restored there.
    /// </summary>
    private static string AclDiffQuery(string catalog, string aclColumn, string ownerColumn, string defaultKind) =>
        $"""
        WITH objects AS (
          -- aclexplode rejects an empty array (every privilege revoked): treat it as no items.
          -- The baseline is what CREATE EXTENSION or initdb left (pg_init_privs) where there is one, as in pg_dump:
          -- changed grants on extension members and built-ins are differences from that, not from acldefault.
          SELECT x.oid AS objid, CASE WHEN pg_catalog.cardinality(x.{aclColumn}) > 0 THEN x.{aclColumn} END AS acl,
                 COALESCE(ip.initprivs, pg_catalog.acldefault({defaultKind}, x.{ownerColumn})) AS initial, ip.initprivs IS NOT NULL AS has_init_privs
          FROM pg_catalog.{catalog} x
          LEFT JOIN pg_catalog.pg_init_privs ip ON ip.objoid = x.oid AND ip.classoid = 'pg_catalog.{catalog}'::pg_catalog.regclass AND ip.objsubid = 0
          WHERE x.{aclColumn} IS NOT NULL
        )
        SELECT o.objid, 1 AS grant_order, a.position, pg_catalog.pg_get_userbyid(a.grantor)::text AS grantor,
               CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END AS grantee, a.privilege_type, a.is_grantable
        FROM objects o CROSS JOIN LATERAL pg_catalog.aclexplode(o.acl) WITH ORDINALITY AS a(grantor, grantee, privilege_type, is_grantable, position)
        WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode(o.initial) d
                          WHERE d.grantor = a.grantor AND d.grantee = a.grantee AND d.privilege_type = a.privilege_type AND d.is_grantable = a.is_grantable)
        UNION ALL
        SELECT o.objid, 0, d.position, pg_catalog.pg_get_userbyid(d.grantor)::text,
               CASE WHEN d.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(d.grantee)::text END, d.privilege_type, d.is_grantable
        FROM objects o CROSS JOIN LATERAL pg_catalog.aclexplode(o.initial) WITH ORDINALITY AS d(grantor, grantee, privilege_type, is_grantable, position)
        WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode(o.acl) a
                          WHERE a.grantor = d.grantor AND a.grantee = d.grantee AND a.privilege_type = d.privilege_type AND a.is_grantable = d.is_grantable)
        UNION ALL
        -- An explicit list equal to the default: re-granting the owner's own privileges makes it explicit again.
        SELECT o.objid, 2, d.position, pg_catalog.pg_get_userbyid(d.grantor)::text,
               pg_catalog.pg_get_userbyid(d.grantee)::text, d.privilege_type, d.is_grantable
        FROM objects o CROSS JOIN LATERAL pg_catalog.aclexplode(o.initial) WITH ORDINALITY AS d(grantor, grantee, privilege_type, is_grantable, position)
        WHERE o.acl IS NOT NULL AND NOT o.has_init_privs AND o.acl OPERATOR(pg_catalog.@>) o.initial AND o.initial OPERATOR(pg_catalog.@>) o.acl AND d.grantee = d.grantor
        ORDER BY 1, 2, 3
        """;

    private static AclItem? Item(CatalogRow row) =>
        row.IsNull("privilege_type") ? null : new AclItem(row.String("grantor"), row.NullableString("grantee"), row.String("privilege_type"), row.Bool("is_grantable"));

    private async Task<Dictionary<uint, AclChanges>> ReadAclAsync(string catalog, string aclColumn, string ownerColumn, string defaultKind)
    {
        var result = new Dictionary<uint, AclChanges>();
        await Query(AclDiffQuery(catalog, aclColumn, ownerColumn, defaultKind), row =>
        {
            var oid = row.Oid("objid");
            if (!result.TryGetValue(oid, out var changes))
                result[oid] = changes = new AclChanges([], []);
            (row.Int("grant_order") == 0 ? changes.Revokes : changes.Grants).Add(Item(row)!);
        }).ConfigureAwait(false);
        return result;
    }

    private async Task ReadAclsAsync(DdlContext context)
    {
        var columnAcls = new Dictionary<uint, List<ColumnAcl>>();
        await Query(
            """
            SELECT x.attrelid AS objid, x.attnum, x.attname, a.position,
                   pg_catalog.pg_get_userbyid(a.grantor)::text AS grantor,
                   CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END AS grantee,
                   a.privilege_type, a.is_grantable
            FROM pg_catalog.pg_attribute x
            CROSS JOIN LATERAL pg_catalog.aclexplode(x.attacl) WITH ORDINALITY AS a(grantor, grantee, privilege_type, is_grantable, position)
            WHERE x.attacl IS NOT NULL AND x.attnum > 0 AND NOT x.attisdropped
            ORDER BY x.attrelid, x.attnum, a.position
            """,
            row =>
            {
                var oid = row.Oid("objid");
                if (!columnAcls.TryGetValue(oid, out var columns))
                    columnAcls[oid] = columns = [];
                var name = row.String("attname");
                if (columns.Count == 0 || columns[^1].Column != name)
                    columns.Add(new ColumnAcl(name, new List<AclItem>()));
                ((List<AclItem>)columns[^1].Items).Add(Item(row)!);
            }).ConfigureAwait(false);

        var relationAcls = await ReadAclAsync("pg_class", "relacl", "relowner", "CASE WHEN x.relkind = 'S' THEN 's'::\"char\" ELSE 'r'::\"char\" END").ConfigureAwait(false);
        var functionAcls = await ReadAclAsync("pg_proc", "proacl", "proowner", "'f'").ConfigureAwait(false);
        var schemaAcls = await ReadAclAsync("pg_namespace", "nspacl", "nspowner", "'n'").ConfigureAwait(false);
        var typeAcls = await ReadAclAsync("pg_type", "typacl", "typowner", "'T'").ConfigureAwait(false);
        var largeObjectAcls = await ReadAclAsync("pg_largeobject_metadata", "lomacl", "lomowner", "'L'").ConfigureAwait(false);

        var acls = new List<DumpableObject>();
        foreach (var schema in _schemas.Values)
        {
            if (schemaAcls.TryGetValue(schema.Id.ObjectId, out var items))
                acls.Add(new AclObject(schema, "SCHEMA", context.Ident(schema.Name), items, []));
        }
        foreach (var function in _functions.Values)
        {
            if (functionAcls.TryGetValue(function.Id.ObjectId, out var items))
                acls.Add(new AclObject(function, function.Kind.TocName(), function.Signature(context), items, []));
        }
        foreach (var largeObject in _largeObjects)
        {
            if (largeObjectAcls.TryGetValue(largeObject.Id.ObjectId, out var items))
                acls.Add(new AclObject(largeObject, "LARGE OBJECT", largeObject.Name, items, []));
        }
        foreach (var other in _others.Values)
        {
            if (other is AggregateObject aggregate && functionAcls.TryGetValue(aggregate.Id.ObjectId, out var items))
                acls.Add(new AclObject(aggregate, "FUNCTION", aggregate.Signature(context), items, []));
        }
        foreach (var type in _types.Values)
        {
            if (typeAcls.TryGetValue(type.Id.ObjectId, out var items))
                acls.Add(new AclObject(type, type is DomainObject ? "DOMAIN" : "TYPE", context.Qualified(type.Schema, type.Name), items, []));
        }
        foreach (var relation in _relations.Values)
        {
            var hasTableAcl = relationAcls.TryGetValue(relation.Id.ObjectId, out var items);
            var hasColumnAcls = columnAcls.TryGetValue(relation.Id.ObjectId, out var columns);
            if (hasTableAcl || hasColumnAcls)
                acls.Add(new AclObject(relation, relation is SequenceObject ? "SEQUENCE" : "TABLE", relation.QualifiedName(context), items, columns ?? []));
        }
        await AddExternalAclsAsync(acls, functionAcls, relationAcls, context).ConfigureAwait(false);
        foreach (var acl in acls)
        {
            acl.AddDependency(((AclObject)acl).Target);
            if (((AclObject)acl).Target is ExternalObject { Extension: { } extension })
                acl.AddDependency(extension);
            _objects.Add(acl);
        }
    }

    /// <summary>
    /// Changed privileges on objects the dump does not create: extension members (restored by CREATE EXTENSION) and
    /// built-ins in pg_catalog (restored by initdb). pg_dump keeps them as GRANT/REVOKE differences from pg_init_privs;
    /// so do we, after the extension exists.
    /// </summary>
    private async Task AddExternalAclsAsync(List<DumpableObject> acls, Dictionary<uint, AclChanges> functionAcls, Dictionary<uint, AclChanges> relationAcls, DdlContext context)
    {
        var functions = new List<uint>();
        foreach (var oid in functionAcls.Keys)
        {
            if (!_functions.ContainsKey(oid) && !_others.ContainsKey(new CatalogId(CatalogClasses.Proc, oid)))
                functions.Add(oid);
        }
        var relations = new List<uint>();
        foreach (var oid in relationAcls.Keys)
        {
            if (!_relations.ContainsKey(oid))
                relations.Add(oid);
        }
        if (functions.Count > 0)
        {
            await Query(
                $"""
                SELECT p.oid, n.nspname AS schema, p.proname AS name, pg_catalog.pg_get_userbyid(p.proowner) AS owner, p.prokind::text AS kind,
                       pg_catalog.pg_get_function_identity_arguments(p.oid) AS identity_arguments, e.refobjid AS extension
                FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                LEFT JOIN pg_catalog.pg_depend e ON e.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND e.objid = p.oid AND e.deptype = 'e'
                WHERE p.oid IN ({string.Join(", ", functions)}) AND (e.refobjid IS NOT NULL OR n.nspname = 'pg_catalog')
                ORDER BY n.nspname, p.proname, identity_arguments
                """,
                row =>
                {
                    var oid = row.Oid("oid");
                    var kind = row.Char("kind") == 'p' ? ObjectKind.Procedure : ObjectKind.Function;
                    var target = new ExternalObject(new CatalogId(CatalogClasses.Proc, oid), row.String("schema"), row.String("name"), row.String("owner"), kind,
                        row.String("identity_arguments"), ExtensionOf(row));
                    acls.Add(new AclObject(target, kind.TocName(), $"{context.Qualified(target.Schema, target.Name)}({target.SortDetail})", functionAcls[oid], []));
                }).ConfigureAwait(false);
        }
        if (relations.Count > 0)
        {
            await Query(
                $"""
                SELECT c.oid, n.nspname AS schema, c.relname AS name, pg_catalog.pg_get_userbyid(c.relowner) AS owner, c.relkind::text AS kind, e.refobjid AS extension
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_catalog.pg_depend e ON e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND e.objid = c.oid AND e.deptype = 'e'
                WHERE c.oid IN ({string.Join(", ", relations)}) AND (e.refobjid IS NOT NULL OR n.nspname = 'pg_catalog')
                ORDER BY n.nspname, c.relname
                """,
                row =>
                {
                    var oid = row.Oid("oid");
                    var kind = row.Char("kind") == 'S' ? ObjectKind.Sequence : ObjectKind.Table;
                    var target = new ExternalObject(new CatalogId(CatalogClasses.Class, oid), row.String("schema"), row.String("name"), row.String("owner"), kind, "", ExtensionOf(row));
                    acls.Add(new AclObject(target, kind.TocName(), context.Qualified(target.Schema, target.Name), relationAcls[oid], []));
                }).ConfigureAwait(false);
        }
    }

    private ExtensionObject? ExtensionOf(CatalogRow row) => row.IsNull("extension") ? null : _extensions.GetValueOrDefault(row.Oid("extension"));

    private Task ReadDefaultAclsAsync()
    {
        var entries = new Dictionary<uint, DefaultAclObject>();
        // A global entry replaces the built-in defaults, so it is written as differences from them; an entry for
        // one schema adds to the global ones, so its list is written whole.
        return Query(
            """
            WITH entries AS (
              SELECT d.oid AS objid, d.defaclrole, d.defaclnamespace, d.defaclobjtype, NULLIF(d.defaclacl, '{}') AS acl,
                     CASE WHEN d.defaclnamespace = 0
                          THEN pg_catalog.acldefault(CASE d.defaclobjtype WHEN 'S' THEN 's'::"char" ELSE d.defaclobjtype END, d.defaclrole)
                     END AS initial
              FROM pg_catalog.pg_default_acl d
            ), changes AS (
              SELECT e.objid, 1 AS grant_order, a.position, a.grantor, a.grantee, a.privilege_type, a.is_grantable
              FROM entries e CROSS JOIN LATERAL pg_catalog.aclexplode(e.acl) WITH ORDINALITY AS a(grantor, grantee, privilege_type, is_grantable, position)
              WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode(e.initial) i
                                WHERE i.grantor = a.grantor AND i.grantee = a.grantee AND i.privilege_type = a.privilege_type AND i.is_grantable = a.is_grantable)
              UNION ALL
              SELECT e.objid, 0, i.position, i.grantor, i.grantee, i.privilege_type, i.is_grantable
              FROM entries e CROSS JOIN LATERAL pg_catalog.aclexplode(e.initial) WITH ORDINALITY AS i(grantor, grantee, privilege_type, is_grantable, position)
              WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode(e.acl) a
                                WHERE a.grantor = i.grantor AND a.grantee = i.grantee AND a.privilege_type = i.privilege_type AND a.is_grantable = i.is_grantable)
            )
            SELECT e.objid, pg_catalog.pg_get_userbyid(e.defaclrole)::text AS role, n.nspname AS schema, e.defaclobjtype::text AS object_type,
                   c.grant_order, c.position, pg_catalog.pg_get_userbyid(c.grantor)::text AS grantor,
                   CASE WHEN c.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(c.grantee)::text END AS grantee,
                   c.privilege_type, c.is_grantable
            FROM entries e
            LEFT JOIN pg_catalog.pg_namespace n ON n.oid = e.defaclnamespace
            LEFT JOIN changes c ON c.objid = e.objid
            ORDER BY e.objid, c.grant_order, c.position
            """,
            row =>
            {
                var oid = row.Oid("objid");
                if (!entries.TryGetValue(oid, out var defaultAcl))
                {
                    defaultAcl = new DefaultAclObject(oid, row.String("role"), row.NullableString("schema"), row.Char("object_type"), new AclChanges([], []));
                    defaultAcl.AddDependency(SchemaNamed(defaultAcl.Schema));
                    entries[oid] = defaultAcl;
                    _objects.Add(defaultAcl);
                }
                if (Item(row) is { } item)
                    (row.Int("grant_order") == 0 ? defaultAcl.Changes.Revokes : defaultAcl.Changes.Grants).Add(item);
            });
    }
}
