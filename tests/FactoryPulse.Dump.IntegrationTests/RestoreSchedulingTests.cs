using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// How a --jobs restore spreads its work: pre-data definitions on every connection, foreign keys beside other post-data,
/// small tables loaded with one COPY each. The result must stay exactly the source.
/// </summary>
public sealed class RestoreSchedulingTests : IDisposable
{
    private const int Tables = 40;

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-scheduling-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    /// <summary>
    /// <see cref="Tables"/> tables in two schemas, each with a key, a foreign key to its schema's parent, a default, a view
    /// and a function over it, and a few rows; plus one table of about 2 MiB.
    /// </summary>
    private async Task<(PostgresServer Server, string Source, string Archive)> DumpAsync(string name)
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync($"{name}_src");
        await Db.ExecuteAsync(source, $$"""
            CREATE SCHEMA a;
            CREATE SCHEMA b;
            CREATE TABLE a.parent (id int PRIMARY KEY);
            CREATE TABLE b.parent (id int PRIMARY KEY);
            INSERT INTO a.parent VALUES (1), (2);
            INSERT INTO b.parent VALUES (1), (2);
            DO $$
            DECLARE s text;
            BEGIN
              FOR i IN 1..{{Tables}} LOOP
                s := CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END;
                EXECUTE format('CREATE TABLE %1$s.t%2$s (id int PRIMARY KEY, parent int REFERENCES %1$s.parent, v text DEFAULT ''x'')', s, i);
                EXECUTE format('INSERT INTO %1$s.t%2$s SELECT g, 1 + g %% 2, ''row'' FROM generate_series(1, 5) g', s, i);
                EXECUTE format('CREATE VIEW %1$s.v%2$s AS SELECT id, v FROM %1$s.t%2$s', s, i);
                EXECUTE format('CREATE FUNCTION %1$s.f%2$s() RETURNS bigint LANGUAGE sql AS ''SELECT count(*) FROM %1$s.t%2$s''', s, i);
              END LOOP;
            END $$;
            CREATE TABLE a.big (id int PRIMARY KEY, payload text);
            INSERT INTO a.big SELECT g, repeat('p', 200) FROM generate_series(1, 10000) g;
            """);
        var archive = Path.Combine(_workDirectory, name);
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive, Jobs = 1 });
        return (server, source, archive);
    }

    [Fact]
    public async Task With_jobs_pre_data_definitions_run_on_both_connections_and_the_result_is_the_source()
    {
        var (server, source, archive) = await DumpAsync("sched_predata");
        var target = await server.CreateDatabaseAsync("sched_predata");
        // Which backend created each table and view: kept in a pg_ schema, which the empty-target check leaves alone. The
        // row commits with the batch that created the object.
        await Db.ExecuteAsync(target, """
            SET allow_system_table_mods = on;
            CREATE SCHEMA pg_fpdump_test;
            CREATE TABLE pg_fpdump_test.created (pid int, tag text, identity text);
            CREATE FUNCTION pg_fpdump_test.record() RETURNS event_trigger LANGUAGE plpgsql AS $$
            DECLARE c record;
            BEGIN
              FOR c IN SELECT * FROM pg_catalog.pg_event_trigger_ddl_commands() LOOP
                INSERT INTO pg_fpdump_test.created VALUES (pg_catalog.pg_backend_pid(), c.command_tag, c.object_identity);
              END LOOP;
            END $$;
            CREATE EVENT TRIGGER record ON ddl_command_end EXECUTE FUNCTION pg_fpdump_test.record();
            """);

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Jobs = 2 });

        report.Errors.Should().BeEmpty();
        (await Db.ScalarAsync<long>(target, "SELECT count(DISTINCT pid) FROM pg_fpdump_test.created WHERE tag IN ('CREATE TABLE', 'CREATE VIEW', 'CREATE FUNCTION')"))
            .Should().Be(2, "the pre-data definitions were spread over both connections");
        await Db.ExecuteAsync(target, "SET allow_system_table_mods = on; DROP EVENT TRIGGER record; DROP SCHEMA pg_fpdump_test CASCADE;");
        var oracle = await DatabaseOracle.CompareAsync(source, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_small_table_loads_with_one_copy_and_no_truncate_and_a_large_one_is_truncated_and_frozen(int jobs)
    {
        var (server, source, archive) = await DumpAsync($"sched_copy{jobs}");
        var target = await server.CreateDatabaseAsync($"sched_copy{jobs}");

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Jobs = jobs });

        // A new table's first file is named after its oid; a TRUNCATE gives it a new one.
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relnamespace IN ('a'::regnamespace, 'b'::regnamespace) AND relfilenode <> oid"))
            .Should().Be(1, "only the 2 MiB table is truncated (for COPY FREEZE)");
        (await Db.ScalarAsync<bool>(target, "SELECT relfilenode <> oid FROM pg_class WHERE oid = 'a.big'::regclass")).Should().BeTrue();
        var oracle = await DatabaseOracle.CompareAsync(source, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }
}
