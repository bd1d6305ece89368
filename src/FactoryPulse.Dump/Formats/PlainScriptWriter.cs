using System.Text;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Data;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Formats;

/// <summary>
/// pg_dump's plain format: one script for <c>psql -v ON_ERROR_STOP=1 -f FILE</c>. Entries in restore order (main
/// pass, then privileges, then default privileges and refreshes), table data as text COPY blocks.
/// </summary>
internal static class PlainScriptWriter
{
    private static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>
    /// Streams the script to a store object (<c>s3://…/x.sql</c>): through the upload's part buffers, never staged
    /// whole. The object appears only when the upload commits after the last line, so an interrupted dump leaves no
    /// script that looks complete (a local script's temp-name-then-rename).
    /// </summary>
    public static async Task<(int Tables, long Rows, long Bytes)> WriteToStoreAsync(
        NpgsqlConnection connection, ArchiveManifest manifest, string location, IProgress<DumpProgress>? progress, CancellationToken cancellationToken)
    {
        var (store, name) = ArchiveLocation.Resolve(location);
        var upload = await store.CreateAsync(name, cancellationToken).ConfigureAwait(false);
        await using var uploadScope = upload.ConfigureAwait(false);
        var totals = await WriteAsync(connection, manifest, upload, progress, cancellationToken).ConfigureAwait(false);
        await upload.CommitAsync(cancellationToken).ConfigureAwait(false);
        return totals;
    }

    public static async Task<(int Tables, long Rows, long Bytes)> WriteAsync(
        NpgsqlConnection connection, ArchiveManifest manifest, Stream output, IProgress<DumpProgress>? progress, CancellationToken cancellationToken)
    {
        int tables = 0, tablesTotal = 0;
        long rows = 0, bytes = 0;
        foreach (var entry in manifest.Entries)
        {
            if (entry.Data is not null)
                tablesTotal++;
        }
        await WriteTextAsync(output,
            $"""
            --
            -- PostgreSQL database dump written by FactoryPulse.Dump {manifest.ToolVersion}
            -- Server version {manifest.ServerVersion}, database {manifest.Database}
            --

            {SessionSettings.ScriptHeader}

            """, cancellationToken).ConfigureAwait(false);

        foreach (var entry in TocOrder.InRestoreOrder(manifest.Entries))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await WriteTextAsync(output, $"--\n-- Name: {Flatten(entry.Name)}; Type: {entry.Kind.TocName()}; Schema: {Flatten(entry.Schema ?? "-")}; Owner: {Flatten(entry.Owner ?? "")}\n--\n\n", cancellationToken).ConfigureAwait(false);
            if (entry.Data is { } data)
            {
                progress?.Report(new DumpProgress { Phase = OperationPhase.Data, CurrentObject = $"{entry.Schema}.{entry.Name}", TablesDone = tables, TablesTotal = tablesTotal, RowsDone = rows, BytesDone = bytes });
                var copied = data.Format == DataFormat.LargeObjects
                    ? await WriteLargeObjectsAsync(connection, output, cancellationToken).ConfigureAwait(false)
                    : await WriteCopyBlockAsync(connection, entry, data, output, cancellationToken).ConfigureAwait(false);
                data.Rows = copied.Rows;
                data.Bytes = copied.Bytes;
                data.Checksum = copied.Checksum;
                tables++;
                rows += copied.Rows;
                bytes += copied.Bytes;
                continue;
            }
            await WriteTextAsync(output, string.Concat(entry.Statements), cancellationToken).ConfigureAwait(false);
            if (entry.OwnerStatements is not null)
                await WriteTextAsync(output, "\n" + string.Concat(entry.OwnerStatements), cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(output, "\n\n", cancellationToken).ConfigureAwait(false);
        }
        await WriteTextAsync(output, "--\n-- PostgreSQL database dump complete\n--\n\n", cancellationToken).ConfigureAwait(false);
        return (tables, rows, bytes);
    }

    /// <summary>Header comments are one line each: a name with a newline must not end the comment.</summary>
    private static string Flatten(string text) => text.Replace('\n', ' ').Replace('\r', ' ');

    private static async Task<CopyOutResult> WriteCopyBlockAsync(NpgsqlConnection connection, TocEntry entry, TableDataInfo data, Stream output, CancellationToken cancellationToken)
    {
        await WriteTextAsync(output, CopySpec.ScriptFromStdin(entry, data) + "\n", cancellationToken).ConfigureAwait(false);
        // Text COPY always: the script is read by psql, and text escapes every byte that could end the block.
        var copied = await TableCopier.CopyOutAsync(connection, CopySpec.ToStdout(entry, data, binary: false), binary: false, output, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(output, "\\.\n\n\n", cancellationToken).ConfigureAwait(false);
        return copied;
    }

    /// <summary>Large object contents as lo_put calls with hex bytea literals, 64 KiB per statement.</summary>
    private static async Task<CopyOutResult> WriteLargeObjectsAsync(NpgsqlConnection connection, Stream output, CancellationToken cancellationToken)
    {
        const int Piece = 64 * 1024;
        var objects = new List<(uint Oid, long Length)>();
        await Catalog.CatalogQuery.ForEachAsync(connection,
            "SELECT m.oid, COALESCE((SELECT sum(pg_catalog.octet_length(p.data)) FROM pg_catalog.pg_largeobject p WHERE p.loid = m.oid), 0)::bigint AS length " +
            "FROM pg_catalog.pg_largeobject_metadata m ORDER BY m.oid",
            row => objects.Add((row.Oid("oid"), row.Long("length"))), cancellationToken).ConfigureAwait(false);
        long bytes = 0;
        var command = new NpgsqlCommand("SELECT pg_catalog.lo_get($1, $2, $3)", connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        foreach (var (oid, length) in objects)
        {
            for (long offset = 0; offset < length; offset += Piece)
            {
                command.Parameters[0].Value = oid;
                command.Parameters[1].Value = offset;
                command.Parameters[2].Value = (int)Math.Min(Piece, length - offset);
                // A reader, not ExecuteScalar: the latter reads large values synchronously (see LargeObjectCopier).
                var piece = await ReadPieceAsync(command, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(output, $"SELECT pg_catalog.lo_put('{oid}', {offset}, '\\x{Convert.ToHexString(piece)}');\n", cancellationToken).ConfigureAwait(false);
                bytes += piece.Length;
            }
        }
        await WriteTextAsync(output, "\n", cancellationToken).ConfigureAwait(false);
        return new CopyOutResult(objects.Count, bytes, "");
    }

    private static async Task<byte[]> ReadPieceAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            throw new DumpException("A large object disappeared while it was being dumped.");
        return reader.GetFieldValue<byte[]>(0);
    }

    private static ValueTask WriteTextAsync(Stream output, string text, CancellationToken cancellationToken) =>
        output.WriteAsync(Utf8.GetBytes(text), cancellationToken);
}
