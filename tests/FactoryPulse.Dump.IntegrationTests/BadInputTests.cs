using System.Net;
using System.Net.Sockets;
using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>A small database with RLS, a policy, a sequence and rows: enough to fail in every way that matters.</summary>
public sealed class SmallDatabase : IAsyncLifetime
{
    public const string Schema = """
        CREATE SCHEMA shop;
        CREATE TABLE shop.customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, referred_by bigint REFERENCES shop.customers (id));
        CREATE TABLE shop.orders (id serial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES shop.customers (id), total numeric(10, 2) CHECK (total >= 0));
        ALTER TABLE shop.orders ENABLE ROW LEVEL SECURITY;
        CREATE POLICY orders_by_customer ON shop.orders FOR SELECT USING (customer_id = current_setting('app.customer', true)::bigint);
        INSERT INTO shop.customers (name, referred_by) SELECT 'customer ' || g, NULLIF(g - 1, 0) FROM generate_series(1, 50) g;
        INSERT INTO shop.orders (customer_id, total) SELECT 1 + g % 50, g * 1.5 FROM generate_series(1, 500) g;
        """;

    public PostgresServer Server { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await SharedPostgresServer.GetAsync();
        ConnectionString = await Server.CreateDatabaseAsync("small");
        await Db.ExecuteAsync(ConnectionString, Schema);
    }

    public Task DisposeAsync() => Server.DropDatabaseAsync(Db.DatabaseOf(ConnectionString));
}

