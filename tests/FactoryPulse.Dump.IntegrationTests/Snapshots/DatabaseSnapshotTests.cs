using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using FactoryPulse.Dump.Testing.Snapshots;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests.Snapshots;

/// <summary>The in-place strategy on a small schema with the awkward parts: a NOT DEFERRABLE foreign-key cycle, a self reference,
/// ALWAYS/REPLICA triggers, an identity column, a sequence left uncalled, a partitioned table and an inheritance child.</summary>
public sealed class DatabaseSnapshotInPlaceTests : IAsyncLifetime
{
    private const string Schema = """
        CREATE TABLE a (id int PRIMARY KEY, b_id int, parent_id int REFERENCES a);
        CREATE TABLE b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES a);
        ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b;                        -- a <-> b, NOT DEFERRABLE
        CREATE TABLE c (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, b_id int REFERENCES b ON DELETE CASCADE, note text,
                        doubled int GENERATED ALWAYS AS (id * 2) STORED);
        CREATE TABLE standalone (id int PRIMARY KEY, v text);
        CREATE SEQUENCE untouched_seq;                                            -- never called: is_called = false
        CREATE SEQUENCE used_seq; SELECT nextval('used_seq'), nextval('used_seq');
        CREATE TABLE audit (id bigserial PRIMARY KEY, what text);
        CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO audit (what) VALUES (TG_NAME || ':' || TG_OP); RETURN NULL; END $$;
        CREATE TRIGGER always_audit AFTER INSERT ON standalone FOR EACH ROW EXECUTE FUNCTION audit_row();
        ALTER TABLE standalone ENABLE ALWAYS TRIGGER always_audit;
        CREATE TRIGGER replica_audit AFTER INSERT ON c FOR EACH ROW EXECUTE FUNCTION audit_row();
        ALTER TABLE c ENABLE REPLICA TRIGGER replica_audit;
        CREATE TRIGGER origin_audit AFTER INSERT ON b FOR EACH ROW EXECUTE FUNCTION audit_row();
        CREATE TABLE measurements (at date NOT NULL, v int) PARTITION BY RANGE (at);
        CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE base (id int, v text);
        CREATE TABLE child (extra text) INHERITS (base);
        BEGIN;
        INSERT INTO a VALUES (1, NULL, NULL), (2, NULL, 1);
        INSERT INTO b VALUES (10, 1), (20, 2);
        UPDATE a SET b_id = 10 WHERE id = 1; UPDATE a SET b_id = 20 WHERE id = 2;
        COMMIT;
        INSERT INTO c (b_id, note) VALUES (10, 'x'), (20, 'y');
        INSERT INTO standalone VALUES (1, 'one');
        INSERT INTO measurements VALUES ('2025-03-01', 1);
        INSERT INTO base VALUES (1, 'base'); INSERT INTO child VALUES (2, 'child', 'e');
        """;

    private const string FingerprintSql = """
        SELECT string_agg(t || '=' || r, ' ' ORDER BY t) FROM (
            SELECT 'a' t, coalesce(string_agg(x::text, ',' ORDER BY x::text), '') r FROM a x
            UNION ALL SELECT 'b', coalesce(string_agg(x::text, ',' ORDER BY x::text), '') FROM b x
            UNION ALL SELECT 'c', coalesce(string_agg(x::text, ',' ORDER BY x::text), '') FROM c x
            UNION ALL SELECT 'standalone', coalesce(string_agg(x::text, ',' ORDER BY x::text), '') FROM standalone x
            UNION ALL SELECT 'audit', coalesce(string_agg(x::text, ',' ORDER BY x::text), '') FROM audit x
            UNION ALL SELECT 'measurements', coalesce(string_agg(x::text, ',' ORDER BY x::text), '') FROM measurements x
            UNION ALL SELECT 'base', coalesce(string_agg(x::text, ',' ORDER BY x::text), '') FROM base x
            UNION ALL SELECT 'child', coalesce(string_agg(x::text, ',' ORDER BY x::text), '') FROM ONLY child x
            UNION ALL SELECT 'seq', (SELECT last_value || '/' || is_called FROM untouched_seq) || ' ' || (SELECT last_value || '/' || is_called FROM used_seq)
                                    || ' ' || (SELECT last_value || '/' || is_called FROM c_id_seq) || ' ' || (SELECT last_value || '/' || is_called FROM audit_id_seq)
        ) s
        """;

    private PostgresServer server = null!;
    private string connectionString = null!;
    private DatabaseSnapshot snapshot = null!;
    private string seeded = null!;

