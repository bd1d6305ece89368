using System.Collections.Concurrent;
using Amazon.S3;

namespace FactoryPulse.Dump.Storage.S3;

/// <summary>
/// Registers <c>s3://bucket/prefix/name</c> locations with <see cref="ArchiveStores"/>, for AWS S3 and S3-compatible
/// stores. Without a client in the options, one is made from the SDK's standard chains: credentials from
/// <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>, profiles or instance roles, the region from <c>AWS_REGION</c>,
/// and an S3-compatible endpoint from <c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c> (then with path-style
/// addressing, which such stores expect).
/// </summary>
public static class S3ArchiveStore
{
    /// <summary>Makes <c>s3://</c> locations usable by dumps, restores, verification and backup sets in this process.</summary>
    public static void Register(S3ArchiveStoreOptions? options = null)
    {
        options ??= new S3ArchiveStoreOptions();
        var client = new Lazy<IAmazonS3>(() => options.Client ?? S3Clients.FromEnvironment(), LazyThreadSafetyMode.ExecutionAndPublication);
        var buckets = new ConcurrentDictionary<string, S3BucketStore>(StringComparer.Ordinal);
        ArchiveStores.Register("s3", location =>
        {
            var bucket = location.Host;
            if (string.IsNullOrEmpty(bucket))
                throw new ArchiveStoreException($"'{location.GetLeftPart(UriPartial.Path)}' names no bucket: use s3://bucket/prefix/name.");
            var store = buckets.GetOrAdd(bucket, name => new S3BucketStore(client.Value, name, options.CreateMissingBucket, PartBufferPool.Shared));
            return new ArchiveStoreLocation(store, Uri.UnescapeDataString(location.AbsolutePath));
        });
    }
}

/// <summary>How <c>s3://</c> locations reach their store.</summary>
public sealed record S3ArchiveStoreOptions
{
    /// <summary>Create a bucket that does not exist (the CLI's <c>--create-bucket</c>) instead of failing with <see cref="ArchiveStoreException"/>.</summary>
    public bool CreateMissingBucket { get; init; }

    /// <summary>The client to use; by default one from the SDK's standard credential chain and the environment (see <see cref="S3ArchiveStore"/>).</summary>
    public IAmazonS3? Client { get; init; }
}
