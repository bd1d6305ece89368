using System.Collections.Concurrent;
using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// Issue 14 item 4: a data-only restore asks for ownership only where it really needs it (a trigger to switch off, a
/// key to make deferrable or drop, a materialized view to refresh), checks every privilege the load needs before its
/// first change and names each missing one with its table and reason, in one <see cref="InsufficientPrivilegeException"/>.
/// Round trip (c): the Factory Pulse data into a schema-only copy, as a non-superuser role that owns the app's tables.
/// </summary>
public sealed class DataOnlyPermissionTests(FactoryPulseSource source) : IClassFixture<FactoryPulseSource>, IDisposable
{
    // Cluster-wide roles: names no other test class uses.
    private const string Loader = "fp_dataonly_loader";
    private const string AppOwner = "fp_dataonly_app_owner";

    private const string SmallSchema = """
        CREATE SCHEMA app;
        CREATE TABLE app.items (id int PRIMARY KEY, note text);
        CREATE TABLE public.plain (id serial PRIMARY KEY, label text NOT NULL);
        CREATE TABLE public.audited (id int PRIMARY KEY, label text, updated_at timestamptz NOT NULL DEFAULT '2020-01-01');
        CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
        CREATE TRIGGER audited_touch BEFORE UPDATE ON public.audited FOR EACH ROW EXECUTE FUNCTION public.touch();
        CREATE MATERIALIZED VIEW public.plain_summary AS SELECT count(*) AS n FROM public.plain;
        """;

    private const string SmallRows = """
        INSERT INTO app.items VALUES (1, 'one'), (2, 'two');
        INSERT INTO public.plain (label) SELECT 'label ' || g FROM generate_series(1, 12) g;
        INSERT INTO public.audited VALUES (1, 'a', '2024-05-06 07:08:09+00'), (2, NULL, '2023-01-02 03:04:05+00');
        REFRESH MATERIALIZED VIEW public.plain_summary;
        """;

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-dataperm-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private static async Task EnsureRoleAsync(string connectionString, string role) => await Db.ExecuteAsync(connectionString,
        $"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$;");

    private static string As(string connectionString, string role) => new NpgsqlConnectionStringBuilder(connectionString) { Username = role }.ConnectionString;

    /// <summary>A source with rows and an empty target with the same schema, everything owned by the superuser; grants as given.</summary>
    private async Task<(string Source, string Target)> SmallPairAsync(string prefix, string grants)
    {
        var small = await source.Server.CreateDatabaseAsync(prefix + "_src");
        await Db.ExecuteAsync(small, SmallSchema + SmallRows);
        var target = await source.Server.CreateDatabaseAsync(prefix + "_dst");
        await EnsureRoleAsync(target, Loader);
        await Db.ExecuteAsync(target, SmallSchema + grants);
        return (small, target);
    }

