using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// The commands that read an archive take it as pg_restore does, as the last argument, or with -i/--input; a missing
/// or doubled archive is a usage error (exit 2, one line), never a stack trace.
/// </summary>
public sealed class CliArchiveArgumentTests
{
    private static readonly string Archive = ArchiveCompatibilityTests.FixturePath("archive");

    [Fact]
    public async Task List_prints_the_same_table_of_contents_for_a_positional_archive_as_for_input()
    {
        var named = await ExternalTool.FpdumpAsync("list", "--input", Archive);
        var positional = await ExternalTool.FpdumpAsync("list", Archive);
        var both = await ExternalTool.FpdumpAsync("list", "-i", Archive, Archive);

        named.ExitCode.Should().Be(0, named.Stderr);
        positional.ExitCode.Should().Be(0, positional.Stderr);
        both.ExitCode.Should().Be(0, both.Stderr);
        positional.Stdout.Should().Be(named.Stdout).And.Contain("TOC Entries: 50");
        both.Stdout.Should().Be(named.Stdout);
    }

    [Theory]
    [InlineData("restore")]
    [InlineData("verify")]
    [InlineData("summary")]
    [InlineData("list")]
    public async Task Each_archive_command_reads_a_positional_archive(string command)
    {
        // A missing directory named positionally reaches the library's own refusal (exit 1; verify's failed check is 3),
        // not the parser's (exit 2).
        var missing = Path.Combine(Path.GetTempPath(), "fpdump-no-archive-" + Guid.NewGuid().ToString("N"));
        string[] arguments = command == "restore" ? [command, missing, "-d", "Host=127.0.0.1;Port=1;Database=x"] : [command, missing];

        var result = await ExternalTool.FpdumpAsync(arguments);

        result.ExitCode.Should().Be(command == "verify" ? 3 : 1, result.Stderr);
        result.Stderr.Should().Contain($"No archive at '{missing}'");
    }

    [Theory]
    [InlineData("restore")]
    [InlineData("verify")]
    [InlineData("summary")]
    [InlineData("list")]
    public async Task No_archive_or_two_different_archives_is_a_usage_error(string command)
    {
        var none = await ExternalTool.FpdumpAsync(command);
        var two = await ExternalTool.FpdumpAsync(command, "-i", "/tmp/a", "/tmp/b");

        none.ExitCode.Should().Be(2);
        none.Stderr.Should().StartWith("fpdump: an archive is needed: give it as the last argument or with -i/--input");
        two.ExitCode.Should().Be(2);
        two.Stderr.Should().StartWith("fpdump: two archives given: -i /tmp/a and /tmp/b");
    }
}
