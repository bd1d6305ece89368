using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

public sealed class SupabaseProfileTests(FactoryPulseSource source) : IClassFixture<FactoryPulseSource>, IDisposable
{
    private static readonly string[] ManagedSchemas = ["auth", "storage", "extensions"];

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-supa-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    /// <summary>A fresh Supabase project: the shim's schemas, roles, extensions, publication and default privileges.</summary>
    private async Task<string> FreshProjectAsync(string prefix)
    {
        var target = await source.Server.CreateDatabaseAsync(prefix);
        await FactoryPulseFixture.LoadFilesAsync(target, "supabase_shim.sql");
        return target;
    }

    /// <summary>The hosted project's login role (hosted_roles.sql); on the platform it is named postgres.</summary>
    private const string HostedRole = "hosted_postgres";

    /// <summary>What must come back exactly: every row of the platform tables the user fills, ordered, as row text.</summary>
    private static readonly string[] PlatformRows =
    [
        "SELECT t::text FROM auth.users t ORDER BY t.id",
        "SELECT t::text FROM auth.identities t ORDER BY t.id",
        "SELECT t::text FROM storage.buckets t ORDER BY t.id",
        "SELECT t::text FROM storage.objects t ORDER BY t.id",
        "SELECT t::text FROM storage.prefixes t ORDER BY t.bucket_id, t.level, t.name",
    ];

    /// <summary>What the user added to the platform's objects: policies on storage, the trigger on auth.users, realtime tables.</summary>
    private static readonly string[] UserAdditions =
    [
        "SELECT p::text FROM pg_catalog.pg_policies p WHERE p.schemaname = 'storage' ORDER BY p.tablename, p.policyname",
        "SELECT pg_catalog.pg_get_triggerdef(t.oid) FROM pg_catalog.pg_trigger t WHERE t.tgrelid = 'auth.users'::regclass AND NOT t.tgisinternal ORDER BY t.tgname",
        "SELECT p.schemaname || '.' || p.tablename FROM pg_catalog.pg_publication_tables p WHERE p.pubname = 'supabase_realtime' ORDER BY 1",
    ];

    /// <summary>The grants on the user's schema, one line each (grantor, grantee, object, privilege, grant option).</summary>
    private static readonly string[] UserGrants =
    [
        """
        SELECT g.grantor || ' ' || g.grantee || ' ' || g.table_name || ' ' || g.privilege_type || ' ' || g.is_grantable
        FROM information_schema.role_table_grants g WHERE g.table_schema = 'public' ORDER BY 1
        """,
        """
        SELECT g.grantor || ' ' || g.grantee || ' ' || p.oid::regprocedure::text || ' ' || g.privilege_type || ' ' || g.is_grantable
        FROM information_schema.routine_privileges g
        JOIN pg_catalog.pg_proc p ON p.pronamespace = 'public'::regnamespace AND g.specific_name = p.proname || '_' || p.oid
        WHERE g.routine_schema = 'public' ORDER BY 1
        """,
        // The platform decides who owns public (pg_database_owner locally, the project's postgres on the hosted platform), so
        // its owner is compared as OWNER; every other grantee and grantor by name.
        """
        SELECT n.nspname || ' ' || CASE WHEN a.grantee = n.nspowner THEN 'OWNER' WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
               || ' ' || a.privilege_type || ' ' || a.is_grantable || ' by ' || CASE WHEN a.grantor = n.nspowner THEN 'OWNER' ELSE a.grantor::regrole::text END
        FROM pg_catalog.pg_namespace n CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a
        WHERE n.nspname = 'public' ORDER BY 1
        """,
    ];

    private const string DefaultPrivileges =
        "SELECT d.defaclrole::regrole || ' ' || d.defaclnamespace::regnamespace || ' ' || d.defaclobjtype::text || ' ' || d.defaclacl::text FROM pg_catalog.pg_default_acl d ORDER BY 1";

    /// <summary>A fresh hosted project: the shim, then the hosted arrangement, where the customer logs in as a non-superuser.</summary>
    private async Task<string> FreshHostedProjectAsync(string prefix)
    {
        var target = await source.Server.CreateDatabaseAsync(prefix);
        await FactoryPulseFixture.LoadFilesAsync(target, "supabase_shim.sql", "hosted_roles.sql");
        return target;
    }

    private static string AsHostedRole(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Username = HostedRole }.ConnectionString;

