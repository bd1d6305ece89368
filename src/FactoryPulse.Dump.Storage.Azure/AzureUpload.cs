using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Specialized;

namespace FactoryPulse.Dump.Storage.Azure;

/// <summary>
/// Streams a blob as staged blocks: one block buffer in memory (8 MiB, growing only past 16 GB so 50,000 blocks stay
/// far beyond any table chunk); small blobs go up in one request. The blob exists only after the block list is committed,
/// which commit does last; blocks never committed are discarded by the service.
/// </summary>
internal sealed class AzureUpload(AzureContainerStore store, BlockBlobClient blob, string name) : ArchiveStoreUpload
{
    private const int FirstBlockSize = 8 << 20;
    private const int BlocksPerSize = 2000;

    private byte[] buffer = GC.AllocateUninitializedArray<byte>(FirstBlockSize);
    private int filled;
    private readonly List<string> blockIds = [];

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        while (source.Length > 0)
        {
            var take = Math.Min(source.Length, buffer.Length - filled);
            source.Span[..take].CopyTo(buffer.AsSpan(filled));
            filled += take;
            source = source[take..];
            if (filled == buffer.Length)
                await StageBlockAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (blockIds.Count == 0)
            {
                using var body = new MemoryStream(buffer, 0, filled, writable: false);
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
        store.Forget(name);
    }

    private async Task StageBlockAsync(CancellationToken cancellationToken)
    {
        // Block ids must be base64 strings of one length within a blob.
        var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(blockIds.Count.ToString("d6", CultureInfo.InvariantCulture)));
        try
        {
            using var body = new MemoryStream(buffer, 0, filled, writable: false);
            await blob.StageBlockAsync(id, body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception)
        {
            throw store.Failure("Writing", name, exception);
        }
        blockIds.Add(id);
        filled = 0;
        var size = FirstBlockSize << Math.Min(4, blockIds.Count / BlocksPerSize);
        if (size != buffer.Length)
            buffer = GC.AllocateUninitializedArray<byte>(size);
    }
}
