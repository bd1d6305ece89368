using System.IO.Compression;
using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>As a new user would: pack, install the tool from a local folder, ask its version and dump with it.</summary>
public sealed class PackagingTests(SmallDatabase source) : IClassFixture<SmallDatabase>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-pack-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FactoryPulse.Dump.sln")))
                return directory.FullName;
        }
        throw new DirectoryNotFoundException("FactoryPulse.Dump.sln not found above the test assembly.");
    }

    private static async Task<string> NuspecAsync(string package)
    {
        using var archive = ZipFile.OpenRead(package);
        using var nuspec = new StreamReader(archive.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        return await nuspec.ReadToEndAsync();
    }

    [Fact]
    public async Task The_packed_tool_installs_from_a_local_folder_and_dumps_a_database()
    {
        var root = RepositoryRoot();
        var packages = Path.Combine(_workDirectory, "packages");
        foreach (var project in new[] { "src/FactoryPulse.Dump", "src/FactoryPulse.Dump.Testing", "src/FactoryPulse.Dump.Testing.Testcontainers", "src/FactoryPulse.Dump.Cli" })
        {
            var pack = await ExternalTool.RunAsync("dotnet", ["pack", Path.Combine(root, project), "-c", "Release", "-o", packages, "--nologo"]);
            pack.ExitCode.Should().Be(0, pack.Stdout + pack.Stderr);
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
        using (var tool = ZipFile.OpenRead(Directory.GetFiles(packages, "FactoryPulse.Dump.Cli.0*.nupkg").Single()))
        {
            tool.Entries.Select(entry => entry.Name).Should().Contain("FactoryPulse.Dump.Testing.dll")
                .And.NotContain(name => name.StartsWith("Testcontainers", StringComparison.Ordinal) || name.StartsWith("Docker.DotNet", StringComparison.Ordinal));
        }
        Directory.GetFiles(packages, "*.snupkg").Should().NotBeEmpty("symbols are published with SourceLink");

        var tools = Path.Combine(_workDirectory, "tools");
        var install = await ExternalTool.RunAsync("dotnet", ["tool", "install", "FactoryPulse.Dump.Cli", "--tool-path", tools, "--add-source", packages, "--prerelease"]);
        install.ExitCode.Should().Be(0, install.Stdout + install.Stderr);
        var fpdump = Path.Combine(tools, OperatingSystem.IsWindows() ? "fpdump.exe" : "fpdump");

        var version = await ExternalTool.RunAsync(fpdump, ["--version"]);
        version.ExitCode.Should().Be(0);
        version.Stdout.Should().MatchRegex(@"^\d+\.\d+\.\d+");
        var dump = await ExternalTool.RunAsync(fpdump, ["dump", "--connection", source.ConnectionString, "--output", Path.Combine(_workDirectory, "archive")]);
        dump.ExitCode.Should().Be(0, dump.Stderr);
        (await ArchiveVerifier.VerifyAsync(Path.Combine(_workDirectory, "archive"))).Passed.Should().BeTrue();
    }
}
