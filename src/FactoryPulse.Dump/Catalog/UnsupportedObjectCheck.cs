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
              SELECT 'window function' AS kind, n.nspname || '.' || p.proname AS name FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                WHERE p.prokind = 'w' AND {CatalogFamilyReader.UserSchema} AND {CatalogFamilyReader.NotExtensionMember("pg_proc", "p")}
              UNION ALL SELECT 'base type', n.nspname || '.' || t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                WHERE t.typtype = 'b' AND t.typcategory <> 'A' AND {CatalogFamilyReader.UserSchema} AND {CatalogFamilyReader.NotExtensionMember("pg_type", "t")}
              UNION ALL SELECT 'range type with a canonical function', n.nspname || '.' || t.typname FROM pg_catalog.pg_range r JOIN pg_catalog.pg_type t ON t.oid = r.rngtypid
                JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE r.rngcanonical <> 0 AND {CatalogFamilyReader.UserSchema} AND {CatalogFamilyReader.NotExtensionMember("pg_type", "t")}
              UNION ALL SELECT 'conversion', n.nspname || '.' || c.conname FROM pg_catalog.pg_conversion c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace
                WHERE {CatalogFamilyReader.UserSchema} AND {CatalogFamilyReader.NotExtensionMember("pg_conversion", "c")}
              UNION ALL SELECT 'procedural language', l.lanname FROM pg_catalog.pg_language l WHERE l.oid >= 16384 AND {CatalogFamilyReader.NotExtensionMember("pg_language", "l")}
              UNION ALL SELECT 'transform', t.trftype::pg_catalog.regtype::text FROM pg_catalog.pg_transform t WHERE {CatalogFamilyReader.NotExtensionMember("pg_transform", "t")}
              UNION ALL SELECT 'access method', a.amname FROM pg_catalog.pg_am a WHERE a.oid >= 16384 AND {CatalogFamilyReader.NotExtensionMember("pg_am", "a")}
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
