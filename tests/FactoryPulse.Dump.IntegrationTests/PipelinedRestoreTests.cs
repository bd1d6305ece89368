using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// The restore sends many definitions per round trip. A failure inside such a batch must look exactly as it did with one
/// entry per round trip: reported against its entry, the entries before it committed, its neighbours' warnings seen once.
/// </summary>
public sealed class PipelinedRestoreTests : IDisposable
{
    private const int Tables = 30;

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-pipelined-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    /// <summary>A source of <see cref="Tables"/> tables t01…t30, each with an index and a row, and its archive.</summary>
    private async Task<(PostgresServer Server, string Source, string Archive)> DumpTablesAsync(string name)
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync($"{name}_src");
        await Db.ExecuteAsync(source, $$"""
            DO $$ BEGIN
              FOR i IN 1..{{Tables}} LOOP
                EXECUTE format('CREATE TABLE public.t%s (id int, v text)', lpad(i::text, 2, '0'));
                EXECUTE format('CREATE INDEX t%s_v_idx ON public.t%s (v)', lpad(i::text, 2, '0'), lpad(i::text, 2, '0'));
                EXECUTE format('INSERT INTO public.t%s VALUES (%s, ''row'')', lpad(i::text, 2, '0'), i);
              END LOOP;
            END $$;
            """);
        var archive = Path.Combine(_workDirectory, name);
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive });
        return (server, source, archive);
    }

    /// <summary>
    /// A target whose event trigger fails the creation of <paramref name="failing"/> (a CREATE TABLE or CREATE INDEX) and
    /// warns for every other table created: the server's own way of failing one statement in the middle of a batch.
    /// </summary>
    private static async Task<string> TargetFailingAsync(PostgresServer server, string name, string failing)
    {
        var target = await server.CreateDatabaseAsync(name);
        // In a pg_ schema, which the restore's empty-target check leaves alone like the system's own.
        await Db.ExecuteAsync(target, $$"""
            SET allow_system_table_mods = on;
            CREATE SCHEMA pg_fpdump_test;
            CREATE FUNCTION pg_fpdump_test.fail_one() RETURNS event_trigger LANGUAGE plpgsql AS $$
            DECLARE c record;
            BEGIN
              FOR c IN SELECT * FROM pg_catalog.pg_event_trigger_ddl_commands() LOOP
                IF c.object_identity = '{{failing}}' AND c.command_tag IN ('CREATE TABLE', 'CREATE INDEX') THEN
                  RAISE EXCEPTION 'refusing %', c.object_identity;
                ELSIF c.command_tag = 'CREATE TABLE' THEN
                  RAISE WARNING 'created %', c.object_identity;
                END IF;
              END LOOP;
            END $$;
            CREATE EVENT TRIGGER fail_one ON ddl_command_end EXECUTE FUNCTION pg_fpdump_test.fail_one();
            """);
        return target;
    }

    private static Task<long> CountAsync(string target, string sql) => Db.ScalarAsync<long>(target, sql);

    [Fact]
    public async Task A_failing_definition_inside_a_batch_is_reported_against_its_entry_and_every_other_entry_is_restored_once()
    {
        var (server, _, archive) = await DumpTablesAsync("pipe_continue");
        var target = await TargetFailingAsync(server, "pipe_continue", "public.t17");

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, ExitOnError = false });

        // As with one entry per round trip: the table fails, and so do what needs it (its rows, its index).
        report.Errors.Should().HaveCount(3, string.Join("\n", report.Errors));
        report.Errors[0].Should().StartWith("Restoring TABLE public.t17 failed: refusing public.t17");
        report.Errors.Should().OnlyContain(error => error.Contains("t17", StringComparison.Ordinal));
        (await CountAsync(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).Should().Be(Tables - 1);
        (await CountAsync(target, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'")).Should().Be(Tables - 1);
        report.Tables.Should().HaveCount(Tables - 1);
        // The batch holding t17 ran, was rolled back, and its entries ran again: each table's warning is reported once.
        var created = report.Warnings.Where(warning => warning.StartsWith("created public.t", StringComparison.Ordinal)).ToList();
        created.Should().HaveCount(Tables - 1).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Stopping_at_a_failing_definition_inside_a_batch_keeps_exactly_the_entries_before_it()
    {
        var (server, _, archive) = await DumpTablesAsync("pipe_exit");
        var target = await TargetFailingAsync(server, "pipe_exit", "public.t17");

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });

        var error = (await act.Should().ThrowAsync<RestoreFailedException>()).Which;
        error.Entry.Should().Be("TABLE public.t17");
        error.Message.Should().Contain("refusing public.t17");
        // The tables before t17 in dump order were committed; nothing after it ran.
        (await CountAsync(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).Should().Be(16);
        (await CountAsync(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename > 't16'")).Should().Be(0);
        error.PartialReport.Should().NotBeNull();
        error.PartialReport!.Tables.Should().BeEmpty("no rows load before every definition ran");
    }

    [Fact]
    public async Task In_a_single_transaction_a_failing_definition_inside_a_batch_is_named_and_nothing_stays()
    {
        var (server, _, archive) = await DumpTablesAsync("pipe_single");
        var target = await TargetFailingAsync(server, "pipe_single", "public.t17");

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, SingleTransaction = true });

        var error = (await act.Should().ThrowAsync<RestoreFailedException>()).Which;
        error.Entry.Should().Be("TABLE public.t17");
        error.Message.Should().Contain("refusing public.t17").And.Contain("Nothing was changed");
        (await CountAsync(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).Should().Be(0);
    }

    [Fact]
    public async Task With_jobs_a_failing_index_among_pipelined_post_data_is_reported_against_its_entry()
    {
        var (server, _, archive) = await DumpTablesAsync("pipe_jobs");
        var target = await TargetFailingAsync(server, "pipe_jobs", "public.t17_v_idx");

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, ExitOnError = false, Jobs = 2 });

        report.Errors.Should().ContainSingle().Which.Should().StartWith("Restoring INDEX public.t17_v_idx failed: refusing public.t17_v_idx");
        (await CountAsync(target, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'")).Should().Be(Tables - 1);
        report.Tables.Should().HaveCount(Tables);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_pipelined_restore_of_many_small_tables_is_exact(int jobs)
    {
        var (server, source, archive) = await DumpTablesAsync($"pipe_exact_{jobs}");
        var target = await server.CreateDatabaseAsync($"pipe_exact_{jobs}");

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Jobs = jobs });

        report.Errors.Should().BeEmpty();
        var oracle = await DatabaseOracle.CompareAsync(source, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }
}
