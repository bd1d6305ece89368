using FactoryPulse.Dump.Storage;

namespace FactoryPulse.Dump.Archive;

/// <summary>
/// A store object opened on its first read, so synchronous call sites (the data file stack) need no async open;
/// counts its position for readers that bound records by what is left.
/// </summary>
internal sealed class StoreReadStream(ArchiveStore store, string name, string location) : Stream
{
    private ArchiveStoreReadResult? opened;
    private long position;
    private long length = -1;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    /// <summary>Known once the object is open (after the first read).</summary>
    public override long Length => length >= 0 ? length : throw new NotSupportedException("The object's length is known after its first read.");

    public override long Position { get => position; set => throw new NotSupportedException(); }

    private async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        if (opened is not null)
            return opened.Content;
        opened = await store.OpenReadAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveException($"Data file '{ArchiveLocation.Describe(location)}' is missing.");
        length = opened.Length;
        return opened.Content;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var source = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            opened?.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (opened is not null)
            await opened.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
