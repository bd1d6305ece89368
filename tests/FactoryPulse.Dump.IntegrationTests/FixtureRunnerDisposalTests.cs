using System.Text;
using System.Text.RegularExpressions;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// <see cref="XunitV2FixtureDisposalTests"/> for the other runners: a generated xunit v3, NUnit or MSTest project with two
/// <c>SnapshotDatabase</c> fixtures (template and in-place), held the way each framework holds shared state, runs under the
/// real runner (<c>dotnet test</c>) against a server this run started; afterwards nothing it created may be left there. A
/// control fixture that is never disposed does leave its database, so the check does see leftovers.
/// </summary>
/// <remarks>
/// Offline: each project takes its packages from FixtureRunners/*.props, which .ci/run restores into the package cache before
/// the tests; the generated NuGet.config's only source is that cache. The FactoryPulse assemblies are referenced from beside
/// this test, so the repository's obj folders are not touched.
/// </remarks>
public sealed class FixtureRunnerDisposalTests : IDisposable
{
    private readonly DirectoryInfo _project = Directory.CreateTempSubdirectory("fpdump-runner-");

    public void Dispose() => _project.Delete(recursive: true);

    [Fact]
    public Task Snapshot_fixtures_as_xunit_v3_class_fixtures_leave_no_database_schema_or_trigger_behind() => RunAsync("xunit.v3.props", XunitV3Tests);

    [Fact]
    public Task Snapshot_fixtures_in_NUnit_fixture_fields_torn_down_once_leave_no_database_schema_or_trigger_behind() => RunAsync("nunit.props", NUnitTests);

    [Fact]
    public Task Snapshot_fixtures_in_MSTest_static_fields_cleaned_up_per_class_leave_no_database_schema_or_trigger_behind() => RunAsync("mstest.props", MSTestTests);

    private async Task RunAsync(string packages, string tests)
    {
        var server = await SharedPostgresServer.GetAsync();
        var prefix = "runner_" + Guid.NewGuid().ToString("N")[..8];
        WriteProject(packages, Shops.Replace("PREFIX", prefix, StringComparison.Ordinal), tests);

        var run = await ExternalTool.RunAsync(
            "dotnet",
            ["test", Path.Combine(_project.FullName, "FixtureProbe.csproj"), "-c", "Release", "--nologo", "--logger", "console;verbosity=normal"],
            new Dictionary<string, string>
            {
                ["FPDUMP_TEST_CONNECTION"] = server.ConnectionString,
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_NOLOGO"] = "1",
                ["NUGET_PACKAGES"] = GlobalPackagesFolder(),
            });

        var output = run.Stdout + run.Stderr;
        output.Should().NotContain("NU1101", $"the packages of {packages} are in the package cache: .ci/run restores them before the tests");
        run.ExitCode.Should().Be(0, output);
        Regex.IsMatch(output, @"Passed:\s+4\b").Should().BeTrue("all four generated tests ran:\n" + output);

        // The fixtures made a template database, an in-place working database (schema fpdump_snapshot and its change-tracking
        // triggers) and clones; all carry the prefix. Databases gone means their schemas and triggers are gone too.
        var leaked = await DatabasesAsync(server.ConnectionString, prefix + "_leak");
        try
        {
            leaked.Should().NotBeEmpty("the control fixture is never disposed, so the check does see leftovers");
            (await DatabasesAsync(server.ConnectionString, prefix)).Except(leaked).Should().BeEmpty("the SnapshotDatabase fixtures were disposed under the real runner");
        }
        finally
        {
            foreach (var database in leaked)
                await ExecuteAsync(server.ConnectionString, $"ALTER DATABASE \"{database}\" IS_TEMPLATE false", $"DROP DATABASE \"{database}\" WITH (FORCE)");
        }
    }

