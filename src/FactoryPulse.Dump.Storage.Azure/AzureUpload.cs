using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Specialized;

namespace FactoryPulse.Dump.Storage.Azure;

/// <summary>
/// Streams a blob as staged blocks of <see cref="PartBufferPool.Shared"/>'s buffer size (5 MiB, doubling every 2,000
/// blocks past 10 GB, so 50,000 blocks stay far beyond any table chunk); small blobs go up in one request. The block buffer is the pool's:
/// held while a block fills and is staged, then given back, so memory is the pool's bound whatever --jobs is. The blob
/// exists only after the block list is committed, which commit does last; blocks never committed are discarded by the
/// service.
/// </summary>
internal sealed class AzureUpload(AzureContainerStore store, BlockBlobClient blob, string name) : ArchiveStoreUpload
{
    private const int BlocksPerSize = 2000;

    private readonly PartBufferPool pool = store.PartBuffers;
    private byte[]? buffer;
    private int blockSize = store.PartBuffers.BufferSize;
    private int filled;
    private readonly List<string> blockIds = [];

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        while (source.Length > 0)
        {
            buffer ??= await pool.RentAsync(blockSize, cancellationToken).ConfigureAwait(false);
            var take = Math.Min(source.Length, blockSize - filled);
            source.Span[..take].CopyTo(buffer.AsSpan(filled));
            filled += take;
            source = source[take..];
            if (filled == blockSize)
                await StageBlockAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (blockIds.Count == 0)
            {
                using var body = buffer is null ? new MemoryStream([], writable: false) : new MemoryStream(buffer, 0, filled, writable: false);
                await blob.UploadAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (filled > 0)
                    await StageBlockAsync(cancellationToken).ConfigureAwait(false);
                await blob.CommitBlockListAsync(blockIds, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException exception)
        {
            throw store.Failure("Writing", name, exception);
        }
        finally
        {
            ReturnBuffer();
        }
        store.Forget(name);
    }

    private async Task StageBlockAsync(CancellationToken cancellationToken)
    {
        // Block ids must be base64 strings of one length within a blob.
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(blockIds.Count.ToString("d6", CultureInfo.InvariantCulture)));
        try
        {
            using var body = new MemoryStream(buffer!, 0, filled, writable: false);
            await blob.StageBlockAsync(id, body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception)
        {
            throw store.Failure("Writing", name, exception);
        }
        finally
        {
            ReturnBuffer();
        }
        blockIds.Add(id);
        blockSize = pool.BufferSize << Math.Min(4, blockIds.Count / BlocksPerSize);
    }

    /// <summary>The block was staged (or will never be): its buffer goes back to the pool for the next block of any upload.</summary>
    private void ReturnBuffer()
    {
        if (buffer is null)
            return;
        pool.Return(buffer);
        buffer = null;
        filled = 0;
    }

    public override async ValueTask DisposeAsync()
    {
        ReturnBuffer();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            ReturnBuffer();
        base.Dispose(disposing);
    }
}
