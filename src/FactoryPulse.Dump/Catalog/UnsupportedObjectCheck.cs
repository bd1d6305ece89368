namespace FactoryPulse.Dump.Catalog;

/// <summary>The first step of a catalog read: kinds of objects the dump cannot write yet stop it before anything is written.</summary>
internal static class UnsupportedObjectCheck
{
    /// <summary>Objects this version cannot yet restore faithfully are refused up front, never silently dropped.</summary>
    public static async Task RefuseUnsupportedAsync(CatalogSession session)
    {
        var found = new List<string>();
        await session.Query(
            $"""
            SELECT kind, name FROM (
              SELECT 'foreign table' AS kind, n.nspname || '.' || c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'f' AND {CatalogFamilyReader.UserSchema} AND {CatalogFamilyReader.NotExtensionMember("pg_class", "c")}
              UNION ALL SELECT 'foreign data wrapper', w.fdwname FROM pg_catalog.pg_foreign_data_wrapper w WHERE {CatalogFamilyReader.NotExtensionMember("pg_foreign_data_wrapper", "w")}
              UNION ALL SELECT 'foreign server', s.srvname FROM pg_catalog.pg_foreign_server s WHERE {CatalogFamilyReader.NotExtensionMember("pg_foreign_server", "s")}
            ) unsupported ORDER BY kind, name
            """,
            row => found.Add($"{row.String("kind")} {row.String("name")}")).ConfigureAwait(false);
        if (found.Count > 0)
        {
            var shown = found.Count > 10 ? string.Join(", ", found.GetRange(0, 10)) + $" and {found.Count - 10} more" : string.Join(", ", found);
            throw new UnsupportedObjectException($"The database holds objects this version of FactoryPulse.Dump cannot dump faithfully yet: {shown}. Nothing was written.");
        }
    }
}
