using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>Loads the Factory Pulse fixture once into a source database that every test of this class dumps.</summary>
public sealed class FactoryPulseSource : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await SharedPostgresServer.GetAsync();
        ConnectionString = await Server.CreateDatabaseAsync("fp_source");
        await FactoryPulseFixture.LoadAsync(ConnectionString);
    }

    public Task DisposeAsync() => Server.DropDatabaseAsync(Db.DatabaseOf(ConnectionString));
}

public sealed class FactoryPulseRoundTripTests(FactoryPulseSource source) : IClassFixture<FactoryPulseSource>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-it-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Dumping_and_restoring_the_fixture_gives_a_database_the_oracle_cannot_tell_apart(int jobs)
    {
        var archive = Path.Combine(_workDirectory, "fp");
        var dump = await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        var target = await source.Server.CreateDatabaseAsync($"fp_target_j{jobs}");

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Jobs = jobs });

        report.Errors.Should().BeEmpty();
        // Issue 14 round trip (a): the platform's default privileges come back exactly, from the archive's own entries.
        const string defaultAcl = "SELECT format('%s %s %s %s', defaclrole::regrole, defaclnamespace::regnamespace, defaclobjtype, defaclacl) FROM pg_default_acl ORDER BY 1";
        (await Db.ColumnAsync(target, defaultAcl)).Should().Equal(await Db.ColumnAsync(source.ConnectionString, defaultAcl)).And.NotBeEmpty();
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        oracle.Matched.Should().BeGreaterThan(540, "the fixture with its platform shim has 543 schema objects by pg_dump's count");
        dump.TableCount.Should().Be(23, "15 public, 4 auth and 4 storage tables (the fixture's README)");
        report.TotalRows.Should().Be(dump.RowCount);
        report.SequencesSet.Should().Be(3, "two in public and auth.refresh_tokens_id_seq");
    }

    [Fact]
    public async Task The_restored_database_has_every_policy_helper_and_trigger_of_the_fixture()
    {
        var archive = Path.Combine(_workDirectory, "fp");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        var target = await source.Server.CreateDatabaseAsync("fp_counts");
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });

        // The counts the fixture's README promises.
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_policy")).Should().Be(65);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prosecdef AND n.nspname = 'public'")).Should().Be(13);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")).Should().Be(18);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_event_trigger")).Should().Be(1);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT condeferrable")).Should().Be(67);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM public.activity_log")).Should().Be(27);
        (await Db.ScalarAsync<bool>(target, "SELECT relforcerowsecurity FROM pg_class WHERE oid = 'public.activity_log'::regclass")).Should().BeTrue();
        (await Db.ScalarAsync<bool>(target, "SELECT relispopulated FROM pg_class WHERE oid = 'public.monthly_activity_summary'::regclass")).Should().BeTrue();
    }

    [Fact]
    public async Task Row_level_security_answers_the_same_in_the_restored_database()
    {
        var archive = Path.Combine(_workDirectory, "fp");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        var target = await source.Server.CreateDatabaseAsync("fp_rls");
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });

        var users = await Db.ColumnAsync(source.ConnectionString, "SELECT id::text FROM public.users ORDER BY role, id LIMIT 6");
        users.Should().HaveCount(6);
        var visibleInSource = await VisibleRowsAsync(source.ConnectionString, users);
        var visibleInTarget = await VisibleRowsAsync(target, users);

        visibleInTarget.Should().Equal(visibleInSource);
        visibleInSource.Should().Contain(line => line.EndsWith(":0", StringComparison.Ordinal), "anonymous callers see nothing of the protected tables");
        visibleInSource.Should().Contain(line => !line.EndsWith(":0", StringComparison.Ordinal), "signed-in users see some rows");
    }

    /// <summary>Row counts per table as each user (and anon) sees them through PostgREST-style claims.</summary>
    private static async Task<List<string>> VisibleRowsAsync(string connectionString, List<string> users)
    {
        var lines = new List<string>();
        string[] tables = ["organizations", "users", "projects", "documents", "messages", "approvals", "activity_log"];
        foreach (var user in users.Prepend("anon"))
        {
            var role = user == "anon" ? "anon" : "authenticated";
            var claims = user == "anon" ? "{\"role\":\"anon\"}" : $"{{\"sub\":\"{user}\",\"role\":\"authenticated\"}}";
            foreach (var table in tables)
            {
                try
                {
                    var count = await Db.ScalarAfterAsync<long>(connectionString,
                        [$"SET LOCAL ROLE {role}", $"SELECT set_config('request.jwt.claims', '{claims}', true)"],
                        $"SELECT count(*) FROM public.{table}");
                    lines.Add($"{user}/{table}:{count}");
                }
                catch (Npgsql.PostgresException exception) when (exception.SqlState == "42501")
                {
                    // Grants are part of what must survive the round trip too.
                    lines.Add($"{user}/{table}:denied");
                }
            }
        }
        return lines;
    }

    [Fact]
    public async Task The_cli_dumps_and_restores_the_fixture_with_the_same_result()
    {
        var archive = Path.Combine(_workDirectory, "fp-cli");
        var dump = await ExternalTool.FpdumpAsync("dump", "--connection", source.ConnectionString, "--output", archive);
        dump.ExitCode.Should().Be(0, dump.Stderr);
        dump.Stdout.Should().Contain("23 tables");
        var target = await source.Server.CreateDatabaseAsync("fp_cli");

        var restore = await ExternalTool.FpdumpAsync("restore", "--connection", target, "--input", archive);

        restore.ExitCode.Should().Be(0, restore.Stderr);
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    [Fact]
    public async Task The_same_database_dumped_twice_gives_byte_identical_definitions()
    {
        var first = Path.Combine(_workDirectory, "first");
        var second = Path.Combine(_workDirectory, "second");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = first });
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = second });

        static string EntriesOf(string archive)
        {
            var text = File.ReadAllText(Path.Combine(archive, "manifest.json"));
            return text[text.IndexOf("\"entries\"", StringComparison.Ordinal)..];
        }

        EntriesOf(second).Should().Be(EntriesOf(first));
    }

    [Fact]
    public async Task Archive_files_are_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows())
            return; // Unix modes only; Windows relies on the user profile's ACLs.
        var archive = Path.Combine(_workDirectory, "private");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });

        File.GetUnixFileMode(archive).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var file in Directory.EnumerateFiles(archive, "*", SearchOption.AllDirectories))
            File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, file);
    }

    [Fact]
    public async Task A_schema_only_archive_restores_the_definitions_without_rows()
    {
        var archive = Path.Combine(_workDirectory, "schema");
        var dump = await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive, SchemaOnly = true });
        var target = await source.Server.CreateDatabaseAsync("fp_schema");

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });

        dump.TableCount.Should().Be(0);
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target, new OracleOptions { Data = false });
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM public.users")).Should().Be(0);
    }
}