    /// <summary>The target's answer, with the hosted role named as on the platform (postgres), so it compares with the source's.</summary>
    private static async Task<List<string>> RowsAsync(string connectionString, string sql, bool hosted)
    {
        var rows = await Db.ColumnAsync(connectionString, sql);
        if (hosted)
        {
            for (var i = 0; i < rows.Count; i++)
                rows[i] = rows[i].Replace(HostedRole, "postgres", StringComparison.Ordinal);
            rows.Sort(StringComparer.Ordinal);
        }
        return rows;
    }

    private static async Task ShouldMatchAsync(string sourceConnection, string target, IEnumerable<string> queries, bool hosted)
    {
        foreach (var sql in queries)
        {
            var expected = await RowsAsync(sourceConnection, sql, hosted);
            var actual = await RowsAsync(target, sql, hosted);
            expected.Should().NotBeEmpty(sql);
            actual.Should().Equal(expected, sql);
        }
    }

    /// <summary>Round trip (b) of issue 14: the profile's archive into a fresh project, as the local superuser or as the hosted project's postgres.</summary>
    private async Task<(string Target, RestoreReport Report, List<string> DefaultsBefore)> RestoreIntoFreshProjectAsync(string archive, string name, bool hosted, int jobs)
    {
        var target = hosted ? await FreshHostedProjectAsync(name) : await FreshProjectAsync(name);
        var defaultsBefore = await Db.ColumnAsync(target, DefaultPrivileges);
        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions
        {
            ConnectionString = hosted ? AsHostedRole(target) : target,
            InputPath = archive,
            Jobs = jobs,
            // On the platform the customer's role is named postgres; here it is hosted_postgres (hosted_roles.sql).
            RoleMap = hosted ? new Dictionary<string, string> { ["postgres"] = HostedRole } : new Dictionary<string, string>(),
        });
        return (target, report, defaultsBefore);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, false)]
    [InlineData(1, true)]
    [InlineData(4, true)]
    public async Task The_supabase_profile_restores_into_a_fresh_project_with_the_platform_rows_and_the_users_additions_exactly_equal(int jobs, bool hosted)
    {
        var archive = Path.Combine(_workDirectory, $"profile-{jobs}-{hosted}");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive, Profile = DumpProfile.Supabase });
        var manifest = await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json"));
        manifest.Should().NotContain("CREATE TABLE auth.users").And.NotContain("CREATE SCHEMA storage").And.NotContain("CREATE PUBLICATION supabase_realtime");
        // The platform's own pieces stay the platform's (issue 14, item 2): its pg_net event trigger and grant functions,
        // its roles' default privileges, and its grants on built-ins.
        manifest.Should().NotContain("issue_pg_net_access").And.NotContain("grant_pg_net_access")
            .And.NotContain("FOR ROLE supabase_admin").And.NotContain("pg_reload_conf");

        // The platform's tables already carry their foreign keys: auth.identities must load after auth.users and
        // storage.objects after storage.buckets, also when loads run side by side (issue 14).
        var (target, report, defaultsBefore) = await RestoreIntoFreshProjectAsync(archive, $"fresh_project_j{jobs}{(hosted ? "_hosted" : "")}", hosted, jobs);

        report.Errors.Should().BeEmpty();
        report.Warnings.Should().NotContain(warning => warning.Contains("already exists", StringComparison.Ordinal));
        await ShouldMatchAsync(source.ConnectionString, target, PlatformRows, hosted);
        await ShouldMatchAsync(source.ConnectionString, target, UserAdditions, hosted);
        (await Db.ColumnAsync(target, DefaultPrivileges)).Should().Equal(defaultsBefore, "a restore never changes the target's default privileges");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_catalog.pg_event_trigger WHERE evtname = 'issue_pg_net_access'")).Should().Be(1);
    }

    /// <summary>
    /// Needs the per-object undo of the target's default privileges (issue 14, item 3; the dacl branch): without it the
    /// project's defaults (postgres → anon, authenticated, service_role in public) add grants to every object the restore
    /// creates, and this comparison fails with exactly those extra grants.
    /// </summary>
    [Theory]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public async Task The_supabase_profile_restores_the_users_grants_exactly(int jobs, bool hosted)
    {
        var archive = Path.Combine(_workDirectory, $"grants-{jobs}-{hosted}");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive, Profile = DumpProfile.Supabase });

        var (target, report, _) = await RestoreIntoFreshProjectAsync(archive, $"grants_j{jobs}{(hosted ? "_hosted" : "")}", hosted, jobs);

        report.Errors.Should().BeEmpty();
        await ShouldMatchAsync(source.ConnectionString, target, UserGrants, hosted);
        if (!hosted)
        {
            var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target, new OracleOptions { ExcludeSchemas = ManagedSchemas });
            oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        }
    }

    [Fact]
    public async Task A_clean_restore_with_the_supabase_profile_keeps_the_platforms_extensions_with_their_oids_and_grants()
    {
        var archive = Path.Combine(_workDirectory, "clean");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive, Profile = DumpProfile.Supabase });
        var manifest = await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json"));
        // Marked at dump time, as data: the restore never matches names.
        manifest.Should().Contain("\"managedByPlatform\": true").And.NotContain("DROP EXTENSION").And.NotContain("COMMENT ON EXTENSION");
        var target = await FreshProjectAsync("clean_project");
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });
        const string extensions = "SELECT x.oid || ' ' || x.extname || ' ' || x.extnamespace::regnamespace FROM pg_catalog.pg_extension x ORDER BY x.oid";
        const string grants = "SELECT p.oid || ' ' || p.oid::regprocedure || ' ' || coalesce(p.proacl::text, '') FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'extensions'::regnamespace ORDER BY p.oid";
        var extensionsBefore = await Db.ColumnAsync(target, extensions);
        var grantsBefore = await Db.ColumnAsync(target, grants);
        var defaultsBefore = await Db.ColumnAsync(target, DefaultPrivileges);

        // The platform's tables are not dropped, so --clean cannot empty them: said before the first drop.
        var refused = await FluentActions.Awaiting(() => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Clean = true }))
            .Should().ThrowAsync<TargetNotEmptyException>();
        refused.Which.Message.Should().Contain("auth.users, auth.identities, storage.buckets, storage.objects already hold rows");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM public.users")).Should().Be(25, "nothing was dropped");

        // --clean drops the archive's objects and re-creates them; pgcrypto and uuid-ossp are the project's, not the archive's.
        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Clean = true, SchemaOnly = true });

        report.Errors.Should().BeEmpty();
        (await Db.ColumnAsync(target, extensions)).Should().Equal(extensionsBefore);
        (await Db.ColumnAsync(target, grants)).Should().Equal(grantsBefore).And.Contain(line => line.Contains("anon=X/postgres", StringComparison.Ordinal));
        (await Db.ColumnAsync(target, DefaultPrivileges)).Should().Equal(defaultsBefore);
    }

    [Fact]
    public async Task A_hosted_clean_restore_is_refused_up_front_when_it_would_drop_a_trigger_of_a_platform_table()
    {
        var archive = Path.Combine(_workDirectory, "hosted-clean");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive, Profile = DumpProfile.Supabase });
        var (target, first, _) = await RestoreIntoFreshProjectAsync(archive, "hosted_clean", hosted: true, jobs: 1);
        first.Errors.Should().BeEmpty();
        const string publication = "SELECT p.tablename::text FROM pg_catalog.pg_publication_tables p WHERE p.pubname = 'supabase_realtime' ORDER BY 1";
        var membersBefore = await Db.ColumnAsync(target, publication);

        // The hosted postgres may create a trigger on auth.users (TRIGGER privilege) but only the table's owner may drop it:
        // said before the first drop, not after --clean has dropped half the app.
        var refused = await FluentActions.Awaiting(() => DatabaseRestorer.RestoreAsync(new RestoreOptions
        {
            ConnectionString = AsHostedRole(target),
            InputPath = archive,
            RoleMap = new Dictionary<string, string> { ["postgres"] = HostedRole },
            Clean = true,
            SchemaOnly = true, // so that the platform tables' rows are no problem too
        })).Should().ThrowAsync<InsufficientPrivilegeException>();

        refused.Which.Message.Should().Contain("TRIGGER auth.on_auth_user_created on auth.users, owned by supabase_auth_admin").And.Contain("Nothing was changed");
        (await Db.ColumnAsync(target, publication)).Should().Equal(membersBefore).And.HaveCount(2);
        await ShouldMatchAsync(source.ConnectionString, target, PlatformRows, hosted: true);
    }

    [Fact]
    public async Task A_hosted_restore_names_the_event_triggers_it_cannot_create_up_front_and_restores_the_rest_from_a_list_file()
    {
        var withEventTrigger = await source.Server.CreateDatabaseAsync("fp_event_trigger");
        await FactoryPulseFixture.LoadAsync(withEventTrigger);
        await Db.ExecuteAsync(withEventTrigger,
            """
            CREATE FUNCTION public.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'ddl: %', tg_tag; END $$;
            CREATE EVENT TRIGGER log_ddl ON ddl_command_end EXECUTE FUNCTION public.log_ddl();
            """);
        var archive = Path.Combine(_workDirectory, "event-trigger");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = withEventTrigger, OutputPath = archive, Profile = DumpProfile.Supabase });
        await source.Server.DropDatabaseAsync(Db.DatabaseOf(withEventTrigger));
        var target = await FreshHostedProjectAsync("hosted_event_trigger");
        var hostedOptions = new RestoreOptions
        {
            ConnectionString = AsHostedRole(target),
            InputPath = archive,
            RoleMap = new Dictionary<string, string> { ["postgres"] = HostedRole },
        };

        // Only a superuser may CREATE EVENT TRIGGER on PostgreSQL: said before the first change, naming the entry.
        var refused = await FluentActions.Awaiting(() => DatabaseRestorer.RestoreAsync(hostedOptions)).Should().ThrowAsync<InsufficientPrivilegeException>();
        refused.Which.Message.Should().Contain("EVENT TRIGGER log_ddl (dump id ").And.Contain("hosted_postgres is no superuser").And.Contain("-L");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'")).Should().Be(0, "nothing was changed");

        // The way out, as with pg_restore: list the archive, comment the event trigger out, restore the list.
        var listFile = Path.Combine(_workDirectory, "without-event-triggers.list");
        var list = await DatabaseRestorer.ListAsync(archive);
        var lines = list.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains("; EVENT TRIGGER ", StringComparison.Ordinal))
                lines[i] = ";" + lines[i];
        }
        await File.WriteAllTextAsync(listFile, string.Join('\n', lines));
        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions
        {
            ConnectionString = hostedOptions.ConnectionString,
            InputPath = archive,
            RoleMap = hostedOptions.RoleMap,
            UseListFile = listFile,
        });

        report.Errors.Should().BeEmpty();
        await ShouldMatchAsync(source.ConnectionString, target, PlatformRows, hosted: true);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_catalog.pg_event_trigger WHERE evtname = 'log_ddl'")).Should().Be(0);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_catalog.pg_proc WHERE proname = 'log_ddl'")).Should().Be(1, "only the event trigger was left out");

        // A superuser restores it all.
        var local = await FreshProjectAsync("local_event_trigger");
        var superuser = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = local, InputPath = archive });
        superuser.Errors.Should().BeEmpty();
        (await Db.ScalarAsync<long>(local, "SELECT count(*) FROM pg_catalog.pg_event_trigger WHERE evtname = 'log_ddl'")).Should().Be(1);
    }

    [Fact]
    public async Task Redacted_columns_are_not_in_the_archive_and_the_manifest_says_so()
    {
        var secret = await Db.ScalarAsync<string>(source.ConnectionString, "SELECT encrypted_password FROM auth.users WHERE encrypted_password IS NOT NULL LIMIT 1");
        var phone = await Db.ScalarAsync<string>(source.ConnectionString, "SELECT phone FROM public.users WHERE phone IS NOT NULL LIMIT 1");
        var archive = Path.Combine(_workDirectory, "redacted");
        await DatabaseDumper.DumpAsync(new DumpOptions
        {
            ConnectionString = source.ConnectionString,
            OutputPath = archive,
            Profile = DumpProfile.Supabase,
            RedactSupabaseSecrets = true,
            Redact = ["public.users.phone=+41 00 000 00 00"],
            Compression = DataCompression.None, // so a byte search could find the values if they were there
        });
        var manifest = await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json"));
        manifest.Should().Contain("\"redacted\"").And.Contain("\"encrypted_password\": \"NULL\"");
        foreach (var file in Directory.GetFiles(archive, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            System.Text.Encoding.UTF8.GetString(bytes).Should().NotContain(secret, file).And.NotContain(phone, file);
        }
        var target = await FreshProjectAsync("redacted");

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });

        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM auth.users WHERE encrypted_password IS NOT NULL")).Should().Be(0);
        (await Db.ColumnAsync(target, "SELECT DISTINCT phone FROM public.users WHERE phone IS NOT NULL")).Should().Equal("+41 00 000 00 00");
    }
}
