using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Catalog;

/// <summary>What every family reader shares for one catalog read: the connection, the server's features and keywords, and the lookups.</summary>
internal sealed class CatalogSession(NpgsqlConnection connection, ServerFeatures features, IReadOnlySet<string> keywords, CancellationToken cancellationToken)
{
    public ServerFeatures Features { get; } = features;

    public IReadOnlySet<string> Keywords { get; } = keywords;

    public CatalogLookups Lookups { get; } = new();

    public Task Query(string sql, Action<CatalogRow> onRow) => CatalogQuery.ForEachAsync(connection, sql, onRow, cancellationToken);

    public string Ident(string name) => SqlText.QuoteIdentifierIfNeeded(name, Keywords);
}

/// <summary>The base of the readers of one object family: the shared session and the SQL fragments every family uses.</summary>
internal abstract class CatalogFamilyReader(CatalogSession session)
{
    // Schemas initdb creates for the system; pg_toast/pg_temp_N and friends all start with pg_.
    public const string UserSchema = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'";

    protected CatalogLookups Lookups => session.Lookups;

    protected ServerFeatures Features => session.Features;

    protected Task Query(string sql, Action<CatalogRow> onRow) => session.Query(sql, onRow);

    public static string NotExtensionMember(string catalog, string alias) =>
        $"NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend member WHERE member.classid = 'pg_catalog.{catalog}'::pg_catalog.regclass AND member.objid = {alias}.oid AND member.deptype = 'e')";

    protected string Ident(string name) => session.Ident(name);

    protected string? Collation(CatalogRow row) =>
        row.NullableString("collation_name") is { } name ? Ident(row.String("collation_schema")) + "." + Ident(name) : null;
}
