using Azure.Storage.Blobs;
using FactoryPulse.Dump.Storage.Azure;

namespace FactoryPulse.Dump.IntegrationTests.Support;

/// <summary>
/// Azurite's blob service on a free port, or a real container: with <c>FPDUMP_TEST_AZURE_CONTAINER</c> set, the tests use
/// that container of the account in <c>AZURE_STORAGE_CONNECTION_STRING</c>.
/// </summary>
public sealed class AzureServer : StoreServer
{
    public const string AzuriteVersion = "3.37.0";

    // Azurite's well-known development account (public, documented by Microsoft).
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private string _container = "fpdump-tests";
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public BlobServiceClient Client { get; private set; } = null!;

    private BlobContainerClient Container => Client.GetBlobContainerClient(_container);

    public override IReadOnlyDictionary<string, string> CliEnvironment => _environment;

    public override async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("FPDUMP_TEST_AZURE_CONTAINER") is { Length: > 0 } container)
        {
            _container = container;
            Client = new BlobServiceClient(Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING"));
            return;
        }
        var port = FreePort();
        // No telemetry: the tests need no network.
        await StartNodeAsync("azurite", "dist/src/blob/main.js", port, [],
            "--blobHost", "127.0.0.1", "--blobPort", $"{port}", "--location", "{data}", "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry");
        var connectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        _environment["AZURE_STORAGE_CONNECTION_STRING"] = connectionString;
        Client = new BlobServiceClient(connectionString);
        await Container.CreateIfNotExistsAsync();
    }

    public override string Location(string name) => $"az://{_container}/{RunPrefix}/{name}";

    public override string MissingContainerLocation(string name) => $"az://fpdump-missing-{Guid.NewGuid():N}"[..40] + $"/{name}";

    public override void Register(bool createMissing = false) =>
        AzureArchiveStore.Register(new AzureArchiveStoreOptions { Client = Client, CreateMissingContainer = createMissing });

    public override async Task<byte[]> ReadObjectAsync(string objectName) =>
        (await Container.GetBlobClient(objectName).DownloadContentAsync()).Value.Content.ToArray();

    public override async Task WriteObjectAsync(string objectName, byte[] content) =>
        await Container.GetBlobClient(objectName).UploadAsync(new BinaryData(content), overwrite: true);

    public override async Task<List<string>> ListObjectsAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var item in Container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
            names.Add(item.Name);
        return names;
    }
}
