using System.Buffers;
using System.IO.Hashing;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Storage;

namespace FactoryPulse.Dump.Data;

/// <summary>
/// The one place a data file's streams are stacked. Writing: producer → compress → [encrypt] → 1 MiB buffer → xxh3
/// → owner-only file or store upload (compress, then encrypt: ciphertext does not compress; the hash is of the file's
/// own bytes). Reading: file or store object → [decrypt, reading ahead through a pooled 1 MiB buffer] → [decompress]. Table data, large objects,
/// the restore's checksum pass and verification all go through here. A path may be a store location
/// (<see cref="ArchiveLocation"/>): the bytes then stream to and from the store, never staged whole on disk.
/// </summary>
internal static class DataFiles
{
    public const int BufferSize = 1 << 20;

    public static string FormatChecksum(ulong hash) => "xxh3-64:" + hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Creates a data file (owner-only) and lets <paramref name="fill"/> stream into it through compression (and
    /// encryption), hashing the bytes as they reach the file; the result's Bytes and Checksum are the file's own,
    /// its RawBytes what <paramref name="fill"/> wrote.
    /// </summary>
    public static Task<CopyOutResult> WriteAsync(
        string filePath, DataCompression compression, int level, byte[]? key, Func<Stream, Task<CopyOutResult>> fill, CancellationToken cancellationToken) =>
        WriteBatchedAsync(filePath, compression, level, key, fill, null, cancellationToken);

    /// <summary>
    /// As <see cref="WriteAsync"/>; with <paramref name="pendingSyncs"/>, a local file is written and closed without waiting for the disk and
    /// recorded there instead, to be flushed with the others before the manifest (<see cref="PendingFileSyncs.SyncAllAsync"/>).
    /// A store upload is committed as usual either way.
    /// </summary>
    public static async Task<CopyOutResult> WriteBatchedAsync(
        string filePath, DataCompression compression, int level, byte[]? key, Func<Stream, Task<CopyOutResult>> fill, PendingFileSyncs? pendingSyncs,
        CancellationToken cancellationToken)
    {
        ArchiveStoreUpload? upload = null;
        Stream file;
        if (pendingSyncs is not null && !ArchiveLocation.IsStore(filePath))
        {
            file = OwnerOnlyFiles.CreateNew(filePath, bufferSize: 0);
        }
        else
        {
            var (store, name) = ArchiveLocation.Resolve(filePath);
            file = upload = await store.CreateAsync(name, cancellationToken).ConfigureAwait(false);
        }
        await using var fileScope = file.ConfigureAwait(false);
        var hasher = new XxHash3();
        var hashing = new HashingWriteStream(file, hasher);
        CopyOutResult result;
        // A pooled buffer: a new 1 MiB BufferedStream per file was 3 GB of large-object garbage on 3 000 small tables.
        var buffered = new PooledWriteBuffer(hashing, BufferSize);
        await using var bufferedScope = buffered.ConfigureAwait(false);
        var encrypted = key is null ? null : Encryption.Encrypt(buffered, key);
        var sink = Compression.Compress(encrypted ?? buffered, compression, level);
        await using (sink.ConfigureAwait(false))
        {
            result = await fill(sink).ConfigureAwait(false);
        }
        if (encrypted is not null)
            await encrypted.DisposeAsync().ConfigureAwait(false);
        // Disposing the compressor wrote its last frame into the buffer; push that to the file and disk, or record it for the batched flush (or the store's last part).
        await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (upload is not null)
            await upload.CommitAsync(cancellationToken).ConfigureAwait(false);
        else
            pendingSyncs!.Add(filePath);
        return new CopyOutResult(result.Rows, hashing.BytesWritten, FormatChecksum(hasher.GetCurrentHashAsUInt64()), result.Bytes);
    }

    /// <summary>Opens a data file for its COPY stream (or large object records): decrypted with a key, decompressed as recorded.</summary>
    public static DataFileReader OpenRead(string filePath, DataCompression compression, byte[]? key)
    {
        var file = OpenFile(filePath);
        try
        {
            var plain = key is null ? file : Encryption.Decrypt(file, key);
            var content = compression == DataCompression.None ? plain : Compression.Decompress(plain, compression);
            return new DataFileReader(file, plain, content);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Hashes a data file's own bytes; the restore and verification check these before trusting a file.</summary>
    public static async Task<string> ChecksumAsync(string filePath, CancellationToken cancellationToken)
    {
        var hasher = new XxHash3();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var file = OpenFile(filePath);
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

    private static Stream OpenFile(string filePath)
    {
        if (!ArchiveLocation.IsStore(filePath))
            return OwnerOnlyFiles.OpenRead(filePath);
        var (store, name) = ArchiveLocation.Resolve(filePath);
        return new StoreReadStream(store, name, filePath);
    }

    /// <summary>Rows in a table data file, read back from its COPY framing (binary) or its newlines (text).</summary>
    public static async Task<long> CountRowsAsync(string filePath, bool binary, DataCompression compression, byte[]? key, CancellationToken cancellationToken)
    {
        var reader = OpenRead(filePath, compression, key);
        await using var readerScope = reader.ConfigureAwait(false);
        var source = reader.Content;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var counter = new BinaryCopyRowCounter();
            long newlines = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (binary)
                    counter.Feed(buffer.AsSpan(0, read));
                else
                    newlines += buffer.AsSpan(0, read).Count((byte)'\n');
            }
            if (binary && !counter.SawTrailer)
                throw new InvalidDataException("the COPY stream ends without its trailer (truncated)");
            return binary ? counter.Rows : newlines;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>An open data file: <see cref="Content"/> is its plain bytes; disposing closes every layer, outermost first.</summary>
internal sealed class DataFileReader(Stream file, Stream plain, Stream content) : IAsyncDisposable
{
    /// <summary>The file itself (its length bounds what a plain large object file can claim; long.MaxValue for a store object).</summary>
    public Stream File { get; } = file;

    public Stream Content { get; } = content;

    public async ValueTask DisposeAsync()
    {
        if (!ReferenceEquals(Content, plain))
            await Content.DisposeAsync().ConfigureAwait(false);
        if (!ReferenceEquals(plain, File))
            await plain.DisposeAsync().ConfigureAwait(false);
        await File.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// Gathers small writes into one pooled buffer and passes it on when full: BufferedStream's job for a write-only
/// file, without a new 1 MiB array per file. Async writes stay async down to the file or store upload.
/// </summary>
internal sealed class PooledWriteBuffer(Stream inner, int size) : Stream
{
    private byte[]? _buffer;
    private int _filled;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            if (_filled == size)
                WriteOut();
            buffer = buffer[Fill(buffer)..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            if (_filled == size)
                await WriteOutAsync(cancellationToken).ConfigureAwait(false);
            buffer = buffer[Fill(buffer.Span)..];
        }
    }

    public override void Flush()
    {
        WriteOut();
        inner.Flush();
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await WriteOutAsync(cancellationToken).ConfigureAwait(false);
        await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private int Fill(ReadOnlySpan<byte> source)
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(size);
        var take = Math.Min(size - _filled, source.Length);
        source[..take].CopyTo(_buffer.AsSpan(_filled));
        _filled += take;
        return take;
    }

    private void WriteOut()
    {
        if (_filled == 0)
            return;
        inner.Write(_buffer!, 0, _filled);
        _filled = 0;
    }

    private async ValueTask WriteOutAsync(CancellationToken cancellationToken)
    {
        if (_filled == 0)
            return;
        await inner.WriteAsync(_buffer.AsMemory(0, _filled), cancellationToken).ConfigureAwait(false);
        _filled = 0;
    }

    /// <summary>Returns the buffer; bytes not flushed are dropped (the caller flushes what it commits).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
        base.Dispose(disposing);
    }
}
