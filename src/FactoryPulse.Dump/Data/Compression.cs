using System.IO.Compression;

namespace FactoryPulse.Dump.Data;

/// <summary>Compressing and decompressing streams, by the compression the manifest records.</summary>
internal static class Compression
{
    public static int DefaultLevel(DataCompression compression) => compression == DataCompression.Gzip ? 1 : 1;

    public static Stream Compress(Stream output, DataCompression compression, int level) => compression switch
    {
        DataCompression.Zstd => new ZstdSharp.CompressionStream(output, level, leaveOpen: true),
        DataCompression.Gzip => new GZipStream(output, level switch
        {
            <= 1 => CompressionLevel.Fastest,
            >= 9 => CompressionLevel.SmallestSize,
            _ => CompressionLevel.Optimal,
        }, leaveOpen: true),
        _ => new NonClosingStream(output),
    };

    public static Stream Decompress(Stream input, DataCompression compression) => compression switch
    {
        DataCompression.Zstd => new ZstdSharp.DecompressionStream(input, leaveOpen: true),
        DataCompression.Gzip => new GZipStream(input, CompressionMode.Decompress, leaveOpen: true),
        _ => new NonClosingStream(input),
    };
}

/// <summary>Passes through to a stream the caller still owns.</summary>
internal sealed class NonClosingStream(Stream inner) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>Hashes and counts what goes to the file, so the checksum is of the file's own bytes.</summary>
internal sealed class HashingWriteStream(Stream inner, System.IO.Hashing.NonCryptographicHashAlgorithm hasher) : Stream
{
    public long BytesWritten { get; private set; }
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        hasher.Append(buffer);
        BytesWritten += buffer.Length;
        inner.Write(buffer);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        hasher.Append(buffer.Span);
        BytesWritten += buffer.Length;
        return inner.WriteAsync(buffer, cancellationToken);
    }
}

