using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Data;

/// <summary>
/// The one builder of COPY command text, from a manifest entry: what the dump reads (the table, or a query when rows
/// are filtered by an extension's condition or values redacted; a ctid block range for a chunk), what the restore
/// loads (binary or text, FREEZE), and the plain script's COPY header.
/// </summary>
internal static class CopySpec
{
    /// <summary>COPY of a whole table to the client, binary or text.</summary>
    public static string ToStdout(TocEntry entry, TableDataInfo data, bool binary) =>
        $"COPY {Source(entry, data)} TO STDOUT{FormatOption(binary)}";

    /// <summary>
    /// COPY of one block range of a table: ctid bounds scan with a TID range scan (PostgreSQL 14+); an open end
    /// (<paramref name="endBlock"/> null) keeps rows in pages added after the size was read.
    /// </summary>
    public static string ToStdout(TocEntry entry, TableDataInfo data, bool binary, long firstBlock, long? endBlock)
    {
        var range = $"ctid >= '({firstBlock},0)'::pg_catalog.tid" + (endBlock is null ? "" : $" AND ctid < '({endBlock},0)'::pg_catalog.tid");
        return $"COPY (SELECT {SelectList(data)} FROM ONLY {Table(entry)} WHERE {range}) TO STDOUT{FormatOption(binary)}";
    }

    /// <summary>COPY into the table from the client, in the data's format; FREEZE for a table created (or truncated) in this transaction.</summary>
    public static string FromStdin(TocEntry entry, TableDataInfo data, bool freeze)
    {
        var options = new List<string>(2);
        if (data.Format == DataFormat.Binary)
            options.Add("FORMAT binary");
        if (freeze)
            options.Add("FREEZE");
        return $"COPY {Table(entry)}{ColumnList(data)} FROM STDIN{(options.Count == 0 ? "" : $" ({string.Join(", ", options)})")}";
    }

    /// <summary>The plain script's line before a text COPY block, as psql reads it.</summary>
    public static string ScriptFromStdin(TocEntry entry, TableDataInfo data) => $"COPY {Table(entry)}{ColumnList(data)} FROM stdin;";

    public static string Table(TocEntry entry) => SqlText.QuoteQualified(entry.Schema, entry.Name);

    private static string FormatOption(bool binary) => binary ? " (FORMAT binary)" : "";

    /// <summary>What COPY … TO STDOUT reads: the table, or a query when rows are filtered or values redacted.</summary>
    private static string Source(TocEntry entry, TableDataInfo data)
    {
        // An extension's configuration table: only the rows its condition picks (the rest comes with CREATE EXTENSION).
        if (data.Condition is not null || data.Redacted is not null)
            return $"(SELECT {SelectList(data)} FROM ONLY {Table(entry)} {data.Condition})";
        return Table(entry) + ColumnList(data);
    }

    /// <summary>" (a, b)", or nothing for a table without (non-generated) columns: COPY then takes no column list.</summary>
    private static string ColumnList(TableDataInfo data)
    {
        if (data.Columns.Count == 0)
            return "";
        var columns = new List<string>(data.Columns.Count);
        foreach (var column in data.Columns)
            columns.Add(column.Name);
        return $" ({SqlText.QuoteColumnList(columns)})";
    }

    /// <summary>The columns a COPY reads, with redacted ones replaced by NULL or their fixed value.</summary>
    private static string SelectList(TableDataInfo data)
    {
        var select = new List<string>(data.Columns.Count);
        foreach (var column in data.Columns)
        {
            // Redacted values never leave the server: the query writes NULL or the fixed value in their place.
            select.Add(data.Redacted is not null && data.Redacted.TryGetValue(column.Name, out var replacement)
                ? $"{replacement}::{column.Type} AS {SqlText.QuoteIdentifier(column.Name)}"
                : SqlText.QuoteIdentifier(column.Name));
        }
        return string.Join(", ", select);
    }
}
