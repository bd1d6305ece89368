using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// The deployment build of the CLI (README, "Native AOT"): `dotnet publish -r linux-x64` gives one native binary. It is
/// built here the way a user builds it, into a folder of its own (ArtifactsPath, so the repository's obj/ and bin/ that
/// other tests use are not touched), offline: the ILCompiler packages come from the global packages folder that .ci/run
/// fills, and the only source is an empty local folder. Slow (minutes of native compilation): one test does it all.
/// </summary>
public sealed class AotPublishTests(FactoryPulseSource source) : IClassFixture<FactoryPulseSource>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-aot-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    [Fact]
    public async Task The_native_AOT_binary_publishes_without_warnings_and_round_trips_the_fixture()
    {
        var output = Path.Combine(_workDirectory, "publish");
        var noSource = Directory.CreateDirectory(Path.Combine(_workDirectory, "no-source")).FullName;
        var publish = await ExternalTool.RunAsync("dotnet",
        [
            "publish", Path.Combine(RepositoryPaths.Root(), "src/FactoryPulse.Dump.Cli"), "-c", "Release", "-r", "linux-x64",
            "-o", output, "--source", noSource, "--nologo", $"-p:ArtifactsPath={Path.Combine(_workDirectory, "artifacts")}",
        ]);
        publish.ExitCode.Should().Be(0,
            $"the AOT publish needs clang and zlib1g-dev, and the ILCompiler packages in the global packages folder (.ci/run installs both; the tests download nothing):\n{publish.Stdout}{publish.Stderr}");
        // Trim and AOT analysis warnings (ILxxxx) fail the publish already (warnings as errors); say so plainly when one appears.
        publish.Stdout.Should().NotMatchRegex(@"warning IL\d{4}", "Npgsql, System.CommandLine, Spectre.Console and our code publish without trim or AOT warnings");
        var fpdump = Path.Combine(output, "fpdump");
        File.Exists(fpdump).Should().BeTrue("PublishAot gives one native executable");
        File.Exists(Path.Combine(output, "fpdump.dll")).Should().BeFalse("a native binary has no IL assembly next to it");

        var version = await ExternalTool.RunAsync(fpdump, ["--version"]);
        version.ExitCode.Should().Be(0, version.Stderr);
        version.Stdout.Should().MatchRegex(@"^\d+\.\d+\.\d+");

        var archive = Path.Combine(_workDirectory, "archive");
        var dump = await ExternalTool.RunAsync(fpdump, ["dump", "--quiet", "--json", "--connection", source.ConnectionString, "--output", archive]);
        dump.ExitCode.Should().Be(0, dump.Stderr);
        dump.Stdout.Should().Contain("\"tableCount\": 23", "--json goes through the generated serializer context");
        var verify = await ExternalTool.RunAsync(fpdump, ["verify", "--input", archive]);
        verify.ExitCode.Should().Be(0, verify.Stdout + verify.Stderr);

        var target = await source.Server.CreateDatabaseAsync("fp_aot");
        var restore = await ExternalTool.RunAsync(fpdump, ["restore", "--quiet", "--jobs", "2", "--connection", target, "--input", archive]);
        restore.ExitCode.Should().Be(0, restore.Stdout + restore.Stderr);
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }
}
