using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Catalog;

/// <summary>
/// Procedural languages, transforms, access methods and conversions. Like pg_dump, built-ins (oids below 16384, languages
/// without lanispl) and extension members are left out: initdb or CREATE EXTENSION makes them.
/// </summary>
internal sealed class LanguageAndAccessMethodReader(CatalogSession session) : CatalogFamilyReader(session)
{
    public async Task ReadAsync()
    {
        await Query(
            $"""
            SELECT l.oid, l.lanname AS name, pg_catalog.pg_get_userbyid(l.lanowner) AS owner, l.lanpltrusted,
                   l.lanplcallfoid::pg_catalog.regproc::text AS handler,
                   NULLIF(l.laninline::pg_catalog.regproc::text, '-') AS inline,
                   NULLIF(l.lanvalidator::pg_catalog.regproc::text, '-') AS validator,
                   -- every support function exists on the target: dumped (user schema), built in, or made by its extension
                   NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                               WHERE p.oid IN (l.lanplcallfoid, l.laninline, l.lanvalidator) AND p.oid >= 16384
                                 AND NOT ({UserSchema}) AND {NotExtensionMember("pg_proc", "p")}) AS with_parameters
            FROM pg_catalog.pg_language l
            WHERE l.lanispl AND l.oid >= 16384 AND {NotExtensionMember("pg_language", "l")}
            ORDER BY l.lanname
            """,
            row =>
            {
                var withParameters = row.Bool("with_parameters");
                Lookups.AddOther(new ProceduralLanguageObject(row.Oid("oid"), row.String("name"), row.String("owner"), row.Bool("lanpltrusted"),
                    withParameters ? row.String("handler") : null, withParameters ? row.NullableString("inline") : null,
                    withParameters ? row.NullableString("validator") : null));
            }).ConfigureAwait(false);

        await Query(
            $"""
            SELECT t.oid, pg_catalog.format_type(t.trftype, NULL) AS type_name, l.lanname AS language,
                   CASE WHEN t.trffromsql <> 0 THEN t.trffromsql::pg_catalog.regprocedure::text END AS from_sql,
                   CASE WHEN t.trftosql <> 0 THEN t.trftosql::pg_catalog.regprocedure::text END AS to_sql
            FROM pg_catalog.pg_transform t JOIN pg_catalog.pg_language l ON l.oid = t.trflang
            WHERE {NotExtensionMember("pg_transform", "t")}
            ORDER BY type_name, l.lanname
            """,
            row => Lookups.AddOther(new TransformObject(row.Oid("oid"), row.String("type_name"), row.String("language"),
                row.NullableString("from_sql"), row.NullableString("to_sql")))).ConfigureAwait(false);

        await Query(
            $"""
            SELECT a.oid, a.amname AS name, a.amtype::text AS type, a.amhandler::pg_catalog.regproc::text AS handler
            FROM pg_catalog.pg_am a
            WHERE a.oid >= 16384 AND {NotExtensionMember("pg_am", "a")}
            ORDER BY a.amname
            """,
            row => Lookups.AddOther(new AccessMethodObject(row.Oid("oid"), row.String("name"), row.Char("type"), row.String("handler")))).ConfigureAwait(false);

        await Query(
            $"""
            SELECT c.oid, n.nspname AS schema, c.conname AS name, pg_catalog.pg_get_userbyid(c.conowner) AS owner, c.condefault,
                   pg_catalog.pg_encoding_to_char(c.conforencoding) AS from_encoding, pg_catalog.pg_encoding_to_char(c.contoencoding) AS to_encoding,
                   c.conproc::pg_catalog.regproc::text AS function
            FROM pg_catalog.pg_conversion c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace
            WHERE {UserSchema} AND {NotExtensionMember("pg_conversion", "c")}
            ORDER BY n.nspname, c.conname
            """,
            row =>
            {
                var conversion = new ConversionObject(row.Oid("oid"), row.String("schema"), row.String("name"), row.String("owner"), row.Bool("condefault"),
                    row.String("from_encoding"), row.String("to_encoding"), row.String("function"));
                conversion.AddDependency(Lookups.SchemaNamed(conversion.Schema));
                Lookups.AddOther(conversion);
            }).ConfigureAwait(false);
    }
}