    public async Task InitializeAsync()
    {
        server = await SharedPostgresServer.GetAsync();
        connectionString = await server.CreateDatabaseAsync("snapshot_unit");
        await Db.ExecuteAsync(connectionString, Schema);
        seeded = await Db.ScalarAsync<string>(connectionString, FingerprintSql);
        snapshot = await DatabaseSnapshot.CaptureAsync(connectionString, new DatabaseSnapshotOptions { Strategy = SnapshotStrategy.InPlace });
    }

    public async Task DisposeAsync()
    {
        await snapshot.DisposeAsync();
        await server.DropDatabaseAsync(Db.DatabaseOf(connectionString));
    }

    [Fact]
    public async Task Only_changed_tables_and_the_tables_referencing_them_are_reloaded()
    {
        (await snapshot.ResetAsync()).ReloadedTables.Should().BeEmpty("nothing changed since the snapshot");

        await Db.ExecuteAsync(connectionString, "UPDATE standalone SET v = 'changed'");
        var standalone = await snapshot.ResetAsync();
        standalone.ChangedTables.Should().Equal("public.standalone");
        standalone.ReloadedTables.Should().Equal("public.standalone");
        (await snapshot.ResetAsync()).ReloadedTables.Should().BeEmpty("the marks were cleared by the reset");

        await Db.ExecuteAsync(connectionString, "INSERT INTO c (b_id, note) VALUES (10, 'new')");
        var cycle = await snapshot.ResetAsync();
        cycle.ChangedTables.Should().Equal("public.c");
        cycle.ReloadedTables.Should().Equal("public.c");

        await Db.ExecuteAsync(connectionString, "UPDATE b SET a_id = 1 WHERE id = 20");
        (await snapshot.ResetAsync()).ReloadedTables.Should().Equal(["public.b"], "small tables are emptied with DELETE, which needs no referencing tables");
        (await Db.ScalarAsync<string>(connectionString, FingerprintSql)).Should().Be(seeded);

        await using var truncating = await DatabaseSnapshot.CaptureAsync(
            connectionString, new DatabaseSnapshotOptions { Strategy = SnapshotStrategy.InPlace, InPlaceDeleteThresholdBytes = 0 });
        await Db.ExecuteAsync(connectionString, "UPDATE b SET a_id = 1 WHERE id = 20");
        (await truncating.ResetAsync()).ReloadedTables.Should().BeEquivalentTo(["public.a", "public.b", "public.c"], "TRUNCATE b needs a and c, which reference b");
        (await Db.ScalarAsync<string>(connectionString, FingerprintSql)).Should().Be(seeded);
    }

    [Fact]
    public async Task Deletes_across_a_not_deferrable_cycle_and_cascades_are_undone()
    {
        await Db.ExecuteAsync(connectionString, "UPDATE a SET b_id = NULL; DELETE FROM b; DELETE FROM a WHERE parent_id IS NOT NULL; DELETE FROM a");
        await Db.ExecuteAsync(connectionString, "INSERT INTO standalone SELECT g, repeat('x', 200) FROM generate_series(100, 10000) g"); // > 1 MiB: TRUNCATE path
        (await Db.ScalarAsync<long>(connectionString, "SELECT count(*) FROM c")).Should().Be(0, "ON DELETE CASCADE emptied c");

        var reset = await snapshot.ResetAsync();

        reset.ChangedTables.Should().Contain("public.c", "foreign-key cascades fire the tracking trigger too");
        (await Db.ScalarAsync<string>(connectionString, FingerprintSql)).Should().Be(seeded);
        await Db.ExecuteAsync(connectionString, "INSERT INTO b VALUES (30, 2)"); // foreign keys still enforced after the reload
        await FluentActions.Awaiting(() => Db.ExecuteAsync(connectionString, "INSERT INTO b VALUES (40, 99)"))
            .Should().ThrowAsync<PostgresException>().Where(e => e.SqlState == PostgresErrorCodes.ForeignKeyViolation);
    }

    [Fact]
    public async Task Always_replica_and_ordinary_triggers_stay_quiet_during_the_reload_and_keep_their_state()
    {
        await Db.ExecuteAsync(connectionString, "TRUNCATE standalone, a, b, c CASCADE; TRUNCATE audit");

        await snapshot.ResetAsync();

        (await Db.ScalarAsync<string>(connectionString, FingerprintSql)).Should().Be(seeded, "no audit rows from the reload");
        var states = await Db.ColumnAsync(connectionString,
            "SELECT tgname || '=' || tgenabled::text FROM pg_trigger WHERE tgname IN ('always_audit', 'replica_audit', 'origin_audit') ORDER BY 1");
        states.Should().Equal("always_audit=A", "origin_audit=O", "replica_audit=R");
    }

