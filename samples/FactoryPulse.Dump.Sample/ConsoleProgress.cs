namespace FactoryPulse.Dump.Sample;

/// <summary>Prints one short line whenever a dump or restore enters a new phase.</summary>
/// <remarks>
/// Implements <see cref="IProgress{T}"/> directly rather than using <see cref="Progress{T}"/>: the library calls
/// <see cref="Report"/> on its own thread, and printing right there keeps the lines in order.
/// </remarks>
internal sealed class ConsoleProgress(string label, bool restoring = false) : IProgress<DumpProgress>
{
    private readonly Lock gate = new();
    private OperationPhase? lastPhase;

    public void Report(DumpProgress value)
    {
        lock (gate)
        {
            if (value.Phase == lastPhase)
                return;

            var finishedData = lastPhase == OperationPhase.Data;
            lastPhase = value.Phase;
            var line = $"  {label}: {Describe(value)}";
            if (finishedData)
                line += $" ({value.TablesDone}/{value.TablesTotal} tables, {value.RowsDone} rows, {Size.Format(value.BytesDone)} copied)";
            Console.WriteLine(line);
        }
    }

    private string Describe(DumpProgress value) => value.Phase switch
    {
        OperationPhase.Connecting => "connecting",
        OperationPhase.ReadingCatalog => restoring ? "reading the archive manifest" : "reading the catalog",
        OperationPhase.PreData => "schemas, types, tables and functions",
        OperationPhase.Data => $"table data ({value.TablesTotal} tables)",
        OperationPhase.PostData => "indexes, constraints, triggers and policies",
        OperationPhase.Finishing => "privileges",
        OperationPhase.Completed => "done",
        _ => value.Phase.ToString(),
    };
}

/// <summary>Human-readable byte counts.</summary>
internal static class Size
{
    public static string Format(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes / (1024.0 * 1024.0):0.0} MiB",
    };
}
