using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace FactoryPulse.Dump.Storage.S3;

/// <summary>
/// Small whole-object reads and conditional writes (the backup lock, set summaries). AWS S3, MinIO and most S3-compatible
/// stores honour <c>If-None-Match: *</c> and <c>If-Match</c> on PutObject; some (s3rver) ignore them and overwrite. The
/// first conditional create finds out which by sending the same create twice: an honouring store refuses the second.
/// Where the store ignores them, the condition is checked before the write and the object read back after a pause, so
/// only a writer that slips between another's check and its write (milliseconds) can be missed.
/// </summary>
internal sealed partial class S3BucketStore
{
    // Long enough for a racing writer that checked before this write to have written too; short next to a backup.
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1);

    // Null until the first conditional create says whether the store enforces the conditions itself.
    private bool? conditionsEnforced;

    /// <summary>
    /// Reads of a small object whose body does not match its ETag, tried again with growing pauses (4.5 s in all): two
    /// backups racing for the lock on a store without atomic writes rewrite it for a while.
    /// </summary>
    private const int MismatchedReadAttempts = 10;

    public override async Task<ArchiveStoreVersion?> ReadVersionAsync(string name, CancellationToken cancellationToken)
    {
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            GetObjectResponse response;
            try
            {
                response = await Client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = name }, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != "NoSuchBucket")
            {
                return null;
            }
            catch (AmazonS3Exception exception)
            {
                throw Failure("Reading", name, exception);
            }
            using (response)
            {
                using var content = new MemoryStream();
                try
                {
                    await response.ResponseStream.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
                }
                // The SDK checks the body against the ETag: a store without atomic writes (s3rver) can serve a version's
                // bytes with the previous version's tag while another writer replaces the object. Read it again.
                catch (AmazonClientException) when (attempt < MismatchedReadAttempts)
                {
                    await Task.Delay(100 * attempt, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                catch (AmazonClientException exception)
                {
                    throw new ArchiveStoreException($"Reading s3://{Bucket}/{name} failed: it kept changing while it was read.", exception) { Container = Bucket };
                }
                return new ArchiveStoreVersion
                {
                    Content = content.ToArray(),
                    Tag = response.ETag ?? "",
                    LastModified = response.LastModified is { } modified ? new DateTimeOffset(DateTime.SpecifyKind(modified, DateTimeKind.Utc)) : default,
                };
            }
        }
    }

    public override async Task<string?> TryWriteAsync(string name, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken cancellationToken)
    {
        await EnsureBucketAsync(cancellationToken).ConfigureAwait(false);
        Forget(name);
        // A replacement is always checked first (a HEAD): a store may enforce If-None-Match yet ignore If-Match.
        if (conditionsEnforced != true || expectedVersion is not null)
        {
            var current = await CurrentTagAsync(name, cancellationToken).ConfigureAwait(false);
            if (expectedVersion is null ? current is not null : current != expectedVersion)
                return null;
        }
        var tag = await PutAsync(name, content, expectedVersion, cancellationToken).ConfigureAwait(false);
        if (tag is null)
            return null;
        // The same bytes created again: refused where If-None-Match is enforced; elsewhere the object is rewritten unchanged.
        if (expectedVersion is null && conditionsEnforced is null)
            conditionsEnforced = await PutAsync(name, content, null, cancellationToken).ConfigureAwait(false) is null;
        if (conditionsEnforced == true)
            return tag;
        await Task.Delay(SettleTime, cancellationToken).ConfigureAwait(false);
        var after = await ReadVersionAsync(name, cancellationToken).ConfigureAwait(false);
        return after is not null && after.Content.Span.SequenceEqual(content.Span) ? after.Tag : null;
    }

    private async Task<string?> CurrentTagAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var metadata = await Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = name }, cancellationToken).ConfigureAwait(false);
            return metadata.ETag ?? "";
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != "NoSuchBucket")
        {
            return null;
        }
        catch (AmazonS3Exception exception)
        {
            throw Failure("Reading", name, exception);
        }
    }

    /// <summary>One PutObject with If-None-Match: * or If-Match; null when the store refused it for its condition.</summary>
    private async Task<string?> PutAsync(string name, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(content.ToArray(), writable: false);
        var request = new PutObjectRequest { BucketName = Bucket, Key = name, InputStream = body, AutoCloseStream = false, UseChunkEncoding = false };
        if (expectedVersion is null)
            request.IfNoneMatch = "*";
        else
            request.IfMatch = expectedVersion;
        try
        {
            return (await Client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false)).ETag ?? "";
        }
        // 412: the condition failed; 409: a concurrent conditional write won; 404: the version to replace is gone.
        catch (AmazonS3Exception exception) when (exception.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict
            || (expectedVersion is not null && exception.StatusCode == HttpStatusCode.NotFound && exception.ErrorCode != "NoSuchBucket"))
        {
            return null;
        }
        catch (AmazonS3Exception exception)
        {
            throw Failure("Writing", name, exception);
        }
    }
}
