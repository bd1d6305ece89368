using System.Collections.Concurrent;
using Azure.Storage;
using Azure.Storage.Blobs;

namespace FactoryPulse.Dump.Storage.Azure;

/// <summary>
/// Registers <c>az://container/prefix/name</c> and <c>https://account.blob.core.windows.net/container/prefix/name</c>
/// locations with <see cref="ArchiveStores"/>. Without a client in the options, the account comes from
/// <c>AZURE_STORAGE_CONNECTION_STRING</c> (which Azurite's development string satisfies); the https form may instead use
/// <c>AZURE_STORAGE_KEY</c> for the account in its host name.
/// </summary>
public static class AzureArchiveStore
{
    /// <summary>Makes <c>az://</c> and Azure <c>https://</c> locations usable by dumps, restores, verification and backup sets in this process.</summary>
    public static void Register(AzureArchiveStoreOptions? options = null)
    {
        options ??= new AzureArchiveStoreOptions();
        var containers = new ConcurrentDictionary<string, AzureContainerStore>(StringComparer.Ordinal);
        ArchiveStores.Register("az", location =>
        {
            var container = location.Host;
            if (string.IsNullOrEmpty(container))
                throw new ArchiveStoreException($"'{location.GetLeftPart(UriPartial.Path)}' names no container: use az://container/prefix/name.");
            var store = containers.GetOrAdd("az:" + container, _ => new AzureContainerStore(ServiceFromEnvironment(options, null).GetBlobContainerClient(container), options.CreateMissingContainer, PartBufferPool.Shared));
            return new ArchiveStoreLocation(store, Uri.UnescapeDataString(location.AbsolutePath));
        });
        ArchiveStores.Register("https", location =>
        {
            var segments = location.AbsolutePath.Trim('/').Split('/', 2);
            if (!location.Host.EndsWith(".blob.core.windows.net", StringComparison.OrdinalIgnoreCase) || segments[0].Length == 0)
                throw new ArchiveStoreException($"'{location.GetLeftPart(UriPartial.Path)}' is not an Azure Blob Storage location: use https://account.blob.core.windows.net/container/prefix/name.");
            var account = location.Host[..location.Host.IndexOf('.', StringComparison.Ordinal)];
            var store = containers.GetOrAdd($"https:{account}/{segments[0]}", _ => new AzureContainerStore(ServiceFromEnvironment(options, account).GetBlobContainerClient(segments[0]), options.CreateMissingContainer, PartBufferPool.Shared));
            return new ArchiveStoreLocation(store, segments.Length > 1 ? Uri.UnescapeDataString(segments[1]) : "");
        });
    }

    private static BlobServiceClient ServiceFromEnvironment(AzureArchiveStoreOptions options, string? account)
    {
        if (options.Client is { } client)
            return client;
        if (Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } connectionString)
        {
            var service = new BlobServiceClient(connectionString);
            if (account is null || string.Equals(service.AccountName, account, StringComparison.OrdinalIgnoreCase))
                return service;
        }
        if (account is not null && Environment.GetEnvironmentVariable("AZURE_STORAGE_KEY") is { Length: > 0 } key)
            return new BlobServiceClient(new Uri($"https://{account}.blob.core.windows.net"), new StorageSharedKeyCredential(account, key));
        throw new ArchiveStoreException(account is null
            ? "No Azure Storage account for az:// locations: set AZURE_STORAGE_CONNECTION_STRING."
            : $"No credentials for the Azure Storage account '{account}': set AZURE_STORAGE_CONNECTION_STRING for it, or AZURE_STORAGE_KEY.");
    }
}

/// <summary>How Azure locations reach their account.</summary>
public sealed record AzureArchiveStoreOptions
{
    /// <summary>Create a container that does not exist (the CLI's <c>--create-bucket</c>) instead of failing with <see cref="ArchiveStoreException"/>.</summary>
    public bool CreateMissingContainer { get; init; }

    /// <summary>The account's client to use; by default one from the environment (see <see cref="AzureArchiveStore"/>).</summary>
    public BlobServiceClient? Client { get; init; }
}
