namespace FactoryPulse.Dump.Benchmarks;

/// <summary>
/// Read-only stream over a byte array that copies into the caller's buffer on every read, like a network stream
/// would. Deliberately not a <see cref="MemoryStream"/>: MemoryStream.CopyTo writes its whole backing array in one
/// call and ignores the buffer size, which would make the Stream.CopyTo baseline unchunked.
/// </summary>
/// <param name="data">The bytes to hand out.</param>
/// <param name="maxRead">At most this many bytes per read: Npgsql's raw COPY stream returns one CopyData message (one row) per read.</param>
internal sealed class ArraySourceStream(byte[] data, int maxRead = int.MaxValue) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(buffer.Length, maxRead), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
