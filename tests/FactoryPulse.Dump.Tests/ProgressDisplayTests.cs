using FactoryPulse.Dump.Cli;
using Spectre.Console.Testing;

namespace FactoryPulse.Dump.Tests;

public sealed class ProgressDisplayTests
{
    [Fact]
    public async Task The_live_display_shows_the_current_table_rows_and_the_share_done()
    {
        var console = new TestConsole().Interactive();
        console.Profile.Width = 160;

        var result = await ProgressDisplay.RunAsync(console, live: true, verboseLines: false, "dump", async progress =>
        {
            progress!.Report(new DumpProgress { Phase = OperationPhase.Data, CurrentObject = "public.users", TablesDone = 3, TablesTotal = 18, RowsDone = 1200, BytesDone = 4 * 1048576, EstimatedRows = 5000, EstimatedBytes = 8 * 1048576 });
            await Task.Yield();
            progress.Report(new DumpProgress { Phase = OperationPhase.Data, CurrentObject = "public.projects", TablesDone = 17, TablesTotal = 18, RowsDone = 4900, BytesDone = 8 * 1048576, EstimatedRows = 5000, EstimatedBytes = 8 * 1048576 });
            return 42;
        });

        result.Should().Be(42);
        console.Output.Should().Contain("public.projects").And.Contain("17/18 tables").And.Contain("4,900 rows").And.Contain("100%");
    }

    [Fact]
    public async Task Without_a_terminal_the_operation_runs_without_a_display()
    {
        var console = new TestConsole();

        var result = await ProgressDisplay.RunAsync(console, live: false, verboseLines: false, "restore", progress =>
        {
            progress.Should().BeNull("quiet, JSON and redirected runs get no progress sink");
            return Task.FromResult("done");
        });

        result.Should().Be("done");
        console.Output.Should().BeEmpty();
    }
}
