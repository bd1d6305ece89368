using System.Globalization;
using Spectre.Console;

namespace FactoryPulse.Dump.Cli;

/// <summary>
/// Live progress for dump and restore: a bar over bytes (estimated from pg_class when dumping) or tables, the current
/// table with its row count, and an ETA. Falls back to plain lines on stderr when output is redirected, and to nothing
/// with --quiet or --json. Colours follow NO_COLOR (Spectre.Console honours it).
/// </summary>
internal static class ProgressDisplay
{
    public static async Task<T> RunAsync<T>(IAnsiConsole console, bool live, bool verboseLines, string title, Func<IProgress<DumpProgress>?, Task<T>> operation)
    {
        if (!live)
            return await operation(verboseLines ? new LineReporter() : null);
        T result = default!;
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: 1);
                result = await operation(new BarReporter(task, title));
                task.Value = task.MaxValue;
                task.StopTask();
            });
        return result;
    }

    /// <summary>Whether a live display fits: an interactive terminal on stderr and stdout.</summary>
    public static bool CanShowLive => !Console.IsErrorRedirected && !Console.IsOutputRedirected;

    internal sealed class BarReporter(ProgressTask task, string title) : IProgress<DumpProgress>
    {
        public void Report(DumpProgress value)
        {
            // Bytes when the total is known (the dump's estimate), else tables.
            if (value.EstimatedBytes > 0)
            {
                task.MaxValue = Math.Max(value.EstimatedBytes, value.BytesDone + 1);
                task.Value = value.BytesDone;
            }
            else if (value.TablesTotal > 0)
            {
                task.MaxValue = value.TablesTotal;
                task.Value = value.TablesDone;
            }
            var where = value.CurrentObject is null ? value.Phase.ToString() : value.CurrentObject;
            task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{title}: {where} — {value.TablesDone}/{value.TablesTotal} tables, {value.RowsDone:N0} rows, {value.BytesDone / 1048576.0:0.0} MiB"));
        }
    }

    /// <summary>One line per phase and per table on stderr, for logs and pipes.</summary>
    private sealed class LineReporter : IProgress<DumpProgress>
    {
        private OperationPhase _lastPhase = OperationPhase.Connecting;

        public void Report(DumpProgress value)
        {
            if (value.Phase != _lastPhase)
            {
                _lastPhase = value.Phase;
                if (value.Phase != OperationPhase.Completed)
                    Console.Error.WriteLine($"fpdump: {value.Phase}");
            }
            if (value.Phase == OperationPhase.Data && value.CurrentObject is not null)
                Console.Error.WriteLine($"fpdump:   [{value.TablesDone + 1}/{value.TablesTotal}] {value.CurrentObject}");
        }
    }
}
