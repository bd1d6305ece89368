using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Catalog;

/// <summary>
/// What every family reader shares for one catalog read: the connection, the server's features and keywords, and the lookups.
/// With a helper connection in the same snapshot, queries named by <see cref="Prefetch"/> run there ahead of time, side by
/// side with the ones on the main connection; their rows are handed over in the usual fill order when the reader asks.
/// </summary>
internal sealed class CatalogSession(NpgsqlConnection connection, ServerFeatures features, IReadOnlySet<string> keywords, CancellationToken cancellationToken)
{
    private readonly Dictionary<string, Task<BufferedRows>> _prefetched = new(StringComparer.Ordinal);
    private NpgsqlConnection? _helper;
    private Task _helperQueue = Task.CompletedTask;

    public ServerFeatures Features { get; } = features;

    public IReadOnlySet<string> Keywords { get; } = keywords;

    public CatalogLookups Lookups { get; } = new();

    /// <summary>
    /// A second connection that imported the main one's snapshot: what it reads is what the main connection would read.
    /// </summary>
    public void UseHelper(NpgsqlConnection helper) => _helper = helper;

    /// <summary>
    /// Starts <paramref name="sql"/> on the helper connection, behind the queries prefetched before it; the later
    /// <see cref="Query"/> with the same text takes its rows instead of asking the main connection. Without a helper it does nothing.
    /// </summary>
    public void Prefetch(string sql)
    {
        if (_helper is null || _prefetched.ContainsKey(sql))
            return;
        var fetch = FetchAfterAsync(_helperQueue, _helper, sql);
        _prefetched[sql] = fetch;
        _helperQueue = fetch;
    }

    private async Task<BufferedRows> FetchAfterAsync(Task previous, NpgsqlConnection helper, string sql)
    {
        // One connection runs one query at a time; an earlier failure is reported by the query that had it.
        await Task.WhenAny(previous).ConfigureAwait(false);
        return await CatalogQuery.BufferAsync(helper, sql, cancellationToken).ConfigureAwait(false);
    }

    public async Task Query(string sql, Action<CatalogRow> onRow)
    {
        if (_prefetched.Remove(sql, out var fetch))
        {
            var rows = await fetch.ConfigureAwait(false);
            rows.ForEach(onRow);
            return;
        }
        await CatalogQuery.ForEachAsync(connection, sql, onRow, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the helper connection is idle (prefetches not asked for are dropped), so it can be used or closed.</summary>
    public Task ReleaseHelperAsync()
    {
        _prefetched.Clear();
        var queue = _helperQueue;
        _helper = null;
        return Task.WhenAny(queue);
    }

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
