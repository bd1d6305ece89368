using FactoryPulse.Dump.Catalog;
using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Restore;

/// <summary>
/// A target that already has ALTER DEFAULT PRIVILEGES (every Supabase project has them for public) would hand its
/// defaults to every object the restore creates, on top of the archived privileges. pg_dump restores default
/// privileges last for this reason, but only its own; this takes the target's schema-level defaults out while the
/// restore creates objects, and puts them back afterwards (also after a failure).
/// </summary>
internal sealed class DefaultPrivilegesGuard
{
    private readonly List<string> _reinstate = [];

    public static async Task<DefaultPrivilegesGuard> SuspendAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var guard = new DefaultPrivilegesGuard();
        var suspend = new List<string>();
        await CatalogQuery.ForEachAsync(connection,
            """
            SELECT pg_catalog.pg_get_userbyid(d.defaclrole)::text AS role, n.nspname AS schema, d.defaclobjtype::text AS object_type,
                   CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END AS grantee, a.privilege_type, a.is_grantable
            FROM pg_catalog.pg_default_acl d
            JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
            CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) AS a
            ORDER BY d.oid
            """,
            row =>
            {
                var objects = row.Char("object_type") switch
                {
                    'r' => "TABLES",
                    'S' => "SEQUENCES",
                    'f' => "FUNCTIONS",
                    'T' => "TYPES",
                    _ => "SCHEMAS",
                };
                var grantee = row.NullableString("grantee") is { } name ? SqlText.QuoteIdentifier(name) : "PUBLIC";
                var prefix = $"ALTER DEFAULT PRIVILEGES FOR ROLE {SqlText.QuoteIdentifier(row.String("role"))} IN SCHEMA {SqlText.QuoteIdentifier(row.String("schema"))}";
                suspend.Add($"{prefix} REVOKE {row.String("privilege_type")} ON {objects} FROM {grantee}");
                guard._reinstate.Add($"{prefix} GRANT {row.String("privilege_type")} ON {objects} TO {grantee}{(row.Bool("is_grantable") ? " WITH GRANT OPTION" : "")}");
            }, cancellationToken).ConfigureAwait(false);
        foreach (var statement in suspend)
            await ServerConnection.ExecuteAsync(connection, statement, cancellationToken).ConfigureAwait(false);
        return guard;
    }

    public bool IsEmpty => _reinstate.Count == 0;

    public async Task ReinstateAsync(NpgsqlConnection connection)
    {
        // Not cancellable: the target must get its defaults back whatever happened to the restore.
        foreach (var statement in _reinstate)
            await ServerConnection.ExecuteAsync(connection, statement, CancellationToken.None).ConfigureAwait(false);
    }
}
