using System.Diagnostics;
using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>A backup tool is judged on its worst day: full disks, dying servers and cancellation at any moment.</summary>
public sealed class FaultTests(DataPathDatabase source) : IClassFixture<DataPathDatabase>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-fault-").FullName;

    public void Dispose()
    {
        Directory.Delete(_workDirectory, recursive: true);
    }

    private static void AssertNothingLeft(string directory, string finalName)
    {
        Directory.Exists(Path.Combine(directory, finalName)).Should().BeFalse("no archive may exist under the final name");
        Directory.EnumerateFileSystemEntries(directory, $".{finalName}.incomplete-*").Should().BeEmpty("the temporary archive is removed");
    }

    private static async Task<int> RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    [SkippableFact]
    public async Task A_full_disk_during_a_dump_gives_an_output_error_and_leaves_no_archive()
    {
        Skip.If(!OperatingSystem.IsLinux() || Environment.UserName != "root", "mounting a small file system needs root on Linux (CI runs as root)");
        var mount = Path.Combine(_workDirectory, "tiny");
        Directory.CreateDirectory(mount);
        (await RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mount)).Should().Be(0, "the test mounts a 1 MB file system");
        try
        {
            var act = () => DatabaseDumper.DumpAsync(new DumpOptions
            {
                ConnectionString = source.ConnectionString,
                OutputPath = Path.Combine(mount, "archive"),
                Compression = DataCompression.None, // ~10 MB of rows cannot fit
            });

            var error = (await act.Should().ThrowAsync<OutputPathException>()).Which;
            error.Message.Should().Contain("space");
            AssertNothingLeft(mount, "archive");
            var retry = await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = Path.Combine(_workDirectory, "retry") });
            retry.RowCount.Should().BeGreaterThan(60000, "a retried run with room succeeds");
        }
        finally
        {
            await RunAsync("umount", mount);
        }
    }

    [SkippableFact]
    public async Task A_server_killed_in_the_middle_of_a_dump_gives_a_typed_error_and_leaves_no_archive()
    {
        var shared = await SharedPostgresServer.GetAsync();
        Skip.If(shared.Kind != PostgresServerKind.LocalBinaries, "only a cluster this run started may be killed");
        await using var server = await PostgresServer.StartAsync(new PostgresServerOptions { ConnectionStringVariable = "FPDUMP_TEST_CONNECTION_UNUSED" });
        var database = await server.CreateDatabaseAsync("doomed");
        await Db.ExecuteAsync(database, "CREATE TABLE public.big AS SELECT g AS id, repeat(md5(g::text), 8) AS body FROM generate_series(1, 300000) g");
        var dataDirectory = Path.Combine(server.ClusterDirectory!, "data");
        var killed = 0;
        var progress = new SynchronousProgress(report =>
        {
            // Kill the server once the COPY is running, the way a crash or OOM kill would.
            if (report.Phase == OperationPhase.Data && Interlocked.Exchange(ref killed, 1) == 0)
                RunAsync("runuser", "-u", "postgres", "--", "pg_ctl", "stop", "-m", "immediate", "-D", dataDirectory).GetAwaiter().GetResult();
        });

        var act = () => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = database, OutputPath = Path.Combine(_workDirectory, "killed") }, progress);

        (await act.Should().ThrowAsync<DumpException>()).Which.Message.Should().NotContain("\n");
        killed.Should().Be(1);
        AssertNothingLeft(_workDirectory, "killed");
    }

    /// <summary>Where a cancellation lands: the first progress report that matches.</summary>
    public static TheoryData<string, int> DumpCancelPoints => new()
    {
        { "catalog", 1 }, { "first-rows", 1 }, { "second-table", 1 }, { "first-rows", 3 }, { "second-table", 3 },
    };

    private static bool Matches(string point, DumpProgress report) => point switch
    {
        "catalog" => report.Phase == OperationPhase.ReadingCatalog,
        "pre-data" => report.Phase == OperationPhase.PreData,
        "first-rows" => report.Phase == OperationPhase.Data && report.RowsDone > 0,
        "second-table" => report.Phase == OperationPhase.Data && report.TablesDone >= 2,
        "post-data" => report.Phase == OperationPhase.PostData,
        _ => throw new ArgumentOutOfRangeException(nameof(point), point, null),
    };

    [Theory]
    [MemberData(nameof(DumpCancelPoints))]
    public async Task Cancelling_a_dump_mid_way_throws_and_leaves_no_archive(string point, int jobs)
    {
        var name = $"cancel-{point}-{jobs}";
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(report =>
        {
            if (Matches(point, report))
                cancellation.Cancel();
        });

        var dump = () => DatabaseDumper.DumpAsync(
            new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = Path.Combine(_workDirectory, name), Jobs = jobs, ChunkSizeBytes = 1 << 20 },
            progress, cancellation.Token);

        await dump.Should().ThrowAsync<OperationCanceledException>($"the dump was cancelled at {point}; one that finishes anyway ignored the token");
        cancellation.IsCancellationRequested.Should().BeTrue($"the dump reached {point}");
        AssertNothingLeft(_workDirectory, name);
    }

    [Theory]
    [InlineData("pre-data")]
    [InlineData("first-rows")]
    [InlineData("post-data")]
    public async Task Cancelling_a_single_transaction_restore_mid_way_throws_and_leaves_the_target_empty(string point)
    {
        var archive = Path.Combine(_workDirectory, $"restore-source-{point}");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        var target = await source.Server.CreateDatabaseAsync("cancelled");
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(report =>
        {
            if (Matches(point, report))
                cancellation.Cancel();
        });

        var restore = () => DatabaseRestorer.RestoreAsync(
            new RestoreOptions { ConnectionString = target, InputPath = archive, SingleTransaction = true }, progress, cancellation.Token);

        await restore.Should().ThrowAsync<OperationCanceledException>($"the restore was cancelled at {point}");
        (await Db.ColumnAsync(target, "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"))
            .Should().BeEmpty("the one transaction was rolled back");
    }

    [Fact]
    public async Task A_restore_cancelled_mid_load_leaves_a_part_and_a_clean_rerun_converges()
    {
        var archive = Path.Combine(_workDirectory, "restore-source");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        var target = await source.Server.CreateDatabaseAsync("cancelled_part");
        using var cancellation = new CancellationTokenSource();
        var progress = new SynchronousProgress(report =>
        {
            if (Matches("first-rows", report))
                cancellation.Cancel();
        });

        var restore = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive }, progress, cancellation.Token);

        await restore.Should().ThrowAsync<OperationCanceledException>();
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"))
            .Should().BeGreaterThan(0, "without one transaction the tables created before the cancellation stay");
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Clean = true, IfExists = true });
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    private sealed class SynchronousProgress(Action<DumpProgress> onReport) : IProgress<DumpProgress>
    {
        public void Report(DumpProgress value) => onReport(value);
    }
}

