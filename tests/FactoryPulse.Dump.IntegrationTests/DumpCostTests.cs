using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// What a dump costs the server, counted from the server's own statement log (issue 16): a small database is read on
/// one connection without Npgsql's type-catalog query, and data files reach the disk before the manifest.
/// </summary>
public sealed class DumpCostTests : IAsyncLifetime, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-cost-").FullName;
    private readonly string _logDirectory;
    private PostgresServer _server = null!;
    private string _database = "";

    public DumpCostTests()
    {
        // The server runs as its own (unprivileged) user when the tests run as root: it must be able to write here.
        _logDirectory = Path.Combine(_workDirectory, "log");
        Directory.CreateDirectory(_logDirectory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_workDirectory, (UnixFileMode)0x1FF);
            File.SetUnixFileMode(_logDirectory, (UnixFileMode)0x1FF);
        }
    }

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.StartAsync(new PostgresServerOptions
        {
            ConnectionStringVariable = "FPDUMP_TEST_CONNECTION_UNUSED",
            Settings = new Dictionary<string, string>
            {
                ["logging_collector"] = "on",
                ["log_directory"] = _logDirectory,
                ["log_filename"] = "server.log",
                ["log_statement"] = "all",
                ["log_connections"] = "on",
                ["log_line_prefix"] = "%p ",
            },
        });
        _database = await _server.CreateDatabaseAsync("cost");
        await Db.ExecuteAsync(_database, SmallDatabase.Schema);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    /// <summary>The log lines written while <paramref name="run"/> ran (the collector writes them a moment later).</summary>
    private async Task<List<string>> LoggedDuringAsync(Func<Task> run)
    {
        var log = Path.Combine(_logDirectory, "server.log");
        var before = File.Exists(log) ? new FileInfo(log).Length : 0;
        await run();
        // A marker statement: once it is in the log, everything the run sent is too.
        var marker = $"fpdump_cost_marker_{Guid.NewGuid():N}";
        await Db.ExecuteAsync(_server.ConnectionString, $"SELECT '{marker}'");
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var text = await ReadSharedAsync(log, before);
            if (text.Contains(marker, StringComparison.Ordinal))
                return [.. text.Split('\n')];
            await Task.Delay(50);
        }
        throw new TimeoutException("The server log never showed the marker statement.");
    }

    private static async Task<string> ReadSharedAsync(string path, long from)
    {
        if (!File.Exists(path))
            return "";
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        file.Seek(from, SeekOrigin.Begin);
        using var reader = new StreamReader(file);
        return await reader.ReadToEndAsync();
    }

    private static int Count(List<string> lines, string text)
    {
        var count = 0;
        foreach (var line in lines)
        {
            if (line.Contains(text, StringComparison.Ordinal))
                count++;
        }
        return count;
    }

    [Fact]
    public async Task A_small_database_dumped_with_two_jobs_is_read_on_one_connection_without_a_type_catalog_query()
    {
        var archive = Path.Combine(_workDirectory, "small");
        var lines = await LoggedDuringAsync(() => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = _database, OutputPath = archive, Jobs = 2 }));

        var database = new NpgsqlConnectionStringBuilder(_database).Database!;
        // One session for the catalog and the data: a helper or worker would import the snapshot.
        lines.Count(line => line.Contains("connection authorized", StringComparison.Ordinal) && line.Contains($"database={database} ", StringComparison.Ordinal))
            .Should().Be(1, string.Join('\n', lines));
        Count(lines, "SET TRANSACTION SNAPSHOT").Should().Be(0);
        // Npgsql's type loading opens with this statement; the library reads only built-in types.
        Count(lines, "SELECT version()").Should().Be(0);
        Count(lines, "COPY ").Should().Be(2);
        Directory.EnumerateFiles(Path.Combine(archive, "data")).Should().HaveCount(2);
    }

    [Fact]
    public async Task A_database_with_enough_data_still_dumps_on_two_connections_in_one_snapshot()
    {
        var big = await _server.CreateDatabaseAsync("cost_big");
        // ~12 MB of heap, above the one-connection threshold.
        await Db.ExecuteAsync(big, """
            CREATE TABLE a AS SELECT g AS id, repeat('x', 200) AS filler FROM generate_series(1, 50000) g;
            CREATE TABLE b AS SELECT g AS id, repeat('y', 200) AS filler FROM generate_series(1, 50000) g;
            """);
        var archive = Path.Combine(_workDirectory, "big");
        var lines = await LoggedDuringAsync(() => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = big, OutputPath = archive, Jobs = 2 }));

        Count(lines, "SET TRANSACTION SNAPSHOT").Should().Be(1, "the second table is dumped by a worker in the leader's snapshot");
        Count(lines, "COPY ").Should().Be(2);
    }
}
