using System.Diagnostics;
using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// Issue 14, item 3: a target with ALTER DEFAULT PRIVILEGES (every Supabase project has them) gets objects with exactly
/// the archive's privileges, and its pg_default_acl is never changed — not by a non-superuser restore, not by one that is
/// killed mid-load.
/// </summary>
public sealed class TargetDefaultPrivilegesTests : IDisposable
{
    private const string Reader = "dacl_reader";
    private const string Writer = "dacl_writer";
    private const string Restorer = "dacl_restorer";
    private const string Platform = "dacl_platform";

    private const string DefaultAclSql =
        "SELECT format('%s %s %s %s', defaclrole::regrole, defaclnamespace::regnamespace, defaclobjtype, defaclacl) FROM pg_default_acl ORDER BY defaclrole::regrole::text, defaclnamespace::regnamespace::text, defaclobjtype";

    /// <summary>The restoring role's defaults, global and in public, on the target (and, set after its objects, on the source).</summary>
    private const string RestoringRoleDefaults = $"""
        ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
        ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO {Reader};
        ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {Writer};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT ON TABLES TO {Reader};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO {Writer} WITH GRANT OPTION;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO {Writer};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON TYPES TO {Writer};
        """;

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-dacl-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private static async Task<PostgresServer> ServerWithRolesAsync()
    {
        var server = await SharedPostgresServer.GetAsync();
        await Db.ExecuteAsync(server.ConnectionString, $$"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{{Reader}}') THEN CREATE ROLE {{Reader}}; END IF;
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{{Writer}}') THEN CREATE ROLE {{Writer}}; END IF;
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{{Platform}}') THEN CREATE ROLE {{Platform}}; END IF;
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{{Restorer}}') THEN CREATE ROLE {{Restorer}} LOGIN NOSUPERUSER NOCREATEROLE; END IF;
            EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL; -- another test created it meanwhile
            END $$;
            """);
        return server;
    }

    private static string As(string connectionString, string role) => new NpgsqlConnectionStringBuilder(connectionString) { Username = role }.ConnectionString;

    private static Task<List<string>> DefaultAclAsync(string connectionString) => Db.ColumnAsync(connectionString, DefaultAclSql);

    /// <summary>Objects of every kind default privileges apply to, with a mix of grants, and some created under the defaults.</summary>
    private static async Task<string> SourceAsync(PostgresServer server, string prefix)
    {
        var source = await server.CreateDatabaseAsync(prefix);
        await Db.ExecuteAsync(source, $"""
            CREATE SCHEMA app;
            CREATE TABLE public.items (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
            CREATE TABLE app.orders (id serial PRIMARY KEY, item integer REFERENCES public.items);
            GRANT SELECT ON app.orders TO {Reader};
            GRANT SELECT, UPDATE ON public.items TO {Writer};
            CREATE SEQUENCE public.counter;
            GRANT USAGE ON SEQUENCE public.counter TO {Writer};
            CREATE VIEW public.item_names AS SELECT name FROM public.items;
            CREATE MATERIALIZED VIEW app.order_count AS SELECT count(*) AS n FROM app.orders;
            CREATE FUNCTION public.add_one(x integer) RETURNS integer LANGUAGE sql AS 'SELECT x + 1';
            CREATE FUNCTION public.secret() RETURNS integer LANGUAGE sql AS 'SELECT 42';
            REVOKE EXECUTE ON FUNCTION public.secret() FROM PUBLIC;
            GRANT EXECUTE ON FUNCTION public.secret() TO {Reader};
            CREATE PROCEDURE public.touch() LANGUAGE sql AS 'SELECT 1';
            CREATE AGGREGATE public.total(integer) (SFUNC = int4pl, STYPE = integer);
            CREATE TYPE public.mood AS ENUM ('ok', 'bad');
            REVOKE USAGE ON TYPE public.mood FROM PUBLIC;
            CREATE DOMAIN public.positive AS integer CHECK (VALUE > 0);
            CREATE TYPE app.pair AS (a integer, b integer);
            INSERT INTO public.items (name) SELECT 'item ' || i FROM generate_series(1, 50) i;
            INSERT INTO app.orders (item) SELECT i FROM generate_series(1, 50) i;
            REFRESH MATERIALIZED VIEW app.order_count;
            {RestoringRoleDefaults}
            -- Created under the defaults, then changed: the archive keeps exactly what is left.
            CREATE TABLE public.audit (id bigint, note text);
            REVOKE INSERT ON public.audit FROM {Reader};
            CREATE FUNCTION public.later() RETURNS integer LANGUAGE sql AS 'SELECT 2';
            CREATE SCHEMA reports;
            """);
        return source;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Restoring_into_a_target_with_default_privileges_gives_every_object_exactly_the_archived_privileges_and_leaves_the_defaults_alone(int jobs)
    {
        var server = await ServerWithRolesAsync();
        var source = await SourceAsync(server, $"dacl_src_j{jobs}");
        var archive = Path.Combine(_workDirectory, $"mixed-{jobs}");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive });
        var target = await server.CreateDatabaseAsync($"dacl_tgt_j{jobs}");
        await Db.ExecuteAsync(target, RestoringRoleDefaults);
        var before = await DefaultAclAsync(target);

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Jobs = jobs });

        report.Errors.Should().BeEmpty();
        (await DefaultAclAsync(target)).Should().Equal(before).And.HaveCount(7);
        var oracle = await DatabaseOracle.CompareAsync(source, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        // Pinned beside the oracle: the target's defaults would have granted these.
        (await Db.ScalarAsync<bool>(target, $"SELECT has_table_privilege('{Reader}', 'public.items', 'INSERT')")).Should().BeFalse();
        (await Db.ScalarAsync<bool>(target, "SELECT has_function_privilege('public', 'public.add_one(integer)', 'EXECUTE')")).Should().BeTrue();
        (await Db.ScalarAsync<bool>(target, $"SELECT has_sequence_privilege('{Writer}', 'public.items_id_seq', 'UPDATE')")).Should().BeFalse();
    }

    [Fact]
    public async Task A_non_superuser_restores_into_a_target_with_another_roles_default_privileges_without_touching_them()
    {
        var server = await ServerWithRolesAsync();
        var source = await server.CreateDatabaseAsync("dacl_plain_src");
        var ownDefaults = $"""
            ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
            ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, UPDATE ON TABLES TO {Reader};
            ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO {Reader};
            """;
        await Db.ExecuteAsync(source, $"""
            ALTER DATABASE {Db.DatabaseOf(source)} OWNER TO {Restorer};
            SET ROLE {Restorer};
            CREATE TABLE public.notes (id bigserial PRIMARY KEY, body text);
            GRANT SELECT ON public.notes TO {Reader};
            CREATE FUNCTION public.note_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM public.notes';
            CREATE TYPE public.colour AS ENUM ('red', 'green');
            INSERT INTO public.notes (body) SELECT 'note ' || i FROM generate_series(1, 20) i;
            {ownDefaults}
            RESET ROLE;
            """);
        var archive = Path.Combine(_workDirectory, "plain");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive });
        var target = await server.CreateDatabaseAsync("dacl_plain_tgt");
        await Db.ExecuteAsync(target, $"""
            ALTER DATABASE {Db.DatabaseOf(target)} OWNER TO {Restorer};
            -- A platform role's defaults the restoring role may not change (it is not a member): what crashed before.
            ALTER DEFAULT PRIVILEGES FOR ROLE {Platform} IN SCHEMA public GRANT SELECT ON TABLES TO {Reader};
            ALTER DEFAULT PRIVILEGES FOR ROLE {Platform} GRANT EXECUTE ON FUNCTIONS TO {Writer};
            SET ROLE {Restorer};
            {ownDefaults}
            RESET ROLE;
            """);
        var before = await DefaultAclAsync(target);

        var restore = await ExternalTool.FpdumpAsync("restore", "--connection", As(target, Restorer), "--input", archive, "--jobs", "2");

        restore.ExitCode.Should().Be(0, restore.Stderr);
        (await Db.ScalarAsync<bool>(As(target, Restorer), "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).Should().BeFalse();
        (await DefaultAclAsync(target)).Should().Equal(before).And.HaveCount(5);
        (await Db.ScalarAsync<bool>(target, $"SELECT has_table_privilege('{Reader}', 'public.notes', 'UPDATE')")).Should().BeFalse();
        // The platform's defaults are not the archive's to compare; everything else must be identical.
        await Db.ExecuteAsync(target, $"""
            ALTER DEFAULT PRIVILEGES FOR ROLE {Platform} IN SCHEMA public REVOKE SELECT ON TABLES FROM {Reader};
            ALTER DEFAULT PRIVILEGES FOR ROLE {Platform} REVOKE EXECUTE ON FUNCTIONS FROM {Writer};
            """);
        var oracle = await DatabaseOracle.CompareAsync(source, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    [Fact]
    public async Task A_restore_killed_mid_load_leaves_the_targets_default_privileges_as_they_were()
    {
        var server = await ServerWithRolesAsync();
        var source = await server.CreateDatabaseAsync("dacl_kill_src");
        await Db.ExecuteAsync(source, """
            CREATE TABLE public.readings (id bigint, sensor integer, value double precision, note text);
            INSERT INTO public.readings SELECT i, i % 97, i * 0.5, md5(i::text) FROM generate_series(1, 1500000) i;
            CREATE INDEX readings_sensor ON public.readings (sensor);
            """);
        var archive = Path.Combine(_workDirectory, "large");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source, OutputPath = archive });
        await server.DropDatabaseAsync(Db.DatabaseOf(source));
        var target = await server.CreateDatabaseAsync("dacl_kill_tgt");
        await Db.ExecuteAsync(target, RestoringRoleDefaults);
        var before = await DefaultAclAsync(target);

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "fpdump.dll"), "restore", "--connection", target, "--input", archive })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        var loading = false;
        var stopwatch = Stopwatch.StartNew();
        while (!process.HasExited && stopwatch.Elapsed < TimeSpan.FromSeconds(120))
        {
            loading = await Db.ScalarAsync<long>(server.ConnectionString,
                $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{Db.DatabaseOf(target)}' AND query ILIKE 'COPY %FROM STDIN%'") > 0;
            if (loading)
                break;
            await Task.Delay(20);
        }
        loading.Should().BeTrue("the test kills the restore while it loads rows");
        process.Kill(); // SIGKILL: no finally block, no cleanup, as with kill -9.
        await process.WaitForExitAsync();
        await Task.WhenAll(output, errors);

        process.ExitCode.Should().NotBe(0);
        (await DefaultAclAsync(target)).Should().Equal(before).And.HaveCount(7);
    }
}
