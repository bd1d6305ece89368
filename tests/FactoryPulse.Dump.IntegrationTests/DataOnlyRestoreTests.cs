using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// The seed's third restore mode: rows into an existing schema, through NOT DEFERRABLE foreign-key cycles, with audit
/// and updated_at triggers that must not fire, as the tables' owner rather than a superuser.
/// </summary>
public sealed class DataOnlyRestoreTests(FactoryPulseSource source) : IClassFixture<FactoryPulseSource>, IDisposable
{
    private const string OwnerRole = "fp_table_owner";

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-data-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    /// <summary>Schema-only copy of the fixture whose tables belong to a role without superuser.</summary>
    private async Task<string> SchemaOnlyCopyOwnedByAPlainRoleAsync(string prefix)
    {
        var schema = Path.Combine(_workDirectory, prefix + "-schema");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = schema, SchemaOnly = true });
        var target = await source.Server.CreateDatabaseAsync(prefix);
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = schema });
        await Db.ExecuteAsync(target, $$"""
            DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{{OwnerRole}}') THEN CREATE ROLE {{OwnerRole}} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$;
            GRANT USAGE ON SCHEMA auth, storage, extensions TO {{OwnerRole}};
            DO $$ DECLARE t regclass;
            BEGIN
              FOR t IN SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE c.relkind IN ('r', 'm') AND n.nspname IN ('public', 'auth', 'storage') LOOP
                EXECUTE format('ALTER TABLE %s OWNER TO {{OwnerRole}}', t);
              END LOOP;
              -- Free-standing sequences have their own owner; OWNED BY ones followed their table.
              FOR t IN SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE c.relkind = 'S' AND n.nspname IN ('public', 'auth', 'storage')
                         AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')) LOOP
                EXECUTE format('ALTER SEQUENCE %s OWNER TO {{OwnerRole}}', t);
              END LOOP;
            END $$;
            """);
        return target;
    }

    private async Task<string> DataOnlyArchiveAsync(string name, string? connectionString = null)
    {
        var archive = Path.Combine(_workDirectory, name);
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = connectionString ?? source.ConnectionString, OutputPath = archive, DataOnly = true });
        return archive;
    }

    private static string AsOwner(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Username = OwnerRole }.ConnectionString;

    private static Task<List<string>> TriggerStatesAsync(string connectionString) => Db.ColumnAsync(connectionString,
        "SELECT tgrelid::regclass || '.' || tgname || '=' || tgenabled::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1");

    private static Task<List<string>> ForeignKeysAsync(string connectionString) => Db.ColumnAsync(connectionString,
        "SELECT conrelid::regclass || '.' || conname || ' deferrable=' || condeferrable || ' deferred=' || condeferred FROM pg_constraint WHERE contype = 'f' ORDER BY 1");

    [Fact]
    public async Task Restoring_data_only_as_the_table_owner_keeps_every_row_and_puts_triggers_and_keys_back_exactly()
    {
        var target = await SchemaOnlyCopyOwnedByAPlainRoleAsync("data_owner");
        var archive = await DataOnlyArchiveAsync("data");
        (await Db.ScalarAsync<bool>(target, "SELECT relforcerowsecurity FROM pg_class WHERE oid = 'public.activity_log'::regclass")).Should().BeTrue("the load must lift FORCE RLS and put it back");
        var triggersBefore = await TriggerStatesAsync(target);
        var keysBefore = await ForeignKeysAsync(target);
        var catalogBefore = await CatalogAssert.SnapshotAsync(target);

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = AsOwner(target), InputPath = archive, DataOnly = true });

        (await Db.ScalarAsync<bool>(AsOwner(target), "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).Should().BeFalse();
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target, new OracleOptions { Schema = false });
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM public.activity_log")).Should().Be(27, "the audit triggers must not fire during the load");
        (await Db.ColumnAsync(target, "SELECT id || ' ' || updated_at FROM public.projects ORDER BY id"))
            .Should().Equal(await Db.ColumnAsync(source.ConnectionString, "SELECT id || ' ' || updated_at FROM public.projects ORDER BY id"));
        (await TriggerStatesAsync(target)).Should().Equal(triggersBefore);
        (await ForeignKeysAsync(target)).Should().Equal(keysBefore).And.HaveCount(67).And.OnlyContain(key => key.EndsWith("deferrable=false deferred=false", StringComparison.Ordinal));
        report.Tables.Should().HaveCount(23);
        report.SequencesSet.Should().Be(3);
        await CatalogAssert.UnchangedAsync(target, catalogBefore, "a data-only restore changes no definition (FORCE RLS, keys, triggers, owners, grants)", refreshedMatviews: true);
    }

    [Fact]
    public async Task Restoring_data_only_through_deferrable_keys_leaves_them_deferrable()
    {
        var target = await SchemaOnlyCopyOwnedByAPlainRoleAsync("data_deferrable");
        await Db.ExecuteAsync(target, """
            DO $$ DECLARE k record;
            BEGIN
              FOR k IN SELECT conrelid::regclass AS t, conname FROM pg_constraint WHERE contype = 'f' LOOP
                EXECUTE format('ALTER TABLE %s ALTER CONSTRAINT %I DEFERRABLE INITIALLY IMMEDIATE', k.t, k.conname);
              END LOOP;
            END $$;
            """);
        var archive = await DataOnlyArchiveAsync("data-deferrable");
        var catalogBefore = await CatalogAssert.SnapshotAsync(target);

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = AsOwner(target), InputPath = archive });

        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target, new OracleOptions { Schema = false });
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        (await ForeignKeysAsync(target)).Should().OnlyContain(key => key.EndsWith("deferrable=true deferred=false", StringComparison.Ordinal));
        await CatalogAssert.UnchangedAsync(target, catalogBefore, "deferrable keys stay deferrable and nothing else changes", refreshedMatviews: true);
    }

    [Fact]
    public async Task Restoring_data_only_loads_a_two_table_cycle_whose_rows_reference_each_other()
    {
        var a = await source.Server.CreateDatabaseAsync("cycle_a");
        await Db.ExecuteAsync(a, """
            CREATE TABLE public.teams (id int PRIMARY KEY, captain_id int);
            CREATE TABLE public.players (id int PRIMARY KEY, team_id int NOT NULL, mentor_id int REFERENCES public.players (id));
            INSERT INTO public.teams SELECT g, g * 10 FROM generate_series(1, 20) g;
            INSERT INTO public.players SELECT g, 1 + g % 20, NULLIF(g - 1, 9) FROM generate_series(10, 200) g;
            ALTER TABLE public.teams ADD CONSTRAINT teams_captain_fkey FOREIGN KEY (captain_id) REFERENCES public.players (id);
            ALTER TABLE public.players ADD CONSTRAINT players_team_fkey FOREIGN KEY (team_id) REFERENCES public.teams (id);
            """);
        var schema = Path.Combine(_workDirectory, "cycle-schema");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = a, OutputPath = schema, SchemaOnly = true });
        var b = await source.Server.CreateDatabaseAsync("cycle_b");
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = b, InputPath = schema });
        var archive = await DataOnlyArchiveAsync("cycle-data", a);
        var catalogBefore = await CatalogAssert.SnapshotAsync(b);

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = b, InputPath = archive, DataOnly = true });

        var oracle = await DatabaseOracle.CompareAsync(a, b);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        await CatalogAssert.UnchangedAsync(b, catalogBefore, "the cycle's keys are back as they were");
        await CatalogAssert.SameAsync(a, b, "the target's catalog is the source's");
    }

    [Fact]
    public async Task A_data_only_restore_that_violates_a_foreign_key_names_it_and_changes_nothing()
    {
        // The "edited archive": rows dumped from a copy whose parent row is gone while its children stay.
        var edited = await source.Server.CreateDatabaseAsync("edited");
        var full = Path.Combine(_workDirectory, "full");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = full });
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = edited, InputPath = full });
        await Db.ExecuteAsync(edited, """
            ALTER TABLE public.projects DROP CONSTRAINT projects_current_stage_id_fkey;
            DELETE FROM public.workflow_stages WHERE id = (SELECT current_stage_id FROM public.projects WHERE current_stage_id IS NOT NULL ORDER BY id LIMIT 1);
            """);
        var archive = await DataOnlyArchiveAsync("edited-data", edited);
        var target = await SchemaOnlyCopyOwnedByAPlainRoleAsync("violated");
        var triggersBefore = await TriggerStatesAsync(target);
        var keysBefore = await ForeignKeysAsync(target);
        var catalogBefore = await CatalogAssert.SnapshotAsync(target);

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = AsOwner(target), InputPath = archive, DataOnly = true });

        var error = (await act.Should().ThrowAsync<RestoreFailedException>()).Which;
        error.Message.Should().Contain("projects_current_stage_id_fkey").And.Contain("public.projects").And.Contain("nothing was changed");
        // Structured, from the server's error fields, not from its text.
        error.SqlState.Should().Be(Npgsql.PostgresErrorCodes.ForeignKeyViolation);
        error.ObjectName.Should().Be("public.projects");
        error.InnerException.Should().BeOfType<Npgsql.PostgresException>();
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM public.organizations")).Should().Be(0);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM public.projects")).Should().Be(0);
        (await TriggerStatesAsync(target)).Should().Equal(triggersBefore);
        (await ForeignKeysAsync(target)).Should().Equal(keysBefore);
        await CatalogAssert.UnchangedAsync(target, catalogBefore, "a failed data-only restore rolls everything back");
    }

    [Fact]
    public async Task A_data_only_restore_into_tables_the_role_does_not_own_is_refused_before_any_change()
    {
        var target = await SchemaOnlyCopyOwnedByAPlainRoleAsync("not_owned");
        await Db.ExecuteAsync(target, "ALTER TABLE public.messages OWNER TO postgres");
        var archive = await DataOnlyArchiveAsync("not-owned-data");
        var catalogBefore = await CatalogAssert.SnapshotAsync(target);

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = AsOwner(target), InputPath = archive });

        (await act.Should().ThrowAsync<DumpException>()).Which.Message.Should().Contain("public.messages").And.Contain("Nothing was changed");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM public.users")).Should().Be(0);
        await CatalogAssert.UnchangedAsync(target, catalogBefore, "a refused restore changes nothing");
    }

    [Theory]
    [InlineData(ForeignKeyCycleStrategy.DropAndRecreate)]
    [InlineData(ForeignKeyCycleStrategy.ReplicationRole)]
    public async Task The_other_cycle_strategies_load_the_same_rows_and_keep_the_keys(ForeignKeyCycleStrategy strategy)
    {
        var schema = Path.Combine(_workDirectory, "strategy-schema");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = schema, SchemaOnly = true });
        var target = await source.Server.CreateDatabaseAsync("strategy");
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = schema });
        var keysBefore = await ForeignKeysAsync(target);
        var archive = await DataOnlyArchiveAsync("strategy-data");
        var catalogBefore = await CatalogAssert.SnapshotAsync(target);

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, ForeignKeyCycles = strategy });

        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target, new OracleOptions { Schema = false });
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        (await ForeignKeysAsync(target)).Should().BeEquivalentTo(keysBefore);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM public.activity_log")).Should().Be(27);
        // Dropped and re-added keys come back validated with their exact definition and comment, not merely deferrable as before.
        await CatalogAssert.UnchangedAsync(target, catalogBefore, $"{strategy} puts every key back exactly (convalidated, definition, deferrability)", refreshedMatviews: true);
    }
}