    [Fact]
    public async Task Sequences_identity_columns_and_uncalled_sequences_are_set_back()
    {
        await Db.ExecuteAsync(connectionString,
            "SELECT nextval('untouched_seq'), nextval('used_seq'), nextval('used_seq'); INSERT INTO c (b_id) VALUES (10), (20)");

        await snapshot.ResetAsync();

        (await Db.ScalarAsync<string>(connectionString, FingerprintSql)).Should().Be(seeded);
        (await Db.ScalarAsync<long>(connectionString, "SELECT nextval('untouched_seq')")).Should().Be(1);
        (await Db.ScalarAsync<int>(connectionString, "INSERT INTO c (b_id) VALUES (10) RETURNING id")).Should().Be(3);
    }

    [Fact]
    public async Task Writes_through_a_partitioned_parent_an_inheritance_parent_and_in_replica_mode_are_tracked()
    {
        await Db.ExecuteAsync(connectionString, """
            INSERT INTO measurements VALUES ('2025-06-01', 2);
            UPDATE base SET v = 'both';
            SET session_replication_role = replica; DELETE FROM standalone; RESET session_replication_role;
            """);

        var reset = await snapshot.ResetAsync();

        reset.ReloadedTables.Should().Contain(["public.measurements_2025", "public.base", "public.child", "public.standalone"]);
        (await Db.ScalarAsync<string>(connectionString, FingerprintSql)).Should().Be(seeded);
    }

    [Fact]
    public async Task Rolled_back_writes_leave_no_mark_and_an_open_transaction_times_out_with_a_clear_error()
    {
        await Db.ScalarAfterAsync<long>(connectionString, ["DELETE FROM standalone"], "SELECT count(*) FROM standalone");
        (await snapshot.ResetAsync()).ReloadedTables.Should().BeEmpty();

        await Db.ExecuteAsync(connectionString, "DELETE FROM standalone");
        await using var quick = await DatabaseSnapshot.CaptureAsync(
            connectionString, new DatabaseSnapshotOptions { Strategy = SnapshotStrategy.InPlace, LockTimeout = TimeSpan.FromMilliseconds(200), InPlaceDeleteThresholdBytes = 0 });
        await Db.ExecuteAsync(connectionString, "INSERT INTO standalone VALUES (7, 'seven')");
        await using (var blocker = new NpgsqlConnection(connectionString))
        {
            await blocker.OpenAsync();
            await using var transaction = await blocker.BeginTransactionAsync();
            await using var read = new NpgsqlCommand("SELECT count(*) FROM standalone", blocker, transaction);
            await read.ExecuteScalarAsync();

            await FluentActions.Awaiting(() => quick.ResetAsync()).Should().ThrowAsync<InvalidOperationException>().WithMessage("*lock*open*");
        }

        (await quick.ResetAsync()).ReloadedTables.Should().BeEquivalentTo(["public.standalone", "public.audit"], "the ALWAYS trigger wrote to audit");
        (await Db.ScalarAsync<long>(connectionString, "SELECT count(*) FROM standalone")).Should().Be(0, "the second snapshot was taken with standalone empty");
    }

    [Fact]
    public async Task Disposing_removes_the_tracking_schema_and_triggers_but_keeps_the_data()
    {
        await snapshot.DisposeAsync();

        (await Db.ScalarAsync<long>(connectionString, "SELECT count(*) FROM pg_namespace WHERE nspname = 'fpdump_snapshot'")).Should().Be(0);
        (await Db.ScalarAsync<long>(connectionString, "SELECT count(*) FROM pg_trigger WHERE tgname = 'fpdump_snapshot_track'")).Should().Be(0);
        (await Db.ScalarAsync<string>(connectionString, FingerprintSql)).Should().Be(seeded);
        await FluentActions.Awaiting(() => snapshot.ResetAsync()).Should().ThrowAsync<ObjectDisposedException>();
        await FluentActions.Awaiting(() => snapshot.CloneAsync()).Should().ThrowAsync<ObjectDisposedException>();
    }
}

