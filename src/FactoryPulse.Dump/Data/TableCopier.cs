using System.Buffers;
using System.IO.Hashing;
using System.Text;
using Npgsql;

namespace FactoryPulse.Dump.Data;

internal readonly record struct CopyOutResult(long Rows, long Bytes, string Checksum);

/// <summary>Streams one table out of the server into a data file, hashing and counting on the way.</summary>
internal static class TableCopier
{
    private const int BufferSize = 1 << 20;

    public static string FormatChecksum(ulong hash) => "xxh3-64:" + hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<CopyOutResult> CopyOutAsync(NpgsqlConnection connection, string copyCommand, bool binary, string filePath, CancellationToken cancellationToken)
    {
        var file = OwnerOnlyFiles.CreateNew(filePath, bufferSize: 0);
        await using var fileScope = file.ConfigureAwait(false);
        var result = await CopyOutAsync(connection, copyCommand, binary, (Stream)file, cancellationToken).ConfigureAwait(false);
        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        file.Flush(flushToDisk: true);
        return result;
    }

    /// <summary>Streams COPY … TO STDOUT into <paramref name="destination"/> (a data file, or the plain script).</summary>
    public static async Task<CopyOutResult> CopyOutAsync(NpgsqlConnection connection, string copyCommand, bool binary, Stream destination, CancellationToken cancellationToken)
    {
        var file = destination;
        var hasher = new XxHash3();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long bytes = 0, rows;
            if (binary)
            {
                var counter = new BinaryCopyRowCounter();
                var copy = await connection.BeginRawBinaryCopyAsync(copyCommand, cancellationToken).ConfigureAwait(false);
                await using (copy.ConfigureAwait(false))
                {
                    while (true)
                    {
                        // The raw stream hands out one CopyData message per read: gather many before writing.
                        var filled = 0;
                        int read;
                        do
                        {
                            read = await copy.ReadAsync(buffer.AsMemory(filled, BufferSize - filled), cancellationToken).ConfigureAwait(false);
                            filled += read;
                        }
                        while (read > 0 && filled < BufferSize - (64 * 1024));
                        if (filled == 0)
                            break;
                        var chunk = buffer.AsMemory(0, filled);
                        counter.Feed(chunk.Span);
                        hasher.Append(chunk.Span);
                        await file.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                        bytes += filled;
                        if (read == 0)
                            break;
                    }
                }
                if (!counter.SawTrailer)
                    throw new InvalidDataException("The server's binary COPY stream ended without its trailer.");
                rows = counter.Rows;
            }
            else
            {
                rows = 0;
                var chars = ArrayPool<char>.Shared.Rent(BufferSize / 4);
                try
                {
                    var encoder = new UTF8Encoding(false, true).GetEncoder();
                    using var reader = await connection.BeginTextExportAsync(copyCommand, cancellationToken).ConfigureAwait(false);
                    while (true)
                    {
                        var read = await reader.ReadAsync(chars.AsMemory(0, BufferSize / 4), cancellationToken).ConfigureAwait(false);
                        var span = chars.AsSpan(0, read);
                        // Text COPY escapes newlines inside values, so each newline ends one row.
                        rows += span.Count('\n');
                        var byteCount = encoder.GetBytes(span, buffer, flush: read == 0);
                        hasher.Append(buffer.AsSpan(0, byteCount));
                        await file.WriteAsync(buffer.AsMemory(0, byteCount), cancellationToken).ConfigureAwait(false);
                        bytes += byteCount;
                        if (read == 0)
                            break;
                    }
                }
                finally
                {
                    ArrayPool<char>.Shared.Return(chars);
                }
            }
            return new CopyOutResult(rows, bytes, FormatChecksum(hasher.GetCurrentHashAsUInt64()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Hashes a data file; used before loading so a damaged file never reaches the target.</summary>
    public static async Task<string> ChecksumFileAsync(string filePath, CancellationToken cancellationToken)
    {
        var hasher = new XxHash3();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var file = OwnerOnlyFiles.OpenRead(filePath);
            await using var fileScope = file.ConfigureAwait(false);
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                hasher.Append(buffer.AsSpan(0, read));
            return FormatChecksum(hasher.GetCurrentHashAsUInt64());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Streams a data file into the server with COPY FROM STDIN.</summary>
    public static async Task CopyInAsync(NpgsqlConnection connection, string copyCommand, bool binary, string filePath, CancellationToken cancellationToken)
    {
        var file = OwnerOnlyFiles.OpenRead(filePath);
        await using var fileScope = file.ConfigureAwait(false);
        if (binary)
        {
            var copy = await connection.BeginRawBinaryCopyAsync(copyCommand, cancellationToken).ConfigureAwait(false);
            await using var copyScope = copy.ConfigureAwait(false);
            await file.CopyToAsync(copy, BufferSize, cancellationToken).ConfigureAwait(false);
            return;
        }
        using var reader = new StreamReader(file, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: false, BufferSize);
        var writer = await connection.BeginTextImportAsync(copyCommand, cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            var chars = ArrayPool<char>.Shared.Rent(BufferSize / 4);
            try
            {
                int read;
                while ((read = await reader.ReadAsync(chars.AsMemory(0, BufferSize / 4), cancellationToken).ConfigureAwait(false)) > 0)
                    await writer.WriteAsync(chars.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }
    }
}
