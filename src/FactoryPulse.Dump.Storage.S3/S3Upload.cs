using Amazon.S3;
using Amazon.S3.Model;

namespace FactoryPulse.Dump.Storage.S3;

/// <summary>
/// Streams an object to S3 in parts: one part buffer in memory (8 MiB, growing only past 16 GB so 10,000 parts reach
/// about 500 GB); small objects go up in one PUT. The object exists only after CompleteMultipartUpload, which commit
/// sends last; an upload disposed without commit is aborted, and one whose process died never appears as an object.
/// </summary>
internal sealed class S3Upload(S3BucketStore store, string name) : ArchiveStoreUpload
{
    private const int FirstPartSize = 8 << 20;
    private const int PartsPerSize = 2000;

    private byte[] buffer = GC.AllocateUninitializedArray<byte>(FirstPartSize);
    private int filled;
    private string? uploadId;
    private readonly List<PartETag> parts = [];
    private bool committed;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        while (source.Length > 0)
        {
            var take = Math.Min(source.Length, buffer.Length - filled);
            source.Span[..take].CopyTo(buffer.AsSpan(filled));
            filled += take;
            source = source[take..];
            if (filled == buffer.Length)
                await UploadPartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task CommitAsync(CancellationToken cancellationToken)
    {
        var client = store.Client;
        try
        {
            if (uploadId is null)
            {
                using var body = new MemoryStream(buffer, 0, filled, writable: false);
                await client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = store.Bucket,
                    Key = name,
                    InputStream = body,
                    AutoCloseStream = false,
                    UseChunkEncoding = false,
                }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (filled > 0)
                    await UploadPartAsync(cancellationToken).ConfigureAwait(false);
                await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = store.Bucket,
                    Key = name,
                    UploadId = uploadId,
                    PartETags = parts,
                }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (AmazonS3Exception exception)
        {
            throw store.Failure("Writing", name, exception);
        }
        committed = true;
        store.Forget(name);
    }

    private async Task UploadPartAsync(CancellationToken cancellationToken)
    {
        var client = store.Client;
        try
        {
            uploadId ??= (await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = store.Bucket, Key = name }, cancellationToken).ConfigureAwait(false)).UploadId;
            var number = parts.Count + 1;
            using var body = new MemoryStream(buffer, 0, filled, writable: false);
            var response = await client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = store.Bucket,
                Key = name,
                UploadId = uploadId,
                PartNumber = number,
                InputStream = body,
                PartSize = filled,
                UseChunkEncoding = false,
            }, cancellationToken).ConfigureAwait(false);
            parts.Add(new PartETag(number, response.ETag));
        }
        catch (AmazonS3Exception exception)
        {
            throw store.Failure("Writing", name, exception);
        }
        filled = 0;
        var size = FirstPartSize << Math.Min(4, parts.Count / PartsPerSize);
        if (size != buffer.Length)
            buffer = GC.AllocateUninitializedArray<byte>(size);
    }

    public override async ValueTask DisposeAsync()
    {
        await AbortAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            AbortAsync().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    /// <summary>Discards the parts of an upload that was not committed; cleanup does not honour cancellation.</summary>
    private async Task AbortAsync()
    {
        if (committed || uploadId is null)
            return;
        var id = uploadId;
        uploadId = null;
        try
        {
            await store.Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = store.Bucket, Key = name, UploadId = id }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AmazonS3Exception)
        {
            // Best effort: an unfinished upload is never an object, and bucket lifecycle rules remove its parts.
        }
        catch (HttpRequestException)
        {
        }
    }
}
