using System.Text.Json;
using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests.Corpus;

/// <summary>
/// Foreign data (Corpus/Scripts/26_foreign_data.sql) beyond the corpus round trip: the plain script through psql,
/// restore --clean over a restored database, what the archive holds (definitions, never the rows of a foreign table;
/// no entry for the wrapper postgres_fdw creates) and the Supabase profile keeping the user's wrappers.
/// </summary>
public sealed class ForeignDataRoundTripTests : IDisposable
{
    private const string Script = "26_foreign_data.sql";

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-fdw-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private static async Task<string> LoadSourceAsync(PostgresServer server, string name)
    {
        var source = await server.CreateDatabaseAsync(name);
        await ExternalTool.PsqlFileAsync(source, Path.Combine(ObjectKindRoundTripTests.ScriptsDirectory, Script));
        return source;
    }

    [Fact]
    public async Task Given_foreign_data_when_dumped_plain_and_run_by_psql_then_the_oracle_finds_no_difference()
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await LoadSourceAsync(server, "fdw_plain_a");
        var target = await server.CreateDatabaseAsync("fdw_plain_b");
        try
        {
            var script = Path.Combine(_workDirectory, "fdw.sql");
            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = script, Format = ArchiveFormat.Plain });

            await ExternalTool.PsqlFileAsync(target, script);

            var oracle = await DatabaseOracle.CompareAsync(source, target);
            oracle.IsIdentical.Should().BeTrue(oracle.ToString());
            // The fingerprint as well: it compares user mapping options (hashed) and FDW options independently of pg_dump.
            CatalogFingerprint.Compare(await CatalogFingerprint.ReadAsync(source), await CatalogFingerprint.ReadAsync(target)).Should().BeNull();
            var text = await File.ReadAllTextAsync(script);
            text.Should().Contain("CREATE USER MAPPING FOR PUBLIC SERVER remote_pg").And.NotContain("CREATE FOREIGN DATA WRAPPER postgres_fdw")
                .And.NotContain("COPY remote.orders").And.NotContain("COPY \"remote\".\"orders\"");
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(target));
            await server.DropDatabaseAsync(Db.DatabaseOf(source));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Given_a_restored_database_when_restored_again_with_clean_then_every_foreign_object_is_dropped_and_recreated(int jobs)
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await LoadSourceAsync(server, $"fdw_clean_a{jobs}");
        var target = await server.CreateDatabaseAsync($"fdw_clean_b{jobs}");
        try
        {
            var archive = Path.Combine(_workDirectory, $"clean-{jobs}");
            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive, Jobs = jobs });
            (await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Jobs = jobs })).Errors.Should().BeEmpty();

            var again = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Clean = true, IfExists = true, Jobs = jobs });

            again.Errors.Should().BeEmpty();
            var oracle = await DatabaseOracle.CompareAsync(source, target);
            oracle.IsIdentical.Should().BeTrue(oracle.ToString());
            // The fingerprint as well: it compares user mapping options (hashed) and FDW options independently of pg_dump.
            CatalogFingerprint.Compare(await CatalogFingerprint.ReadAsync(source), await CatalogFingerprint.ReadAsync(target)).Should().BeNull();
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(target));
            await server.DropDatabaseAsync(Db.DatabaseOf(source));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Given_foreign_data_when_dumped_then_the_archive_holds_definitions_and_no_foreign_rows(bool supabaseProfile)
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await LoadSourceAsync(server, supabaseProfile ? "fdw_manifest_supa" : "fdw_manifest");
        try
        {
            var archive = Path.Combine(_workDirectory, supabaseProfile ? "supabase" : "plain-profile");
            await DatabaseDumper.DumpAsync(new DumpOptions
            {
                ConnectionString = source, OutputPath = archive, Profile = supabaseProfile ? DumpProfile.Supabase : DumpProfile.None,
            });

            var entries = new List<string>();
            using (var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json"))))
            {
                foreach (var entry in manifest.RootElement.GetProperty("entries").EnumerateArray())
                    entries.Add($"{entry.GetProperty("kind").GetString()}: {entry.GetProperty("name").GetString()}");
            }

            entries.Should().Contain([
                "FOREIGN DATA WRAPPER: plain_fdw", "FOREIGN DATA WRAPPER: Validated fdw", "SERVER: remote_pg", "SERVER: Plain Server", "SERVER: bare",
                "USER MAPPING: USER MAPPING corpus_fdw_user SERVER remote_pg", "USER MAPPING: USER MAPPING public SERVER remote_pg",
                "USER MAPPING: USER MAPPING corpus_fdw_owner SERVER Plain Server",
                "FOREIGN TABLE: orders", "FOREIGN TABLE: files", "FOREIGN TABLE: archived_events", "FOREIGN TABLE: measurements_old",
                "TABLE DATA: events", "TABLE DATA: measurements_2024",
            ]);
            // postgres_fdw's wrapper comes back with CREATE EXTENSION; only its changed grant is an entry (an ACL).
            entries.Should().NotContain("FOREIGN DATA WRAPPER: postgres_fdw");
            entries.Should().Contain("ACL: postgres_fdw");
            entries.Should().NotContain(["TABLE DATA: orders", "TABLE DATA: files", "TABLE DATA: archived_events", "TABLE DATA: measurements_old"]);
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(source));
        }
    }
}
