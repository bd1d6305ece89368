using Npgsql;

namespace FactoryPulse.Dump.Sample;

/// <summary>What the sample compares between the source and the restored database: per table, the row count,
/// whether row-level security is enabled (and forced), and how many policies the table has.</summary>
internal sealed record TableFacts(string Table, long Rows, bool RowSecurity, bool ForceRowSecurity, int Policies);

internal static class TableCensus
{
    private const string TablesQuery = """
        SELECT n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity,
               (SELECT count(*)::int FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid)
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\_toast%'
        ORDER BY 1, 2
        """;

    /// <summary>Reads the facts of every user table of the database.</summary>
    public static async Task<IReadOnlyList<TableFacts>> ReadAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);

        var tables = new List<(string Schema, string Name, bool Rls, bool Force, int Policies)>();
        await using (var command = new NpgsqlCommand(TablesQuery, connection))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                tables.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetInt32(4)));
        }

        var facts = new List<TableFacts>();
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {Quote(table.Schema)}.{Quote(table.Name)}", connection);
            var rows = (long)(await count.ExecuteScalarAsync(ct))!;
            facts.Add(new TableFacts($"{table.Schema}.{table.Name}", rows, table.Rls, table.Force, table.Policies));
        }

        return facts;
    }

    /// <summary>Prints source against target, table by table, and returns whether everything matches.</summary>
    public static bool Compare(IReadOnlyList<TableFacts> source, IReadOnlyList<TableFacts> target, TextWriter output)
    {
        var targetByName = target.ToDictionary(t => t.Table, StringComparer.Ordinal);
        var width = Math.Max(5, source.Concat(target).Select(t => t.Table.Length).DefaultIfEmpty(0).Max());
        output.WriteLine($"  {"table".PadRight(width)}  {"source",8}  {"target",8}  {"RLS",-12}  policies");

        var allMatch = source.Count > 0;
        foreach (var s in source)
        {
            targetByName.Remove(s.Table, out var t);
            var ok = t is not null && s == t;
            allMatch &= ok;
            output.WriteLine(
                $"  {s.Table.PadRight(width)}  {s.Rows,8}  {(t is null ? "missing" : t.Rows.ToString()),8}  " +
                $"{Rls(s) + (t is null || Rls(t) == Rls(s) ? "" : "/" + Rls(t)),-12}  " +
                $"{s.Policies}/{(t is null ? "-" : t.Policies.ToString())}  {(ok ? "OK" : "MISMATCH")}");
        }

        foreach (var extra in targetByName.Values.OrderBy(t => t.Table, StringComparer.Ordinal))
        {
            allMatch = false;
            output.WriteLine($"  {extra.Table.PadRight(width)}  {"missing",8}  {extra.Rows,8}  {Rls(extra),-12}  -/{extra.Policies}  MISMATCH");
        }

        return allMatch;
    }

    private static string Rls(TableFacts t) => t.ForceRowSecurity ? "on, forced" : t.RowSecurity ? "on" : "off";

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
