using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Storage;
using FactoryPulse.Dump.Storage.Azure;
using FactoryPulse.Dump.Storage.S3;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests.Stores;

/// <summary>
/// Issue 17's memory bound, proved by counting and not by timing: a store gets its own part buffer pool of two
/// buffers, a four-job dump of chunked tables streams dozens of parts through it, and the pool never made or lent
/// more than two buffers. Upload memory is the pool's (buffers × 8 MiB), whatever --jobs or the table size.
/// </summary>
public abstract class StoreMemoryTests<TServer>
    where TServer : StoreServer
{
    private const int Buffers = 2;

    private readonly TServer _store;

    protected StoreMemoryTests(TServer store) => _store = store;

    /// <summary>The store behind <paramref name="container"/> (bucket or container), uploading through <paramref name="pool"/>.</summary>
    private protected abstract ArchiveStore StoreWith(TServer server, string container, PartBufferPool pool);

    /// <summary>A scheme of this test's own, so the store with the counted pool is the only one its locations reach.</summary>
    protected abstract string Scheme { get; }

    [Fact]
    public async Task A_four_job_dump_of_chunked_tables_never_holds_more_part_buffers_than_the_pool_allows()
    {
        var pool = new PartBufferPool(PartBufferPool.DefaultBufferSize, Buffers);
        var location = new Uri(_store.Location("memory"));
        var store = StoreWith(_store, location.Host, pool);
        ArchiveStores.Register(Scheme, uri => new ArchiveStoreLocation(store, Uri.UnescapeDataString(uri.AbsolutePath)));
        var archive = $"{Scheme}://{location.Host}{location.AbsolutePath}";
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync("store_memory");
        // About 60 MB of rows that do not compress away, in two tables: with 12 MiB chunks, several files of two parts each.
        await Db.ExecuteAsync(source, """
            CREATE TABLE readings AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS payload FROM generate_series(1, 400000) g;
            CREATE TABLE events AS SELECT g AS id, md5((g * 3)::text) || md5((g * 5)::text) AS payload FROM generate_series(1, 250000) g;
            """);

        var dump = await DatabaseDumper.DumpAsync(new DumpOptions
        {
            ConnectionString = source,
            OutputPath = archive,
            Jobs = 4,
            ChunkSizeBytes = 12L * 1024 * 1024,
            Compression = DataCompression.None,
        });

        dump.RowCount.Should().Be(650_000);
        pool.Rents.Should().BeGreaterThan(3 * Buffers, "the parts of every file went through the pool");
        pool.PeakRented.Should().BeLessThanOrEqualTo(Buffers);
        pool.Allocated.Should().BeLessThanOrEqualTo(Buffers, "part buffers are reused, never made per file or per part");
        pool.Rented.Should().Be(0, "every upload gave its buffer back");
        var verification = await ArchiveVerifier.VerifyAsync(archive, new VerifyOptions());
        verification.Passed.Should().BeTrue();
    }
}

public sealed class S3StoreMemoryTests(S3Server store) : StoreMemoryTests<S3Server>(store), IClassFixture<S3Server>
{
    protected override string Scheme => "s3counted";

    private protected override ArchiveStore StoreWith(S3Server server, string container, PartBufferPool pool) =>
        new S3BucketStore(server.Client, container, createMissingBucket: false, pool);
}

public sealed class AzureStoreMemoryTests(AzureServer store) : StoreMemoryTests<AzureServer>(store), IClassFixture<AzureServer>
{
    protected override string Scheme => "azcounted";

    private protected override ArchiveStore StoreWith(AzureServer server, string container, PartBufferPool pool) =>
        new AzureContainerStore(server.Client.GetBlobContainerClient(container), createMissing: false, pool);
}
