using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Npgsql;

namespace FactoryPulse.Dump.Data;

/// <param name="Rows">Rows copied.</param>
/// <param name="Bytes">Bytes of the data file (after compression).</param>
/// <param name="Checksum">xxh3-64 of the data file's bytes.</param>
/// <param name="RawBytes">Bytes of the COPY stream before compression.</param>
internal readonly record struct CopyOutResult(long Rows, long Bytes, string Checksum, long RawBytes = 0);

/// <summary>
/// Streams one table (or chunk) between the server and a data file. Out: the raw COPY stream is read into large
/// blocks of a <see cref="Pipe"/> by one task while another counts rows from the framing, compresses and hashes on
/// the way to the file — reading from the server overlaps compression, and no row is ever decoded or allocated.
/// </summary>
internal static class TableCopier
{
    private const int BlockSize = 1 << 20;

    /// <summary>COPY … TO STDOUT into a new data file through <see cref="DataFiles.WriteAsync"/>.</summary>
    public static Task<CopyOutResult> CopyOutAsync(
        NpgsqlConnection connection, string copyCommand, bool binary, string filePath, DataCompression compression, int level, byte[]? key, CancellationToken cancellationToken) =>
        DataFiles.WriteAsync(filePath, compression, level, key, sink => CopyOutAsync(connection, copyCommand, binary, sink, cancellationToken), cancellationToken);

