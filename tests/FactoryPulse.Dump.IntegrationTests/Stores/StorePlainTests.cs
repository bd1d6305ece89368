using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests.Stores;

/// <summary>
/// A plain script written straight to a store (<c>fpdump dump -Fp --output s3://…/x.sql</c>): streamed through the
/// upload, stored as one object only when whole, and restored with psql to what pg_dump cannot tell from the source.
/// </summary>
public abstract class StorePlainTests<TServer> : IDisposable
    where TServer : StoreServer
{
    private readonly TServer _store;
    private readonly FactoryPulseSource _source;
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-store-plain-").FullName;

    protected StorePlainTests(TServer store, FactoryPulseSource source)
    {
        _store = store;
        _source = source;
        store.Register();
    }

    public void Dispose()
    {
        Directory.Delete(_workDirectory, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static string Fpdump => Path.Combine(AppContext.BaseDirectory, "fpdump.dll");

    [Fact]
    public async Task A_plain_script_dumped_to_the_store_and_run_with_psql_gives_the_same_schema_and_rows()
    {
        var script = _store.Location("plain/factory_pulse.sql");

        var dump = await ExternalTool.RunAsync("dotnet", [Fpdump, "dump", "-Fp", "--connection", _source.ConnectionString, "--output", script, "--quiet"],
            new Dictionary<string, string>(_store.CliEnvironment, StringComparer.Ordinal));

        dump.ExitCode.Should().Be(0, dump.Stderr);
        (await _store.ListObjectsAsync(_store.ObjectName("plain/"))).Should().Equal(_store.ObjectName("plain/factory_pulse.sql"));
        var local = Path.Combine(_workDirectory, "factory_pulse.sql");
        await File.WriteAllBytesAsync(local, await _store.ReadObjectAsync(_store.ObjectName("plain/factory_pulse.sql")));
        var target = await _source.Server.CreateDatabaseAsync("store_plain");
        await ExternalTool.PsqlFileAsync(target, local);
        // The oracle compares both sides' pg_dump --schema-only (normalized: \restrict keys, database names) and every row.
        var oracle = await DatabaseOracle.CompareAsync(_source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    [Fact]
    public async Task A_plain_script_to_a_store_object_that_exists_is_refused_and_the_object_is_left_alone()
    {
        var script = _store.Location("plain-taken/x.sql");
        await _store.WriteObjectAsync(_store.ObjectName("plain-taken/x.sql"), "-- someone else's\n"u8.ToArray());

        var dump = () => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = _source.ConnectionString, OutputPath = script, Format = ArchiveFormat.Plain });

        await dump.Should().ThrowAsync<OutputPathException>();
        (await _store.ReadObjectAsync(_store.ObjectName("plain-taken/x.sql"))).Should().Equal("-- someone else's\n"u8.ToArray());
    }
}

public sealed class S3StorePlainTests(S3Server store, FactoryPulseSource source)
    : StorePlainTests<S3Server>(store, source), IClassFixture<S3Server>, IClassFixture<FactoryPulseSource>;

public sealed class AzureStorePlainTests(AzureServer store, FactoryPulseSource source)
    : StorePlainTests<AzureServer>(store, source), IClassFixture<AzureServer>, IClassFixture<FactoryPulseSource>;
