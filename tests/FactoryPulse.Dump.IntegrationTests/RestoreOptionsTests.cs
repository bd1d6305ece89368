using System.Text.RegularExpressions;
using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>A second, separate cluster: none of the fixture's roles (anon, authenticated, supabase_admin …) exist there.</summary>
public sealed class RolelessServer : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var shared = await SharedPostgresServer.GetAsync();
        // A cluster of our own where we can; with a given server the roles would be shared, so use it as it is.
        Server = shared.Kind == PostgresServerKind.LocalBinaries
            ? await PostgresServer.StartAsync(new PostgresServerOptions { ConnectionStringVariable = "FPDUMP_TEST_CONNECTION_UNUSED" })
            : shared;
        await Db.ExecuteAsync(Server.ConnectionString, """
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_anon') THEN CREATE ROLE web_anon NOLOGIN; END IF;
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_user') THEN CREATE ROLE web_user NOLOGIN; END IF;
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'web_service') THEN CREATE ROLE web_service NOLOGIN BYPASSRLS; END IF;
            END $$;
            """);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class RestoreOptionsTests(FactoryPulseSource source, RolelessServer roleless) : IClassFixture<FactoryPulseSource>, IClassFixture<RolelessServer>, IDisposable
{
    private static readonly Dictionary<string, string> SupabaseRolesToWebRoles = new()
    {
        ["supabase_admin"] = "postgres",
        ["anon"] = "web_anon",
        ["authenticated"] = "web_user",
        ["service_role"] = "web_service",
        ["authenticator"] = "postgres",
        // The platform's service roles own auth and storage; the dashboard's role holds grants there.
        ["supabase_auth_admin"] = "postgres",
        ["supabase_storage_admin"] = "postgres",
        ["dashboard_user"] = "postgres",
    };

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-opt-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private async Task<string> DumpAsync(string name)
    {
        var archive = Path.Combine(_workDirectory, name);
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        return archive;
    }

    /// <summary>
    /// The catalog a role map should give: the source's fingerprint with every role name in an owner, an ACL (grantee and
    /// grantor) and a policy's role list mapped, and the ACL items that now name the same grantee and grantor merged (the
    /// server keeps one item per pair). Applied to the target's lines too (mapping nothing there) so both are in one form.
    /// </summary>
    private static string MappedLine(string line, IReadOnlyDictionary<string, string> map)
    {
        string Role(string role) => map.TryGetValue(role, out var mapped) ? mapped : role;
        line = Regex.Replace(line, @"(?<=\b(owner|role)=)[^ ]+", match => Role(match.Value));
        line = Regex.Replace(line, @"(?<= roles=)[^ ]+", match => string.Join(',',
            match.Value.Split(',').Select(Role).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)));
        return Regex.Replace(line, @"(?<= acl=)[^ ]+", match =>
        {
            if (match.Value == "-")
                return match.Value;
            // grantee=privileges/grantor; an empty grantee is PUBLIC. A '*' after a letter marks WITH GRANT OPTION.
            var merged = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            foreach (var item in match.Value.Split(','))
            {
                var equals = item.LastIndexOf('=');
                var slash = item.LastIndexOf('/');
                var key = Role(item[..equals]) + "=/" + Role(item[(slash + 1)..]);
                if (!merged.TryGetValue(key, out var privileges))
                    merged[key] = privileges = new SortedSet<string>(StringComparer.Ordinal);
                foreach (Match privilege in Regex.Matches(item[(equals + 1)..slash], @"[a-zA-Z]\*?"))
                    privileges.Add(privilege.Value);
            }
            return string.Join(',', merged.Select(pair => pair.Key.Replace("=/", "=" + string.Concat(pair.Value) + "/", StringComparison.Ordinal)));
        });
    }

    /// <summary>
    /// Where the map sends two roles to one (supabase_admin and postgres both to postgres): their default privileges for the
    /// same schema and kind are one pg_default_acl row on the target (the union of both), and a grant to the mapped role that is its built-in
    /// privilege anyway leaves no difference from pg_init_privs to report.
    /// </summary>
    private static List<string> MergedOntoOneRole(IEnumerable<string> lines)
    {
        var result = new List<string>();
        var defaultAcls = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (line.StartsWith("default_acl ", StringComparison.Ordinal))
            {
                var at = line.IndexOf(" acl=", StringComparison.Ordinal);
                if (!defaultAcls.TryGetValue(line[..at], out var acls))
                    defaultAcls[line[..at]] = acls = [];
                acls.Add(line[(at + " acl=".Length)..]);
                continue;
            }
            if (Regex.Match(line, @"^acl_change .* acl=(?<acl>[^ ]+) initial=(?<initial>[^ ]+)$") is { Success: true } change
                && change.Groups["acl"].Value == change.Groups["initial"].Value)
                continue;
            result.Add(line);
        }
        var identity = new Dictionary<string, string>();
        foreach (var (key, acls) in defaultAcls)
            result.Add(MappedLine(key + " acl=" + string.Join(',', acls.Where(acl => acl != "-")), identity));
        return result;
    }

    [SkippableFact]
    public async Task Missing_roles_are_reported_up_front_with_the_entries_that_need_them()
    {
        Skip.If(roleless.Server.Kind != PostgresServerKind.LocalBinaries, "on a server this run did not start the fixture's roles exist cluster-wide");
        var archive = await DumpAsync("roles");
        var target = await roleless.Server.CreateDatabaseAsync("missing_roles");
        var catalogBefore = await CatalogAssert.SnapshotAsync(target);

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });

        var error = (await act.Should().ThrowAsync<DumpException>()).Which;
        error.Message.Should().Contain("role \"anon\" does not exist").And.Contain("role \"supabase_admin\" does not exist").And.Contain("Nothing was changed");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'auth'")).Should().Be(0);
        await CatalogAssert.UnchangedAsync(target, catalogBefore, "a restore refused up front changes nothing");
    }

    [Fact]
    public async Task A_role_map_restores_into_a_cluster_without_the_source_roles_with_zero_errors()
    {
        var archive = await DumpAsync("mapped");
        var target = await roleless.Server.CreateDatabaseAsync("mapped");

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, RoleMap = SupabaseRolesToWebRoles });

        report.Errors.Should().BeEmpty();
        report.TotalRows.Should().Be(479);
        (await Db.ScalarAsync<string>(target, "SELECT tableowner FROM pg_tables WHERE schemaname = 'auth' AND tablename = 'users'")).Should().Be("postgres");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_policies WHERE 'web_user' = ANY (roles)")).Should().BeGreaterThan(10);
        (await Db.ScalarAsync<bool>(target, "SELECT has_table_privilege('web_user', 'public.projects', 'SELECT')")).Should().BeTrue();
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_policies WHERE 'authenticated' = ANY (roles)")).Should().Be(0);
        // The whole catalog: the source's, with every owner, grant and policy role mapped and nothing else changed.
        var identity = new Dictionary<string, string>();
        var expected = MergedOntoOneRole((await CatalogAssert.SnapshotAsync(source.ConnectionString)).Select(line => MappedLine(line, SupabaseRolesToWebRoles)));
        var actual = (await CatalogAssert.SnapshotAsync(target)).Select(line => MappedLine(line, identity)).ToList();
        CatalogFingerprint.Compare(expected, actual).Should().BeNull("the role map changes role names and nothing else");
    }

    [SkippableFact]
    public async Task Create_makes_the_archived_database_and_restores_into_it()
    {
        var archive = await DumpAsync("create");
        var maintenance = roleless.Server.GetConnectionString("postgres");
        var database = Db.DatabaseOf(source.ConnectionString);
        Skip.If(roleless.Server.Kind != PostgresServerKind.LocalBinaries, "on a server this run did not start the archived database name exists already");
        try
        {
            await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = maintenance, InputPath = archive, CreateDatabase = true, RoleMap = SupabaseRolesToWebRoles });

            (await Db.ScalarAsync<long>(roleless.Server.GetConnectionString(database), "SELECT count(*) FROM public.users")).Should().Be(25);
            // What --create makes of the database itself (encoding, locales, owner, settings …) and every row; the schema differs by
            // the role map. Known gap, left visible here: the archive does not carry the database's ACL (pg_dump's DATABASE entry
            // does, and pg_restore --create grants it), so the source's GRANTs on the database to the Supabase roles are missing.
            var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, roleless.Server.GetConnectionString(database),
                new OracleOptions { Schema = false, DatabaseProperties = true });
            oracle.Differences.Should().OnlyContain(difference => difference.StartsWith("DIFFERS: database acl (", StringComparison.Ordinal), oracle.ToString());
            oracle.ScoreLines.Should().Contain(line => line.StartsWith("tables with identical data: ", StringComparison.Ordinal));
            var expected = MergedOntoOneRole((await CatalogAssert.SnapshotAsync(source.ConnectionString)).Select(line => MappedLine(line, SupabaseRolesToWebRoles)));
            var actual = (await CatalogAssert.SnapshotAsync(roleless.Server.GetConnectionString(database))).Select(line => MappedLine(line, new Dictionary<string, string>())).ToList();
            CatalogFingerprint.Compare(expected, actual).Should().BeNull("--create with the role map gives the source's catalog with the roles mapped");
        }
        finally
        {
            await roleless.Server.DropDatabaseAsync(database);
        }
    }

    [Fact]
    public async Task Loading_tables_on_two_connections_gives_the_same_database()
    {
        var archive = await DumpAsync("jobs");
        var target = await source.Server.CreateDatabaseAsync("jobs");

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Jobs = 2 });

        report.Tables.Should().HaveCount(23);
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        await CatalogAssert.SameAsync(source.ConnectionString, target, "two connections give the source's catalog exactly");
    }

    [Fact]
    public async Task An_edited_list_restores_only_its_entries_and_continue_on_error_reports_what_failed()
    {
        var archive = await DumpAsync("listed");
        var list = await DatabaseRestorer.ListAsync(archive);
        list.Should().StartWith(";").And.Contain("; TABLE public organizations postgres");
        // Keep the organizations table and its data, plus an index of a table that is not in the list.
        var kept = list.Split('\n').Where(line =>
            line.StartsWith(';') || line.Contains(" SCHEMA - public ", StringComparison.Ordinal) || line.Contains(" organizations postgres", StringComparison.Ordinal)
            || line.Contains("; TYPE public ", StringComparison.Ordinal) || line.Contains("; DOMAIN public ", StringComparison.Ordinal)
            || line.Contains("INDEX public users_organization_id_idx", StringComparison.Ordinal));
        var listFile = Path.Combine(_workDirectory, "selection.list");
        await File.WriteAllLinesAsync(listFile, kept);
        var target = await source.Server.CreateDatabaseAsync("listed");

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions
        {
            ConnectionString = target,
            InputPath = archive,
            UseListFile = listFile,
            ExitOnError = false,
            NoPrivileges = true,
        });

        report.Tables.Should().ContainSingle(string.Join("\n", report.Errors));
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM public.organizations")).Should().Be(8);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")).Should().Be(1);
        report.Errors.Should().ContainSingle().Which.Should().Contain("users_organization_id_idx");
        // Going on after the failed index, the ROW SECURITY entry after it ran too.
        (await Db.ScalarAsync<bool>(target, "SELECT relrowsecurity FROM pg_class WHERE oid = 'public.organizations'::regclass")).Should().BeTrue();
        var reference = await ReferenceForTheEditedListAsync("listed_reference", exitOnError: false);
        await CatalogAssert.SameAsync(reference, target, "the edited list gives exactly what pg_restore -L gives with the same entries");
        var oracle = await DatabaseOracle.CompareAsync(reference, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    [Fact]
    public async Task Without_a_single_transaction_a_failed_restore_reports_exactly_what_was_committed()
    {
        var archive = await DumpAsync("partial");
        var list = await DatabaseRestorer.ListAsync(archive);
        var kept = list.Split('\n').Where(line =>
            line.StartsWith(';') || line.Contains(" SCHEMA - public ", StringComparison.Ordinal) || line.Contains(" organizations postgres", StringComparison.Ordinal)
            || line.Contains("; TYPE public ", StringComparison.Ordinal) || line.Contains("; DOMAIN public ", StringComparison.Ordinal)
            || line.Contains("INDEX public users_organization_id_idx", StringComparison.Ordinal));
        var listFile = Path.Combine(_workDirectory, "partial.list");
        await File.WriteAllLinesAsync(listFile, kept);
        var target = await source.Server.CreateDatabaseAsync("partial");

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, UseListFile = listFile, NoPrivileges = true });

        var error = (await act.Should().ThrowAsync<RestoreFailedException>()).Which;
        error.Message.Should().Contain("users_organization_id_idx");
        error.PartialReport.Should().NotBeNull();
        error.PartialReport!.Tables.Should().ContainSingle().Which.Should().Be(new RestoredTable { Table = "public.organizations", Rows = 8 });
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM public.organizations")).Should().Be(8);
        // Exactly what pg_restore --exit-on-error (without --single-transaction) leaves: every entry before the failed index
        // committed, and none after it, not even the ROW SECURITY entry that does not depend on the index.
        (await Db.ScalarAsync<bool>(target, "SELECT relrowsecurity FROM pg_class WHERE oid = 'public.organizations'::regclass")).Should().BeFalse();
        var reference = await ReferenceForTheEditedListAsync("partial_reference", exitOnError: true);
        await CatalogAssert.SameAsync(reference, target, "the failed restore leaves exactly what pg_restore --exit-on-error -L leaves");
        var oracle = await DatabaseOracle.CompareAsync(reference, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    /// <summary>
    /// The reference for the edited list of the two tests above, built without the library: pg_dump -Fc of the source, the
    /// same entries picked from pg_restore -l (the public types and domains, the organizations table, its data and row
    /// security, the index of the missing users table), restored by pg_restore -x -L into a new database, with
    /// <paramref name="exitOnError"/> as -e. pg_restore follows the list's order, pg_dump's. Two differences in how the two
    /// archives cut entries are bridged by hand: pg_dump gives each COMMENT an entry of its own where fpdump's entry for an
    /// object carries its comments, so the kept objects' COMMENT entries are listed too; and pg_dump writes column defaults
    /// inside CREATE TABLE where fpdump gives each its own DEFAULT entry, which the edited list left out, so they are dropped.
    /// </summary>
    private async Task<string> ReferenceForTheEditedListAsync(string name, bool exitOnError)
    {
        var conn = LibpqConnInfo.FromNpgsql(source.ConnectionString);
        var environment = new Dictionary<string, string>();
        if (conn.Password is not null)
            environment["PGPASSWORD"] = conn.Password;
        var dumpFile = Path.Combine(_workDirectory, name + ".pgdump");
        var dumped = await ExternalTool.RunAsync(PgTool("pg_dump"), ["-Fc", "-f", dumpFile, "-d", conn.ConnInfo], environment);
        dumped.ExitCode.Should().Be(0, dumped.Stderr);
        var listed = await ExternalTool.RunAsync(PgTool("pg_restore"), ["-l", dumpFile]);
        listed.ExitCode.Should().Be(0, listed.Stderr);
        // "4110; 0 16797 TABLE DATA public organizations postgres": dump id, catalog and object oid, then type, schema, name, owner.
        var kept = listed.Stdout.Split('\n').Where(line => Regex.IsMatch(line,
            @"^\d+; \d+ \d+ (TYPE public |DOMAIN public |TABLE public organizations |TABLE DATA public organizations |ROW SECURITY public organizations "
            + @"|INDEX public users_organization_id_idx |COMMENT public (TYPE|DOMAIN) |COMMENT public TABLE organizations |COMMENT public COLUMN organizations\.)")).ToList();
        kept.Should().Contain(line => line.Contains(" INDEX public users_organization_id_idx ", StringComparison.Ordinal))
            .And.Contain(line => line.Contains(" ROW SECURITY public organizations ", StringComparison.Ordinal));
        var listFile = Path.Combine(_workDirectory, name + ".pglist");
        await File.WriteAllLinesAsync(listFile, kept);

        var reference = await source.Server.CreateDatabaseAsync(name);
        var target = LibpqConnInfo.FromNpgsql(reference);
        var restored = await ExternalTool.RunAsync(PgTool("pg_restore"),
            [.. exitOnError ? ["--exit-on-error"] : Array.Empty<string>(), "--no-privileges", "-L", listFile, "-d", target.ConnInfo, dumpFile], environment);
        // The index of the missing table fails there too, and it is the only error.
        restored.ExitCode.Should().Be(1, restored.Stderr);
        Regex.Matches(restored.Stderr, "ERROR:").Should().ContainSingle(restored.Stderr);
        restored.Stderr.Should().Contain("users_organization_id_idx");
        await Db.ExecuteAsync(reference, """
            ALTER TABLE public.organizations
                ALTER COLUMN id DROP DEFAULT, ALTER COLUMN org_type DROP DEFAULT, ALTER COLUMN country_code DROP DEFAULT,
                ALTER COLUMN timezone DROP DEFAULT, ALTER COLUMN settings DROP DEFAULT, ALTER COLUMN is_active DROP DEFAULT,
                ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN updated_at DROP DEFAULT
            """);
        return reference;
    }

    /// <summary>pg_dump or pg_restore: beside $PG_DUMP when the oracle is pointed at one, else from PATH.</summary>
    private static string PgTool(string name) =>
        Environment.GetEnvironmentVariable("PG_DUMP") is { Length: > 0 } pgDump ? Path.Combine(Path.GetDirectoryName(pgDump)!, name) : name;

    [Fact]
    public async Task A_single_transaction_restore_that_fails_leaves_the_target_unchanged()
    {
        var archive = await DumpAsync("single");
        var target = await source.Server.CreateDatabaseAsync("single");
        var catalogBefore = await CatalogAssert.SnapshotAsync(target);
        // A damaged data file is found when its table's turn comes: after every pre-data entry has run.
        var dataFile = Directory.GetFiles(Path.Combine(archive, "data")).OrderByDescending(file => new FileInfo(file).Length).First();
        var bytes = await File.ReadAllBytesAsync(dataFile);
        bytes[^10] ^= 0x11;
        await File.WriteAllBytesAsync(dataFile, bytes);

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, SingleTransaction = true });

        await act.Should().ThrowAsync<ArchiveException>();
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'auth', 'storage')")).Should().Be(0);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_namespace WHERE nspname IN ('auth', 'storage', 'extensions')")).Should().Be(0);
        await CatalogAssert.UnchangedAsync(target, catalogBefore, "the failed single transaction rolled everything back");
    }
}