/// <summary>The template strategy and what disposing leaves behind.</summary>
public sealed class DatabaseSnapshotTemplateAndCleanupTests
{
    [Theory]
    [InlineData(TemplateCopyStrategy.FileCopy)]
    [InlineData(TemplateCopyStrategy.WalLog)]
    public async Task Clones_hold_the_captured_state_and_disposing_drops_clones_and_template(TemplateCopyStrategy copyStrategy)
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync("snapshot_src");
        await Db.ExecuteAsync(source, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g");
        try
        {
            var snapshot = await DatabaseSnapshot.CaptureAsync(source, new DatabaseSnapshotOptions { CopyStrategy = copyStrategy, DatabaseNamePrefix = "snapshot_tc" });
            await Db.ExecuteAsync(source, "DELETE FROM t"); // the source stays usable and independent
            var clones = await Task.WhenAll(snapshot.CloneAsync(), snapshot.CloneAsync());
            await clones[0].DisposeAsync();
            (await Db.ScalarAsync<long>(clones[1].ConnectionString, "SELECT count(*) FROM t")).Should().Be(100);
            snapshot.OpenClones.Should().Equal(clones[1].DatabaseName);
            await FluentActions.Awaiting(() => snapshot.ResetAsync()).Should().ThrowAsync<InvalidOperationException>();

            await snapshot.DisposeAsync();

            (await Db.ScalarAsync<long>(server.ConnectionString,
                $"SELECT count(*) FROM pg_database WHERE datname IN ('{snapshot.DatabaseName}', '{clones[0].DatabaseName}', '{clones[1].DatabaseName}')"))
                .Should().Be(0);
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(source));
        }
    }

    [Fact]
    public async Task Disposing_fixtures_on_the_shared_server_leaves_no_database_behind()
    {
        var server = await SharedPostgresServer.GetAsync();
        var first = new TinySnapshotDatabase(SnapshotStrategy.Template);
        var second = new TinySnapshotDatabase(SnapshotStrategy.InPlace);
        await using (var database = await first.GetDatabaseAsync())
            (await Db.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM t")).Should().Be(3);
        var leaked = await first.GetDatabaseAsync(); // not disposed by the test: the fixture drops it
        var inPlace = await second.GetDatabaseAsync();
        await Db.ExecuteAsync(inPlace.ConnectionString, "DELETE FROM t");
        (await Db.ScalarAsync<long>((await second.GetDatabaseAsync()).ConnectionString, "SELECT count(*) FROM t")).Should().Be(3);
        TinySnapshotDatabase.Seeds.Should().Be(1, "fixtures of one type share the seeded template");

        await first.DisposeAsync();
        (await Db.ScalarAsync<long>(server.ConnectionString, $"SELECT count(*) FROM pg_database WHERE datname = '{leaked.DatabaseName}'")).Should().Be(0);
        await second.DisposeAsync();

        (await Db.ScalarAsync<long>(server.ConnectionString, "SELECT count(*) FROM pg_database WHERE datname LIKE 'snapshot\\_tiny%'")).Should().Be(0);
    }

    [Fact]
    public async Task Disposing_a_fixture_with_its_own_server_leaves_no_process_or_data_directory()
    {
        var fixture = new OwnServerSnapshotDatabase();
        await using (var database = await fixture.GetDatabaseAsync())
            (await Db.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM t")).Should().Be(3);
        var directory = fixture.Server.ClusterDirectory;
        directory.Should().NotBeNull();
        var pid = int.Parse(File.ReadLines(Path.Combine(directory!, "data", "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

        await fixture.DisposeAsync();

        Directory.Exists(directory).Should().BeFalse();
        (await ProcessAliveAsync(pid)).Should().BeFalse();
    }

    private static async Task<bool> ProcessAliveAsync(int pid)
    {
        // pg_ctl stop -w returns once postmaster.pid is gone, a moment before the process has fully exited.
        for (var i = 0; i < 50; i++)
        {
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat))
                return false;
            string text;
            try { text = await File.ReadAllTextAsync(stat); }
            catch (IOException) { return false; }
            if (text[(text.LastIndexOf(')') + 2)..].StartsWith('Z'))
                return false;
            await Task.Delay(100);
        }
        return true;
    }

    private sealed class TinySnapshotDatabase(SnapshotStrategy strategy) : SnapshotDatabase(strategy)
    {
        public static int Seeds;

        protected override string DatabaseNamePrefix => "snapshot_tiny";

        protected override async Task SeedAsync(string connectionString, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Seeds);
            await Db.ExecuteAsync(connectionString, "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3)");
        }
    }

    private sealed class OwnServerSnapshotDatabase() : SnapshotDatabase(SnapshotStrategy.Template)
    {
        protected override Task<PostgresServer> StartServerAsync(CancellationToken cancellationToken) =>
            PostgresServer.StartAsync(new PostgresServerOptions { ConnectionStringVariable = "FPDUMP_SNAPSHOT_TESTS_NEVER_SET" }, cancellationToken);

        protected override Task SeedAsync(string connectionString, CancellationToken cancellationToken) =>
            Db.ExecuteAsync(connectionString, "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3)");
    }
}
