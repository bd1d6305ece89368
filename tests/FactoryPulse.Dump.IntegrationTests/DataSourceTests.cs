using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// The overloads taking the application's <see cref="NpgsqlDataSource"/>: the run borrows pooled connections, gives
/// them back, and leaves the pool as it found it (never cleared, no session settings left behind).
/// </summary>
public sealed class DataSourceTests(SmallDatabase source) : IClassFixture<SmallDatabase>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-datasource-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    /// <summary>A pooled data source whose sessions can be told apart in pg_stat_activity by their application name.</summary>
    private static NpgsqlDataSource PooledDataSource(string connectionString, string applicationName) =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = true,
            ApplicationName = applicationName,
            CommandTimeout = 0,
        }.ConnectionString);

    /// <summary>Opens one connection, notes its backend, and returns it to the pool, where it stays idle.</summary>
    private static async Task<int> WarmAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return connection.ProcessID;
    }

    private static Task<List<string>> BackendsOfAsync(string connectionString, string applicationName) =>
        Db.ColumnAsync(connectionString, $"SELECT pid::text FROM pg_stat_activity WHERE application_name = '{applicationName}' ORDER BY pid");

    private static async Task ShouldStillServeCleanSessionsAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var searchPath = new NpgsqlCommand("SHOW search_path", connection);
        // The runs set search_path to '' on their sessions; the pool's reset must have undone it.
        ((string)(await searchPath.ExecuteScalarAsync())!).Should().Be("\"$user\", public");
        await using var count = new NpgsqlCommand("SELECT count(*) FROM shop.orders", connection);
        ((long)(await count.ExecuteScalarAsync())!).Should().Be(500);
    }

    [Fact]
    public async Task Dumping_and_restoring_through_pooled_data_sources_with_two_jobs_gives_an_identical_database_and_keeps_the_pools()
    {
        var sourceName = $"fpdump_ds_source_{Guid.NewGuid():N}"[..28];
        var targetName = $"fpdump_ds_target_{Guid.NewGuid():N}"[..28];
        var archive = Path.Combine(_workDirectory, "through-data-source");
        var target = await source.Server.CreateDatabaseAsync("ds_target");
        await using (var sourceDataSource = PooledDataSource(source.ConnectionString, sourceName))
        await using (var targetDataSource = PooledDataSource(target, targetName))
        {
            var sourceIdle = await WarmAsync(sourceDataSource);
            var targetIdle = await WarmAsync(targetDataSource);

            var dump = await DatabaseDumper.DumpAsync(sourceDataSource, new DumpOptions { OutputPath = archive, Jobs = 2 });
            var report = await DatabaseRestorer.RestoreAsync(targetDataSource, new RestoreOptions { InputPath = archive, Jobs = 2 });

            dump.RowCount.Should().Be(550);
            report.TotalRows.Should().Be(550);
            var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
            oracle.IsIdentical.Should().BeTrue(oracle.ToString());

            // The idle connection from before is still open, and the dump's connection went back to the pool (a database
            // this small is dumped on one connection even with two jobs: DumpCostTests).
            var sourceBackends = await BackendsOfAsync(source.ConnectionString, sourceName);
            sourceBackends.Should().Contain(sourceIdle.ToString(System.Globalization.CultureInfo.InvariantCulture));
            (await BackendsOfAsync(source.ConnectionString, targetName)).Should().Contain(targetIdle.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await ShouldStillServeCleanSessionsAsync(sourceDataSource);
            await ShouldStillServeCleanSessionsAsync(targetDataSource);
        }
        await source.Server.DropDatabaseAsync(Db.DatabaseOf(target));
    }

    [Fact]
    public async Task A_backup_set_through_a_data_source_is_named_after_its_database_and_verified()
    {
        await using var dataSource = PooledDataSource(source.ConnectionString, "fpdump_ds_set");

        var set = await BackupSet.CreateAsync(dataSource, new BackupSetOptions { Directory = _workDirectory });

        set.Verification.Passed.Should().BeTrue(string.Join("; ", set.Verification.Problems));
        Path.GetFileName(set.CompleteArchive).Should().StartWith($"{Db.DatabaseOf(source.ConnectionString)}_complete_backup_");
        await ShouldStillServeCleanSessionsAsync(dataSource);
    }

    [Fact]
    public async Task A_connection_string_beside_a_data_source_is_refused_before_anything_is_written()
    {
        await using var dataSource = PooledDataSource(source.ConnectionString, "fpdump_ds_both");
        var archive = Path.Combine(_workDirectory, "never");

        var dump = () => DatabaseDumper.DumpAsync(dataSource, new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        var restore = () => DatabaseRestorer.RestoreAsync(dataSource, new RestoreOptions { ConnectionString = source.ConnectionString, InputPath = archive });
        var set = () => BackupSet.CreateAsync(dataSource, new BackupSetOptions { ConnectionString = source.ConnectionString, Directory = archive });

        (await dump.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("not both");
        (await restore.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("not both");
        (await set.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("not both");
        Directory.EnumerateFileSystemEntries(_workDirectory).Should().BeEmpty();
    }

    [Fact]
    public async Task Creating_the_database_is_refused_with_a_data_source_which_is_bound_to_one_database()
    {
        var archive = Path.Combine(_workDirectory, "small");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        var maintenance = Db.WithDatabase(source.ConnectionString, "postgres");
        await using var dataSource = PooledDataSource(maintenance, "fpdump_ds_create");

        var act = () => DatabaseRestorer.RestoreAsync(dataSource, new RestoreOptions { InputPath = archive, CreateDatabase = true });

        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("CreateDatabase").And.Contain("bound to one database");
    }
}
