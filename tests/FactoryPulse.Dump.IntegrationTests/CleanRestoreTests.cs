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
}
