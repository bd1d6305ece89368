namespace FactoryPulse.Dump.Benchmarks.Macro;

internal enum MacroPhase
{
    Dump,
    Restore,

    /// <summary>Database to database: fpdump copy against fpdump dump followed by fpdump restore.</summary>
    Copy,
}

internal enum ToolKind
{
    Fpdump,
    Peer,
    Raw,

    /// <summary>fpdump dumping only the largest table: compared with the raw COPY of that table, not with whole-database peers.</summary>
    FpdumpLargestTable,

    /// <summary>A schema-only dump: the fixed cost (start-up, catalog queries, DDL) without the data; not a peer in the ratios.</summary>
    Overhead,
}

/// <summary>One timed run of a tool: its process result, or why it did not count.</summary>
internal sealed record ToolRun(int Round, ProcessResult Result, string? Failure, long? ArchiveBytes)
{
    public bool Succeeded => Failure is null;
}

/// <summary>
/// A contender: <see cref="PrepareAsync"/> sets up (removes the old archive, creates the empty target) untimed and returns the
/// command; <see cref="FinishAsync"/> checks and cleans up untimed and returns a failure message or null, and the archive size.
/// </summary>
internal sealed class MacroTool
{
    public required string Name { get; init; }
    public required MacroPhase Phase { get; init; }
    public required ToolKind Kind { get; init; }

    /// <summary>Bytes of binary COPY data this tool moves (all tables, or the one table for the raw COPY peer), for MB/s.</summary>
    public required long DataBytes { get; init; }

    public required Func<Task<ProcessSpec>> PrepareAsync { get; init; }
    public required Func<ProcessResult, Task<(string? Failure, long? ArchiveBytes)>> FinishAsync { get; init; }

    /// <summary>Command line of the last run, with the connection shown as C and paths as given, for the report.</summary>
    public string? CommandText { get; set; }

    public List<ToolRun> Runs { get; } = [];

    public IEnumerable<ToolRun> Good => Runs.Where(r => r.Succeeded);

    public double? MedianSeconds => Stats.Median(Good.Select(r => r.Result.Elapsed.TotalSeconds));
    public double? MinSeconds => Good.Any() ? Good.Min(r => r.Result.Elapsed.TotalSeconds) : null;
    public double? MaxSeconds => Good.Any() ? Good.Max(r => r.Result.Elapsed.TotalSeconds) : null;
    public double? MedianPeakRss => Stats.Median(Good.Select(r => (double)r.Result.PeakRssBytes));
    public long? ArchiveBytes => Good.LastOrDefault(r => r.ArchiveBytes is not null)?.ArchiveBytes;

    /// <summary>Median over rounds of this tool's time ÷ <paramref name="peer"/>'s time in the same round.</summary>
    public double? PairedRatio(MacroTool peer)
    {
        var ratios = new List<double>();
        foreach (var run in Good)
        {
            var other = peer.Good.FirstOrDefault(r => r.Round == run.Round);
            if (other is not null && other.Result.Elapsed > TimeSpan.Zero)
                ratios.Add(run.Result.Elapsed.TotalSeconds / other.Result.Elapsed.TotalSeconds);
        }

        return Stats.Median(ratios);
    }
}

internal static class Stats
{
    public static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
            return null;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
