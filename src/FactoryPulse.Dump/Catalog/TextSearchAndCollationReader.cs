using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Catalog;

/// <summary>Collations and the text search family: parsers, templates, dictionaries, configurations.</summary>
internal sealed class TextSearchAndCollationReader(CatalogSession session) : CatalogFamilyReader(session)
{
    public Task ReadCollationsAsync()
    {
        var locale = Features.CollationLocaleColumn is { } column ? "c." + column : "NULL::text";
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
                collation.AddDependency(Lookups.SchemaNamed(collation.Schema));
                Lookups.AddOther(collation);
            });
    }

    public async Task ReadTextSearchAsync()
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
                parser.AddDependency(Lookups.SchemaNamed(parser.Schema));
                Lookups.AddOther(parser);
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
                template.AddDependency(Lookups.SchemaNamed(template.Schema));
                Lookups.AddOther(template);
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
                dictionary.AddDependency(Lookups.SchemaNamed(dictionary.Schema));
                Lookups.AddOther(dictionary);
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
                configuration.AddDependency(Lookups.SchemaNamed(configuration.Schema));
                Lookups.AddOther(configuration);
            }).ConfigureAwait(false);
    }
}
