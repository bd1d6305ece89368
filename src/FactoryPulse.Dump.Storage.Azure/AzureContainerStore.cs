using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace FactoryPulse.Dump.Storage.Azure;

/// <summary>
/// One container as an archive store. A blob read once is read again only in the same version (If-Match on its
/// ETag), so the restore's checksum pass and its load pass see the same bytes.
/// </summary>
internal sealed partial class AzureContainerStore(BlobContainerClient container, bool createMissing, PartBufferPool partBuffers) : ArchiveStore
{
    private readonly ConcurrentDictionary<string, ETag> versionsRead = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim containerCheck = new(1, 1);
    private volatile bool containerChecked;

    /// <summary>Where uploads take their block buffers: the process's shared pool, or a test's own.</summary>
    public PartBufferPool PartBuffers => partBuffers;

    private BlobContainerClient Container => container;

    public override async Task<ArchiveStoreReadResult?> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var options = new BlobDownloadOptions();
        if (versionsRead.TryGetValue(name, out var etag))
            options.Conditions = new BlobRequestConditions { IfMatch = etag };
        BlobDownloadStreamingResult result;
        try
        {
            result = (await container.GetBlobClient(name).DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            return null;
        }
        catch (RequestFailedException exception) when (exception.Status == 412)
        {
            throw new ArchiveException($"{Describe(name)} changed while it was being read (its checksum was verified on an earlier version); nothing more is read from it.", exception);
        }
        catch (RequestFailedException exception)
        {
            throw Failure("Reading", name, exception);
        }
        versionsRead.TryAdd(name, result.Details.ETag);
        // Large-object records are bounded by the length the response announced.
        return new ArchiveStoreReadResult(result.Content, result.Details.ContentLength, result);
    }

    public override async Task<ArchiveStoreUpload> CreateAsync(string name, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        versionsRead.TryRemove(name, out _);
        return new AzureUpload(this, container.GetBlockBlobClient(name), name);
    }

    public override async IAsyncEnumerable<ArchiveStoreObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var pages = container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false);
        await using var enumerator = pages.GetAsyncEnumerator();
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync())
                    yield break;
            }
            catch (RequestFailedException exception)
            {
                throw Failure("Listing", prefix, exception);
            }
            var item = enumerator.Current;
            yield return new ArchiveStoreObject { Name = item.Name, Length = item.Properties.ContentLength ?? 0 };
        }
    }

    public override async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        versionsRead.TryRemove(name, out _);
        try
        {
            await container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception)
        {
            throw Failure("Deleting", name, exception);
        }
    }

    internal void Forget(string name) => versionsRead.TryRemove(name, out _);

    internal string Describe(string name) => $"az://{container.Name}/{name}";

    internal ArchiveStoreException Failure(string doing, string name, RequestFailedException exception) =>
        exception.ErrorCode == BlobErrorCode.ContainerNotFound
            ? MissingContainer(exception)
            : new ArchiveStoreException($"{doing} {Describe(name)} failed: {exception.ErrorCode ?? "error"} ({exception.Status}).", exception) { Container = container.Name };

    private ArchiveStoreException MissingContainer(Exception? exception) =>
        new($"The container '{container.Name}' does not exist (or this account cannot see it). Create it, or let fpdump create it with --create-bucket.", exception) { Container = container.Name };

    /// <summary>Checks once that the container exists, creating it when asked to: a missing container is one clear error, not one per file.</summary>
    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (containerChecked)
            return;
        await containerCheck.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (containerChecked)
                return;
            try
            {
                if (!(await container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
                {
                    if (!createMissing)
                        throw MissingContainer(null);
                    await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }
            catch (RequestFailedException exception)
            {
                throw new ArchiveStoreException($"Checking the container '{container.Name}' failed: {exception.ErrorCode ?? "error"} ({exception.Status}).", exception) { Container = container.Name };
            }
            containerChecked = true;
        }
        finally
        {
            containerCheck.Release();
        }
    }
}
