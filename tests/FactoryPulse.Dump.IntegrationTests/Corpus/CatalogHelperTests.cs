using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using Xunit.Abstractions;

namespace FactoryPulse.Dump.IntegrationTests.Corpus;

/// <summary>
/// With --jobs above 1 a worker connection reads the largest catalog families (columns, defaults, constraints, indexes,
/// triggers, policies) beside the main connection, and its rows are applied later. The archive must not notice: every
/// corpus script dumped on one connection and on two gives the same entries, byte for byte.
/// </summary>
public sealed class CatalogHelperTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-helper-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    public static TheoryData<string> Scripts => ObjectKindRoundTripTests.Scripts;

    [SkippableTheory]
    [MemberData(nameof(Scripts))]
    public async Task Dumping_a_corpus_script_with_a_catalog_helper_gives_the_entries_of_a_single_connection_dump(string script)
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync("helper");
        try
        {
            var path = Path.Combine(ObjectKindRoundTripTests.ScriptsDirectory, script);
            var required = ObjectKindRoundTripTests.RequiredMajorVersion(path);
            var serverVersion = await ObjectKindRoundTripTests.ServerVersionNumAsync(source);
            Skip.If(serverVersion < required * 10000, $"{script} needs PostgreSQL {required}; the test server's server_version_num is {serverVersion}");
            await ExternalTool.PsqlFileAsync(source, path);

            var single = Path.Combine(_workDirectory, "single");
            var parallel = Path.Combine(_workDirectory, "parallel");
            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = single, Jobs = 1 });
            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = parallel, Jobs = 2 });

            var expected = EntriesOf(single);
            output.WriteLine($"{script}: {expected.Length} characters of entries");
            EntriesOf(parallel).Should().Be(expected, $"{script} dumped with a catalog helper connection must give the single-connection entries");
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(source));
        }
    }

    private static string EntriesOf(string archive)
    {
        var text = File.ReadAllText(Path.Combine(archive, "manifest.json"));
        var start = text.IndexOf("\"entries\"", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, "manifest.json has an entries list");
        return text[start..];
    }
}
