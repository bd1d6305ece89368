using System.Buffers;
using System.Buffers.Binary;
using Npgsql;
using NpgsqlTypes;

namespace FactoryPulse.Dump.Data;

/// <summary>
/// Large object contents in one data file: per object a 4-byte oid, an 8-byte length, then the bytes (big-endian
/// integers). Read and written in 1 MiB pieces with lo_get / lo_put, so no object is held in memory whole. With a key
/// the file is encrypted like table data (<see cref="DataFiles"/>); the checksum is always of the file's own bytes.
/// </summary>
internal static class LargeObjectCopier
{
    private const int PieceSize = 1 << 20;

    public static async Task<CopyOutResult> DumpAsync(NpgsqlConnection connection, string filePath, byte[]? key, CancellationToken cancellationToken)
    {
        var objects = new List<(uint Oid, long Length)>();
        {
            var list = new NpgsqlCommand(
                "SELECT m.oid, COALESCE((SELECT sum(pg_catalog.octet_length(p.data)) FROM pg_catalog.pg_largeobject p WHERE p.loid = m.oid), 0)::bigint AS length " +
                "FROM pg_catalog.pg_largeobject_metadata m ORDER BY m.oid", connection);
            await using var listScope = list.ConfigureAwait(false);
            var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                objects.Add((reader.GetFieldValue<uint>(0), reader.GetFieldValue<long>(1)));
        }

        // Large object contents are stored uncompressed (they are often compressed already), through the same file,
        // hashing and encryption stack as table data.
        return await DataFiles.WriteAsync(filePath, DataCompression.None, 0, key, sink => WriteObjectsAsync(connection, objects, sink, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
    }

    private static async Task<CopyOutResult> WriteObjectsAsync(NpgsqlConnection connection, List<(uint Oid, long Length)> objects, Stream sink, CancellationToken cancellationToken)
    {
        var header = new byte[12];
        long bytes = 0;
        var piece = new NpgsqlCommand("SELECT pg_catalog.lo_get($1, $2, $3)", connection);
        await using var pieceScope = piece.ConfigureAwait(false);
        piece.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Oid });
        piece.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint });
        piece.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
        foreach (var (oid, length) in objects)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header, oid);
            BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(4), length);
            await sink.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            bytes += header.Length;
            for (long offset = 0; offset < length; offset += PieceSize)
            {
                piece.Parameters[0].Value = oid;
                piece.Parameters[1].Value = offset;
                piece.Parameters[2].Value = (int)Math.Min(PieceSize, length - offset);
                bytes += await CopyPieceAsync(piece, sink, cancellationToken).ConfigureAwait(false);
            }
        }
        return new CopyOutResult(objects.Count, bytes, "");
    }

    /// <summary>
    /// Streams one lo_get result into <paramref name="sink"/> with asynchronous reads only. ExecuteScalar reads a value
    /// larger than Npgsql's buffer synchronously, which deadlocks when socket completions run inline on the I/O thread
    /// (as fpdump runs them): a 2 MB object hung the dump.
    /// </summary>
    private static async Task<long> CopyPieceAsync(NpgsqlCommand piece, Stream sink, CancellationToken cancellationToken)
    {
        var reader = await piece.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || await reader.IsDBNullAsync(0, cancellationToken).ConfigureAwait(false))
            throw new DumpException("A large object disappeared while it was being dumped.");
        var column = reader.GetStream(0);
        await using var columnScope = column.ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(PieceSize);
        try
        {
            long copied = 0;
            int read;
            while ((read = await column.ReadAsync(buffer.AsMemory(0, PieceSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await sink.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                copied += read;
            }
            return copied;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes the contents into large objects the pre-data section already created (lo_create).</summary>
    public static async Task RestoreAsync(NpgsqlConnection connection, string filePath, byte[]? key, CancellationToken cancellationToken)
    {
        var reader = DataFiles.OpenRead(filePath, DataCompression.None, key);
        await using var readerScope = reader.ConfigureAwait(false);
        var file = reader.File;
        var source = reader.Content;
        var header = new byte[12];
        var buffer = ArrayPool<byte>.Shared.Rent(PieceSize);
        try
        {
            var put = new NpgsqlCommand("SELECT pg_catalog.lo_put($1, $2, $3)", connection);
            await using var putScope = put.ConfigureAwait(false);
            put.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Oid });
            put.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint });
            put.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea });
            while (await ReadFullyAsync(source, header, cancellationToken).ConfigureAwait(false))
            {
                var oid = BinaryPrimitives.ReadUInt32BigEndian(header);
                var length = BinaryPrimitives.ReadInt64BigEndian(header.AsSpan(4));
                // Plain files can be checked against their size up front; decrypted ones end early instead (below).
                if (length < 0 || (key is null && length > file.Length - file.Position))
                    throw new ArchiveException($"Large object data file '{Path.GetFileName(filePath)}' is corrupt: object {oid} claims {length} bytes.");
                for (long offset = 0; offset < length; offset += PieceSize)
                {
                    var size = (int)Math.Min(PieceSize, length - offset);
                    var memory = buffer.AsMemory(0, size);
                    try
                    {
                        await source.ReadExactlyAsync(memory, cancellationToken).ConfigureAwait(false);
                    }
                    catch (EndOfStreamException exception)
                    {
                        throw new ArchiveException($"Large object data file '{Path.GetFileName(filePath)}' is corrupt: object {oid} claims {length} bytes, the file ends first.", exception);
                    }
                    put.Parameters[0].Value = oid;
                    put.Parameters[1].Value = offset;
                    put.Parameters[2].Value = memory;
                    await put.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<bool> ReadFullyAsync(Stream stream, byte[] header, CancellationToken cancellationToken)
    {
        var read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
            return false;
        if (read < header.Length)
            throw new ArchiveException("A large object data file ends inside a record header.");
        return true;
    }
}
