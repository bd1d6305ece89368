using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Catalog;

/// <summary>
/// Foreign data wrappers, servers, user mappings and foreign tables, with pg_dump's rules: a wrapper that an extension
/// created is the extension's (not read; servers using it are, after the extension), user mappings go with their
/// server, and a foreign table is a table with a server whose rows are never dumped.
/// </summary>
internal sealed class ForeignDataReader(CatalogSession session) : CatalogFamilyReader(session)
{
    /// <summary>
    /// A generic options array (fdwoptions, srvoptions, umoptions, ftoptions, attfdwoptions) as OPTIONS list text, in the
    /// catalog's order, quoted by the server; NULL when there are none.
    /// </summary>
    public static string OptionsText(string column) =>
        $"""
        NULLIF(pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(o.option_name) || ' ' || pg_catalog.quote_literal(o.option_value)
                                                FROM pg_catalog.pg_options_to_table({column}) o), E',\n    '), '')
        """;

    private readonly Dictionary<uint, ForeignServerObject> _servers = [];

    public async Task ReadWrappersAndServersAsync()
    {
        // regproc prints the handler and validator qualified unless pg_catalog has them (the search_path is empty).
        await Query(
            $"""
            SELECT w.oid, w.fdwname AS name, pg_catalog.pg_get_userbyid(w.fdwowner) AS owner,
                   CASE WHEN w.fdwhandler <> 0 THEN w.fdwhandler::pg_catalog.regproc::text END AS handler,
                   CASE WHEN w.fdwvalidator <> 0 THEN w.fdwvalidator::pg_catalog.regproc::text END AS validator,
                   {OptionsText("w.fdwoptions")} AS options
            FROM pg_catalog.pg_foreign_data_wrapper w
            WHERE {NotExtensionMember("pg_foreign_data_wrapper", "w")}
            ORDER BY w.fdwname
            """,
            row => Lookups.AddOther(new ForeignDataWrapperObject(row.Oid("oid"), row.String("name"), row.String("owner"),
                row.NullableString("handler"), row.NullableString("validator"), row.NullableString("options")))).ConfigureAwait(false);

        await Query(
            $"""
            SELECT s.oid, s.srvname AS name, pg_catalog.pg_get_userbyid(s.srvowner) AS owner, s.srvtype AS type, s.srvversion AS version,
                   {OptionsText("s.srvoptions")} AS options, w.oid AS wrapper_oid, w.fdwname AS wrapper, e.refobjid AS wrapper_extension
            FROM pg_catalog.pg_foreign_server s JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw
            LEFT JOIN pg_catalog.pg_depend e ON e.classid = 'pg_catalog.pg_foreign_data_wrapper'::pg_catalog.regclass AND e.objid = w.oid AND e.deptype = 'e'
            WHERE {NotExtensionMember("pg_foreign_server", "s")}
            ORDER BY s.srvname
            """,
            row =>
            {
                var server = new ForeignServerObject(row.Oid("oid"), row.String("name"), row.String("owner"), row.String("wrapper"),
                    row.NullableString("type"), row.NullableString("version"), row.NullableString("options"));
                // The wrapper is ours, or the extension's that creates it: the server waits for either.
                server.AddDependency(Lookups.Others.GetValueOrDefault(new CatalogId(CatalogClasses.ForeignDataWrapper, row.Oid("wrapper_oid"))));
                if (!row.IsNull("wrapper_extension"))
                    server.AddDependency(Lookups.Extensions.GetValueOrDefault(row.Oid("wrapper_extension")));
                _servers[server.Id.ObjectId] = server;
                Lookups.AddOther(server);
            }).ConfigureAwait(false);
    }

    /// <summary>
    /// User mappings through pg_user_mappings, as pg_dump reads them: the view shows a mapping's options to a superuser, the
    /// server's owner and the mapped role itself (pg_user_mapping is a superuser's only); to anyone else they are NULL
    /// and the mapping is written without them, as pg_dump does.
    /// </summary>
    public Task ReadUserMappingsAsync() => Query(
        $"""
        SELECT u.umid, u.srvid, CASE WHEN u.umuser <> 0 THEN u.usename::text END AS usename, {OptionsText("u.umoptions")} AS options
        FROM pg_catalog.pg_user_mappings u
        ORDER BY u.srvname, u.usename
        """,
        row =>
        {
            if (!_servers.TryGetValue(row.Oid("srvid"), out var server))
                return;
            var mapping = new UserMappingObject(row.Oid("umid"), server, row.NullableString("usename"), row.NullableString("options"));
            mapping.AddDependency(server);
            Lookups.AddOther(mapping);
        });

    /// <summary>
    /// Foreign tables, registered as tables (<see cref="TableObject.Foreign"/>) before RelationReader reads the other
    /// relations, so inheritance, partition attachment, columns, defaults, CHECKs and privileges find them there.
    /// </summary>
    public Task ReadForeignTablesAsync() => Query(
        $"""
        SELECT c.oid, n.nspname AS schema, c.relname AS name, pg_catalog.pg_get_userbyid(c.relowner) AS owner, c.relispartition,
               ft.ftserver, s.srvname AS server, {OptionsText("ft.ftoptions")} AS options
        FROM pg_catalog.pg_foreign_table ft
        JOIN pg_catalog.pg_class c ON c.oid = ft.ftrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver
        WHERE {UserSchema} AND {NotExtensionMember("pg_class", "c")}
        ORDER BY n.nspname, c.relname
        """,
        row =>
        {
            var oid = row.Oid("oid");
            var schema = row.String("schema");
            // Foreign tables have neither row security nor a replica identity; they are never unlogged.
            var table = new TableObject(oid, schema, row.String("name"), row.String("owner"), false, null, 'd', false, false)
            {
                IsPartition = row.Bool("relispartition"),
                Foreign = new ForeignTableInfo(row.String("server"), row.NullableString("options")),
            };
            table.AddDependency(Lookups.SchemaNamed(schema));
            table.AddDependency(_servers.GetValueOrDefault(row.Oid("ftserver")));
            Lookups.Relations[oid] = table;
            Lookups.Objects.Add(table);
        });
}
