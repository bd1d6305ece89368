using System.Globalization;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// Sequence values are read a few hundred sequences per query (UNION ALL of one-row reads) instead of one round trip
/// each: every sequence must still get its own last_value and is_called, across the query boundaries.
/// </summary>
public sealed class SequenceValueTests
{
    [Fact]
    public async Task Dumping_more_sequences_than_one_query_reads_gives_each_its_own_value()
    {
        const int count = 1100;
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync("sequences");
        var archive = Path.Combine(Directory.CreateTempSubdirectory("fpdump-sequences-").FullName, "archive");
        try
        {
            // Sequence i ends at 1000 + i; every third one was never called (is_called false).
            await Db.ExecuteAsync(source, $"""
                DO $$ BEGIN
                  FOR i IN 1..{count} LOOP
                    EXECUTE format('CREATE SEQUENCE public.seq_%s', lpad(i::text, 5, '0'));
                    PERFORM pg_catalog.setval(format('public.seq_%s', lpad(i::text, 5, '0')), 1000 + i, i % 3 <> 0);
                  END LOOP;
                END $$;
                """);

            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive, Jobs = 1 });

            var manifest = StringsOf(await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json")));
            for (var i = 1; i <= count; i++)
            {
                var name = "seq_" + i.ToString("D5", CultureInfo.InvariantCulture);
                var called = i % 3 != 0 ? "true" : "false";
                manifest.Should().Contain($"SELECT pg_catalog.setval('public.{name}', {1000 + i}, {called});", $"{name} keeps its own value");
            }
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(source));
            Directory.Delete(Path.GetDirectoryName(archive)!, recursive: true);
        }
    }

    /// <summary>Every string in the manifest, unescaped, one a line.</summary>
    private static string StringsOf(string json)
    {
        var strings = new System.Text.StringBuilder();
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var pending = new Stack<System.Text.Json.JsonElement>();
        pending.Push(document.RootElement);
        while (pending.Count > 0)
        {
            var element = pending.Pop();
            switch (element.ValueKind)
            {
                case System.Text.Json.JsonValueKind.String:
                    strings.Append(element.GetString()).Append('\n');
                    break;
                case System.Text.Json.JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                        pending.Push(item);
                    break;
                case System.Text.Json.JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                        pending.Push(property.Value);
                    break;
            }
        }
        return strings.ToString();
    }
}
