using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// Issue 13 item 7: a data-only restore through NOT VALID constraints. The source holds rows that violate a NOT VALID
/// foreign key and NOT VALID CHECKs (one inherited by a child table); the restore must load every row, as a superuser
/// and as the tables' owner, with the default strategy and with drop-recreate, and leave every constraint exactly as
/// it was: still NOT VALID, valid keys of a real cycle still valid, comments kept.
/// </summary>
public sealed class DataOnlyNotValidTests : IDisposable
{
    private const string OwnerRole = "fp_notvalid_owner";

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-notvalid-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private static readonly string SourceSql = $$"""
        DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{{OwnerRole}}') THEN CREATE ROLE {{OwnerRole}} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$;
        CREATE TABLE public.parents (id int PRIMARY KEY);
        CREATE TABLE public.children (id int PRIMARY KEY, parent_id int, qty int);
        CREATE TABLE public.special_children (reason text) INHERITS (public.children);
        INSERT INTO public.parents VALUES (1), (2), (3);
        INSERT INTO public.children VALUES (1, 1, 1), (2, 99, 5), (3, 2, -4), (4, NULL, 0);
        INSERT INTO public.special_children VALUES (10, 3, -1, 'negative, inherited check');
        ALTER TABLE public.children ADD CONSTRAINT children_parent_fkey FOREIGN KEY (parent_id) REFERENCES public.parents (id) NOT VALID;
        ALTER TABLE public.children ADD CONSTRAINT children_qty_check CHECK (qty > 0) NOT VALID;
        COMMENT ON CONSTRAINT children_parent_fkey ON public.children IS 'left unvalidated on purpose';
        COMMENT ON CONSTRAINT children_qty_check ON public.children IS 'old rows may be zero or negative';

        -- A real cycle of valid keys (teams <-> players), plus a NOT VALID key between the same tables whose rows violate it.
        CREATE TABLE public.teams (id int PRIMARY KEY, captain_id int, vice_captain_id int);
        CREATE TABLE public.players (id int PRIMARY KEY, team_id int);
        INSERT INTO public.teams VALUES (1, 10, 11), (2, 11, 777);
        INSERT INTO public.players VALUES (10, 1), (11, 2);
        ALTER TABLE public.teams ADD CONSTRAINT teams_captain_fkey FOREIGN KEY (captain_id) REFERENCES public.players (id);
        ALTER TABLE public.players ADD CONSTRAINT players_team_fkey FOREIGN KEY (team_id) REFERENCES public.teams (id);
        ALTER TABLE public.teams ADD CONSTRAINT teams_vice_captain_fkey FOREIGN KEY (vice_captain_id) REFERENCES public.players (id) NOT VALID;
        COMMENT ON CONSTRAINT teams_captain_fkey ON public.teams IS 'valid, in a cycle';

        ALTER TABLE public.parents OWNER TO {{OwnerRole}};
        ALTER TABLE public.children OWNER TO {{OwnerRole}};
        ALTER TABLE public.special_children OWNER TO {{OwnerRole}};
        ALTER TABLE public.teams OWNER TO {{OwnerRole}};
        ALTER TABLE public.players OWNER TO {{OwnerRole}};
        """;

    private const string Constraints = """
        SELECT conrelid::regclass || '.' || conname || ' ' || contype::text || ' validated=' || convalidated
               || ' local=' || conislocal || ' inherited=' || coninhcount || ' deferrable=' || condeferrable
               || ' ' || pg_get_constraintdef(oid) || ' comment=' || COALESCE(obj_description(oid, 'pg_constraint'), '-')
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('f', 'c') ORDER BY 1
        """;

    private const string Rows = """
        SELECT 'children ' || string_agg(format('%s/%s/%s', id, parent_id, qty), ' ' ORDER BY id) FROM ONLY public.children
        UNION ALL SELECT 'special ' || string_agg(format('%s/%s/%s/%s', id, parent_id, qty, reason), ' ' ORDER BY id) FROM public.special_children
        UNION ALL SELECT 'teams ' || string_agg(format('%s/%s/%s', id, captain_id, vice_captain_id), ' ' ORDER BY id) FROM public.teams
        UNION ALL SELECT 'players ' || string_agg(format('%s/%s', id, team_id), ' ' ORDER BY id) FROM public.players
        """;

    [Theory]
    [InlineData(ForeignKeyCycleStrategy.DeferConstraints, false)]
    [InlineData(ForeignKeyCycleStrategy.DeferConstraints, true)]
    [InlineData(ForeignKeyCycleStrategy.DropAndRecreate, false)]
    [InlineData(ForeignKeyCycleStrategy.DropAndRecreate, true)]
    public async Task Rows_violating_NOT_VALID_constraints_load_and_the_constraints_stay_NOT_VALID(ForeignKeyCycleStrategy strategy, bool asOwner)
    {
        var server = await SharedPostgresServer.GetAsync();
        var source = await server.CreateDatabaseAsync("notvalid_a");
        var target = await server.CreateDatabaseAsync("notvalid_b");
        try
        {
            await Db.ExecuteAsync(source, SourceSql);
            var schema = Path.Combine(_workDirectory, "schema");
            var data = Path.Combine(_workDirectory, "data");
            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = schema, SchemaOnly = true });
            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = data, DataOnly = true });
            await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = schema });
            var before = await Db.ColumnAsync(target, Constraints);
            before.Should().Equal(await Db.ColumnAsync(source, Constraints));
            before.Should().Contain(line => line.StartsWith("children.children_parent_fkey f validated=false", StringComparison.Ordinal))
                .And.Contain(line => line.StartsWith("special_children.children_qty_check c validated=false local=false inherited=1", StringComparison.Ordinal))
                .And.Contain(line => line.StartsWith("teams.teams_captain_fkey f validated=true", StringComparison.Ordinal));

            var catalogBefore = await CatalogAssert.SnapshotAsync(target);

            var connection = asOwner ? new NpgsqlConnectionStringBuilder(target) { Username = OwnerRole }.ConnectionString : target;
            await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = connection, InputPath = data, DataOnly = true, ForeignKeyCycles = strategy });

            if (asOwner)
                (await Db.ScalarAsync<bool>(connection, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).Should().BeFalse();
            (await Db.ColumnAsync(target, Rows)).Should().Equal(await Db.ColumnAsync(source, Rows));
            (await Db.ColumnAsync(target, Constraints)).Should().Equal(before);
            var oracle = await DatabaseOracle.CompareAsync(source, target);
            oracle.IsIdentical.Should().BeTrue(oracle.ToString());
            await CatalogAssert.UnchangedAsync(target, catalogBefore, $"{strategy} leaves NOT VALID constraints NOT VALID and valid keys validated, with their definitions and comments");
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(source));
            await server.DropDatabaseAsync(Db.DatabaseOf(target));
        }
    }
}
