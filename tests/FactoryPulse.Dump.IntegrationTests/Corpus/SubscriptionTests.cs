using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests.Corpus;

/// <summary>
/// Subscriptions beyond the directory round trip of corpus 31: a plain script restored with psql, and a dump by a role
/// that is not a superuser, which (as pg_dump) leaves them out with a warning because it cannot read their connection strings.
/// </summary>
public sealed class SubscriptionTests : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-sub-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    [Fact]
    public async Task Corpus_31_as_a_plain_script_restores_with_psql_into_an_identical_database()
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync("sub_plain_a");
        var target = await server.CreateDatabaseAsync("sub_plain_b");
        try
        {
            await ExternalTool.PsqlFileAsync(source, Path.Combine(ObjectKindRoundTripTests.ScriptsDirectory, "31_subscriptions_and_shells.sql"));
            var script = Path.Combine(_workDirectory, "plain.sql");
            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = script, Format = ArchiveFormat.Plain });
            (await File.ReadAllTextAsync(script)).Should().Contain("CREATE SUBSCRIPTION corpus_gaps_plain CONNECTION 'host=127.0.0.1 port=1 dbname=x' PUBLICATION corpus_gaps_pub WITH (connect = false, slot_name = NONE);");

            await ExternalTool.PsqlFileAsync(target, script);

            var oracle = await DatabaseOracle.CompareAsync(source, target);
            oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(source));
            await server.DropDatabaseAsync(Db.DatabaseOf(target));
        }
    }

    [Fact]
    public async Task A_dump_by_a_role_that_is_not_a_superuser_leaves_subscriptions_out_with_a_warning()
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync("sub_reader");
        try
        {
            await Db.ExecuteAsync(source,
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fp_sub_reader') THEN CREATE ROLE fp_sub_reader LOGIN; END IF; END $$; " +
                "CREATE TABLE public.kept (id integer PRIMARY KEY); GRANT SELECT ON public.kept TO fp_sub_reader; " +
                "CREATE SUBSCRIPTION fp_sub_hidden CONNECTION 'host=127.0.0.1 port=1 dbname=x password=secret' PUBLICATION p WITH (connect = false, slot_name = NONE)");
            var reader = new NpgsqlConnectionStringBuilder(source) { Username = "fp_sub_reader" }.ConnectionString;
            var archive = Path.Combine(_workDirectory, "reader");

            var result = await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = reader, OutputPath = archive });

            result.Warnings.Should().ContainSingle().Which.Should().Contain("1 subscription(s) not dumped").And.Contain("superuser");
            var manifest = await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json"));
            manifest.Should().Contain("kept").And.NotContain("SUBSCRIPTION").And.NotContain("secret");

            var whole = await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = Path.Combine(_workDirectory, "superuser") });
            whole.Warnings.Should().BeEmpty();
            (await File.ReadAllTextAsync(Path.Combine(_workDirectory, "superuser", "manifest.json"))).Should().Contain("\"SUBSCRIPTION\"");
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(source));
        }
    }
}
