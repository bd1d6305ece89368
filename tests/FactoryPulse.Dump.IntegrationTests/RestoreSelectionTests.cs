using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>pg_restore's --schema, --exclude-schema and --table on a real archive.</summary>
public sealed class RestoreSelectionTests(SmallDatabase source) : IClassFixture<SmallDatabase>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-sel-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private async Task<string> ArchiveAsync()
    {
        var archive = Path.Combine(_workDirectory, "small");
        if (!Directory.Exists(archive))
            await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });
        return archive;
    }

    private static Task<List<string>> TablesAsync(string connectionString) =>
        Db.ColumnAsync(connectionString, "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1");

    [Fact]
    public async Task Restoring_one_table_brings_its_rows_keys_and_owned_sequence_and_nothing_else()
    {
        var archive = await ArchiveAsync();
        var target = await source.Server.CreateDatabaseAsync("one_table");
        // Like pg_restore -t, the objects the table needs (here its schema) must exist on the target.
        await Db.ExecuteAsync(target, "CREATE SCHEMA shop");

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Tables = ["shop.customers"] });

        (await TablesAsync(target)).Should().Equal("shop.customers");
        report.TotalRows.Should().Be(50);
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM shop.customers WHERE referred_by IS NOT NULL")).Should().Be(49);
        (await Db.ColumnAsync(target, "SELECT conname FROM pg_constraint WHERE conrelid = 'shop.customers'::regclass ORDER BY 1"))
            .Should().Equal("customers_pkey", "customers_referred_by_fkey");
        // The identity sequence continues where the source's stood.
        (await Db.ScalarAsync<long>(target, "INSERT INTO shop.customers (name) VALUES ('new') RETURNING id")).Should().Be(51);
        // The whole catalog: the source's without shop.orders (its table, sequence, keys, index, policy) and the counts.
        await CatalogAssert.SameAsync(source.ConnectionString, target, "-t shop.customers restores that table and what it owns, exactly",
            line => line.StartsWith("count ", StringComparison.Ordinal) || line.Contains("shop.orders", StringComparison.Ordinal));

        // Restoring it again clashes with what is there: refused up front, naming it, nothing changed.
        var again = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Tables = ["shop.customers"] });
        (await again.Should().ThrowAsync<TargetNotEmptyException>()).Which.Message.Should().Contain("relation \"shop\".\"customers\"").And.Contain("--clean");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM shop.customers")).Should().Be(51);
        await CatalogAssert.SameAsync(source.ConnectionString, target, "the refused second restore changes nothing",
            line => line.StartsWith("count ", StringComparison.Ordinal) || line.Contains("shop.orders", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restoring_one_schema_brings_the_schema_and_all_its_objects_and_excluding_it_leaves_it_out()
    {
        var archive = await ArchiveAsync();
        var only = await source.Server.CreateDatabaseAsync("only_shop");
        var without = await source.Server.CreateDatabaseAsync("without_shop");
        var emptyCatalog = await CatalogAssert.SnapshotAsync(without);

        var onlyReport = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = only, InputPath = archive, Schemas = ["shop"] });
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = without, InputPath = archive, ExcludeSchemas = ["sh*"] });

        (await TablesAsync(only)).Should().Equal("shop.customers", "shop.orders");
        onlyReport.TotalRows.Should().Be(550);
        (await Db.ScalarAsync<long>(only, "SELECT count(*) FROM pg_policies WHERE schemaname = 'shop'")).Should().Be(1);
        (await TablesAsync(without)).Should().BeEmpty();
        (await Db.ScalarAsync<long>(without, "SELECT count(*) FROM pg_namespace WHERE nspname = 'shop'")).Should().Be(0);
        // The source holds schema shop only: --schema shop gives all of it, --exclude-schema sh* none of it.
        await CatalogAssert.SameAsync(source.ConnectionString, only, "--schema shop restores every object of the source");
        await CatalogAssert.UnchangedAsync(without, emptyCatalog, "--exclude-schema sh* leaves nothing to restore");
    }

    [Fact]
    public async Task A_table_pattern_that_matches_nothing_restores_nothing()
    {
        var archive = await ArchiveAsync();
        var target = await source.Server.CreateDatabaseAsync("no_match");
        var emptyCatalog = await CatalogAssert.SnapshotAsync(target);

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Tables = ["shop.nothing_like_this"] });

        report.Tables.Should().BeEmpty();
        (await TablesAsync(target)).Should().BeEmpty();
        await CatalogAssert.UnchangedAsync(target, emptyCatalog, "a selection of nothing restores nothing");
    }
}
