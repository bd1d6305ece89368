using Amazon.S3;
using Amazon.S3.Model;
using FactoryPulse.Dump.Storage.S3;

namespace FactoryPulse.Dump.IntegrationTests.Support;

/// <summary>
/// s3rver on a free port, or a real bucket: with <c>FPDUMP_TEST_S3_BUCKET</c> set, the tests use that bucket through the
/// SDK's standard chain (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_REGION</c>, <c>AWS_ENDPOINT_URL_S3</c>).
/// </summary>
public sealed class S3Server : StoreServer
{
    public const string S3rverVersion = "3.7.1";

    // s3rver's built-in account; it checks signatures made with it.
    private const string Key = "S3RVER";

    private string _bucket = "fpdump-tests";
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);

    public IAmazonS3 Client { get; private set; } = null!;

    public override IReadOnlyDictionary<string, string> CliEnvironment => _environment;

    public override async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable("FPDUMP_TEST_S3_BUCKET") is { Length: > 0 } bucket)
        {
            _bucket = bucket;
            Client = new AmazonS3Client();
            return;
        }
        var port = FreePort();
        // s3rver makes list continuation tokens with DES, which Node's OpenSSL 3 keeps in its legacy provider.
        await StartNodeAsync("s3rver", "bin/s3rver.js", port, ["--openssl-legacy-provider"],
            "-d", "{data}", "-a", "127.0.0.1", "-p", $"{port}", "--silent", "--configure-bucket", _bucket);
        var endpoint = $"http://127.0.0.1:{port}";
        _environment["AWS_ENDPOINT_URL_S3"] = endpoint;
        _environment["AWS_ACCESS_KEY_ID"] = Key;
        _environment["AWS_SECRET_ACCESS_KEY"] = Key;
        _environment["AWS_REGION"] = "us-east-1";
        Client = new AmazonS3Client(Key, Key, new AmazonS3Config
        {
            ServiceURL = endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
        });
    }

    public override async Task DisposeAsync()
    {
        Client?.Dispose();
        await base.DisposeAsync();
    }

    public override string Location(string name) => $"s3://{_bucket}/{RunPrefix}/{name}";

    public override string MissingContainerLocation(string name) => $"s3://fpdump-missing-{Guid.NewGuid():N}"[..40] + $"/{name}";

    public override void Register(bool createMissing = false) =>
        S3ArchiveStore.Register(new S3ArchiveStoreOptions { Client = Client, CreateMissingBucket = createMissing });

    public override async Task<byte[]> ReadObjectAsync(string objectName)
    {
        using var response = await Client.GetObjectAsync(_bucket, objectName);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    public override async Task WriteObjectAsync(string objectName, byte[] content)
    {
        using var body = new MemoryStream(content);
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = objectName, InputStream = body, UseChunkEncoding = false });
    }

    public override async Task<List<string>> ListObjectsAsync(string prefix)
    {
        var names = new List<string>();
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = prefix };
        while (true)
        {
            var response = await Client.ListObjectsV2Async(request);
            foreach (var item in response.S3Objects ?? [])
                names.Add(item.Key);
            if (response.IsTruncated != true)
                return names;
            request.ContinuationToken = response.NextContinuationToken;
        }
    }
}
