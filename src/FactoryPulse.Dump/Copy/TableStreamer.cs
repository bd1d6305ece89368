using System.Buffers;
using FactoryPulse.Dump.Data;
using Npgsql;

namespace FactoryPulse.Dump.Copy;

/// <summary>
/// One table (or block range) from the source server straight into the target: <c>COPY … TO STDOUT</c> on a source
/// connection piped into <c>COPY … FROM STDIN</c> on the target, in the format the dump would have written (binary, or
/// text where binary is not portable — <see cref="Dumping.CopyFormatChooser"/>). Binary streams go through the dump's
/// pipe and row counter (<see cref="TableCopier.PumpBinaryAsync"/>), so reading the source overlaps writing the target
/// and no row is decoded.
/// </summary>
internal static class TableStreamer
{
    private const int TextBlockChars = 1 << 18;

    /// <summary>Copies the rows; returns how many. A failure on the source is a <see cref="DumpException"/> naming it, one on the target the server's error.</summary>
    public static async Task<long> CopyAsync(
        NpgsqlConnection source, string copyOut, NpgsqlConnection target, string copyIn, bool binary, string what, CancellationToken cancellationToken)
    {
        if (binary)
            return await CopyBinaryAsync(source, copyOut, target, copyIn, what, cancellationToken).ConfigureAwait(false);
        return await CopyTextAsync(source, copyOut, target, copyIn, what, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> CopyBinaryAsync(
        NpgsqlConnection source, string copyOut, NpgsqlConnection target, string copyIn, string what, CancellationToken cancellationToken)
    {
        // The target first: a missing table or column fails before the source reads a row.
        var writer = await target.BeginRawBinaryCopyAsync(copyIn, cancellationToken).ConfigureAwait(false);
        await using var writerScope = writer.ConfigureAwait(false);
        NpgsqlRawCopyStream reader;
        try
        {
            reader = await source.BeginRawBinaryCopyAsync(copyOut, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await writer.CancelAsync().ConfigureAwait(false);
            throw SourceFailed(what, exception);
        }
        var completed = false;
        try
        {
            var copied = await TableCopier.PumpBinaryAsync(new SourceReadStream(reader, what), writer, cancellationToken).ConfigureAwait(false);
            completed = true;
            return copied.Rows;
        }
        catch
        {
            // Abort the target's COPY instead of ending it: the server loads nothing of a table whose rows broke off.
            await CancelQuietlyAsync(writer.CancelAsync).ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (!completed)
                await CancelQuietlyAsync(reader.CancelAsync).ConfigureAwait(false);
            await DisposeQuietlyAsync(reader, completed).ConfigureAwait(false);
        }
    }

    private static async Task<long> CopyTextAsync(
        NpgsqlConnection source, string copyOut, NpgsqlConnection target, string copyIn, string what, CancellationToken cancellationToken)
    {
        var writer = (NpgsqlCopyTextWriter)await target.BeginTextImportAsync(copyIn, cancellationToken).ConfigureAwait(false);
        // Ended through its stream's DisposeAsync: the writer's own DisposeAsync is a synchronous Dispose (see TableCopier).
        await using var writerScope = writer.BaseStream.ConfigureAwait(false);
        NpgsqlCopyTextReader reader;
        try
        {
            reader = (NpgsqlCopyTextReader)await source.BeginTextExportAsync(copyOut, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            await writer.CancelAsync().ConfigureAwait(false);
            throw SourceFailed(what, exception);
        }
        var completed = false;
        var chars = ArrayPool<char>.Shared.Rent(TextBlockChars);
        try
        {
            long rows = 0;
            while (true)
            {
                int read;
                try
                {
                    read = await reader.ReadAsync(chars.AsMemory(0, TextBlockChars), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    throw SourceFailed(what, exception);
                }
                if (read == 0)
                    break;
                // Text COPY escapes newlines inside values, so each newline ends one row.
                rows += chars.AsSpan(0, read).Count('\n');
                await writer.WriteAsync(chars.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            completed = true;
            return rows;
        }
        catch
        {
            await CancelQuietlyAsync(writer.CancelAsync).ConfigureAwait(false);
            throw;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            if (!completed)
                await CancelQuietlyAsync(reader.CancelAsync).ConfigureAwait(false);
            await DisposeQuietlyAsync(reader, completed).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A source-side failure is not the target entry's: a <see cref="DumpException"/> (not a PostgresException, which the
    /// restore engine would report as the target's) that says which side and which table.
    /// </summary>
    internal static DumpException SourceFailed(string what, Exception exception) =>
        exception as DumpException ?? new DumpException(
            $"Reading {what} from the source failed: {(exception is PostgresException postgres ? postgres.MessageText : exception.Message)}", exception)
        {
            SqlState = (exception as PostgresException)?.SqlState,
            Entry = what,
        };

    private static async Task CancelQuietlyAsync(Func<Task> cancel)
    {
        try
        {
            await cancel().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NpgsqlException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The COPY is already over or its connection gone; the caller closes the connection either way.
        }
    }

    /// <summary>Ends the source's COPY; after a failure its errors are the aftermath of the first one, not news.</summary>
    private static async Task DisposeQuietlyAsync(IAsyncDisposable copy, bool completed)
    {
        if (completed)
        {
            await copy.DisposeAsync().ConfigureAwait(false);
            return;
        }
        try
        {
            await copy.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NpgsqlException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The source connection is closed by the caller; the first error is the one reported.
        }
    }

    /// <summary>The source's raw COPY stream, its read errors turned into <see cref="SourceFailed"/>.</summary>
    private sealed class SourceReadStream(Stream inner, string what) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                throw SourceFailed(what, exception);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
