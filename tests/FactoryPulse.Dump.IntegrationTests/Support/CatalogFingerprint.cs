using System.Globalization;
using System.Text;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests.Support;

/// <summary>
/// A pg_dump-free schema comparison for servers without a matching pg_dump (pg_dump refuses servers newer than itself): one line per
/// object pg_dump would dump, built from the catalog and the server's own deparsers (pg_get_*def), plus object counts per catalog and
/// kind. Every line starts with the object kind and names the object, so a difference names what changed. The queries run on
/// PostgreSQL 13 to 18 (columns that differ between versions are chosen by the server's major version).
/// <para>
/// Covered: schemas; relations (kind, persistence, replica identity, access method, tablespace, typed-table type, inheritance parents,
/// partition key and bound, RLS and FORCE RLS, populated matviews, options incl. toast.*); columns (type, NOT NULL, default, identity,
/// generated, collation, storage, compression, statistics target, attoptions, FDW options, local/inherited); constraints; indexes
/// (definition, CLUSTER ON, REPLICA IDENTITY USING, per-column statistics targets); views; sequences (all options, OWNED BY); types
/// (base, enum, domain, composite, range, multirange, shell); functions, procedures and aggregates; operators, operator classes and
/// families (with their members); casts; conversions; collations; text search parsers, templates, dictionaries and configurations;
/// procedural languages; transforms; access methods; foreign-data wrappers, servers, user mappings (passwords as a hash only) and
/// foreign tables; triggers; event triggers; rules; policies; publications (tables, column lists, row filters, schemas);
/// subscriptions; extended statistics; extensions (version, schema, configuration tables, member count) and DEPENDS ON EXTENSION; privileges of extension members and of
/// built-in objects where they differ from pg_init_privs; default privileges; large objects (owner, ACL, md5 of the contents);
/// comments and security labels on everything; the current database's comment, security labels and ALTER DATABASE … SET settings.
/// </para>
/// <para>
/// Read it as a superuser (pg_user_mapping and pg_subscription.subconninfo are readable by nobody else). Owner and ACL text name
/// roles, so both databases must live on servers with the same roles. What the fingerprint deliberately
/// leaves out or normalizes is listed where it happens, each with its reason.
/// </para>
/// </summary>
internal static class CatalogFingerprint
{
    // Normalization: objects of system schemas (pg_catalog, information_schema, pg_toast, temporary schemas) and extension members
    // are made by initdb and CREATE EXTENSION, not by a dump; pg_dump skips them too. Their privileges are the exception and are
    // compared by the "acl_change" lines against pg_init_privs.
    private const string UserSchema = """
        n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
        """;

    // First OID handed out after initdb (FirstNormalObjectId): anything below is built in.
    private const int FirstNormalObjectId = 16384;

    private static string NotMember(string catalog, string oid) =>
        $"NOT EXISTS (SELECT 1 FROM pg_depend member WHERE member.classid = '{catalog}'::regclass AND member.objid = {oid} AND member.deptype = 'e')";

    // Normalization: an ACL is compared as the sorted list of its items, and NULL as what it means, acldefault(kind, owner).
    // The item order is only the order the GRANTs were issued in (pg_dump's own output sorts them away as well), and a NULL ACL
    // grants exactly what its spelled-out default grants; pg_dump writes both the same way (as differences from acldefault).
    private static string Acl(string column, string kind, string owner) =>
        $"coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(coalesce({column}, acldefault({kind}, {owner}))) a), '-')";

    // Normalization: option lists (reloptions, attoptions, FDW options, settings) are compared sorted. They are sets of name=value
    // pairs whose stored order only records the order they were written in; no option's meaning depends on its position.
    private static string Options(string column) =>
        $"coalesce((SELECT string_agg(o, ',' ORDER BY o) FROM unnest({column}) o), '-')";

    private static string Owner(string column) => $"pg_get_userbyid({column})";

    // Statistics targets: -1 for "default" on every version (attstattarget and stxstattarget are NULL for it since 17, -1 before).
    private static string StatisticsTarget(string column) => $"coalesce({column}::int, -1)";

