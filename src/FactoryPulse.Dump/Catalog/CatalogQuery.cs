using System.Globalization;
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

    /// <summary>Runs one catalog query and keeps its rows, to be handed over later (<see cref="BufferedRows.ForEach"/>).</summary>
    public static async Task<BufferedRows> BufferAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++)
                values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(values);
        }
        return new BufferedRows(CatalogRow.Ordinals(reader), rows);
    }
}

/// <summary>The rows of a catalog query read ahead of time, with the columns' names.</summary>
internal sealed class BufferedRows(Dictionary<string, int> ordinals, List<object?[]> rows)
{
    public int Count => rows.Count;

    public void ForEach(Action<CatalogRow> onRow)
    {
        var row = new CatalogRow(ordinals);
        foreach (var values in rows)
        {
            row.MoveTo(values);
            onRow(row);
        }
    }
}

/// <summary>One row of a catalog query, read by column name: live from the server's reader, or from rows read ahead.</summary>
internal sealed class CatalogRow
{
    private readonly NpgsqlDataReader? _reader;
    private readonly Dictionary<string, int> _ordinals;
    private object?[] _values = [];

    public CatalogRow(NpgsqlDataReader reader)
    {
        _reader = reader;
        _ordinals = Ordinals(reader);
    }

    public CatalogRow(Dictionary<string, int> ordinals) => _ordinals = ordinals;

    internal static Dictionary<string, int> Ordinals(NpgsqlDataReader reader)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < reader.FieldCount; i++)
            map[reader.GetName(i)] = i;
        return map;
    }

    internal void MoveTo(object?[] values) => _values = values;

    private int Ordinal(string column) =>
        _ordinals.TryGetValue(column, out var ordinal) ? ordinal : throw new InvalidOperationException($"Catalog query has no column '{column}'.");

    /// <summary>
    /// The column as <typeparamref name="T"/>. A row read ahead holds each value as its column type's default CLR type;
    /// a narrower or wider number is converted, as the reader's own GetFieldValue would.
    /// </summary>
    private T Value<T>(string column)
    {
        var ordinal = Ordinal(column);
        if (_reader is not null)
            return _reader.GetFieldValue<T>(ordinal);
        return _values[ordinal] switch
        {
            T value => value,
            null => throw new InvalidCastException($"Catalog column '{column}' is null."),
            var other => (T)Convert.ChangeType(other, typeof(T), CultureInfo.InvariantCulture),
        };
    }

    public bool IsNull(string column) => _reader is null ? _values[Ordinal(column)] is null : _reader.IsDBNull(Ordinal(column));

    public string String(string column) => Value<string>(column);

    public string? NullableString(string column) => IsNull(column) ? null : String(column);

    public uint Oid(string column) => Value<uint>(column);

    public bool Bool(string column) => Value<bool>(column);

    /// <summary>A "char" column; queries cast them to text because an empty "char" has no character.</summary>
    public char Char(string column)
    {
        var text = NullableString(column);
        return string.IsNullOrEmpty(text) ? '\0' : text[0];
    }

    public int Int(string column) => Value<int>(column);

    public long Long(string column) => Value<long>(column);

    public double Double(string column) => Value<double>(column);

    public string[]? StringArray(string column) => IsNull(column) ? null : Value<string[]>(column);
}
