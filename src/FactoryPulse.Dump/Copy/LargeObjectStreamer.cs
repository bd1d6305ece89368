using System.Buffers;
using Npgsql;
using NpgsqlTypes;

namespace FactoryPulse.Dump.Copy;

/// <summary>
/// Large object contents from the source into the objects the pre-data section created on the target (lo_create keeps
/// their oids): 1 MiB pieces read with lo_get and written with lo_put, as the dump and restore move them, so no object
/// is held in memory whole.
/// </summary>
internal static class LargeObjectStreamer
{
    private const int PieceSize = 1 << 20;

    /// <summary>Copies every large object's contents; returns how many objects.</summary>
    public static async Task<long> CopyAsync(NpgsqlConnection source, NpgsqlConnection target, CancellationToken cancellationToken)
    {
        var objects = new List<(uint Oid, long Length)>();
        try
        {
            var list = new NpgsqlCommand(
                "SELECT m.oid, COALESCE((SELECT sum(pg_catalog.octet_length(p.data)) FROM pg_catalog.pg_largeobject p WHERE p.loid = m.oid), 0)::bigint AS length " +
                "FROM pg_catalog.pg_largeobject_metadata m ORDER BY m.oid", source);
            await using var listScope = list.ConfigureAwait(false);
            var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                objects.Add((reader.GetFieldValue<uint>(0), reader.GetFieldValue<long>(1)));
        }
        catch (NpgsqlException exception)
        {
            throw TableStreamer.SourceFailed("the large objects", exception);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(PieceSize);
        try
        {
            var get = new NpgsqlCommand("SELECT pg_catalog.lo_get($1, $2, $3)", source);
            await using var getScope = get.ConfigureAwait(false);
            get.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Oid });
            get.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint });
            get.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
            var put = new NpgsqlCommand("SELECT pg_catalog.lo_put($1, $2, $3)", target);
            await using var putScope = put.ConfigureAwait(false);
            put.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Oid });
            put.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint });
            put.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea });
            foreach (var (oid, length) in objects)
            {
                for (long offset = 0; offset < length; offset += PieceSize)
                {
                    var size = (int)Math.Min(PieceSize, length - offset);
                    get.Parameters[0].Value = oid;
                    get.Parameters[1].Value = offset;
                    get.Parameters[2].Value = size;
                    var filled = await ReadPieceAsync(get, buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
                    put.Parameters[0].Value = oid;
                    put.Parameters[1].Value = offset;
                    put.Parameters[2].Value = buffer.AsMemory(0, filled);
                    await put.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return objects.Count;
    }

    /// <summary>
    /// One lo_get result into <paramref name="piece"/>, read asynchronously as a stream (ExecuteScalar would read a value
    /// larger than Npgsql's buffer synchronously; see <see cref="Data.LargeObjectCopier"/>).
    /// </summary>
    private static async Task<int> ReadPieceAsync(NpgsqlCommand get, Memory<byte> piece, CancellationToken cancellationToken)
    {
        try
        {
            var reader = await get.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || await reader.IsDBNullAsync(0, cancellationToken).ConfigureAwait(false))
                throw new DumpException("A large object disappeared from the source while it was being copied.");
            var column = reader.GetStream(0);
            await using var columnScope = column.ConfigureAwait(false);
            var filled = 0;
            int read;
            while (filled < piece.Length && (read = await column.ReadAsync(piece[filled..], cancellationToken).ConfigureAwait(false)) > 0)
                filled += read;
            return filled;
        }
        catch (NpgsqlException exception)
        {
            throw TableStreamer.SourceFailed("the large objects", exception);
        }
    }
}