    private static List<string> QueriesFor(int major)
    {
        // Column lists and row filters of published tables, 15+.
        var publicationTableDetail = major < 15 ? "" : """
            || coalesce(' (' || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord)
                                 FROM unnest(pr.prattrs::int2[]) WITH ORDINALITY k(attnum, ord)
                                 JOIN pg_attribute a ON a.attrelid = pr.prrelid AND a.attnum = k.attnum) || ')', '')
            || coalesce(' WHERE ' || pg_get_expr(pr.prqual, pr.prrelid), '')
            """;
        var queries = new List<string>
        {
            // schemas
            $"""
            SELECT format('schema %I owner=%s acl=%s', n.nspname, {Owner("n.nspowner")}, {Acl("n.nspacl", "'n'", "n.nspowner")})
            FROM pg_namespace n WHERE {UserSchema} AND {NotMember("pg_namespace", "n.oid")}
            """,
            // relations: tables, partitioned tables, views, matviews, sequences, indexes, composite types, foreign tables.
            // Normalization: relispopulated only for matviews (it is always true elsewhere).
            $"""
            SELECT format('relation %I.%I kind=%s persistence=%s replident=%s am=%s tablespace=%s of=%s parents=%s partkey=%s bound=%s rls=%s force_rls=%s populated=%s owner=%s acl=%s options=%s toast_options=%s',
                          n.nspname, c.relname, c.relkind, c.relpersistence, c.relreplident,
                          coalesce((SELECT am.amname FROM pg_am am WHERE am.oid = c.relam), '-'),
                          coalesce((SELECT ts.spcname FROM pg_tablespace ts WHERE ts.oid = c.reltablespace), '-'),
                          CASE WHEN c.reloftype <> 0 THEN c.reloftype::regtype::text ELSE '-' END,
                          coalesce((SELECT string_agg(i.inhparent::regclass::text, ',' ORDER BY i.inhseqno) FROM pg_inherits i WHERE i.inhrelid = c.oid), '-'),
                          CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) ELSE '-' END,
                          coalesce(pg_get_expr(c.relpartbound, c.oid), '-'),
                          c.relrowsecurity, c.relforcerowsecurity,
                          CASE WHEN c.relkind = 'm' THEN c.relispopulated::text ELSE '-' END,
                          {Owner("c.relowner")}, {Acl("c.relacl", "(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::\"char\"", "c.relowner")},
                          {Options("c.reloptions")},
                          coalesce((SELECT string_agg(o, ',' ORDER BY o) FROM pg_class t, unnest(t.reloptions) o WHERE t.oid = c.reltoastrelid), '-'))
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind <> 't' AND {UserSchema} AND {NotMember("pg_class", "c.oid")}
            """,
            // columns: position among the live columns (dropped ones are not restored by anyone)
            $"""
            SELECT format('column %I.%I #%s %I type=%s notnull=%s default=%s identity=%s generated=%s collation=%s storage=%s compression=%s stats=%s options=%s fdw_options=%s local=%s inherited=%s acl=%s',
                          n.nspname, c.relname, row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum), a.attname,
                          format_type(a.atttypid, a.atttypmod), a.attnotnull, coalesce(pg_get_expr(ad.adbin, ad.adrelid), '-'),
                          nullif(a.attidentity, ''), nullif(a.attgenerated, ''),
                          CASE WHEN a.attcollation <> 0 THEN (SELECT format('%I.%I', cn.nspname, co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) END,
                          a.attstorage, {(major >= 14 ? "coalesce(nullif(a.attcompression, ''), 'default')" : "'-'")},
                          {StatisticsTarget("a.attstattarget")}, {Options("a.attoptions")}, {Options("a.attfdwoptions")},
                          a.attislocal, a.attinhcount, {Acl("a.attacl", "'c'", "c.relowner")})
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
            WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
              AND {UserSchema} AND {NotMember("pg_class", "c.oid")}
            """,
            // constraints of tables and domains
            $"""
            SELECT format('constraint %s %s.%I type=%s def=%s deferrable=%s deferred=%s validated=%s local=%s inherited=%s',
                          CASE WHEN con.conrelid <> 0 THEN 'on ' || con.conrelid::regclass::text ELSE 'on domain ' || con.contypid::regtype::text END,
                          n.nspname, con.conname, con.contype, pg_get_constraintdef(con.oid), con.condeferrable, con.condeferred,
                          con.convalidated, con.conislocal, con.coninhcount)
            FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
            WHERE {UserSchema}
              AND (con.conrelid = 0 OR {NotMember("pg_class", "con.conrelid")})
              AND (con.contypid = 0 OR {NotMember("pg_type", "con.contypid")})
            """,
            // indexes, by the server's own CREATE INDEX text (tablespace, parents and options are in the relation line)
            $"""
            SELECT format('index %I.%I clustered=%s replident=%s stats=%s def=%s', n.nspname, c.relname, i.indisclustered, i.indisreplident,
                          coalesce((SELECT string_agg(a.attnum || ':' || a.attstattarget, ',' ORDER BY a.attnum) FROM pg_attribute a
                                    WHERE a.attrelid = c.oid AND a.attnum > 0 AND {StatisticsTarget("a.attstattarget")} <> -1), '-'),
                          pg_get_indexdef(c.oid))
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {UserSchema} AND {NotMember("pg_class", "c.oid")} AND {NotMember("pg_class", "i.indrelid")}
            """,
            // views and materialized views (check option, security_barrier and security_invoker are reloptions)
            $"""
            SELECT format('view %I.%I %s', n.nspname, c.relname, pg_get_viewdef(c.oid))
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('v', 'm') AND {UserSchema} AND {NotMember("pg_class", "c.oid")}
            """,
            // sequence parameters and OWNED BY (auto: serial / OWNED BY; internal: identity). Normalization: last_value and is_called
            // are data, compared by the data oracle.
            $"""
            SELECT format('sequence %I.%I type=%s start=%s increment=%s min=%s max=%s cache=%s cycle=%s owned_by=%s', n.nspname, c.relname,
                          format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
                          coalesce((SELECT string_agg(format('%s.%I (%s)', d.refobjid::regclass::text, a.attname, d.deptype), ',')
                                    FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
                                      AND d.deptype IN ('a', 'i')), '-'))
            FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE {UserSchema} AND {NotMember("pg_class", "c.oid")}
            """,
            // types: base, enum (labels in order), domain, standalone composite, range, multirange, shell (not defined).
            // Normalization: array types made implicitly for another type and the row types of tables, views etc. are left out; they
            // come and go with their element type or relation, and pg_dump never writes them.
            $"""
            SELECT format('type %I.%I typtype=%s defined=%s owner=%s acl=%s %s', n.nspname, t.typname, t.typtype, t.typisdefined,
                          {Owner("t.typowner")}, {Acl("t.typacl", "'T'", "t.typowner")},
                          CASE t.typtype
                            WHEN 'e' THEN format('labels=%s', (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
                            WHEN 'd' THEN format('base=%s notnull=%s default=%s collation=%s', format_type(t.typbasetype, t.typtypmod), t.typnotnull,
                                                 coalesce(pg_get_expr(t.typdefaultbin, 0), t.typdefault, '-'),
                                                 CASE WHEN t.typcollation <> 0 THEN t.typcollation::regcollation::text ELSE '-' END)
                            WHEN 'r' THEN (SELECT format('subtype=%s opclass=%s collation=%s canonical=%s subdiff=%s multirange=%s',
                                                 r.rngsubtype::regtype, (SELECT format('%I.%I', cn.nspname, oc.opcname) FROM pg_opclass oc JOIN pg_namespace cn ON cn.oid = oc.opcnamespace WHERE oc.oid = r.rngsubopc),
                                                 CASE WHEN r.rngcollation <> 0 THEN r.rngcollation::regcollation::text ELSE '-' END,
                                                 nullif(r.rngcanonical, 0)::regprocedure, nullif(r.rngsubdiff, 0)::regprocedure,
                                                 {(major >= 14 ? "r.rngmultitypid::regtype" : "'-'")})
                                           FROM pg_range r WHERE r.rngtypid = t.oid)
                            WHEN 'b' THEN format('len=%s byval=%s align=%s storage=%s category=%s preferred=%s delim=%s elem=%s input=%s output=%s receive=%s send=%s modin=%s modout=%s analyze=%s subscript=%s collatable=%s default=%s',
                                                 t.typlen, t.typbyval, t.typalign, t.typstorage, t.typcategory, t.typispreferred, t.typdelim,
                                                 nullif(t.typelem, 0)::regtype, t.typinput::regprocedure, t.typoutput::regprocedure,
                                                 nullif(t.typreceive, 0)::regprocedure, nullif(t.typsend, 0)::regprocedure,
                                                 nullif(t.typmodin, 0)::regprocedure, nullif(t.typmodout, 0)::regprocedure,
                                                 nullif(t.typanalyze, 0)::regprocedure, {(major >= 14 ? "nullif(t.typsubscript, 0)::regprocedure" : "'-'")},
                                                 t.typcollation <> 0, coalesce(t.typdefault, '-'))
                            ELSE ''
                          END)
            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE {UserSchema} AND {NotMember("pg_type", "t.oid")}
              AND NOT (t.typelem <> 0 AND EXISTS (SELECT 1 FROM pg_type e WHERE e.oid = t.typelem AND e.typarray = t.oid))
              AND NOT (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) <> 'c')
            """,
            // functions and procedures by pg_get_functiondef (SECURITY DEFINER, SET, LEAKPROOF, COST, ROWS, PARALLEL, SUPPORT, body);
            // aggregates (which have no pg_get_functiondef) by their pg_aggregate row
            $"""
            SELECT format('function %I.%I(%s) kind=%s owner=%s acl=%s def=%s', n.nspname, p.proname,
                          pg_get_function_identity_arguments(p.oid), p.prokind, {Owner("p.proowner")}, {Acl("p.proacl", "'f'", "p.proowner")},
                          CASE WHEN p.prokind = 'a' THEN
                            (SELECT format('aggregate result=%s strict=%s parallel=%s kind=%s direct=%s sfunc=%s stype=%s sspace=%s final=%s finalextra=%s finalmodify=%s combine=%s serial=%s deserial=%s msfunc=%s minvfunc=%s mstype=%s msspace=%s mfinal=%s mfinalextra=%s mfinalmodify=%s sortop=%s init=%s minit=%s',
                                           pg_get_function_result(p.oid), p.proisstrict, p.proparallel, g.aggkind, g.aggnumdirectargs,
                                           g.aggtransfn::regprocedure, g.aggtranstype::regtype, g.aggtransspace,
                                           nullif(g.aggfinalfn, 0)::regprocedure, g.aggfinalextra, g.aggfinalmodify,
                                           nullif(g.aggcombinefn, 0)::regprocedure, nullif(g.aggserialfn, 0)::regprocedure, nullif(g.aggdeserialfn, 0)::regprocedure,
                                           nullif(g.aggmtransfn, 0)::regprocedure, nullif(g.aggminvtransfn, 0)::regprocedure, nullif(g.aggmtranstype, 0)::regtype,
                                           g.aggmtransspace, nullif(g.aggmfinalfn, 0)::regprocedure, g.aggmfinalextra, g.aggmfinalmodify,
                                           nullif(g.aggsortop, 0)::regoperator, g.agginitval, g.aggminitval)
                             FROM pg_aggregate g WHERE g.aggfnoid = p.oid)
                          ELSE pg_get_functiondef(p.oid) END)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE {UserSchema} AND {NotMember("pg_proc", "p.oid")}
            """,
            // operators
            $"""
            SELECT format('operator %s owner=%s result=%s code=%s restrict=%s join=%s commutator=%s negator=%s merges=%s hashes=%s',
                          o.oid::regoperator, {Owner("o.oprowner")}, o.oprresult::regtype, nullif(o.oprcode, 0)::regprocedure,
                          nullif(o.oprrest, 0)::regprocedure, nullif(o.oprjoin, 0)::regprocedure, nullif(o.oprcom, 0)::regoperator,
                          nullif(o.oprnegate, 0)::regoperator, o.oprcanmerge, o.oprcanhash)
            FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
            WHERE {UserSchema} AND {NotMember("pg_operator", "o.oid")}
            """,
            // operator families with their operators and support functions
            $"""
            SELECT format('opfamily %I.%I using %I owner=%s operators=%s functions=%s', n.nspname, f.opfname, am.amname, {Owner("f.opfowner")},
                          coalesce((SELECT string_agg(x, ' ' ORDER BY x) FROM (
                                      SELECT format('%s:%s(%s,%s)%s%s', ao.amopstrategy, ao.amopopr::regoperator, ao.amoplefttype::regtype,
                                                    ao.amoprighttype::regtype, ao.amoppurpose,
                                                    CASE WHEN ao.amopsortfamily <> 0 THEN '/' || (SELECT format('%I.%I', sn.nspname, sf.opfname) FROM pg_opfamily sf JOIN pg_namespace sn ON sn.oid = sf.opfnamespace WHERE sf.oid = ao.amopsortfamily) ELSE '' END) AS x
                                      FROM pg_amop ao WHERE ao.amopfamily = f.oid) ops), '-'),
                          coalesce((SELECT string_agg(x, ' ' ORDER BY x) FROM (
                                      SELECT format('%s:%s(%s,%s)', ap.amprocnum, ap.amproc::regprocedure, ap.amproclefttype::regtype, ap.amprocrighttype::regtype) AS x
                                      FROM pg_amproc ap WHERE ap.amprocfamily = f.oid) procs), '-'))
            FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am am ON am.oid = f.opfmethod
            WHERE {UserSchema} AND {NotMember("pg_opfamily", "f.oid")}
            """,
            // operator classes
            $"""
            SELECT format('opclass %I.%I using %I owner=%s family=%s type=%s default=%s storage=%s', n.nspname, oc.opcname, am.amname,
                          {Owner("oc.opcowner")},
                          (SELECT format('%I.%I', fn.nspname, f.opfname) FROM pg_opfamily f JOIN pg_namespace fn ON fn.oid = f.opfnamespace WHERE f.oid = oc.opcfamily),
                          oc.opcintype::regtype, oc.opcdefault, nullif(oc.opckeytype, 0)::regtype)
            FROM pg_opclass oc JOIN pg_namespace n ON n.oid = oc.opcnamespace JOIN pg_am am ON am.oid = oc.opcmethod
            WHERE {UserSchema} AND {NotMember("pg_opclass", "oc.oid")}
            """,
            // casts made after initdb
            $"""
            SELECT format('cast (%s AS %s) function=%s context=%s method=%s', c.castsource::regtype, c.casttarget::regtype,
                          nullif(c.castfunc, 0)::regprocedure, c.castcontext, c.castmethod)
            FROM pg_cast c WHERE c.oid >= {FirstNormalObjectId} AND {NotMember("pg_cast", "c.oid")}
            """,
            // conversions
            $"""
            SELECT format('conversion %I.%I owner=%s from=%s to=%s function=%s default=%s', n.nspname, c.conname, {Owner("c.conowner")},
                          pg_encoding_to_char(c.conforencoding), pg_encoding_to_char(c.contoencoding), c.conproc::regprocedure, c.condefault)
            FROM pg_conversion c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE {UserSchema} AND {NotMember("pg_conversion", "c.oid")}
            """,
            // collations. Normalization: collversion is left out; pg_dump does not dump it (outside binary upgrade), a restore records
            // the version of the collation library it runs with.
            $"""
            SELECT format('collation %I.%I owner=%s provider=%s deterministic=%s collate=%s ctype=%s locale=%s rules=%s', n.nspname, c.collname,
                          {Owner("c.collowner")}, c.collprovider, c.collisdeterministic, c.collcollate, c.collctype,
                          {(major >= 17 ? "c.colllocale" : major >= 15 ? "c.colliculocale" : "'-'")}, {(major >= 16 ? "c.collicurules" : "'-'")})
            FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
            WHERE {UserSchema} AND {NotMember("pg_collation", "c.oid")}
            """,
            // text search parsers, templates, dictionaries, configurations (with their token mappings)
            $"""
            SELECT format('ts_parser %I.%I start=%s token=%s end=%s headline=%s lextypes=%s', n.nspname, p.prsname, p.prsstart::regprocedure,
                          p.prstoken::regprocedure, p.prsend::regprocedure, nullif(p.prsheadline, 0)::regprocedure, p.prslextype::regprocedure)
            FROM pg_ts_parser p JOIN pg_namespace n ON n.oid = p.prsnamespace
            WHERE {UserSchema} AND {NotMember("pg_ts_parser", "p.oid")}
            """,
            $"""
            SELECT format('ts_template %I.%I init=%s lexize=%s', n.nspname, t.tmplname, nullif(t.tmplinit, 0)::regprocedure, t.tmpllexize::regprocedure)
            FROM pg_ts_template t JOIN pg_namespace n ON n.oid = t.tmplnamespace
            WHERE {UserSchema} AND {NotMember("pg_ts_template", "t.oid")}
            """,
            $"""
            SELECT format('ts_dictionary %I.%I owner=%s template=%s options=%s', n.nspname, d.dictname, {Owner("d.dictowner")},
                          (SELECT format('%I.%I', tn.nspname, t.tmplname) FROM pg_ts_template t JOIN pg_namespace tn ON tn.oid = t.tmplnamespace WHERE t.oid = d.dicttemplate),
                          coalesce(d.dictinitoption, '-'))
            FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace
            WHERE {UserSchema} AND {NotMember("pg_ts_dict", "d.oid")}
            """,
            $"""
            SELECT format('ts_config %I.%I owner=%s parser=%s map=%s', n.nspname, c.cfgname, {Owner("c.cfgowner")},
                          (SELECT format('%I.%I', pn.nspname, p.prsname) FROM pg_ts_parser p JOIN pg_namespace pn ON pn.oid = p.prsnamespace WHERE p.oid = c.cfgparser),
                          coalesce((SELECT string_agg(format('%s:%s:%s', m.maptokentype, m.mapseqno, m.mapdict::regdictionary), ',' ORDER BY m.maptokentype, m.mapseqno)
                                    FROM pg_ts_config_map m WHERE m.mapcfg = c.oid), '-'))
            FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
            WHERE {UserSchema} AND {NotMember("pg_ts_config", "c.oid")}
            """,
            // procedural languages made after initdb
            $"""
            SELECT format('language %I procedural=%s trusted=%s handler=%s inline=%s validator=%s owner=%s acl=%s', l.lanname, l.lanispl,
                          l.lanpltrusted, nullif(l.lanplcallfoid, 0)::regprocedure, nullif(l.laninline, 0)::regprocedure,
                          nullif(l.lanvalidator, 0)::regprocedure, {Owner("l.lanowner")}, {Acl("l.lanacl", "'l'", "l.lanowner")})
            FROM pg_language l WHERE l.oid >= {FirstNormalObjectId} AND {NotMember("pg_language", "l.oid")}
            """,
            // transforms
            $"""
            SELECT format('transform for %s language %I from_sql=%s to_sql=%s', t.trftype::regtype, l.lanname,
                          nullif(t.trffromsql, 0)::regprocedure, nullif(t.trftosql, 0)::regprocedure)
            FROM pg_transform t JOIN pg_language l ON l.oid = t.trflang
            WHERE t.oid >= {FirstNormalObjectId} AND {NotMember("pg_transform", "t.oid")}
            """,
            // access methods made after initdb
            $"""
            SELECT format('access_method %I type=%s handler=%s', a.amname, a.amtype, a.amhandler::regprocedure)
            FROM pg_am a WHERE a.oid >= {FirstNormalObjectId} AND {NotMember("pg_am", "a.oid")}
            """,
            // foreign-data wrappers, servers, user mappings, foreign tables
            $"""
            SELECT format('foreign_data_wrapper %I handler=%s validator=%s owner=%s acl=%s options=%s', w.fdwname,
                          nullif(w.fdwhandler, 0)::regprocedure, nullif(w.fdwvalidator, 0)::regprocedure, {Owner("w.fdwowner")},
                          {Acl("w.fdwacl", "'F'", "w.fdwowner")}, {Options("w.fdwoptions")})
            FROM pg_foreign_data_wrapper w WHERE {NotMember("pg_foreign_data_wrapper", "w.oid")}
            """,
            $"""
            SELECT format('server %I wrapper=%I type=%s version=%s owner=%s acl=%s options=%s', s.srvname, w.fdwname,
                          coalesce(s.srvtype, '-'), coalesce(s.srvversion, '-'), {Owner("s.srvowner")}, {Acl("s.srvacl", "'S'", "s.srvowner")},
                          {Options("s.srvoptions")})
            FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw WHERE {NotMember("pg_foreign_server", "s.oid")}
            """,
            // Normalization: a password option is compared by its md5 only, so a failure report never prints a secret.
            """
            SELECT format('user_mapping for %s server %I options=%s', CASE WHEN u.umuser = 0 THEN 'public' ELSE pg_get_userbyid(u.umuser)::text END,
                          s.srvname,
                          coalesce((SELECT string_agg(CASE WHEN o LIKE 'password=%' THEN 'password=md5:' || md5(o) ELSE o END, ',' ORDER BY o)
                                    FROM unnest(u.umoptions) o), '-'))
            FROM pg_user_mapping u JOIN pg_foreign_server s ON s.oid = u.umserver
            """,
            $"""
            SELECT format('foreign_table %s server=%I options=%s', f.ftrelid::regclass, s.srvname, {Options("f.ftoptions")})
            FROM pg_foreign_table f JOIN pg_foreign_server s ON s.oid = f.ftserver WHERE {NotMember("pg_class", "f.ftrelid")}
            """,
            // triggers (internal ones belong to constraints, which have their own lines)
            $"""
            SELECT format('trigger %s.%I enabled=%s def=%s', t.tgrelid::regclass::text, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid))
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE NOT t.tgisinternal AND {UserSchema} AND {NotMember("pg_class", "c.oid")}
            """,
            // event triggers
            $"""
            SELECT format('event_trigger %I event=%s tags=%s enabled=%s function=%s owner=%s', e.evtname, e.evtevent,
                          coalesce((SELECT string_agg(tag, ',' ORDER BY tag) FROM unnest(e.evttags) tag), '-'), e.evtenabled,
                          e.evtfoid::regprocedure, {Owner("e.evtowner")})
            FROM pg_event_trigger e WHERE {NotMember("pg_event_trigger", "e.oid")}
            """,
            // rules (a view's _RETURN rule is its definition, in the view line)
            $"""
            SELECT format('rule %s.%I enabled=%s def=%s', r.ev_class::regclass::text, r.rulename, r.ev_enabled, pg_get_ruledef(r.oid))
            FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE r.rulename <> '_RETURN' AND {UserSchema} AND {NotMember("pg_class", "c.oid")}
            """,
            // row-level security policies
            """
            SELECT format('policy %s.%I cmd=%s permissive=%s roles=%s using=%s check=%s', p.polrelid::regclass::text, p.polname,
                          p.polcmd, p.polpermissive,
                          (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END, ',' ORDER BY 1)
                           FROM unnest(p.polroles) r),
                          coalesce(pg_get_expr(p.polqual, p.polrelid), '-'), coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '-'))
            FROM pg_policy p
            """,
            // publications with their tables (column lists and row filters from 15) and schemas (15+)
            $"""
            SELECT format('publication %I owner=%s all_tables=%s insert=%s update=%s delete=%s truncate=%s via_root=%s generated=%s tables=%s schemas=%s',
                          p.pubname, {Owner("p.pubowner")}, p.puballtables, p.pubinsert, p.pubupdate, p.pubdelete, p.pubtruncate, p.pubviaroot,
                          {(major >= 18 ? "p.pubgencols" : "'-'")},
                          coalesce((SELECT string_agg(x, ',' ORDER BY x) FROM (
                                      SELECT pr.prrelid::regclass::text {publicationTableDetail} AS x
                                      FROM pg_publication_rel pr WHERE pr.prpubid = p.oid) tables), '-'),
                          {(major >= 15 ? "coalesce((SELECT string_agg(pn.pnnspid::regnamespace::text, ',' ORDER BY 1) FROM pg_publication_namespace pn WHERE pn.pnpubid = p.oid), '-')" : "'-'")})
            FROM pg_publication p
            """,
            // subscriptions of this database, every column but those listed.
            // Normalization: pg_dump creates subscriptions with connect = false, so a restored one is disabled, has no skip LSN and
            // its two-phase state is "pending" until it connects; those columns compare as set or not. The connection string may hold
            // a password: compared by its md5.
            """
            SELECT format('subscription %I owner=%s conninfo=md5:%s two_phase=%s settings=%s', s.subname, pg_get_userbyid(s.subowner),
                          md5(s.subconninfo), coalesce((to_jsonb(s) ->> 'subtwophasestate') <> 'd', false),
                          to_jsonb(s) - 'oid' - 'subdbid' - 'subname' - 'subowner' - 'subenabled' - 'subconninfo' - 'subskiplsn' - 'subtwophasestate')
            FROM pg_subscription s WHERE s.subdbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
            """,
            // extended statistics
            $"""
            SELECT format('statistics %I.%I owner=%s target=%s def=%s', n.nspname, s.stxname, {Owner("s.stxowner")},
                          {StatisticsTarget("s.stxstattarget")}, pg_get_statisticsobjdef(s.oid))
            FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
            WHERE {UserSchema} AND {NotMember("pg_statistic_ext", "s.oid")}
            """,
            // default privileges (as stored: pg_dump writes them as given)
            """
            SELECT format('default_acl role=%s schema=%s objtype=%s acl=%s', pg_get_userbyid(d.defaclrole),
                          coalesce(d.defaclnamespace::regnamespace::text, '-'), d.defaclobjtype,
                          coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(d.defaclacl) a), '-'))
            FROM pg_default_acl d
            """,
            // extensions with their configuration tables.
            // Normalization: plpgsql is left out; every database gets it from the template, so its presence says nothing about a dump.
            """
            SELECT format('extension %I version=%s schema=%I config=%s conditions=%s members=%s', x.extname, x.extversion, n.nspname,
                          coalesce((SELECT string_agg(c::regclass::text, ',' ORDER BY k) FROM unnest(x.extconfig) WITH ORDINALITY u(c, k)), '-'),
                          coalesce(array_to_string(x.extcondition, ','), '-'),
                          (SELECT count(*) FROM pg_depend d WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = x.oid AND d.deptype = 'e'))
            FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace WHERE x.extname <> 'plpgsql'
            """,
            // ALTER … DEPENDS ON EXTENSION (functions, procedures, triggers, indexes, materialized views)
            """
            SELECT format('depends_on_extension %s %s extension %I', o.type, o.identity, x.extname)
            FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
            CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, d.objsubid) o
            WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'x'
            """,
            // Privileges of extension members and of built-in objects where they differ from the baseline pg_init_privs records
            // (what CREATE EXTENSION or initdb left): pg_dump dumps exactly those differences as GRANT/REVOKE.
            // Normalization: of the built-in objects, only those pg_dump dumps privileges for: the pg_catalog schema and the objects
            // in it (relations, their columns, functions, types). information_schema and pg_toast are not dumped by pg_dump at all
            // (its information_schema views differ from pg_init_privs from initdb on), and pg_dump reads only procedural languages
            // (lanispl), so grants on the built-in languages internal, c and sql are not dumped either. Schemas with a line of their
            // own (public among them) are compared there.
            $"""
            WITH acls(classid, objid, objsubid, nsp, acl, kind, owner) AS (
                SELECT 'pg_class'::regclass, c.oid, 0, c.relnamespace, c.relacl, (CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END)::"char", c.relowner
                FROM pg_class c
                UNION ALL
                SELECT 'pg_class'::regclass, a.attrelid, a.attnum::int, c.relnamespace, a.attacl, 'c'::"char", c.relowner
                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE a.attnum > 0 AND NOT a.attisdropped
                UNION ALL
                SELECT 'pg_proc'::regclass, p.oid, 0, p.pronamespace, p.proacl, 'f'::"char", p.proowner FROM pg_proc p
                UNION ALL
                SELECT 'pg_type'::regclass, t.oid, 0, t.typnamespace, t.typacl, 'T'::"char", t.typowner FROM pg_type t
                UNION ALL
                SELECT 'pg_namespace'::regclass, n.oid, 0, n.oid, n.nspacl, 'n'::"char", n.nspowner FROM pg_namespace n
                UNION ALL
                SELECT 'pg_language'::regclass, l.oid, 0, NULL::oid, l.lanacl, 'l'::"char", l.lanowner FROM pg_language l
                UNION ALL
                SELECT 'pg_foreign_data_wrapper'::regclass, w.oid, 0, NULL::oid, w.fdwacl, 'F'::"char", w.fdwowner FROM pg_foreign_data_wrapper w
                UNION ALL
                SELECT 'pg_foreign_server'::regclass, s.oid, 0, NULL::oid, s.srvacl, 'S'::"char", s.srvowner FROM pg_foreign_server s
            ), compared AS (
                SELECT x.classid, x.objid, x.objsubid,
                       {Acl("x.acl", "x.kind", "x.owner")} AS acl,
                       {Acl("ip.initprivs", "x.kind", "x.owner")} AS initial
                FROM acls x
                LEFT JOIN pg_init_privs ip ON ip.classoid = x.classid AND ip.objoid = x.objid AND ip.objsubid = x.objsubid
                WHERE (x.acl IS NOT NULL OR ip.initprivs IS NOT NULL)
                  AND ((x.objid < {FirstNormalObjectId} AND x.nsp = 'pg_catalog'::regnamespace)
                       OR EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = x.classid AND d.objid = x.objid AND d.deptype = 'e'))
            )
            SELECT format('acl_change %s %s acl=%s initial=%s', o.type, o.identity, c.acl, c.initial)
            FROM compared c CROSS JOIN LATERAL pg_identify_object(c.classid, c.objid, c.objsubid) o
            WHERE c.acl <> c.initial
            """,
            // large objects: OIDs are kept by dump and restore; contents by md5
            $"""
            SELECT format('large_object %s owner=%s acl=%s md5=%s', l.oid, {Owner("l.lomowner")}, {Acl("l.lomacl", "'L'", "l.lomowner")},
                          md5(lo_get(l.oid)))
            FROM pg_largeobject_metadata l
            """,
            // comments and security labels on everything dumped. Normalization: those on built-in objects are left out, and comments
            // on extension members; pg_dump does not dump them (initdb and the extension script set them). It does dump security
            // labels of extension members, so those stay.
            $"""
            SELECT format('comment on %s %s: %s', o.type, o.identity, d.description)
            FROM pg_description d CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
            WHERE d.objoid >= {FirstNormalObjectId}
              AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = d.classoid AND e.objid = d.objoid AND e.deptype = 'e')
            """,
            $"""
            SELECT format('security_label %s on %s %s: %s', s.provider, o.type, o.identity, s.label)
            FROM pg_seclabel s CROSS JOIN LATERAL pg_identify_object(s.classoid, s.objoid, s.objsubid) o
            WHERE s.objoid >= {FirstNormalObjectId}
            """,
            // The current database: its comment, security labels and ALTER DATABASE … SET settings (also per role). pg_dump writes
            // these only with --create (fpdump with --database-settings): a caller comparing a restore made without drops the lines
            // starting with "database ".
            // Normalization: its name, owner, ACL, encoding and locale are left out; the database is made by whoever creates the
            // target (pg_dump writes them only with --create), and the two compared databases necessarily have different names.
            """
            SELECT format('database comment: %s', d.description)
            FROM pg_shdescription d
            WHERE d.classoid = 'pg_database'::regclass AND d.objoid = (SELECT oid FROM pg_database WHERE datname = current_database())
            """,
            """
            SELECT format('database security_label %s: %s', s.provider, s.label)
            FROM pg_shseclabel s
            WHERE s.classoid = 'pg_database'::regclass AND s.objoid = (SELECT oid FROM pg_database WHERE datname = current_database())
            """,
            $"""
            SELECT format('database setting role=%s %s', CASE WHEN s.setrole = 0 THEN '-' ELSE pg_get_userbyid(s.setrole)::text END,
                          {Options("s.setconfig")})
            FROM pg_db_role_setting s WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
            """,
            // counts, as a quick overview in failure messages
            $"""
            SELECT format('count pg_class relkind=%s: %s', c.relkind, count(*))
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind <> 't' AND {UserSchema} GROUP BY c.relkind
            """,
            $"""
            SELECT format('count pg_constraint contype=%s: %s', con.contype, count(*))
            FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace WHERE {UserSchema} GROUP BY con.contype
            """,
            $"SELECT format('count pg_proc: %s', count(*)) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE {UserSchema}",
            "SELECT format('count pg_policy: %s', count(*)) FROM pg_policy",
            "SELECT format('count pg_trigger: %s', count(*)) FROM pg_trigger WHERE NOT tgisinternal",
        };
        return queries;
    }

    /// <summary>Reads the fingerprint of one database: sorted lines, one per object (or count).</summary>
    public static async Task<List<string>> ReadAsync(string connectionString, CancellationToken ct = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        // Deparsed text qualifies names relative to search_path: make it the same on both sides.
        await using (var set = new NpgsqlCommand("SET search_path = pg_catalog", connection))
            await set.ExecuteNonQueryAsync(ct);
        int major;
        await using (var version = new NpgsqlCommand("SELECT current_setting('server_version_num')::int / 10000", connection))
            major = (int)(await version.ExecuteScalarAsync(ct))!;
        var lines = new List<string>();
        foreach (var sql in QueriesFor(major))
        {
            await using var command = new NpgsqlCommand(sql, connection);
            try
            {
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    lines.Add(reader.GetString(0).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal));
            }
            catch (PostgresException ex)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"catalog fingerprint query failed on PostgreSQL {major}: {ex.MessageText}\n{sql}"), ex);
            }
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
