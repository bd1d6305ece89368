using Azure;
using Azure.Storage.Blobs.Models;

namespace FactoryPulse.Dump.Storage.Azure;

/// <summary>
/// Small whole-blob reads and conditional writes (the backup lock, set summaries): Put Blob with <c>If-None-Match: *</c>
/// or <c>If-Match</c>, which Blob Storage (and Azurite) enforce on the request itself.
/// </summary>
internal sealed partial class AzureContainerStore
{
    public override async Task<ArchiveStoreVersion?> ReadVersionAsync(string name, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = (await Container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            return new ArchiveStoreVersion { Content = result.Content.ToMemory(), Tag = result.Details.ETag.ToString(), LastModified = result.Details.LastModified };
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == BlobErrorCode.BlobNotFound)
        {
            return null;
        }
        catch (RequestFailedException exception)
        {
            throw Failure("Reading", name, exception);
        }
    }

    public override async Task<string?> TryWriteAsync(string name, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        Forget(name);
        var conditions = expectedVersion is null
            ? new BlobRequestConditions { IfNoneMatch = ETag.All }
            : new BlobRequestConditions { IfMatch = new ETag(expectedVersion) };
        try
        {
            var response = await Container.GetBlobClient(name).UploadAsync(new BinaryData(content), new BlobUploadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            return response.Value.ETag.ToString();
        }
        // 412: the version changed; 409: the blob exists; 404: the version to replace is gone.
        catch (RequestFailedException exception) when (exception.Status == 412 || exception.ErrorCode == BlobErrorCode.BlobAlreadyExists
            || (expectedVersion is not null && exception.ErrorCode == BlobErrorCode.BlobNotFound))
        {
            return null;
        }
        catch (RequestFailedException exception)
        {
            throw Failure("Writing", name, exception);
        }
    }
}
