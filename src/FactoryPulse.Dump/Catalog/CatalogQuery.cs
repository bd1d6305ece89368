using Npgsql;

namespace FactoryPulse.Dump.Catalog;

/// <summary>Runs one catalog query and hands each row over by column name (never by position).</summary>
internal static class CatalogQuery
{
    public static async Task ForEachAsync(NpgsqlConnection connection, string sql, Action<CatalogRow> onRow, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var row = new CatalogRow(reader);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            onRow(row);
    }
}

internal sealed class CatalogRow(NpgsqlDataReader reader)
{
    private readonly Dictionary<string, int> _ordinals = Ordinals(reader);

    private static Dictionary<string, int> Ordinals(NpgsqlDataReader reader)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < reader.FieldCount; i++)
            map[reader.GetName(i)] = i;
        return map;
    }

    private int Ordinal(string column) =>
        _ordinals.TryGetValue(column, out var ordinal) ? ordinal : throw new InvalidOperationException($"Catalog query has no column '{column}'.");

    public bool IsNull(string column) => reader.IsDBNull(Ordinal(column));

    public string String(string column) => reader.GetFieldValue<string>(Ordinal(column));

    public string? NullableString(string column) => IsNull(column) ? null : String(column);

    public uint Oid(string column) => reader.GetFieldValue<uint>(Ordinal(column));

    public bool Bool(string column) => reader.GetFieldValue<bool>(Ordinal(column));

    /// <summary>A "char" column; queries cast them to text because an empty "char" has no character.</summary>
    public char Char(string column)
    {
        var text = NullableString(column);
        return string.IsNullOrEmpty(text) ? '\0' : text[0];
    }

    public int Int(string column) => reader.GetFieldValue<int>(Ordinal(column));

    public long Long(string column) => reader.GetFieldValue<long>(Ordinal(column));

    public double Double(string column) => reader.GetFieldValue<double>(Ordinal(column));

    public string[]? StringArray(string column) => IsNull(column) ? null : reader.GetFieldValue<string[]>(Ordinal(column));
}
