using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests.Corpus;

/// <summary>
/// Corpus scripts 27 (languages, transforms, access methods, conversions) and 28 (base types, window functions, a canonical
/// range) together, in directory format with -j 1 and -j 4 and as a plain script through psql. Besides the pg_dump oracle,
/// the catalog fingerprint is compared — the oracle drops pg_dump's SET default_table_access_method lines, so only the
/// fingerprint (and the explicit check here) sees whether a table kept its access method — and the restored objects are used.
/// The same scripts also round-trip on every supported major version (13–18; the pg_dump oracle up to 15, the data oracle and the
/// fingerprint beyond).
/// </summary>
[Collection(PostgresVersionMatrixCollection.Name)]
public sealed class LanguageAndBaseTypeRoundTripTests(PostgresVersionServers servers) : IDisposable
{
    private static readonly string[] Scripts = ["27_languages_and_access_methods.sql", "28_base_types_and_windows.sql"];

    public static TheoryData<int> Majors => [13, 14, 15, 16, 17, 18];

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-kinds-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    [Theory]
    [InlineData("directory", 1)]
    [InlineData("directory", 4)]
    [InlineData("plain", 1)]
    public async Task Languages_access_methods_conversions_base_types_and_window_functions_restore_exactly(string format, int jobs)
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync("kinds_a");
        var target = await server.CreateDatabaseAsync("kinds_b");
        try
        {
            foreach (var script in Scripts)
                await ExternalTool.PsqlFileAsync(source, Path.Combine(ScriptsDirectory, script));

            var output = Path.Combine(_workDirectory, format == "plain" ? "kinds.sql" : "kinds");
            await DatabaseDumper.DumpAsync(new DumpOptions
            {
                ConnectionString = source, OutputPath = output, Jobs = jobs,
                Format = format == "plain" ? ArchiveFormat.Plain : ArchiveFormat.Directory,
            });
            if (format == "plain")
                await ExternalTool.PsqlFileAsync(target, output);
            else
                await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = output, Jobs = jobs });

            var oracle = await DatabaseOracle.CompareAsync(source, target);
            oracle.IsIdentical.Should().BeTrue(oracle.ToString());
            CatalogFingerprint.Compare(await CatalogFingerprint.ReadAsync(source), await CatalogFingerprint.ReadAsync(target)).Should().BeNull();

            (await Db.ColumnAsync(target,
                "SELECT c.relname || ' ' || a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.relnamespace = 'langs'::regnamespace AND c.relkind IN ('r', 'm') ORDER BY 1"))
                .Should().Equal("my_way_view my_heap", "stored_my_way my_heap");
            (await Db.ScalarAsync<int>(target, "SELECT langs.in_mylang(1)")).Should().Be(2);
            (await Db.ScalarAsync<string>(target, "SELECT langs.in_on_plpgsql()")).Should().Be("ok");
            (await Db.ScalarAsync<string>(target, "SELECT string_agg(id || ':' || n || ':' || coalesce(previous::text, '-'), ',' ORDER BY id) FROM basetypes.numbered"))
                .Should().Be("1:1:-,2:2:1,3:3:2");
            (await Db.ScalarAsync<string>(target, "SELECT string_agg(coalesce(v::text, '-'), ',' ORDER BY id) FROM basetypes.uses_myint")).Should().Be("10,-20,-");
            (await Db.ScalarAsync<string>(target, "SELECT '(1,5)'::basetypes.myrange::text")).Should().Be("[2,5)");

            if (format != "plain")
            {
                // --clean over the restored database: the base types drop with CASCADE (as pg_dump writes), the rest in reverse order.
                await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = output, Jobs = jobs, Clean = true, IfExists = true });
                var again = await DatabaseOracle.CompareAsync(source, target);
                again.IsIdentical.Should().BeTrue(again.ToString());
            }
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(target));
            await server.DropDatabaseAsync(Db.DatabaseOf(source));
        }
    }

    [Theory]
    [MemberData(nameof(Majors))]
    public async Task The_same_kinds_round_trip_on_every_supported_version(int major)
    {
        var server = (await servers.GetAsync(major)).Server;
        var source = await server.CreateDatabaseAsync($"kinds{major}_a");
        var target = await server.CreateDatabaseAsync($"kinds{major}_b");
        try
        {
            foreach (var script in Scripts)
                await ExternalTool.PsqlFileAsync(source, Path.Combine(ScriptsDirectory, script));
            var archive = Path.Combine(_workDirectory, $"kinds{major}");
            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive, Jobs = 2 });
            await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Jobs = 2 });

            // The installed pg_dump (15) reads servers up to 15; beyond, the data oracle and the fingerprint.
            var oracle = await DatabaseOracle.CompareAsync(source, target, new OracleOptions { Schema = major <= 15 });
            oracle.IsIdentical.Should().BeTrue(oracle.ToString());
            var print = await CatalogFingerprint.ReadAsync(source);
            print.Should().Contain(line => line.StartsWith("type basetypes.myint typtype=b", StringComparison.Ordinal), "the fingerprint sees the base type");
            CatalogFingerprint.Compare(print, await CatalogFingerprint.ReadAsync(target)).Should().BeNull();
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(target));
            await server.DropDatabaseAsync(Db.DatabaseOf(source));
        }
    }

    private static string ScriptsDirectory
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "tests/FactoryPulse.Dump.IntegrationTests/Corpus/Scripts");
                if (Directory.Exists(candidate))
                    return candidate;
            }
            throw new DirectoryNotFoundException("tests/FactoryPulse.Dump.IntegrationTests/Corpus/Scripts not found");
        }
    }
}