    private async Task<string> DataOnlyArchiveAsync(string name, string connectionString, params string[] tables)
    {
        var archive = Path.Combine(_workDirectory, name);
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = connectionString, OutputPath = archive, DataOnly = true, Tables = tables });
        return archive;
    }

    private static async Task<List<string>> RowsAsync(string connectionString, string table) =>
        await Db.ColumnAsync(connectionString, $"SELECT t::text FROM {table} t ORDER BY 1");

    private static Task<List<string>> TriggerStatesAsync(string connectionString) => Db.ColumnAsync(connectionString,
        "SELECT tgrelid::regclass || '.' || tgname || '=' || tgenabled::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1");

    private static async Task<long> LoadedRowsAsync(string connectionString) => await Db.ScalarAsync<long>(connectionString,
        "SELECT (SELECT count(*) FROM app.items) + (SELECT count(*) FROM public.plain) + (SELECT count(*) FROM public.audited)");

    private sealed class RecordingProgress : IProgress<DumpProgress>
    {
        public ConcurrentQueue<DumpProgress> Reports { get; } = new();

        public void Report(DumpProgress value) => Reports.Enqueue(value);
    }

    [Fact]
    public async Task A_data_only_restore_without_usage_on_a_schema_names_it_and_every_other_missing_privilege_before_any_change()
    {
        // Table privileges everywhere except INSERT on public.audited, but no USAGE on schema app.
        var (small, target) = await SmallPairAsync("perm_usage", $"""
            GRANT INSERT, SELECT ON app.items, public.plain TO {Loader};
            GRANT SELECT ON public.audited TO {Loader};
            GRANT UPDATE ON SEQUENCE public.plain_id_seq TO {Loader};
            """);
        var archive = await DataOnlyArchiveAsync("usage", small, "app.items", "public.plain", "public.audited");
        var catalogBefore = await CatalogAssert.SnapshotAsync(target);

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = As(target, Loader), InputPath = archive, DataOnly = true, DisableTriggers = false });

        var error = (await act.Should().ThrowAsync<InsufficientPrivilegeException>()).Which;
        error.Message.Should().Contain("schema app").And.Contain("USAGE").And.Contain("app.items")
            .And.Contain("public.audited").And.Contain("INSERT").And.Contain("Nothing was changed");
        error.Message.Should().NotContain("\n");
        error.Problems.Should().HaveCount(2);
        (await LoadedRowsAsync(target)).Should().Be(0);

        var cli = await ExternalTool.FpdumpAsync("restore", "-d", As(target, Loader), "-i", archive, "--data-only", "--keep-triggers", "--quiet");

        cli.ExitCode.Should().Be(1, cli.Stderr);
        var message = cli.Stderr.Trim();
        message.Should().StartWith("fpdump: error: Cannot restore").And.Contain("schema app").And.Contain("USAGE");
        message.Should().NotContain("\n", "one paragraph, no stack trace").And.NotContain(" at FactoryPulse").And.NotContain("Exception");
        (await LoadedRowsAsync(target)).Should().Be(0);
        await CatalogAssert.UnchangedAsync(target, catalogBefore, "a refused restore changes nothing");
    }

    [Fact]
    public async Task A_role_with_table_privileges_but_no_ownership_loads_tables_without_triggers_and_with_keep_triggers_those_with_triggers()
    {
        // app.items: INSERT on each column rather than on the table, which COPY (naming its columns) accepts too.
        var (small, target) = await SmallPairAsync("perm_grants", $"""
            GRANT USAGE ON SCHEMA app TO {Loader};
            GRANT INSERT, SELECT, UPDATE, DELETE, TRUNCATE ON public.plain, public.audited TO {Loader};
            GRANT SELECT, INSERT (id, note) ON app.items TO {Loader};
            GRANT SELECT, UPDATE ON SEQUENCE public.plain_id_seq TO {Loader};
            """);
        var triggersBefore = await TriggerStatesAsync(target);
        var withoutTriggers = await DataOnlyArchiveAsync("no-triggers", small, "app.items", "public.plain", "public.plain_id_seq");
        var withTriggers = await DataOnlyArchiveAsync("triggers", small, "public.audited");
        var catalogBefore = await CatalogAssert.SnapshotAsync(target);

        // Nothing to switch off: the default (triggers off) needs no ownership here.
        var first = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = As(target, Loader), InputPath = withoutTriggers, DataOnly = true });
        var second = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = As(target, Loader), InputPath = withTriggers, DataOnly = true, DisableTriggers = false });

        (await Db.ScalarAsync<bool>(As(target, Loader), "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).Should().BeFalse();
        first.Tables.Should().HaveCount(2);
        first.SequencesSet.Should().Be(1);
        second.Tables.Should().ContainSingle();
        foreach (var table in new[] { "app.items", "public.plain", "public.audited" })
            (await RowsAsync(target, table)).Should().Equal(await RowsAsync(small, table)).And.NotBeEmpty();
        (await Db.ScalarAsync<long>(target, "SELECT last_value FROM public.plain_id_seq")).Should().Be(12);
        (await TriggerStatesAsync(target)).Should().Equal(triggersBefore);
        await CatalogAssert.UnchangedAsync(target, catalogBefore, "a data-only restore changes no definition");
    }

    [Fact]
    public async Task A_role_that_must_switch_off_a_trigger_of_a_table_it_does_not_own_is_refused_up_front_naming_table_and_trigger()
    {
        var (small, target) = await SmallPairAsync("perm_trigger", $"""
            GRANT USAGE ON SCHEMA app TO {Loader};
            GRANT INSERT, SELECT ON app.items, public.plain, public.audited TO {Loader};
            GRANT UPDATE ON SEQUENCE public.plain_id_seq TO {Loader};
            """);
        var triggersBefore = await TriggerStatesAsync(target);
        var archive = await DataOnlyArchiveAsync("trigger", small, "app.items", "public.plain", "public.audited");
        var catalogBefore = await CatalogAssert.SnapshotAsync(target);
        var progress = new RecordingProgress();

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = As(target, Loader), InputPath = archive, DataOnly = true }, progress);

        var error = (await act.Should().ThrowAsync<InsufficientPrivilegeException>()).Which;
        error.Problems.Should().ContainSingle().Which.Should().Contain("public.audited").And.Contain("not the owner").And.Contain("audited_touch").And.Contain("--keep-triggers");
        error.ObjectName.Should().Be("public.audited");
        error.Message.Should().Contain("Nothing was changed");
        progress.Reports.Should().NotContain(report => report.Phase == OperationPhase.Data, "refused before the first row");
        (await LoadedRowsAsync(target)).Should().Be(0);
        (await TriggerStatesAsync(target)).Should().Equal(triggersBefore);
        await CatalogAssert.UnchangedAsync(target, catalogBefore, "a refused restore changes nothing");
    }

    [Fact]
    public async Task A_materialized_view_the_role_cannot_refresh_is_named_before_the_load_not_found_mid_load()
    {
        // The loader owns the tables (so their triggers are its to switch off) but not the materialized view.
        var (small, target) = await SmallPairAsync("perm_matview", $"""
            ALTER SCHEMA app OWNER TO {Loader};
            ALTER TABLE app.items OWNER TO {Loader};
            ALTER TABLE public.plain OWNER TO {Loader};
            ALTER TABLE public.audited OWNER TO {Loader};
            GRANT SELECT ON public.plain_summary TO {Loader};
            """);
        var archive = await DataOnlyArchiveAsync("matview", small);
        var catalogBefore = await CatalogAssert.SnapshotAsync(target);
        var progress = new RecordingProgress();

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = As(target, Loader), InputPath = archive, DataOnly = true }, progress);

        var error = (await act.Should().ThrowAsync<InsufficientPrivilegeException>()).Which;
        error.Problems.Should().ContainSingle().Which.Should().Contain("public.plain_summary").And.Contain("REFRESH").And.Contain("owner");
        progress.Reports.Should().NotContain(report => report.Phase == OperationPhase.Data, "found up front, before the first row");
        (await LoadedRowsAsync(target)).Should().Be(0);
        (await Db.ScalarAsync<bool>(target, "SELECT ispopulated FROM pg_matviews WHERE matviewname = 'plain_summary'")).Should().BeTrue();
        await CatalogAssert.UnchangedAsync(target, catalogBefore, "a refused restore changes nothing");
    }

    [Fact]
    public async Task A_not_valid_constraint_on_a_table_the_role_does_not_own_is_named_up_front()
    {
        // The load puts NOT VALID constraints aside (the source may hold rows violating them), which needs ownership.
        var (small, target) = await SmallPairAsync("perm_notvalid", $"""
            GRANT USAGE ON SCHEMA app TO {Loader};
            GRANT INSERT, SELECT ON app.items TO {Loader};
            ALTER TABLE app.items ADD CONSTRAINT items_note_short CHECK (length(note) < 100) NOT VALID;
            """);
        var archive = await DataOnlyArchiveAsync("notvalid", small, "app.items");
        var catalogBefore = await CatalogAssert.SnapshotAsync(target);

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = As(target, Loader), InputPath = archive, DataOnly = true });

        var error = (await act.Should().ThrowAsync<InsufficientPrivilegeException>()).Which;
        error.Problems.Should().ContainSingle().Which.Should().StartWith("app.items: not the owner").And.Contain("NOT VALID constraint items_note_short");
        (await LoadedRowsAsync(target)).Should().Be(0);
        (await Db.ScalarAsync<bool>(target, "SELECT NOT convalidated FROM pg_constraint WHERE conname = 'items_note_short'")).Should().BeTrue();
        await CatalogAssert.UnchangedAsync(target, catalogBefore, "a refused restore changes nothing");
    }

    private const string CycleSchema = """
        CREATE TABLE public.teams (id int PRIMARY KEY, captain_id int);
        CREATE TABLE public.players (id int PRIMARY KEY, team_id int NOT NULL);
        ALTER TABLE public.teams ADD CONSTRAINT teams_captain_fkey FOREIGN KEY (captain_id) REFERENCES public.players (id);
        ALTER TABLE public.players ADD CONSTRAINT players_team_fkey FOREIGN KEY (team_id) REFERENCES public.teams (id);
        """;

    /// <summary>
    /// What each --foreign-key-cycles mode needs from a role with INSERT but no ownership: defer, only ownership of a
    /// NOT DEFERRABLE key's table; drop-recreate, ownership always; replication-role, SET on session_replication_role.
    /// </summary>
    [Fact]
    public async Task Each_cycle_strategy_asks_a_non_owner_for_exactly_what_it_needs()
    {
        var cycle = await source.Server.CreateDatabaseAsync("perm_cycle_src");
        await Db.ExecuteAsync(cycle, $"""
            BEGIN;
            {CycleSchema}
            ALTER TABLE public.teams ALTER CONSTRAINT teams_captain_fkey DEFERRABLE;
            ALTER TABLE public.players ALTER CONSTRAINT players_team_fkey DEFERRABLE;
            SET CONSTRAINTS ALL DEFERRED;
            INSERT INTO public.teams SELECT g, g * 10 FROM generate_series(1, 5) g;
            INSERT INTO public.players SELECT g, 1 + g % 5 FROM generate_series(1, 50) g;
            COMMIT;
            """);
        var archive = await DataOnlyArchiveAsync("cycle", cycle);
        // A role of its own: GRANT SET ON PARAMETER is cluster-wide and outlives the test.
        var replica = "fp_dataonly_replica_" + Guid.NewGuid().ToString("N")[..8];

        async Task<string> TargetAsync(string prefix, string extra)
        {
            var target = await source.Server.CreateDatabaseAsync(prefix);
            await EnsureRoleAsync(target, Loader);
            await EnsureRoleAsync(target, replica);
            await Db.ExecuteAsync(target, CycleSchema + extra + $"GRANT INSERT, SELECT ON public.teams, public.players TO {Loader}, {replica};");
            return target;
        }

        async Task<InsufficientPrivilegeException> RefusedAsync(string target, string role, ForeignKeyCycleStrategy strategy)
        {
            var catalogBefore = await CatalogAssert.SnapshotAsync(target);
            var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = As(target, role), InputPath = archive, DataOnly = true, ForeignKeyCycles = strategy });
            var error = (await act.Should().ThrowAsync<InsufficientPrivilegeException>()).Which;
            (await Db.ScalarAsync<long>(target, "SELECT (SELECT count(*) FROM public.teams) + (SELECT count(*) FROM public.players)")).Should().Be(0);
            await CatalogAssert.UnchangedAsync(target, catalogBefore, $"{strategy} refused changes nothing");
            return error;
        }

        async Task LoadsAsync(string target, string role, ForeignKeyCycleStrategy strategy)
        {
            var catalogBefore = await CatalogAssert.SnapshotAsync(target);
            await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = As(target, role), InputPath = archive, DataOnly = true, ForeignKeyCycles = strategy });
            foreach (var table in new[] { "public.teams", "public.players" })
                (await RowsAsync(target, table)).Should().Equal(await RowsAsync(cycle, table));
            await CatalogAssert.UnchangedAsync(target, catalogBefore, $"{strategy} puts the keys back exactly");
        }

        var notDeferrable = await TargetAsync("perm_cycle_defer", "");
        var deferProblems = (await RefusedAsync(notDeferrable, Loader, ForeignKeyCycleStrategy.DeferConstraints)).Problems;
        deferProblems.Should().HaveCount(2).And.OnlyContain(problem => problem.Contains("not the owner", StringComparison.Ordinal) && problem.Contains("must be made DEFERRABLE", StringComparison.Ordinal));
        deferProblems.Should().Contain(problem => problem.StartsWith("public.teams:", StringComparison.Ordinal) && problem.Contains("teams_captain_fkey", StringComparison.Ordinal));
        deferProblems.Should().Contain(problem => problem.StartsWith("public.players:", StringComparison.Ordinal) && problem.Contains("players_team_fkey", StringComparison.Ordinal));
        (await RefusedAsync(notDeferrable, Loader, ForeignKeyCycleStrategy.DropAndRecreate)).Problems.Should().HaveCount(2).And.OnlyContain(problem => problem.Contains("dropped", StringComparison.Ordinal));
        (await RefusedAsync(notDeferrable, replica, ForeignKeyCycleStrategy.ReplicationRole)).Problems.Should().ContainSingle().Which.Should().StartWith("session_replication_role:");

        var deferrable = await TargetAsync("perm_cycle_deferrable", """
            ALTER TABLE public.teams ALTER CONSTRAINT teams_captain_fkey DEFERRABLE;
            ALTER TABLE public.players ALTER CONSTRAINT players_team_fkey DEFERRABLE;
            """);
        await LoadsAsync(deferrable, Loader, ForeignKeyCycleStrategy.DeferConstraints);

        await Db.ExecuteAsync(notDeferrable, $"GRANT SET ON PARAMETER session_replication_role TO {replica}");
        await LoadsAsync(notDeferrable, replica, ForeignKeyCycleStrategy.ReplicationRole);
    }

    /// <summary>
    /// Round trip (c). The schema-only copy is the schema archive restored by a superuser; then, as on a hosted project
    /// where the login role owns schema public and the app in it, APP_OWNER (no superuser, no BYPASSRLS) is made owner of
    /// schema public and of every table, materialized view and free-standing sequence in it. The platform's auth and
    /// storage tables stay with supabase_auth_admin and supabase_storage_admin; APP_OWNER is made a member of both,
    /// because their auth.users and storage.objects triggers must be switched off for the load, which needs their
    /// owner's rights. (--role-map postgres=APP_OWNER is not usable for the copy: the archive's event trigger would be
    /// given to a non-superuser.)
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Round_trip_c_data_only_into_a_schema_only_copy_as_a_non_superuser_owner_keeps_every_row_and_changes_no_schema(int jobs)
    {
        var schema = Path.Combine(_workDirectory, $"fp-schema-{jobs}");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = schema, SchemaOnly = true });
        var target = await source.Server.CreateDatabaseAsync("fp_data_c");
        await EnsureRoleAsync(target, AppOwner);
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = schema });
        await Db.ExecuteAsync(target, $$"""
            ALTER SCHEMA public OWNER TO {{AppOwner}};
            GRANT supabase_auth_admin, supabase_storage_admin TO {{AppOwner}};
            DO $$ DECLARE t regclass;
            BEGIN
              FOR t IN SELECT c.oid::regclass FROM pg_class c WHERE c.relkind IN ('r', 'p', 'm') AND c.relnamespace = 'public'::regnamespace LOOP
                EXECUTE format('ALTER TABLE %s OWNER TO {{AppOwner}}', t);
              END LOOP;
              -- OWNED BY sequences follow their table; free-standing ones have their own owner.
              FOR t IN SELECT c.oid::regclass FROM pg_class c WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace
                         AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')) LOOP
                EXECUTE format('ALTER SEQUENCE %s OWNER TO {{AppOwner}}', t);
              END LOOP;
            END $$;
            """);
        (await Db.ScalarAsync<long>(target, $"SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> '{AppOwner}'")).Should().Be(0);
        var archive = await DataOnlyArchiveAsync($"fp-data-{jobs}", source.ConnectionString);
        var schemaBefore = await SchemaDumpAsync(target);
        var defaultAclSql = "SELECT oid::text || ' ' || defaclrole::text || ' ' || defaclnamespace::text || ' ' || defaclobjtype::text || ' ' || defaclacl::text FROM pg_default_acl ORDER BY oid";
        var defaultAclBefore = await Db.ColumnAsync(target, defaultAclSql);
        var catalogBefore = await CatalogAssert.SnapshotAsync(target);

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = As(target, AppOwner), InputPath = archive, DataOnly = true, Jobs = jobs });

        (await Db.ScalarAsync<bool>(As(target, AppOwner), "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")).Should().BeFalse();
        report.Errors.Should().BeEmpty();
        report.Tables.Should().HaveCount(23);
        report.SequencesSet.Should().Be(3);
        var tables = await Db.ColumnAsync(source.ConnectionString,
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname IN ('public', 'auth', 'storage') ORDER BY 1");
        tables.Should().HaveCount(23);
        foreach (var table in tables)
            (await RowsAsync(target, table)).Should().Equal(await RowsAsync(source.ConnectionString, table), table);
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target, new OracleOptions { Schema = false });
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        (await SchemaDumpAsync(target)).Should().Be(schemaBefore, "a data-only restore changes no definition: triggers, keys and FORCE RLS are put back");
        (await Db.ColumnAsync(target, defaultAclSql)).Should().Equal(defaultAclBefore);
        await CatalogAssert.UnchangedAsync(target, catalogBefore, "a data-only restore changes no definition", refreshedMatviews: true);
    }

    /// <summary>pg_dump --schema-only, without the \restrict lines whose key is new on every run.</summary>
    private static async Task<string> SchemaDumpAsync(string connectionString)
    {
        var dump = await DatabaseOracle.SchemaDumpAsync(connectionString);
        var lines = dump.Split('\n');
        return string.Join('\n', Array.FindAll(lines, line => !line.StartsWith("\\restrict ", StringComparison.Ordinal) && !line.StartsWith("\\unrestrict ", StringComparison.Ordinal)));
    }
}
