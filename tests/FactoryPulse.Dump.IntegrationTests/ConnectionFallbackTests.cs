using System.Diagnostics;
using System.Text;
using FactoryPulse.Dump.IntegrationTests.Support;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// libpq's fallback through the CLI: every child process gets its own PG* environment (nothing of the test host's
/// leaks in), so these run in parallel with the rest of the suite.
/// </summary>
public sealed class ConnectionFallbackCliTests(SmallDatabase source) : IClassFixture<SmallDatabase>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-fallback-cli-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private static readonly string[] LibpqVariables = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE", "PGPASSFILE", "PGSERVICE", "PGOPTIONS"];

    /// <summary>fpdump as a child process whose PG* variables are exactly <paramref name="variables"/>.</summary>
    internal static async Task<ExternalTool.Result> FpdumpWithEnvironmentAsync(Dictionary<string, string> variables, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fpdump.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var name in LibpqVariables)
            start.Environment.Remove(name);
        foreach (var (name, value) in variables)
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await Task.WhenAll(stdout, stderr, process.WaitForExitAsync());
        return new ExternalTool.Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>PGHOST/PGPORT/PGUSER pointing at the fixture's server (never 5432 for a server this run started), no password file.</summary>
    internal static Dictionary<string, string> ServerVariables(string connectionString)
    {
        var server = new NpgsqlConnectionStringBuilder(connectionString);
        var variables = new Dictionary<string, string>
        {
            ["PGHOST"] = server.Host!,
            ["PGPORT"] = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGUSER"] = server.Username!,
            ["PGPASSFILE"] = "/nonexistent/fpdump-test.pgpass",
        };
        if (!string.IsNullOrEmpty(server.Password))
            variables["PGPASSWORD"] = server.Password;
        return variables;
    }

    [Fact]
    public async Task With_PGHOST_and_PGPORT_set_every_partial_connection_string_reaches_the_right_server()
    {
        var database = Db.DatabaseOf(source.ConnectionString);
        var server = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        var variables = ServerVariables(source.ConnectionString);
        // The host given in the string wins over PGHOST (here a name that does not resolve); the port still comes from PGPORT.
        var withHost = new Dictionary<string, string>(variables) { ["PGHOST"] = "fpdump-no-such-host.invalid", ["PGDATABASE"] = database };
        var cases = new (string ConnectionString, Dictionary<string, string> Variables)[]
        {
            ($"Database={database}", variables),
            ("", new Dictionary<string, string>(variables) { ["PGDATABASE"] = database }),
            ($"postgresql:///{database}", variables),
            ($"Host={server.Host}", withHost),
        };
        for (var i = 0; i < cases.Length; i++)
        {
            var archive = Path.Combine(_workDirectory, $"case-{i}");

            var cli = await FpdumpWithEnvironmentAsync(cases[i].Variables, "dump", "-d", cases[i].ConnectionString, "-f", archive, "--quiet");

            cli.ExitCode.Should().Be(0, $"'{cases[i].ConnectionString}' should connect: {cli.Stderr}");
            cli.Stdout.Should().Contain("2 tables, 550 rows", cases[i].ConnectionString);
        }
    }

    [Theory]
    [InlineData("Host=localhost;Password=hunter2;Bogus", null, null)]
    [InlineData("postgresql://db/x?sslmode=sometimes", null, null)]
    [InlineData("Database=x", "PGPORT", "not-a-port")]
    [InlineData("Database=x", "PGSSLMODE", "sometimes")]
    public async Task A_connection_string_that_cannot_be_resolved_exits_2_with_one_line_and_no_stack_trace(string connectionString, string? variable, string? value)
    {
        var variables = ServerVariables(source.ConnectionString);
        if (variable is not null)
            variables[variable] = value!;
        var archive = Path.Combine(_workDirectory, "never");

        var cli = await FpdumpWithEnvironmentAsync(variables, "dump", "-d", connectionString, "-f", archive, "--quiet");

        cli.ExitCode.Should().Be(2, cli.Stderr);
        cli.Stderr.TrimEnd().Split('\n').Should().ContainSingle().Which.Should().StartWith("fpdump: ");
        cli.Stderr.Should().NotContain("   at ").And.NotContain("hunter2").And.NotContain("Unhandled");
        if (variable is not null)
            cli.Stderr.Should().Contain(variable);
        Directory.Exists(archive).Should().BeFalse();
    }

    [Fact]
    public async Task Restoring_with_create_database_makes_the_named_database_and_refuses_an_existing_one_with_one_line()
    {
        var archive = Path.Combine(_workDirectory, "for-create");
        (await ExternalTool.FpdumpAsync("dump", "-d", source.ConnectionString, "-f", archive, "--quiet")).ExitCode.Should().Be(0);
        var name = $"fpdump_cli_copy_{Guid.NewGuid():N}"[..28];
        var maintenance = source.Server.ConnectionString;
        try
        {
            var created = await ExternalTool.FpdumpAsync("restore", "-d", maintenance, "-i", archive, "--create-database", name, "--quiet");

            created.ExitCode.Should().Be(0, created.Stderr);
            (await Db.ScalarAsync<long>(source.Server.GetConnectionString(name), "SELECT count(*) FROM shop.orders")).Should().Be(500);

            var again = await ExternalTool.FpdumpAsync("restore", "-d", maintenance, "-i", archive, "--create-database", name, "--quiet");

            again.ExitCode.Should().Be(1);
            again.Stderr.TrimEnd().Split('\n').Should().ContainSingle().Which.Should().StartWith($"fpdump: error: Database \"{name}\" already exists");
        }
        finally
        {
            await source.Server.DropDatabaseAsync(name);
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    // The library reads PG* variables from the process: these tests set them, so they run alone (xUnit runs such
    // collections after the parallel ones), and put every variable back.
    public const string Name = "Process environment (PG* variables)";
}

/// <summary>The same fallback through the library's public API, with the PG* variables set on this process for the test.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class ConnectionFallbackLibraryTests(SmallDatabase source) : IClassFixture<SmallDatabase>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-fallback-lib-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private static async Task WithEnvironmentAsync(Dictionary<string, string> variables, Func<Task> test)
    {
        var names = new[] { "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE", "PGPASSFILE" };
        var saved = new Dictionary<string, string?>();
        foreach (var name in names)
        {
            saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, variables.TryGetValue(name, out var value) ? value : null);
        }
        try
        {
            await test();
        }
        finally
        {
            foreach (var (name, value) in saved)
                Environment.SetEnvironmentVariable(name, value);
        }
    }

    [Fact]
    public async Task With_PGHOST_and_PGPORT_set_Database_only_empty_uri_and_host_only_strings_dump_the_right_database()
    {
        var database = Db.DatabaseOf(source.ConnectionString);
        var server = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        var variables = ConnectionFallbackCliTests.ServerVariables(source.ConnectionString);
        var cases = new (string ConnectionString, Dictionary<string, string> Variables)[]
        {
            ($"Database={database}", variables),
            ("", new Dictionary<string, string>(variables) { ["PGDATABASE"] = database }),
            ($"postgresql:///{database}", variables),
            ($"Host={server.Host}", new Dictionary<string, string>(variables) { ["PGHOST"] = "fpdump-no-such-host.invalid", ["PGDATABASE"] = database }),
        };
        for (var i = 0; i < cases.Length; i++)
        {
            var archive = Path.Combine(_workDirectory, $"case-{i}");
            DumpResult? dump = null;

            await WithEnvironmentAsync(cases[i].Variables, async () =>
                dump = await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = cases[i].ConnectionString, OutputPath = archive }));

            dump!.TableCount.Should().Be(2, cases[i].ConnectionString);
            dump.RowCount.Should().Be(550, cases[i].ConnectionString);
        }
    }

    [Fact]
    public async Task A_bad_PGPORT_is_a_connection_string_exception_before_anything_is_written()
    {
        var variables = ConnectionFallbackCliTests.ServerVariables(source.ConnectionString);
        variables["PGPORT"] = "not-a-port";
        var archive = Path.Combine(_workDirectory, "never");

        await WithEnvironmentAsync(variables, async () =>
        {
            var act = () => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = "Database=x", OutputPath = archive });

            var error = (await act.Should().ThrowAsync<ConnectionStringException>()).Which;
            error.EnvironmentVariable.Should().Be("PGPORT");
            error.ParamName.Should().Be("ConnectionString");
        });
        Directory.Exists(archive).Should().BeFalse();
    }
}
