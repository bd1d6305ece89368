using System.Buffers;
using System.IO.Hashing;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Storage;

namespace FactoryPulse.Dump.Data;

/// <summary>
/// The one place a data file's streams are stacked. Writing: producer → compress → [encrypt] → 1 MiB buffer → xxh3
/// → owner-only file or store upload (compress, then encrypt: ciphertext does not compress; the hash is of the file's
/// own bytes). Reading: file or store object → [1 MiB buffer → decrypt] → [decompress]. Table data, large objects,
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
    public static async Task<CopyOutResult> WriteAsync(
        string filePath, DataCompression compression, int level, byte[]? key, Func<Stream, Task<CopyOutResult>> fill, CancellationToken cancellationToken)
    {
        var (store, name) = ArchiveLocation.Resolve(filePath);
        var file = await store.CreateAsync(name, cancellationToken).ConfigureAwait(false);
        await using var fileScope = file.ConfigureAwait(false);
        var hasher = new XxHash3();
        var hashing = new HashingWriteStream(file, hasher);
        CopyOutResult result;
        var buffered = new BufferedStream(hashing, BufferSize);
        var encrypted = key is null ? null : Encryption.Encrypt(buffered, key);
        var sink = Compression.Compress(encrypted ?? buffered, compression, level);
        await using (sink.ConfigureAwait(false))
        {
            result = await fill(sink).ConfigureAwait(false);
        }
        if (encrypted is not null)
            await encrypted.DisposeAsync().ConfigureAwait(false);
        // Disposing the compressor wrote its last frame into the buffer; push that to the file and disk (or the store's last part).
        await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
        await file.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new CopyOutResult(result.Rows, hashing.BytesWritten, FormatChecksum(hasher.GetCurrentHashAsUInt64()), result.Bytes);
    }

    /// <summary>Opens a data file for its COPY stream (or large object records): decrypted with a key, decompressed as recorded.</summary>
    public static DataFileReader OpenRead(string filePath, DataCompression compression, byte[]? key)
    {
        var file = OpenFile(filePath);
        try
        {
            var plain = key is null ? file : Encryption.Decrypt(new BufferedStream(file, BufferSize), key);
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
