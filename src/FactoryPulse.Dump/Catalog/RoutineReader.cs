using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Catalog;

/// <summary>Functions, procedures, aggregates, casts, operators, operator classes and families, event triggers.</summary>
internal sealed class RoutineReader(CatalogSession session) : CatalogFamilyReader(session)
{
    public Task ReadFunctionsAsync() => Query(
        $"""
        SELECT p.oid, n.nspname AS schema, p.proname AS name, pg_catalog.pg_get_userbyid(p.proowner) AS owner,
               p.prokind::text AS kind, pg_catalog.pg_get_function_identity_arguments(p.oid) AS identity_arguments,
               pg_catalog.pg_get_functiondef(p.oid) AS definition, p.prosecdef AS security_definer
        FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE {UserSchema} AND {NotExtensionMember("pg_proc", "p")} AND p.prokind IN ('f', 'p', 'w')
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
            function.AddDependency(Lookups.SchemaNamed(function.Schema));
            Lookups.Functions[function.Id.ObjectId] = function;
            Lookups.Objects.Add(function);
        });

    public Task ReadAggregatesAsync() => Query(
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
            aggregate.AddDependency(Lookups.SchemaNamed(aggregate.Schema));
            Lookups.AddOther(aggregate);
        });

    public async Task ReadCastsAndOperatorsAsync()
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
            row => Lookups.AddOther(new CastObject(row.Oid("oid"), row.String("source"), row.String("target"), row.NullableString("function"), row.Char("context"), row.Char("method")))).ConfigureAwait(false);

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
                op.AddDependency(Lookups.SchemaNamed(op.Schema));
                Lookups.AddOther(op);
            }).ConfigureAwait(false);
    }

    public async Task ReadOperatorClassesAsync()
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
                family.AddDependency(Lookups.SchemaNamed(family.Schema));
                families[family.Id.ObjectId] = family;
                Lookups.AddOther(family);
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
                opclass.AddDependency(Lookups.SchemaNamed(opclass.Schema));
                if (families.TryGetValue(row.Oid("opcfamily"), out var family))
                    opclass.AddDependency(family);
                classes[opclass.Id.ObjectId] = opclass;
                Lookups.AddOther(opclass);
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
        Lookups.PendingOperatorClassMembers.AddRange(members.ConvertAll(m => ((DumpableObject?)(m.OfClass ? classes.GetValueOrDefault(m.Owner) : families.GetValueOrDefault(m.Owner)), m.Member)));
    }

    /// <summary>Operator class members wait for the dependency read, when every operator and function is known.</summary>
    public void AttachOperatorClassMembers()
    {
        foreach (var (owner, member) in Lookups.PendingOperatorClassMembers)
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
            owner.AddDependency(Lookups.Resolve(CatalogClasses.Operator, member.ReferencedOperator));
            owner.AddDependency(Lookups.Resolve(CatalogClasses.Proc, member.ReferencedFunction));
        }
    }

    public Task ReadEventTriggersAsync() => Query(
        $"""
        SELECT e.oid, e.evtname, e.evtevent, pg_catalog.pg_get_userbyid(e.evtowner) AS owner, e.evtfoid::pg_catalog.regproc::text AS function,
               e.evtenabled::text AS enabled, e.evttags
        FROM pg_catalog.pg_event_trigger e WHERE {NotExtensionMember("pg_event_trigger", "e")}
        ORDER BY e.evtname
        """,
        row => Lookups.AddOther(new EventTriggerObject(row.Oid("oid"), row.String("evtname"), row.String("owner"), row.String("evtevent"), row.String("function"),
            row.Char("enabled"), row.StringArray("evttags"))));
}
