using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>Where a restore goes: a new database of the caller's name, refused when it exists; and what progress says on the way.</summary>
public sealed class RestoreTargetTests(SmallDatabase source) : IClassFixture<SmallDatabase>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-target-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    /// <summary>Reports synchronously, in order (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class Recorder : IProgress<DumpProgress>
    {
        private readonly Lock _lock = new();
        public List<DumpProgress> Reports { get; } = [];

        public void Report(DumpProgress value)
        {
            lock (_lock)
                Reports.Add(value);
        }
    }

    private async Task<string> DumpAsync(string name)
    {
        var archive = Path.Combine(_workDirectory, name);
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        return archive;
    }

    [Fact]
    public async Task Restoring_with_CreateDatabaseName_creates_that_database_and_restores_every_row_into_it()
    {
        var archive = await DumpAsync("named");
        var name = $"fpdump_copy_{Guid.NewGuid():N}"[..24];
        try
        {
            var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = source.Server.ConnectionString, InputPath = archive, CreateDatabaseName = name });

            report.TotalRows.Should().Be(550);
            (await Db.ScalarAsync<long>(source.Server.GetConnectionString(name), "SELECT count(*) FROM shop.orders")).Should().Be(500);
        }
        finally
        {
            await source.Server.DropDatabaseAsync(name);
        }
    }

    [Fact]
    public async Task Restoring_with_CreateDatabaseName_of_an_existing_database_is_refused_and_changes_nothing()
    {
        var archive = await DumpAsync("existing");
        var existing = await source.Server.CreateDatabaseAsync("exists");
        var name = Db.DatabaseOf(existing);
        await Db.ExecuteAsync(existing, "CREATE TABLE public.keep_me (id int); INSERT INTO public.keep_me VALUES (1)");

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = source.Server.ConnectionString, InputPath = archive, CreateDatabaseName = name });

        var error = (await act.Should().ThrowAsync<DatabaseExistsException>()).Which;
        error.DatabaseName.Should().Be(name);
        error.Message.Should().Contain(name).And.Contain("nothing was changed");
        (await Db.ColumnAsync(existing, "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'shop') ORDER BY 1"))
            .Should().Equal("keep_me");
    }

    [Fact]
    public async Task Restore_progress_carries_the_manifests_row_and_byte_totals_from_the_first_table_on()
    {
        var archive = await DumpAsync("progress");
        var target = await source.Server.CreateDatabaseAsync("progress");
        var recorder = new Recorder();

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive }, recorder);

        var data = recorder.Reports.FindAll(report => report.Phase == OperationPhase.Data);
        data.Should().NotBeEmpty();
        data.Should().OnlyContain(report => report.EstimatedRows == 550 && report.EstimatedBytes > 0 && report.TablesTotal == 2);
        var last = recorder.Reports[^1];
        last.Phase.Should().Be(OperationPhase.Completed);
        last.RowsDone.Should().Be(550);
        last.EstimatedRows.Should().Be(550);
        last.BytesDone.Should().Be(last.EstimatedBytes);
    }

    [Fact]
    public async Task Data_only_restore_progress_carries_the_totals_too()
    {
        var archive = await DumpAsync("progress-data-only");
        var target = await source.Server.CreateDatabaseAsync("progress_data_only");
        await Db.ExecuteAsync(target, SmallDatabase.Schema.Split("INSERT INTO", 2)[0]);
        var recorder = new Recorder();

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, DataOnly = true }, recorder);

        var data = recorder.Reports.FindAll(report => report.Phase == OperationPhase.Data);
        data.Should().NotBeEmpty().And.OnlyContain(report => report.EstimatedRows == 550 && report.EstimatedBytes > 0);
        recorder.Reports[^1].RowsDone.Should().Be(550);
    }
}