    /// <summary>Streams COPY … TO STDOUT into <paramref name="destination"/>; the result's Bytes are the stream's bytes.</summary>
    public static async Task<CopyOutResult> CopyOutAsync(NpgsqlConnection connection, string copyCommand, bool binary, Stream destination, CancellationToken cancellationToken)
    {
        if (binary)
            return await CopyBinaryOutAsync(connection, copyCommand, destination, cancellationToken).ConfigureAwait(false);

        long rows = 0, bytes = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        var chars = ArrayPool<char>.Shared.Rent(BlockSize / 4);
        try
        {
            var encoder = new UTF8Encoding(false, true).GetEncoder();
            var reader = await connection.BeginTextExportAsync(copyCommand, cancellationToken).ConfigureAwait(false);
            // Ended through the COPY stream's DisposeAsync: a TextReader has only a synchronous Dispose, and a
            // synchronous socket operation inside a continuation can wait forever for the I/O thread it runs on.
            await using var copyScope = reader.BaseStream.ConfigureAwait(false);
            while (true)
            {
                var read = await reader.ReadAsync(chars.AsMemory(0, BlockSize / 4), cancellationToken).ConfigureAwait(false);
                var span = chars.AsSpan(0, read);
                // Text COPY escapes newlines inside values, so each newline ends one row.
                rows += span.Count('\n');
                var byteCount = encoder.GetBytes(span, buffer, flush: read == 0);
                await destination.WriteAsync(buffer.AsMemory(0, byteCount), cancellationToken).ConfigureAwait(false);
                bytes += byteCount;
                if (read == 0)
                    break;
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new CopyOutResult(rows, bytes, "");
    }

    private static async Task<CopyOutResult> CopyBinaryOutAsync(NpgsqlConnection connection, string copyCommand, Stream destination, CancellationToken cancellationToken)
    {
        var copy = await connection.BeginRawBinaryCopyAsync(copyCommand, cancellationToken).ConfigureAwait(false);
        await using var copyScope = copy.ConfigureAwait(false);
        return await PumpBinaryAsync(copy, destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A binary COPY stream → pipe → row counter → <paramref name="destination"/>: one task reads the source into large
    /// blocks while this one counts and writes the previous block. Throws when the stream ends without its trailer.
    /// </summary>
    internal static async Task<CopyOutResult> PumpBinaryAsync(Stream copy, Stream destination, CancellationToken cancellationToken)
    {
        // Two blocks in flight: the server fills one while the other is compressed and written.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 3L * BlockSize, resumeWriterThreshold: BlockSize, minimumSegmentSize: BlockSize, useSynchronizationContext: false));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ReadServerAsync(copy, pipe.Writer, stop.Token);
        var counter = new BinaryCopyRowCounter();
        long bytes = 0;
        try
        {
            while (true)
            {
                var read = await pipe.Reader.ReadAsync(stop.Token).ConfigureAwait(false);
                var buffer = read.Buffer;
                foreach (var segment in buffer)
                {
                    counter.Feed(segment.Span);
                    await destination.WriteAsync(segment, stop.Token).ConfigureAwait(false);
                    bytes += segment.Length;
                }
                pipe.Reader.AdvanceTo(buffer.End);
                if (read.IsCompleted)
                    break;
            }
        }
        catch
        {
            // Stop the reader too; it may be waiting for room in the pipe.
            await stop.CancelAsync().ConfigureAwait(false);
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // The consumer's error is the one to report.
            }
            throw;
        }
        await pipe.Reader.CompleteAsync().ConfigureAwait(false);
        await producer.ConfigureAwait(false);
        if (!counter.SawTrailer)
            throw new InvalidDataException("The server's binary COPY stream ended without its trailer.");
        return new CopyOutResult(counter.Rows, bytes, "");
    }

    /// <summary>Stream → pipe: fill a block from many small reads (one CopyData message each), then hand it over.</summary>
    private static async Task ReadServerAsync(Stream copy, PipeWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(BlockSize);
                var filled = 0;
                int read;
                do
                {
                    read = await copy.ReadAsync(memory[filled..], cancellationToken).ConfigureAwait(false);
                    filled += read;
                }
                while (read > 0 && memory.Length - filled >= 64 * 1024);
                writer.Advance(filled);
                var flush = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (read == 0 || flush.IsCompleted || flush.IsCanceled)
                    break;
            }
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await writer.CompleteAsync(exception).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Streams a data file (decrypting and decompressing on the way, <see cref="DataFiles.OpenRead"/>) into the server with COPY FROM STDIN.</summary>
    public static async Task CopyInAsync(
        NpgsqlConnection connection, string copyCommand, bool binary, string filePath, DataCompression compression, byte[]? key, CancellationToken cancellationToken)
    {
        var file = DataFiles.OpenRead(filePath, compression, key);
        await using var fileScope = file.ConfigureAwait(false);
        var source = file.Content;
        if (binary)
        {
            var copy = await connection.BeginRawBinaryCopyAsync(copyCommand, cancellationToken).ConfigureAwait(false);
            await using var copyScope = copy.ConfigureAwait(false);
            try
            {
                await source.CopyToAsync(copy, BlockSize, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not NpgsqlException)
            {
                // The file could not be read (damaged, wrong key, cancelled): abort the COPY instead of ending it,
                // so the server loads nothing and the real cause is what the caller sees.
                await copy.CancelAsync().ConfigureAwait(false);
                throw;
            }
            return;
        }
        using var reader = new StreamReader(source, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: false, BlockSize);
        var writer = await connection.BeginTextImportAsync(copyCommand, cancellationToken).ConfigureAwait(false);
        // The COPY ends through its stream's DisposeAsync, never through the writer's: a StreamWriter subclass's
        // DisposeAsync is TextWriter's synchronous Dispose, which blocks a pool thread on the server's reply.
        await using (writer.BaseStream.ConfigureAwait(false))
        {
            var chars = ArrayPool<char>.Shared.Rent(BlockSize / 4);
            try
            {
                int read;
                while ((read = await reader.ReadAsync(chars.AsMemory(0, BlockSize / 4), cancellationToken).ConfigureAwait(false)) > 0)
                    await writer.WriteAsync(chars.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not NpgsqlException)
            {
                await ((NpgsqlCopyTextWriter)writer).CancelAsync().ConfigureAwait(false);
                throw;
            }
            finally
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }
    }
}