public sealed class BadInputTests(SmallDatabase source) : IClassFixture<SmallDatabase>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-bad-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<string> DumpSourceAsync(string name)
    {
        var archive = Path.Combine(_workDirectory, name);
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        return archive;
    }

    [Fact]
    public async Task Dumping_from_an_unreachable_server_fails_with_a_connection_error_and_writes_nothing()
    {
        var archive = Path.Combine(_workDirectory, "never");
        var unreachable = $"Host=127.0.0.1;Port={FreePort()};Username=postgres;Password=s3cret-word;Database=nowhere;Timeout=5";

        var act = () => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = unreachable, OutputPath = archive });

        var error = (await act.Should().ThrowAsync<ServerConnectionException>()).Which;
        error.Message.Should().Contain("Cannot connect").And.Contain("127.0.0.1").And.NotContain("s3cret-word").And.NotContain("\n");
        Directory.EnumerateFileSystemEntries(_workDirectory).Should().BeEmpty();

        var cli = await ExternalTool.FpdumpAsync("dump", "--connection", unreachable, "--output", archive);
        cli.ExitCode.Should().Be(1);
        cli.Stderr.Trim().Split('\n').Should().ContainSingle(line => line.StartsWith("fpdump: error: Cannot connect", StringComparison.Ordinal));
        cli.Stderr.Should().NotContain("s3cret-word");
    }

    [SkippableFact]
    public async Task A_wrong_password_is_reported_as_such_without_echoing_it()
    {
        // Only a cluster we started ourselves lets us require passwords; other servers decide their own pg_hba.conf.
        Skip.If(source.Server.ClusterDirectory is null, "the test server is not a cluster this run started, so its pg_hba.conf is not ours to change");
        var cluster = source.Server.ClusterDirectory!;
        await Db.ExecuteAsync(source.ConnectionString,
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fp_password_user') THEN CREATE ROLE fp_password_user LOGIN PASSWORD 'right-one'; END IF; END $$");
        var hba = Directory.GetFiles(cluster, "pg_hba.conf", SearchOption.AllDirectories).Single();
        var lines = await File.ReadAllTextAsync(hba);
        if (!lines.Contains("fp_password_user", StringComparison.Ordinal))
        {
            await File.WriteAllTextAsync(hba, "host all fp_password_user 127.0.0.1/32 scram-sha-256\n" + lines);
            await Db.ExecuteAsync(source.ConnectionString, "SELECT pg_reload_conf()");
        }
        var wrong = new NpgsqlConnectionStringBuilder(source.ConnectionString) { Username = "fp_password_user", Password = "wrong-guess-42" }.ConnectionString;

        var act = () => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = wrong, OutputPath = Path.Combine(_workDirectory, "never") });

        var error = (await act.Should().ThrowAsync<ServerConnectionException>()).Which;
        error.Message.Should().Contain("Password authentication failed").And.NotContain("wrong-guess-42");
        var cli = await ExternalTool.FpdumpAsync("dump", "--connection", wrong, "--output", Path.Combine(_workDirectory, "never"));
        cli.ExitCode.Should().Be(1);
        cli.Stderr.Should().Contain("Password authentication failed").And.NotContain("wrong-guess-42");
    }

    [Fact]
    public async Task Dumping_into_a_path_whose_parents_do_not_exist_creates_them_owner_only_as_pg_dump_does()
    {
        var archive = Path.Combine(_workDirectory, "missing-parent", "nested", "archive");

        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });

        File.Exists(Path.Combine(archive, "manifest.json")).Should().BeTrue();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(_workDirectory, "missing-parent")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.GetUnixFileMode(Path.Combine(_workDirectory, "missing-parent", "nested")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var plain = Path.Combine(_workDirectory, "cli-parent", "deeper", "small.sql");
        var cli = await ExternalTool.FpdumpAsync("dump", "--connection", source.ConnectionString, "--output", plain, "--format", "plain", "--quiet");
        cli.ExitCode.Should().Be(0, cli.Stderr);
        File.Exists(plain).Should().BeTrue();
    }

    [Fact]
    public async Task Dumping_under_a_parent_that_is_a_file_is_an_output_path_error()
    {
        var blocker = Path.Combine(_workDirectory, "a-file");
        await File.WriteAllTextAsync(blocker, "not a directory");
        var archive = Path.Combine(blocker, "archive");

        var act = () => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });

        (await act.Should().ThrowAsync<OutputPathException>()).Which.Message.Should().Contain("creating the directory");
        var cli = await ExternalTool.FpdumpAsync("dump", "--connection", source.ConnectionString, "--output", archive);
        cli.ExitCode.Should().Be(1);
        cli.Stderr.Should().StartWith("fpdump: error: Cannot write the archive");
    }

    [Fact]
    public async Task Restoring_into_a_database_that_is_not_empty_is_refused_without_changing_it()
    {
        var archive = await DumpSourceAsync("small");
        var target = await source.Server.CreateDatabaseAsync("not_empty");
        await Db.ExecuteAsync(target, "CREATE TABLE public.keep_me (id int); INSERT INTO public.keep_me VALUES (1)");
        var before = await SchemaWithoutRestrictKeyAsync(target);

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });

        (await act.Should().ThrowAsync<TargetNotEmptyException>()).Which.Message.Should().Contain("--clean").And.Contain("public.keep_me");
        (await SchemaWithoutRestrictKeyAsync(target)).Should().Be(before);
        var cli = await ExternalTool.FpdumpAsync("restore", "--connection", target, "--input", archive);
        cli.ExitCode.Should().Be(1);
        cli.Stderr.Trim().Should().StartWith("fpdump: error: Cannot restore: the target database is not empty");
    }

    [Fact]
    public async Task Restoring_with_clean_twice_converges_to_the_source()
    {
        var archive = await DumpSourceAsync("small-clean");
        var target = await source.Server.CreateDatabaseAsync("cleaned");
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });
        await Db.ExecuteAsync(target, "DELETE FROM shop.orders WHERE id > 10");

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Clean = true, IfExists = true });

        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    [Fact]
    public async Task A_cancelled_dump_leaves_neither_an_archive_nor_a_temporary_directory()
    {
        var archive = Path.Combine(_workDirectory, "cancelled");
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(report =>
        {
            if (report.Phase == OperationPhase.Data)
                cancellation.Cancel();
        });

        var act = () => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive }, progress, cancellation.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        Directory.EnumerateFileSystemEntries(_workDirectory).Should().BeEmpty("neither the archive nor its hidden temporary directory may remain");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        File.Exists(Path.Combine(archive, "manifest.json")).Should().BeTrue("a retried run succeeds");
    }

    [Fact]
    public async Task A_role_that_cannot_bypass_row_level_security_gets_a_clear_error_instead_of_a_filtered_dump()
    {
        await Db.ExecuteAsync(source.ConnectionString,
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fp_reader') THEN CREATE ROLE fp_reader LOGIN; END IF; END $$; " +
            "GRANT USAGE ON SCHEMA shop TO fp_reader; GRANT SELECT ON ALL TABLES IN SCHEMA shop TO fp_reader; GRANT SELECT ON ALL SEQUENCES IN SCHEMA shop TO fp_reader");
        var reader = new NpgsqlConnectionStringBuilder(source.ConnectionString) { Username = "fp_reader" }.ConnectionString;

        var act = () => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = reader, OutputPath = Path.Combine(_workDirectory, "filtered") });

        (await act.Should().ThrowAsync<InsufficientPrivilegeException>()).Which.Message.Should().Contain("shop.orders").And.Contain("row-level security");
        Directory.EnumerateFileSystemEntries(_workDirectory).Should().BeEmpty();
    }

    [Fact]
    public async Task A_corrupted_data_file_is_detected_before_its_table_is_loaded()
    {
        var archive = await DumpSourceAsync("corrupt");
        var dataFile = Directory.GetFiles(Path.Combine(archive, "data")).OrderByDescending(file => new FileInfo(file).Length).First();
        var bytes = await File.ReadAllBytesAsync(dataFile);
        bytes[bytes.Length / 2] ^= 0x5A;
        await File.WriteAllBytesAsync(dataFile, bytes);
        var target = await source.Server.CreateDatabaseAsync("corrupt_target");

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, SingleTransaction = true });

        (await act.Should().ThrowAsync<ArchiveException>()).Which.Message.Should().Contain(Path.GetFileName(dataFile)).And.Contain("corrupt");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'shop'")).Should().Be(0, "the single transaction rolled back");
    }

    [Fact]
    public async Task A_truncated_data_file_or_missing_manifest_is_refused_before_connecting()
    {
        var archive = await DumpSourceAsync("truncated");
        var dataFile = Directory.GetFiles(Path.Combine(archive, "data")).First(file => new FileInfo(file).Length > 100);
        await using (var stream = new FileStream(dataFile, FileMode.Open))
            stream.SetLength(stream.Length - 7);
        var unreachable = $"Host=127.0.0.1;Port={FreePort()};Database=x";

        var truncated = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = unreachable, InputPath = archive });
        (await truncated.Should().ThrowAsync<ArchiveException>()).Which.Message.Should().Contain("truncated");

        File.Delete(Path.Combine(archive, "manifest.json"));
        var incomplete = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = unreachable, InputPath = archive });
        (await incomplete.Should().ThrowAsync<ArchiveException>()).Which.Message.Should().Contain("not a complete archive");
    }

    [Theory]
    [InlineData(DataCompression.Zstd)]
    [InlineData(DataCompression.Gzip)]
    public async Task A_garbled_compressed_data_file_with_a_matching_checksum_fails_as_an_archive_error_with_its_cause(DataCompression compression)
    {
        var archive = Path.Combine(_workDirectory, $"garbled-{compression}");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive, Compression = compression });
        var dataFile = Directory.GetFiles(Path.Combine(archive, "data")).OrderByDescending(file => new FileInfo(file).Length).First();
        var bytes = await File.ReadAllBytesAsync(dataFile);
        // Damage the compressed stream past its header, then give the manifest the damaged file's checksum: the up-front
        // checksum check passes and the damage surfaces only while the file is decompressed into the COPY.
        for (var i = 24; i < bytes.Length - 16; i += 7)
            bytes[i] ^= 0x5A;
        await File.WriteAllBytesAsync(dataFile, bytes);
        await ReplaceChecksumAsync(archive, dataFile, bytes);
        var target = await source.Server.CreateDatabaseAsync($"garbled_{compression.ToString().ToLowerInvariant()}");

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, SingleTransaction = true });

        var error = (await act.Should().ThrowAsync<ArchiveException>()).Which;
        error.InnerException.Should().NotBeNull("the decompressor's own error is kept as the cause");
        error.InnerException.Should().NotBeOfType<Npgsql.PostgresException>("the file, not the server, failed");
        error.Message.Should().StartWith("The restore failed").And.NotContain("\n");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'shop'")).Should().Be(0, "the single transaction rolled back");
        var report = await ArchiveVerifier.VerifyAsync(archive);
        report.Passed.Should().BeFalse();
        report.Problems.Should().ContainSingle(problem => problem.Contains(Path.GetFileName(dataFile), StringComparison.Ordinal) && problem.Contains("cannot be read back", StringComparison.Ordinal));
    }

    private static async Task ReplaceChecksumAsync(string archive, string dataFile, byte[] bytes)
    {
        var hasher = new System.IO.Hashing.XxHash3();
        hasher.Append(bytes);
        var manifestPath = Path.Combine(archive, "manifest.json");
        var manifest = await File.ReadAllTextAsync(manifestPath);
        var at = manifest.IndexOf($"\"file\": \"data/{Path.GetFileName(dataFile)}\"", StringComparison.Ordinal);
        at.Should().BeGreaterThanOrEqualTo(0);
        var checksumAt = manifest.IndexOf("\"checksum\": \"", at, StringComparison.Ordinal) + "\"checksum\": \"".Length;
        var checksumEnd = manifest.IndexOf('"', checksumAt);
        manifest = manifest[..checksumAt] + "xxh3-64:" + hasher.GetCurrentHashAsUInt64().ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + manifest[checksumEnd..];
        await File.WriteAllTextAsync(manifestPath, manifest);
    }

    [Fact]
    public async Task Invalid_options_raise_ArgumentException_before_anything_connects()
    {
        var archive = await DumpSourceAsync("valid-for-options");
        // Nothing listens here: a connection attempt would end in ServerConnectionException, not in ArgumentException.
        var unreachable = $"Host=127.0.0.1;Port={FreePort()};Username=postgres;Password=s3cret-word;Database=nowhere;Timeout=5";
        var never = Path.Combine(_workDirectory, "never");

        var dump = () => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = unreachable, OutputPath = never, SchemaOnly = true, DataOnly = true });
        (await dump.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be(nameof(DumpOptions.DataOnly));
        var jobs = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = unreachable, InputPath = archive, Jobs = 0 });
        (await jobs.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be(nameof(RestoreOptions.Jobs));
        var section = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = unreachable, InputPath = archive, Sections = ["everything"] });
        (await section.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be(nameof(RestoreOptions.Sections));
        var keep = () => BackupSet.CreateAsync(new BackupSetOptions { ConnectionString = unreachable, Directory = never, Keep = 0 });
        (await keep.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be(nameof(BackupSetOptions.Keep));
        var verify = () => ArchiveVerifier.VerifyAsync(archive, new VerifyOptions { ConnectionString = unreachable, RequireData = ["orders"] });
        (await verify.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be(nameof(VerifyOptions.RequireData));
        Directory.Exists(never).Should().BeFalse();

        var cliDump = await ExternalTool.FpdumpAsync("dump", "--connection", unreachable, "--output", never, "--section", "everything");
        cliDump.ExitCode.Should().Be(2, cliDump.Stderr);
        cliDump.Stderr.Trim().Should().StartWith("fpdump: Unknown section 'everything'").And.NotContain("\n").And.NotContain("s3cret-word");
        var cliRestore = await ExternalTool.FpdumpAsync("restore", "--connection", unreachable, "--input", archive, "--if-exists");
        cliRestore.ExitCode.Should().Be(2, cliRestore.Stderr);
        cliRestore.Stderr.Trim().Should().Contain("IfExists").And.NotContain("\n");
    }

    [Fact]
    public async Task Verifying_on_a_scratch_server_leaves_the_callers_pooled_connections_alone()
    {
        var archive = await DumpSourceAsync("verify-pools");
        // The host application's own pooled connection: after it goes back to the pool, the same server process serves the next open.
        var pooled = new NpgsqlConnectionStringBuilder(source.ConnectionString) { Pooling = true, ApplicationName = "fp_caller_pool" }.ConnectionString;
        int before;
        await using (var connection = new NpgsqlConnection(pooled))
        {
            await connection.OpenAsync();
            before = connection.ProcessID;
        }
        await using var dataSource = NpgsqlDataSource.Create(pooled);
        int dataSourceBefore;
        await using (var connection = await dataSource.OpenConnectionAsync())
            dataSourceBefore = connection.ProcessID;

        var report = await ArchiveVerifier.VerifyAsync(archive, new VerifyOptions { ConnectionString = source.ConnectionString });

        report.Passed.Should().BeTrue(string.Join("; ", report.Problems));
        await using (var connection = new NpgsqlConnection(pooled))
        {
            await connection.OpenAsync();
            connection.ProcessID.Should().Be(before, "the idle pooled connection survived: nothing cleared the caller's pool");
            (await new NpgsqlCommand("SELECT 1", connection).ExecuteScalarAsync()).Should().Be(1);
        }
        await using (var connection = await dataSource.OpenConnectionAsync())
            connection.ProcessID.Should().Be(dataSourceBefore);
    }

    /// <summary>pg_dump's schema text without its \restrict lines, which carry a random key.</summary>
    private static async Task<string> SchemaWithoutRestrictKeyAsync(string connectionString)
    {
        var lines = (await DatabaseOracle.SchemaDumpAsync(connectionString)).Split('\n');
        return string.Join('\n', lines.Where(line => !line.StartsWith('\\')));
    }

    private sealed class SynchronousProgress(Action<DumpProgress> onReport) : IProgress<DumpProgress>
    {
        public void Report(DumpProgress value) => onReport(value);
    }
}
