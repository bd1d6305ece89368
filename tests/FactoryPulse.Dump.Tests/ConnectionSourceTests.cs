using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Tests;

/// <summary>The one place runs get connections from: a connection string or the caller's data source (no server needed here).</summary>
public sealed class ConnectionSourceTests
{
    private const string Secret = "s3cret-word";

    [Fact]
    public void A_data_source_is_described_by_server_and_database_without_its_password()
    {
        using var dataSource = NpgsqlDataSource.Create($"Host=db.example.com;Port=5433;Username=app;Password={Secret};Database=factory");

        var source = ConnectionSource.Create("", dataSource);

        source.IsDataSource.Should().BeTrue();
        source.Describe().Should().Be("app@db.example.com:5433/factory");
        source.Database.Should().Be("factory");
    }

    [Fact]
    public void A_connection_string_is_parsed_as_before_and_can_name_another_database()
    {
        var source = ConnectionSource.Create($"postgresql://app:{Secret}@db:5433/factory", null);

        source.IsDataSource.Should().BeFalse();
        source.Describe().Should().Be("app@db:5433/factory").And.NotContain(Secret);
        source.WithDatabase("copy").Describe().Should().Be("app@db:5433/copy");
        source.ForMaintenance().Should().BeSameAs(source, "the connection string names a database to run CREATE DATABASE in");
        ConnectionSource.Create("Host=db;Username=app", null).ForMaintenance().Database.Should().Be("postgres");
    }

    [Fact]
    public void A_data_source_cannot_be_pointed_at_another_database()
    {
        using var dataSource = NpgsqlDataSource.Create("Host=db;Username=app;Database=factory");

        var act = () => ConnectionSource.Create("", dataSource).WithDatabase("other");

        act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task The_data_source_overloads_refuse_a_connection_string_beside_it_before_connecting()
    {
        // Nothing listens on db.invalid: reaching the server would fail differently (and slowly).
        await using var dataSource = NpgsqlDataSource.Create("Host=db.invalid;Username=app;Database=factory");

        var dump = () => DatabaseDumper.DumpAsync(dataSource, new DumpOptions { ConnectionString = "Host=other", OutputPath = "/tmp/never" });
        var restore = () => DatabaseRestorer.RestoreAsync(dataSource, new RestoreOptions { ConnectionString = "Host=other", InputPath = "/tmp/never" });
        var create = () => DatabaseRestorer.RestoreAsync(dataSource, new RestoreOptions { InputPath = "/tmp/never", CreateDatabase = true });
        var createNamed = () => DatabaseRestorer.RestoreAsync(dataSource, new RestoreOptions { InputPath = "/tmp/never", CreateDatabaseName = "shop_copy" });
        var set = () => BackupSet.CreateAsync(dataSource, new BackupSetOptions { ConnectionString = "Host=other", Directory = "/tmp/never" });

        (await dump.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("options");
        (await restore.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("options");
        (await create.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("CreateDatabase");
        (await createNamed.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("CreateDatabaseName");
        (await set.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("options");
    }
}
