using Amazon.S3;
using Amazon.S3.Model;

namespace FactoryPulse.Dump.Storage.S3;

/// <summary>
/// Streams an object to S3 in parts of <see cref="PartBufferPool.Shared"/>'s buffer size (5 MiB, doubling every 2,000 parts
/// past 10 GB so 10,000 parts reach about 300 GB); small objects go up in one PUT. The part buffer is the pool's: held while a part
/// fills and is sent, then given back, so memory is the pool's bound whatever --jobs is. The object exists only after
/// CompleteMultipartUpload, which commit sends last; an upload disposed without commit is aborted, and one whose
/// process died never appears as an object.
/// </summary>
internal sealed class S3Upload(S3BucketStore store, string name) : ArchiveStoreUpload
{
    private const int PartsPerSize = 2000;

    private readonly PartBufferPool pool = store.PartBuffers;
    private byte[]? buffer;
    private int partSize = store.PartBuffers.BufferSize;
    private int filled;
    private string? uploadId;
    private readonly List<PartETag> parts = [];
    private bool committed;

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        while (source.Length > 0)
        {
            buffer ??= await pool.RentAsync(partSize, cancellationToken).ConfigureAwait(false);
            var take = Math.Min(source.Length, partSize - filled);
            source.Span[..take].CopyTo(buffer.AsSpan(filled));
            filled += take;
            source = source[take..];
            if (filled == partSize)
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
                using var body = buffer is null ? new MemoryStream([], writable: false) : new MemoryStream(buffer, 0, filled, writable: false);
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
        finally
        {
            ReturnBuffer();
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
            using var body = new MemoryStream(buffer!, 0, filled, writable: false);
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
        finally
        {
            ReturnBuffer();
        }
        partSize = pool.BufferSize << Math.Min(4, parts.Count / PartsPerSize);
    }

    /// <summary>The part was sent (or will never be): its buffer goes back to the pool for the next part of any upload.</summary>
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
        await AbortAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReturnBuffer();
            AbortAsync().GetAwaiter().GetResult();
        }
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
