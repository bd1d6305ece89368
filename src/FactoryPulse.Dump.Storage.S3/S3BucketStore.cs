using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace FactoryPulse.Dump.Storage.S3;

/// <summary>
/// One bucket as an archive store. Objects are read as streams; an object read once is read again only in the same
/// version (If-Match on its ETag), so the restore's checksum pass and its load pass see the same bytes.
/// </summary>
internal sealed partial class S3BucketStore(IAmazonS3 client, string bucket, bool createMissingBucket, PartBufferPool partBuffers) : ArchiveStore
{
    private readonly ConcurrentDictionary<string, string> versionsRead = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim bucketCheck = new(1, 1);
    private volatile bool bucketChecked;

    public IAmazonS3 Client => client;

    public string Bucket => bucket;

    /// <summary>Where uploads take their part buffers: the process's shared pool, or a test's own.</summary>
    public PartBufferPool PartBuffers => partBuffers;

    public override async Task<ArchiveStoreReadResult?> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        var request = new GetObjectRequest { BucketName = bucket, Key = name };
        if (versionsRead.TryGetValue(name, out var etag))
            request.EtagToMatch = etag;
        GetObjectResponse response;
        try
        {
            response = await client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw new ArchiveException($"s3://{bucket}/{name} changed while it was being read (its checksum was verified on an earlier version); nothing more is read from it.", exception);
        }
        catch (AmazonS3Exception exception)
        {
            throw Failure("Reading", name, exception);
        }
        if (!string.IsNullOrEmpty(response.ETag))
            versionsRead.TryAdd(name, response.ETag);
        // Disposing the response releases its connection; the body alone would leave that to the finalizer.
        return new ArchiveStoreReadResult(response.ResponseStream, response.ContentLength, response);
    }

    public override async Task<ArchiveStoreUpload> CreateAsync(string name, CancellationToken cancellationToken)
    {
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        versionsRead.TryRemove(name, out _);
        return new S3Upload(this, name);
    }

    public override async IAsyncEnumerable<ArchiveStoreObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        while (true)
        {
            ListObjectsV2Response response;
            try
            {
                response = await client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception exception)
            {
                throw Failure("Listing", prefix, exception);
            }
            if (response.S3Objects is { } objects)
            {
                foreach (var item in objects)
                    yield return new ArchiveStoreObject { Name = item.Key, Length = item.Size ?? 0 };
            }
            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
                yield break;
            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public override async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        versionsRead.TryRemove(name, out _);
        try
        {
            await client.DeleteObjectAsync(bucket, name, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != "NoSuchBucket")
        {
        }
        catch (AmazonS3Exception exception)
        {
            throw Failure("Deleting", name, exception);
        }
    }

    internal void Forget(string name) => versionsRead.TryRemove(name, out _);

    internal ArchiveStoreException Failure(string doing, string name, AmazonS3Exception exception) =>
        exception.ErrorCode == "NoSuchBucket"
            ? MissingBucket(exception)
            : new ArchiveStoreException($"{doing} s3://{bucket}/{name} failed: {exception.ErrorCode ?? exception.StatusCode.ToString()} ({(int)exception.StatusCode}).", exception) { Container = bucket };

    private ArchiveStoreException MissingBucket(Exception? exception) =>
        new($"The bucket '{bucket}' does not exist (or this account cannot see it). Create it, or let fpdump create it with --create-bucket.", exception) { Container = bucket };

    /// <summary>Checks once that the bucket exists, creating it when asked to: a missing bucket is one clear error, not one per file.</summary>
    private async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (bucketChecked)
            return;
        await bucketCheck.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (bucketChecked)
                return;
            try
            {
                await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 }, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception exception) when (exception.ErrorCode == "NoSuchBucket" || exception.StatusCode == HttpStatusCode.NotFound)
            {
                if (!createMissingBucket)
                    throw MissingBucket(exception);
                try
                {
                    await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
                }
                catch (AmazonS3Exception createFailure) when (createFailure.ErrorCode is "BucketAlreadyOwnedByYou")
                {
                }
                catch (AmazonS3Exception createFailure)
                {
                    throw new ArchiveStoreException($"Creating the bucket '{bucket}' failed: {createFailure.ErrorCode ?? createFailure.StatusCode.ToString()} ({(int)createFailure.StatusCode}).", createFailure) { Container = bucket };
                }
            }
            catch (AmazonS3Exception exception)
            {
                throw Failure("Listing", "", exception);
            }
            catch (HttpRequestException exception)
            {
                throw new ArchiveStoreException($"The S3 endpoint for bucket '{bucket}' cannot be reached: {exception.Message}", exception) { Container = bucket };
            }
            bucketChecked = true;
        }
        finally
        {
            bucketCheck.Release();
        }
    }
}
