using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests.Corpus;

/// <summary>
/// Issue 13 item 5 (lost table properties: column compression, statistics on materialized view columns, FORCE ROW
/// LEVEL SECURITY alone, typed tables) on tables owned by another role: 29_table_properties.sql round-tripped as a
/// directory archive with -j 1 and -j 4 and as a plain script through psql, each compared exactly by the oracle, plus
/// the catalog facts themselves (the oracle compares pg_dump's text, so the facts are checked as well).
/// </summary>
public sealed class TablePropertiesRoundTripTests : IDisposable
{
    private const string Script = "tests/FactoryPulse.Dump.IntegrationTests/Corpus/Scripts/29_table_properties.sql";

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-props-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private const string Facts = """
        SELECT c.relname || '.' || a.attname
               || ' compression=' || COALESCE(NULLIF(a.attcompression::text, ''), '-')
               || ' stats=' || COALESCE(a.attstattarget::int, -1) || ' storage=' || a.attstorage::text
               || ' options=' || COALESCE(array_to_string(a.attoptions, ','), '-')
               || ' rls=' || c.relrowsecurity || ' force=' || c.relforcerowsecurity
               || ' of=' || COALESCE(c.reloftype::regtype::text, '-') || ' owner=' || pg_get_userbyid(c.relowner)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE n.nspname = 'props' AND c.relkind IN ('r', 'm', 'v') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY 1
        """;

    /// <remarks>Runs on the shared test server (15+): the facts query reads attcompression (14+).</remarks>
    [Theory]
    [InlineData("directory", 1)]
    [InlineData("directory", 4)]
    [InlineData("plain", 1)]
    public async Task Table_properties_round_trip_exactly(string format, int jobs)
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync("props_a");
        var target = await server.CreateDatabaseAsync("props_b");
        try
        {
            await ExternalTool.PsqlFileAsync(source, FindScript());
            var archive = Path.Combine(_workDirectory, format == "plain" ? "props.sql" : "props");
            if (format == "plain")
            {
                await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive, Format = ArchiveFormat.Plain });
                await ExternalTool.PsqlFileAsync(target, archive);
            }
            else
            {
                await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive, Jobs = jobs, ChunkSizeBytes = 8192 });
                await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Jobs = jobs });
            }

            var oracle = await DatabaseOracle.CompareAsync(source, target);
            oracle.IsIdentical.Should().BeTrue(oracle.ToString());
            var expected = await Db.ColumnAsync(source, Facts);
            expected.Should().Contain(fact => fact.StartsWith("rls_force_only.id ", StringComparison.Ordinal) && fact.Contains(" rls=false force=true", StringComparison.Ordinal))
                .And.Contain(fact => fact.StartsWith("document_sizes.body_length ", StringComparison.Ordinal) && fact.Contains(" stats=300 ", StringComparison.Ordinal))
                .And.Contain(fact => fact.StartsWith("readings.sensor ", StringComparison.Ordinal) && fact.Contains(" of=props.reading ", StringComparison.Ordinal));
            (await Db.ColumnAsync(target, Facts)).Should().Equal(expected);
            (await Db.ColumnAsync(target, "SELECT pg_describe_object(classid, objid, 0) FROM pg_depend WHERE refobjid = 'props.reading'::regtype AND deptype = 'n' ORDER BY 1"))
                .Should().Equal("table props.readings");
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(source));
            await server.DropDatabaseAsync(Db.DatabaseOf(target));
        }
    }

    private static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, Script);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"{Script} not found above {AppContext.BaseDirectory}");
    }
}
