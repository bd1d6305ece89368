using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FactoryPulse.Dump.Testing;
using FactoryPulse.Dump.Testing.Testcontainers;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

public sealed class PostgresServerTests
{
    // A variable nobody sets, so these tests start their own server even when FPDUMP_TEST_CONNECTION points at a shared one.
    private const string UnsetVariable = "FPDUMP_TEST_CONNECTION_NEVER_SET_BY_POSTGRES_SERVER_TESTS";

    [Fact]
    public async Task The_shared_server_starts_and_answers_select_version()
    {
        var server = await SharedPostgresServer.GetAsync();

        var version = await ScalarAsync<string>(server.ConnectionString, "select version()");

        version.Should().StartWith("PostgreSQL ");
        server.Description.Should().NotBeNullOrWhiteSpace();
        (await SharedPostgresServer.GetAsync()).Should().BeSameAs(server);
    }

    [Fact]
    public async Task Created_databases_are_distinct_empty_and_can_be_dropped()
    {
        var server = await SharedPostgresServer.GetAsync();

        var connectionStrings = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => server.CreateDatabaseAsync("PgServerTests")));
        var names = connectionStrings.Select(cs => new NpgsqlConnectionStringBuilder(cs).Database!).ToList();

        names.Should().OnlyHaveUniqueItems();
        names.Should().AllSatisfy(name => name.Should().MatchRegex("^pgservertests_[a-z0-9]+$"));
        for (var i = 0; i < names.Count; i++)
        {
            (await ScalarAsync<string>(connectionStrings[i], "select current_database()")).Should().Be(names[i]);
            (await ScalarAsync<long>(connectionStrings[i], "select count(*) from pg_class where relnamespace = 'public'::regnamespace"))
                .Should().Be(0);
        }

        // An open session must not block the drop (WITH (FORCE)).
        await using (var open = new NpgsqlConnection(connectionStrings[0]))
        {
            await open.OpenAsync();
            foreach (var name in names)
            {
                await server.DropDatabaseAsync(name);
            }
        }

        var remaining = await ScalarAsync<long>(
            server.ConnectionString, $"select count(*) from pg_database where datname in ('{string.Join("','", names)}')");
        remaining.Should().Be(0);
        await server.Invoking(s => s.DropDatabaseAsync(names[0])).Should().NotThrowAsync("dropping is IF EXISTS");
    }

    [Fact]
    public async Task Starting_a_local_server_gives_a_working_superuser_connection()
    {
        var options = new PostgresServerOptions
        {
            ConnectionStringVariable = UnsetVariable,
            Settings = new Dictionary<string, string> { ["work_mem"] = "8MB", ["search_path"] = "\"$user\", public, it's" },
        };

        await using var server = await PostgresServer.StartAsync(options);

        server.Kind.Should().Be(PostgresServerKind.LocalBinaries);
        var port = new NpgsqlConnectionStringBuilder(server.ConnectionString).Port;
        server.Description.Should().StartWith("local PostgreSQL ").And.EndWith($" binaries on 127.0.0.1:{port}");
        (await ScalarAsync<string>(server.ConnectionString, "select current_user")).Should().Be("postgres");
        (await ScalarAsync<string>(server.ConnectionString, "show is_superuser")).Should().Be("on");
        (await ScalarAsync<string>(server.ConnectionString, "show work_mem")).Should().Be("8MB");
        (await ScalarAsync<string>(server.ConnectionString, "show search_path")).Should().Be("\"$user\", public, it's");
        (await ScalarAsync<string>(server.ConnectionString, "show fsync")).Should().Be("off");

        var database = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync()).Database;
        database.Should().StartWith("test_");
    }

    [Fact]
    public async Task Disposing_an_own_server_on_a_free_port_removes_its_directory_and_closes_the_port()
    {
        var port = FreePort();
        var server = await PostgresServer.StartAsync(new PostgresServerOptions { ConnectionStringVariable = UnsetVariable, Port = port });
        var directory = server.ClusterDirectory;

        server.Kind.Should().Be(PostgresServerKind.LocalBinaries);
        new NpgsqlConnectionStringBuilder(server.ConnectionString).Port.Should().Be(port);
        Directory.Exists(directory).Should().BeTrue();
        (await ScalarAsync<int>(server.ConnectionString, "select 1")).Should().Be(1);

        await server.DisposeAsync();

        Directory.Exists(directory).Should().BeFalse();
        using var client = new TcpClient();
        await client.Invoking(c => c.ConnectAsync(IPAddress.Loopback, port)).Should().ThrowAsync<SocketException>();
        await server.Invoking(s => s.CreateDatabaseAsync()).Should().ThrowAsync<ObjectDisposedException>();
        await server.Invoking(s => s.DisposeAsync().AsTask()).Should().NotThrowAsync("disposing twice is harmless");
    }

    [Fact]
    public async Task A_server_that_cannot_start_reports_its_log_and_leaves_nothing_behind()
    {
        // Hold the port so the server cannot bind it; an explicit Port is not retried elsewhere.
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;

        var start = () => PostgresServer.StartAsync(new PostgresServerOptions { ConnectionStringVariable = UnsetVariable, Port = port });

        var error = (await start.Should().ThrowAsync<PostgresServerUnavailableException>()).Which;
        error.Message.Should().Contain("server.log").And.Contain("could not bind");
        var logFile = Regex.Match(error.Message, @"tail of (\S+server\.log)").Groups[1].Value;
        Directory.Exists(Path.GetDirectoryName(logFile)).Should().BeFalse("a failed start deletes its cluster folder");
    }

    [Fact]
    public async Task A_server_from_the_environment_variable_is_used_as_is_and_keeps_running()
    {
        var shared = await SharedPostgresServer.GetAsync();
        var variable = "FPDUMP_TEST_CONNECTION_POSTGRES_SERVER_TESTS_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, shared.ConnectionString + ";Password=not-shown-anywhere");
        try
        {
            var server = await PostgresServer.StartAsync(new PostgresServerOptions { ConnectionStringVariable = variable });
            server.Kind.Should().Be(PostgresServerKind.Environment);
            server.Description.Should().Contain(variable).And.NotContain("not-shown-anywhere");
            var database = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("fromenv")).Database!;

            await server.DisposeAsync();

            // Only the database it created is gone; the server itself is still up.
            (await ScalarAsync<long>(shared.ConnectionString, $"select count(*) from pg_database where datname = '{database}'")).Should().Be(0);
            (await ScalarAsync<int>(shared.ConnectionString, "select 1")).Should().Be(1);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task A_broken_environment_variable_is_reported_by_name_without_the_password()
    {
        var variable = "FPDUMP_TEST_CONNECTION_POSTGRES_SERVER_TESTS_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, $"Host=127.0.0.1;Port={FreePort()};Username=postgres;Password=hunter2;Timeout=3");
        try
        {
            var start = () => PostgresServer.StartAsync(new PostgresServerOptions { ConnectionStringVariable = variable });

            var error = (await start.Should().ThrowAsync<PostgresServerUnavailableException>()).Which;
            error.Message.Should().Contain(variable).And.NotContain("hunter2");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Without_any_source_StartAsync_explains_how_to_get_a_server()
    {
        var empty = Directory.CreateTempSubdirectory("fpdump-empty-bin-");
        try
        {
            var options = new PostgresServerOptions
            {
                ConnectionStringVariable = UnsetVariable,
                BinariesDirectory = empty.FullName,
            };

            var error = (await options.Invoking(o => PostgresServer.StartAsync(o)).Should().ThrowAsync<PostgresServerUnavailableException>()).Which;

            error.Message.Should().Contain(UnsetVariable).And.Contain("apt-get install postgresql").And.Contain("Docker");
        }
        finally
        {
            empty.Delete();
        }
    }

    [Fact]
    public async Task The_Testcontainers_package_starts_a_container_or_says_that_Docker_is_missing()
    {
        // Docker is never required: without an engine the package says so; with one it starts a container.
        try
        {
            await using var server = await TestcontainersPostgres.StartAsync();
            server.Kind.Should().Be(PostgresServerKind.Testcontainers);
            (await ScalarAsync<string>(server.ConnectionString, "select version()")).Should().StartWith("PostgreSQL ");
        }
        catch (PostgresServerUnavailableException error)
        {
            error.Message.Should().Contain("Testcontainers cannot run " + TestcontainersPostgres.DefaultImage).And.Contain("no Docker engine");
        }
    }

    [Fact]
    public async Task The_referenced_Testcontainers_package_is_the_default_fallback()
    {
        // This project references FactoryPulse.Dump.Testing.Testcontainers, so StartAsync would use it after the variable and local binaries.
        var fallback = PostgresServer.FindTestcontainersFallback();

        fallback.Should().NotBeNull();
        try
        {
            await using var server = await fallback!(new PostgresServerOptions(), CancellationToken.None);
            server.Kind.Should().Be(PostgresServerKind.Testcontainers);
        }
        catch (PostgresServerUnavailableException error)
        {
            error.Message.Should().Contain("Testcontainers cannot run " + TestcontainersPostgres.DefaultImage);
        }
    }

    [Fact]
    public async Task A_server_attached_from_elsewhere_is_usable_and_its_stopper_runs_on_dispose()
    {
        var shared = await SharedPostgresServer.GetAsync();
        var stopper = new CountingStopper();

        var server = await PostgresServer.AttachAsync(PostgresServerKind.Testcontainers, shared.ConnectionString, "for a test", stopper);
        var database = await server.CreateDatabaseAsync("attached");
        (await ScalarAsync<int>(database, "select 1")).Should().Be(1);
        server.Description.Should().StartWith("PostgreSQL ").And.EndWith(" for a test");
        server.Dispose();
        server.Dispose();

        stopper.Disposals.Should().Be(1, "Dispose() blocks on the same teardown as DisposeAsync, once");
        await shared.DropDatabaseAsync(new NpgsqlConnectionStringBuilder(database).Database!);
    }

    [Fact]
    public async Task Attaching_a_server_that_does_not_answer_stops_it_and_says_so()
    {
        var stopper = new CountingStopper();

        var attach = () => PostgresServer.AttachAsync(
            PostgresServerKind.Testcontainers, $"Host=127.0.0.1;Port={FreePort()};Username=postgres;Timeout=3", "on a closed port", stopper);

        (await attach.Should().ThrowAsync<PostgresServerUnavailableException>()).Which.Message.Should().Contain("on a closed port");
        stopper.Disposals.Should().Be(1);
    }

    private sealed class CountingStopper : IAsyncDisposable
    {
        public int Disposals { get; private set; }

        public ValueTask DisposeAsync()
        {
            Disposals++;
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
