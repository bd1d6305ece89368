using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

public sealed class FormatAndFilterTests(FactoryPulseSource source) : IClassFixture<FactoryPulseSource>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-fmt-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    [Fact]
    public async Task A_plain_script_restores_with_psql_into_an_identical_database()
    {
        var script = Path.Combine(_workDirectory, "fp.sql");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = script, Format = ArchiveFormat.Plain });
        var target = await source.Server.CreateDatabaseAsync("plain");

        await ExternalTool.PsqlFileAsync(target, script);

        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(script).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task Three_section_dumps_restored_in_order_equal_one_whole_dump()
    {
        var target = await source.Server.CreateDatabaseAsync("sections");
        foreach (var section in new[] { "pre-data", "data", "post-data" })
        {
            var archive = Path.Combine(_workDirectory, section);
            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive, Sections = [section] });
            var manifest = await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json"));
            foreach (var other in new[] { "pre-data", "data", "post-data" })
            {
                if (other != section)
                    manifest.Should().NotContain($"\"section\": \"{other}\"");
            }
            // Later sections go into the database that already holds the earlier ones, as with pg_restore --section.
            await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });
        }

        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    [Fact]
    public async Task A_dump_of_one_schema_restores_where_its_dependencies_exist()
    {
        var archive = Path.Combine(_workDirectory, "storage");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive, Schemas = ["storage"] });
        var manifest = await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json"));
        manifest.Should().Contain("\"name\": \"objects\"").And.NotContain("\"schema\": \"public\"").And.NotContain("\"kind\": \"EXTENSION\"");

        // A database with everything but the storage schema: what a filtered dump is restored into.
        var target = await source.Server.CreateDatabaseAsync("one_schema");
        var rest = Path.Combine(_workDirectory, "rest");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = rest, ExcludeSchemas = ["storage"], SchemaOnly = true });
        // Without post-data: public's foreign keys point into storage, which is not there yet.
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = rest, Sections = ["pre-data", "data"] });
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Clean = true, IfExists = true });

        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM storage.objects")).Should().Be(await Db.ScalarAsync<long>(source.ConnectionString, "SELECT count(*) FROM storage.objects"));
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_policy WHERE polrelid = 'storage.objects'::regclass")).Should().Be(7);
    }

    [Fact]
    public async Task Table_patterns_select_tables_with_their_indexes_and_exclude_table_data_keeps_the_definition()
    {
        var archive = Path.Combine(_workDirectory, "tables");
        await DatabaseDumper.DumpAsync(new DumpOptions
        {
            ConnectionString = source.ConnectionString,
            OutputPath = archive,
            Tables = ["public.workflow_*", "PUBLIC.\"organizations\""],
            ExcludeTableData = ["public.workflow_sub_stages"],
        });
        var manifest = await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json"));

        manifest.Should().Contain("\"name\": \"workflow_stages\"").And.Contain("\"name\": \"workflow_sub_stages\"")
            .And.Contain("\"name\": \"workflow_sub_stages_organization_id_idx\"")
            .And.NotContain("\"name\": \"projects\"");
        manifest.Should().Contain("\"name\": \"organizations\"", "unquoted PUBLIC folds to public and the quoted part matches exactly");
        CountOccurrences(manifest, "\"kind\": \"TABLE DATA\"").Should().Be(2, "workflow_stages and organizations keep their rows, workflow_sub_stages does not");
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