    private static string GlobalPackagesFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>tests/FactoryPulse.Dump.IntegrationTests/FixtureRunners in the repository this test was built from.</summary>
    private static string PackagesFile(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "FactoryPulse.Dump.IntegrationTests", "FixtureRunners", name);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"FixtureRunners/{name} not found above the test assembly.", name);
    }

    private void WriteProject(string packages, string shops, string tests)
    {
        var root = _project.FullName;
        // Stop MSBuild from looking further up for props, and restore only from the local package cache.
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(root, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(root, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="global-packages-cache" value="{GlobalPackagesFolder()}" />
              </packageSources>
            </configuration>
            """);

        var references = new StringBuilder();
        foreach (var assembly in new[] { "FactoryPulse.Dump.Testing", "FactoryPulse.Dump", "Npgsql", "ZstdSharp", "System.IO.Hashing", "Microsoft.Extensions.Logging.Abstractions" })
        {
            var path = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
            if (File.Exists(path))
                references.Append($"""    <Reference Include="{assembly}" HintPath="{path}" />""").Append('\n');
        }
        File.WriteAllText(Path.Combine(root, "FixtureProbe.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <IsPackable>false</IsPackable>
              </PropertyGroup>
              <Import Project="{PackagesFile(packages)}" />
              <ItemGroup>
            {references}  </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(root, "Shops.cs"), shops);
        File.WriteAllText(Path.Combine(root, "FixtureTests.cs"), tests);
    }

    /// <summary>The fixtures, framework-free: a template shop, an in-place shop and the never-disposed control.</summary>
    private const string Shops = """
        using FactoryPulse.Dump.Testing;
        using FactoryPulse.Dump.Testing.Snapshots;
        using Npgsql;

        public abstract class ShopDatabase(SnapshotStrategy strategy, string prefix) : SnapshotDatabase(strategy)
        {
            protected override string DatabaseNamePrefix => prefix;

            protected override async Task SeedAsync(string connectionString, CancellationToken cancellationToken)
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand(
                    "CREATE TABLE product (id int PRIMARY KEY, name text NOT NULL); INSERT INTO product VALUES (1, 'bolt'), (2, 'nut');", connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            public async Task<TestDatabase> CheckedAsync()
            {
                var database = await GetDatabaseAsync();
                if (Server.Kind != PostgresServerKind.Environment || !database.DatabaseName.StartsWith(prefix + "_", StringComparison.Ordinal))
                    throw new InvalidOperationException($"not the server and names the run gave: {Server.Kind} {database.DatabaseName}");
                return database;
            }
        }

        public sealed class TemplateShop() : ShopDatabase(SnapshotStrategy.Template, "PREFIX");

        public sealed class InPlaceShop() : ShopDatabase(SnapshotStrategy.InPlace, "PREFIX");

        // In-place, as the issue's report: its working database is not one the server's process-exit cleanup knows about.
        public sealed class LeakyShop() : ShopDatabase(SnapshotStrategy.InPlace, "PREFIX_leak");

        internal static class Scalar
        {
            public static async Task<long> CountAsync(string connectionString, string sql = "SELECT count(*) FROM product")
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                return (long)(await command.ExecuteScalarAsync())!;
            }

            public static async Task ExecuteAsync(string connectionString, string sql)
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        """;

    private const string TrackingSchemaCount = "SELECT count(*) FROM pg_namespace WHERE nspname = 'fpdump_snapshot'";

    /// <summary>xunit v3 disposes class fixtures through IAsyncDisposable.</summary>
    private const string XunitV3Tests = $$"""
        using Xunit;

        // The control: a fixture that holds a shop and never disposes it.
        public sealed class NeverDisposed
        {
            public LeakyShop Shop { get; } = new();
        }

        public sealed class TemplateTests(TemplateShop shop) : IClassFixture<TemplateShop>
        {
            [Fact]
            public async Task A_clone_holds_the_seed()
            {
                // Not disposed on purpose: the fixture must drop clones its tests forgot.
                var database = await shop.CheckedAsync();
                Assert.Equal(2L, await Scalar.CountAsync(database.ConnectionString));
            }
        }

        public sealed class InPlaceTests(InPlaceShop shop) : IClassFixture<InPlaceShop>
        {
            [Fact]
            public async Task Deleting_is_undone_by_the_next_reset()
            {
                var database = await shop.CheckedAsync();
                await Scalar.ExecuteAsync(database.ConnectionString, "DELETE FROM product");
            }

            [Fact]
            public async Task The_working_database_holds_the_seed_and_the_tracking_schema()
            {
                var database = await shop.CheckedAsync();
                Assert.Equal(2L, await Scalar.CountAsync(database.ConnectionString));
                Assert.Equal(1L, await Scalar.CountAsync(database.ConnectionString, "{{TrackingSchemaCount}}"));
            }
        }

        public sealed class ControlTests(NeverDisposed fixture) : IClassFixture<NeverDisposed>
        {
            [Fact]
            public async Task The_control_has_a_working_database()
            {
                var database = await fixture.Shop.CheckedAsync();
                Assert.Equal(1L, await Scalar.CountAsync(database.ConnectionString, "{{TrackingSchemaCount}}"));
            }
        }
        """;

    /// <summary>NUnit: one fixture instance per class; the shop is a field, disposed in [OneTimeTearDown].</summary>
    private const string NUnitTests = $$"""
        using NUnit.Framework;

        [TestFixture]
        public sealed class TemplateTests
        {
            private readonly TemplateShop shop = new();

            [OneTimeTearDown]
            public async Task DisposeShop() => await shop.DisposeAsync();

            [Test]
            public async Task A_clone_holds_the_seed()
            {
                var database = await shop.CheckedAsync();
                Assert.That(await Scalar.CountAsync(database.ConnectionString), Is.EqualTo(2L));
            }
        }

        [TestFixture]
        public sealed class InPlaceTests
        {
            private readonly InPlaceShop shop = new();

            [OneTimeTearDown]
            public async Task DisposeShop() => await shop.DisposeAsync();

            [Test, Order(1)]
            public async Task Deleting_is_undone_by_the_next_reset()
            {
                var database = await shop.CheckedAsync();
                await Scalar.ExecuteAsync(database.ConnectionString, "DELETE FROM product");
            }

            [Test, Order(2)]
            public async Task The_working_database_holds_the_seed_and_the_tracking_schema()
            {
                var database = await shop.CheckedAsync();
                Assert.That(await Scalar.CountAsync(database.ConnectionString), Is.EqualTo(2L));
                Assert.That(await Scalar.CountAsync(database.ConnectionString, "{{TrackingSchemaCount}}"), Is.EqualTo(1L));
            }
        }

        [TestFixture]
        public sealed class ControlTests
        {
            // The control: never torn down.
            private readonly LeakyShop shop = new();

            [Test]
            public async Task The_control_has_a_working_database()
            {
                var database = await shop.CheckedAsync();
                Assert.That(await Scalar.CountAsync(database.ConnectionString, "{{TrackingSchemaCount}}"), Is.EqualTo(1L));
            }
        }
        """;

    /// <summary>MSTest: a new instance per test, so the shop is a static field, disposed in [ClassCleanup].</summary>
    private const string MSTestTests = $$"""
        using Microsoft.VisualStudio.TestTools.UnitTesting;

        [TestClass]
        public sealed class TemplateTests
        {
            private static readonly TemplateShop Shop = new();

            [ClassCleanup]
            public static async Task DisposeShop() => await Shop.DisposeAsync();

            [TestMethod]
            public async Task A_clone_holds_the_seed()
            {
                var database = await Shop.CheckedAsync();
                Assert.AreEqual(2L, await Scalar.CountAsync(database.ConnectionString));
            }
        }

        [TestClass]
        public sealed class InPlaceTests
        {
            private static readonly InPlaceShop Shop = new();

            [ClassCleanup]
            public static async Task DisposeShop() => await Shop.DisposeAsync();

            [TestMethod]
            public async Task Deleting_is_undone_by_the_next_reset()
            {
                var database = await Shop.CheckedAsync();
                await Scalar.ExecuteAsync(database.ConnectionString, "DELETE FROM product");
            }

            [TestMethod]
            public async Task The_working_database_holds_the_seed_and_the_tracking_schema()
            {
                var database = await Shop.CheckedAsync();
                Assert.AreEqual(2L, await Scalar.CountAsync(database.ConnectionString));
                Assert.AreEqual(1L, await Scalar.CountAsync(database.ConnectionString, "{{TrackingSchemaCount}}"));
            }
        }

        [TestClass]
        public sealed class ControlTests
        {
            // The control: never cleaned up.
            private static readonly LeakyShop Shop = new();

            [TestMethod]
            public async Task The_control_has_a_working_database()
            {
                var database = await Shop.CheckedAsync();
                Assert.AreEqual(1L, await Scalar.CountAsync(database.ConnectionString, "{{TrackingSchemaCount}}"));
            }
        }
        """;

    private static async Task<List<string>> DatabasesAsync(string connectionString, string prefix)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = prefix + "_" });
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>One command per statement: DROP DATABASE cannot run inside the implicit transaction of a multi-statement command.</summary>
    private static async Task ExecuteAsync(string connectionString, params string[] statements)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
