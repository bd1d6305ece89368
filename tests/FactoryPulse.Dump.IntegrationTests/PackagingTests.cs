using System.IO.Compression;
using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// As a new user would: pack, install the tool from a local folder, ask its version and dump with it. Offline: the pack uses
/// the solution's restore (done before the tests) and the install a generated NuGet.config whose only source is the local
/// folder (plus the global packages folder NuGet always reads), so no package is downloaded while the tests run.
/// </summary>
public sealed class PackagingTests(SmallDatabase source) : IClassFixture<SmallDatabase>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-pack-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private static async Task<string> NuspecAsync(string package)
    {
        using var archive = ZipFile.OpenRead(package);
        using var nuspec = new StreamReader(archive.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        return await nuspec.ReadToEndAsync();
    }

    [Fact]
    public async Task The_packed_tool_installs_from_a_local_folder_and_dumps_a_database()
    {
        var root = RepositoryPaths.Root();
        var packages = Path.Combine(_workDirectory, "packages");
        foreach (var project in new[] { "src/FactoryPulse.Dump", "src/FactoryPulse.Dump.Testing", "src/FactoryPulse.Dump.Testing.Testcontainers",
            "src/FactoryPulse.Dump.Storage.S3", "src/FactoryPulse.Dump.Storage.Azure", "src/FactoryPulse.Dump.Cli" })
        {
            // --no-restore: the project's assets come from the restore before the tests; a missing one fails here, naming it.
            var pack = await ExternalTool.RunAsync("dotnet", ["pack", Path.Combine(root, project), "-c", "Release", "-o", packages, "--nologo", "--no-restore"]);
            pack.ExitCode.Should().Be(0, $"dotnet pack {project} --no-restore needs the solution restored before the tests (dotnet restore FactoryPulse.Dump.sln; the tests download nothing):\n{pack.Stdout}{pack.Stderr}");
        }
        var library = Directory.GetFiles(packages, "FactoryPulse.Dump.0*.nupkg").Single();
        using (var archive = ZipFile.OpenRead(library))
        {
            var names = archive.Entries.Select(entry => entry.FullName).ToList();
            names.Should().Contain("README.md").And.Contain("lib/net10.0/FactoryPulse.Dump.dll").And.Contain("lib/net10.0/FactoryPulse.Dump.xml");
            using var nuspec = new StreamReader(archive.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var text = await nuspec.ReadToEndAsync();
            text.Should().Contain("<license type=\"expression\">MIT</license>").And.Contain("<readme>README.md</readme>").And.Contain("<repository");
        }
        // Untagged builds are pre-releases of the first version, 0.1.0 (MinVerMinimumMajorMinor), not 0.0.0.
        Path.GetFileName(library).Should().MatchRegex(@"^FactoryPulse\.Dump\.0\.[1-9]\d*\.\d+(-alpha\.0\.\d+)?\.nupkg$");

        // The core Testing package (and the CLI that uses it for throwaway servers) never pulls Docker; Testcontainers is its own package.
        var testing = Directory.GetFiles(packages, "FactoryPulse.Dump.Testing.0*.nupkg").Single();
        var testingNuspec = await NuspecAsync(testing);
        var testingDependencies = testingNuspec[testingNuspec.IndexOf("<dependencies>", StringComparison.Ordinal)..testingNuspec.IndexOf("</dependencies>", StringComparison.Ordinal)];
        testingDependencies.Should().Contain("id=\"FactoryPulse.Dump\"").And.Contain("id=\"Npgsql\"");
        testingDependencies.Should().NotContainAny("Testcontainers", "Docker");
        var testcontainers = Directory.GetFiles(packages, "FactoryPulse.Dump.Testing.Testcontainers.0*.nupkg").Single();
        (await NuspecAsync(testcontainers)).Should().Contain("id=\"FactoryPulse.Dump.Testing\"").And.Contain("id=\"Testcontainers.PostgreSql\"");
        // Store SDKs come with their own packages only: the library stays free of them, the CLI carries both.
        var libraryNuspec = await NuspecAsync(library);
        libraryNuspec.Should().NotContainAny("AWSSDK", "Azure.");
        (await NuspecAsync(Directory.GetFiles(packages, "FactoryPulse.Dump.Storage.S3.0*.nupkg").Single()))
            .Should().Contain("id=\"FactoryPulse.Dump\"").And.Contain("id=\"AWSSDK.S3\"").And.Contain("<readme>README.md</readme>");
        (await NuspecAsync(Directory.GetFiles(packages, "FactoryPulse.Dump.Storage.Azure.0*.nupkg").Single()))
            .Should().Contain("id=\"FactoryPulse.Dump\"").And.Contain("id=\"Azure.Storage.Blobs\"").And.Contain("<readme>README.md</readme>");
        using (var tool = ZipFile.OpenRead(Directory.GetFiles(packages, "FactoryPulse.Dump.Cli.0*.nupkg").Single()))
        {
            tool.Entries.Select(entry => entry.Name).Should().Contain("FactoryPulse.Dump.Storage.S3.dll").And.Contain("AWSSDK.S3.dll")
                .And.Contain("FactoryPulse.Dump.Storage.Azure.dll").And.Contain("Azure.Storage.Blobs.dll");
            tool.Entries.Select(entry => entry.Name).Should().Contain("FactoryPulse.Dump.Testing.dll")
                .And.NotContain(name => name.StartsWith("Testcontainers", StringComparison.Ordinal) || name.StartsWith("Docker.DotNet", StringComparison.Ordinal));
        }
        Directory.GetFiles(packages, "*.snupkg").Should().NotBeEmpty("symbols are published with SourceLink");

        var tools = Path.Combine(_workDirectory, "tools");
        // <clear/>: nuget.org and any machine or user source are left out, so the install reads the packed folder only.
        var config = Path.Combine(_workDirectory, "NuGet.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var install = await ExternalTool.RunAsync("dotnet", ["tool", "install", "FactoryPulse.Dump.Cli", "--tool-path", tools, "--configfile", config, "--prerelease"]);
        install.ExitCode.Should().Be(0, $"the tool installs from the local folder {packages} alone (no network source is configured):\n{install.Stdout}{install.Stderr}");
        var fpdump = Path.Combine(tools, OperatingSystem.IsWindows() ? "fpdump.exe" : "fpdump");

        var version = await ExternalTool.RunAsync(fpdump, ["--version"]);
        version.ExitCode.Should().Be(0);
        version.Stdout.Should().MatchRegex(@"^\d+\.\d+\.\d+");
        var dump = await ExternalTool.RunAsync(fpdump, ["dump", "--connection", source.ConnectionString, "--output", Path.Combine(_workDirectory, "archive")]);
        dump.ExitCode.Should().Be(0, dump.Stderr);
        // Judged by the oracle, not by the library's own verifier: restored, the archive gives the source back.
        var target = await source.Server.CreateDatabaseAsync("packaged");
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = Path.Combine(_workDirectory, "archive") });
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }
}
