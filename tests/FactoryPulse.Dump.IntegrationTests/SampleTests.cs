using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>The README's first command runs the sample with no arguments; it must keep working.</summary>
public sealed class SampleTests
{
    [Fact]
    public async Task The_sample_backs_up_and_restores_its_demo_database_on_a_throwaway_server()
    {
        var sample = Path.Combine(AppContext.BaseDirectory, "FactoryPulse.Dump.Sample.dll");

        var result = await ExternalTool.RunAsync("dotnet", [sample]);

        result.ExitCode.Should().Be(0, result.Stdout + result.Stderr);
        result.Stdout.Should().Contain("OK");
        result.Stdout.Should().NotContain("MISMATCH");
    }
}
