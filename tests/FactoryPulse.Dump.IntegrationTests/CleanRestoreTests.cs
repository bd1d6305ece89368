using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests;

public sealed class CleanRestoreTests : IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-clean-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Restoring_with_clean_over_a_restored_database_drops_its_event_trigger_before_the_function(int jobs)
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync("clean_et_src");
        await Db.ExecuteAsync(source, """
            CREATE FUNCTION public.et_f() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'ddl'; END $$;
            CREATE EVENT TRIGGER et ON ddl_command_end EXECUTE FUNCTION public.et_f();
            ALTER EVENT TRIGGER et DISABLE;
            CREATE TABLE public.t (id int PRIMARY KEY);
            INSERT INTO public.t VALUES (1), (2);
            """);
        try
        {
            var archive = Path.Combine(_workDirectory, $"et-{jobs}");
            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive });
            var target = await server.CreateDatabaseAsync($"clean_et_j{jobs}");
            await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Jobs = jobs });

            // pg_restore -c --if-exists over the same database: with the event trigger left in place, dropping et_f failed.
            var again = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Clean = true, IfExists = true, Jobs = jobs });

            again.Errors.Should().BeEmpty();
            var oracle = await DatabaseOracle.CompareAsync(source, target);
            oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        }
        finally
        {
            // Event triggers are per database, but drop it anyway so the shared server stays quiet.
            await Db.ExecuteAsync(source, "DROP EVENT TRIGGER IF EXISTS et");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Clean_with_if_exists_restores_publication_members_into_an_empty_database_and_over_itself(int jobs)
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync("clean_pub_src");
        await Db.ExecuteAsync(source, """
            CREATE TABLE public.t (id int PRIMARY KEY);
            CREATE SCHEMA s2;
            CREATE TABLE s2.u (id int PRIMARY KEY);
            INSERT INTO public.t VALUES (1), (2);
            CREATE PUBLICATION pub_t FOR TABLE public.t;
            CREATE PUBLICATION pub_s FOR TABLES IN SCHEMA s2;
            """);
        var archive = Path.Combine(_workDirectory, $"pub-{jobs}");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive });
        var target = await server.CreateDatabaseAsync($"clean_pub_j{jobs}");

        // ALTER PUBLICATION … DROP TABLE has no IF EXISTS: into an empty database it failed on the missing publication.
        var first = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Clean = true, IfExists = true, Jobs = jobs });
        var again = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Clean = true, IfExists = true, Jobs = jobs });

        first.Errors.Should().BeEmpty();
        again.Errors.Should().BeEmpty();
        var oracle = await DatabaseOracle.CompareAsync(source, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }
}