public sealed class ConnectionLossTests(DataPathDatabase source) : IClassFixture<DataPathDatabase>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-cut-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    /// <summary>Cuts the dump's or restore's sessions from the server side, as a dropped connection would.</summary>
    private Task TerminateAsync(string applicationName) => Db.ExecuteAsync(source.Server.ConnectionString,
        $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{applicationName}' AND pid <> pg_backend_pid()");

    [Fact]
    public async Task A_dump_whose_connection_is_cut_mid_copy_fails_typed_and_leaves_no_archive()
    {
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(source.ConnectionString) { ApplicationName = "fpdump_cut_dump" }.ConnectionString;
        var cut = 0;
        var progress = new Progress(report =>
        {
            if (report.Phase == OperationPhase.Data && Interlocked.Exchange(ref cut, 1) == 0)
                TerminateAsync("fpdump_cut_dump").GetAwaiter().GetResult();
        });

        var act = () => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = connection, OutputPath = Path.Combine(_workDirectory, "cut") }, progress);

        await act.Should().ThrowAsync<DumpException>();
        Directory.EnumerateFileSystemEntries(_workDirectory).Should().BeEmpty();
        (await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = Path.Combine(_workDirectory, "retry") })).RowCount.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task A_single_transaction_restore_whose_connection_is_cut_leaves_the_target_unchanged()
    {
        var archive = Path.Combine(_workDirectory, "source");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        var target = new Npgsql.NpgsqlConnectionStringBuilder(await source.Server.CreateDatabaseAsync("cut_restore")) { ApplicationName = "fpdump_cut_restore" }.ConnectionString;
        var cut = 0;
        var progress = new Progress(report =>
        {
            if (report.Phase == OperationPhase.Data && Interlocked.Exchange(ref cut, 1) == 0)
                TerminateAsync("fpdump_cut_restore").GetAwaiter().GetResult();
        });

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, SingleTransaction = true }, progress);

        await act.Should().ThrowAsync<DumpException>();
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")).Should().Be(0);
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    private sealed class Progress(Action<DumpProgress> onReport) : IProgress<DumpProgress>
    {
        public void Report(DumpProgress value) => onReport(value);
    }
}
