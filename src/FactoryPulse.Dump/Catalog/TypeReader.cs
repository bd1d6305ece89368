using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Catalog;

/// <summary>Types: the shape of every type (for dependencies and COPY), and the user's enums, composites, domains and ranges.</summary>
internal sealed class TypeReader(CatalogSession session) : CatalogFamilyReader(session)
{
    public Task ReadTypeShapesAsync() => Query(
        "SELECT t.oid, t.typtype::text AS type, t.typbasetype, t.typelem, t.typrelid, t.typcategory::text AS category, t.typsend <> 0 AS has_send, " +
        "CASE WHEN t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace THEN t.typname::text END AS built_in_name FROM pg_catalog.pg_type t",
        row =>
        {
            var oid = row.Oid("oid");
            Lookups.TypeShapes[oid] = new TypeShape(row.Char("type"), row.Oid("typbasetype"), row.Oid("typelem"), row.Bool("has_send"), row.Oid("typrelid"),
                row.NullableString("built_in_name"));
            // Array types and table row types stand for their element / relation in dependencies.
            if (oid >= CatalogClasses.FirstNormalObjectId && row.Char("category") == 'A' && row.Oid("typelem") != 0)
                Lookups.TypeAliases[oid] = row.Oid("typelem");
        });

    public async Task ReadTypesAsync()
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
        var multirange = Features.HasMultiranges
            ? "CASE WHEN r.rngmultitypid <> 0 THEN mn.nspname END AS multirange_schema, mt.typname AS multirange_name, r.rngmultitypid"
            : "NULL::name AS multirange_schema, NULL::name AS multirange_name, 0::oid AS rngmultitypid";
        var multirangeJoin = Features.HasMultiranges
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
                    Lookups.TypeAliases[row.Oid("rngmultitypid")] = oid;
            }).ConfigureAwait(false);

        var baseTypes = new Dictionary<uint, BaseTypeDefinition>();
        var subscript = Features.HasTypeSubscript ? "NULLIF(t.typsubscript::pg_catalog.regproc::text, '-')" : "NULL::text";
        await Query(
            $"""
            SELECT t.oid, t.typinput::pg_catalog.regproc::text AS input, t.typoutput::pg_catalog.regproc::text AS output,
                   NULLIF(t.typreceive::pg_catalog.regproc::text, '-') AS receive, NULLIF(t.typsend::pg_catalog.regproc::text, '-') AS send,
                   NULLIF(t.typmodin::pg_catalog.regproc::text, '-') AS typmod_in, NULLIF(t.typmodout::pg_catalog.regproc::text, '-') AS typmod_out,
                   NULLIF(t.typanalyze::pg_catalog.regproc::text, '-') AS analyze, {subscript} AS subscript,
                   t.typlen::int AS length, t.typbyval, t.typalign::text AS alignment, t.typstorage::text AS storage,
                   t.typcategory::text AS category, t.typispreferred, t.typdefault,
                   CASE WHEN t.typelem <> 0 THEN pg_catalog.format_type(t.typelem, NULL) END AS element,
                   t.typdelim::text AS delimiter, t.typcollation <> 0 AS collatable
            FROM pg_catalog.pg_type t
            WHERE t.typtype = 'b' AND t.oid >= 16384
            """,
            row => baseTypes[row.Oid("oid")] = new BaseTypeDefinition(row.String("input"), row.String("output"), row.NullableString("receive"),
                row.NullableString("send"), row.NullableString("typmod_in"), row.NullableString("typmod_out"), row.NullableString("analyze"),
                row.NullableString("subscript"), row.Int("length"), row.Bool("typbyval"), row.Char("alignment"), row.Char("storage"),
                row.Char("category"), row.Bool("typispreferred"), row.NullableString("typdefault"), row.NullableString("element"),
                row.String("delimiter"), row.Bool("collatable"))).ConfigureAwait(false);

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
              -- a standalone shell type (CREATE TYPE name; never filled) is a pseudo-type row with typisdefined = false
              AND (t.typtype IN ('e', 'c', 'd', 'r', 'b') OR (t.typtype = 'p' AND NOT t.typisdefined))
              -- the array type CREATE TYPE made for a type comes with it (pg_dump's isArray)
              AND NOT (t.typtype = 'b' AND t.typelem <> 0 AND (SELECT te.typarray FROM pg_catalog.pg_type te WHERE te.oid = t.typelem) = t.oid)
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
                    'b' => new BaseTypeObject(oid, schema, name, owner, baseTypes[oid]),
                    'p' => new UndefinedTypeObject(oid, schema, name, owner),
                    _ => new DomainObject(oid, schema, name, owner, row.String("base_type"), Collation(row), row.NullableString("typdefault"), row.Bool("typnotnull"),
                        constraints.TryGetValue(oid, out var c) ? c : []),
                };
                type.AddDependency(Lookups.SchemaNamed(schema));
                Lookups.Types[oid] = type;
                if (type is DomainObject domain)
                {
                    foreach (var constraint in domain.Constraints)
                    {
                        // What a domain CHECK calls is a dependency of the domain (or of its separate NOT VALID entry).
                        if (constraint.Validated)
                        {
                            Lookups.Constraints[constraint.Oid] = domain;
                            continue;
                        }
                        var notValid = new DomainConstraintObject(domain, constraint);
                        notValid.AddDependency(domain);
                        Lookups.Constraints[constraint.Oid] = notValid;
                        Lookups.AddOther(notValid);
                    }
                }
                if (type is CompositeTypeObject composite)
                    Lookups.TypeAliases[composite.RelationOid] = oid;
                Lookups.Objects.Add(type);
            }).ConfigureAwait(false);
    }

    /// <summary>
    /// Needs every dependency: a base type's I/O functions and a range type's canonical function take or return the type
    /// while the type needs them. As pg_dump's repairTypeFuncLoop, such a function depends on a shell type (CREATE TYPE name;)
    /// written first instead of on the type.
    /// </summary>
    public void RepairTypeFunctionLoops()
    {
        foreach (var type in Lookups.Types.Values)
        {
            if (type is not (BaseTypeObject or RangeTypeObject))
                continue;
            foreach (var dependency in type.Dependencies)
            {
                if (dependency is not FunctionObject function || !function.Dependencies.Contains(type))
                    continue;
                if (type.Shell is null)
                {
                    type.Shell = new ShellTypeObject(type);
                    type.Shell.AddDependency(Lookups.SchemaNamed(type.Schema));
                    Lookups.Objects.Add(type.Shell);
                }
                function.Dependencies.Remove(type);
                function.AddDependency(type.Shell);
            }
            if (type.Shell is not null)
                type.AddDependency(type.Shell);
        }
    }
}
