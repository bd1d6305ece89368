using System.Globalization;
using System.Text;

namespace FactoryPulse.Dump.Benchmarks.Macro;

/// <summary>
/// <c>--dataset all</c>: the three shapes of issue 16 in one table (a row per shape and phase: fpdump, the peer, their
/// ratio paired by round, the target, whether it is met, peak RSS), then each shape's runs.
/// </summary>
internal sealed record ShapesReport(
    MacroOptions Options,
    IReadOnlyList<ShapeResult> Shapes,
    MachineInfo Machine,
    string ServerDescription,
    FpdumpInfo Fpdump,
    DateTime Started,
    DateTime Finished)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Peak RSS budget of the small application database (issue 16); every other shape has PERF-NOTES' 150 MB.</summary>
    private const double SmallDatabaseRssMb = 50;

    private const double RssBudgetMb = 150;

    /// <summary>Issue 16's targets as fpdump ÷ peer time: big data dump ≥ 5× and restore ≥ 2× faster, many objects ≥ 2× both, small ≤ 0.8×.</summary>
    public static double Target(string shape, MacroPhase phase) => (shape, phase) switch
    {
        // Issue 17: a copy must beat the dump and restore it replaces.
        (_, MacroPhase.Copy) => 1.0,
        ("synthetic", MacroPhase.Dump) => 0.2,
        ("synthetic", MacroPhase.Restore) => 0.5,
        ("many-objects", _) => 0.5,
        _ => 0.8,
    };

    public static double RssBudget(string shape) => shape == "fixture" ? SmallDatabaseRssMb : RssBudgetMb;

    /// <summary>One row of the table: the shape's fpdump run of that phase and its peer (pg_dump -Fc, pg_restore -jN).</summary>
    public sealed record Row(ShapeResult Shape, MacroPhase Phase, MacroTool Fpdump, MacroTool Peer)
    {
        public double? Ratio => Fpdump.PairedRatio(Peer);
        public double Target => ShapesReport.Target(Shape.Dataset.Name, Phase);
        public double RssBudgetMb => RssBudget(Shape.Dataset.Name);
        public bool? Met => Ratio is { } r && Fpdump.MedianPeakRss is { } rss ? r <= Target && rss / 1e6 <= RssBudgetMb : null;
    }

    public IEnumerable<Row> Rows()
    {
        foreach (var shape in Shapes)
        {
            foreach (var (phase, tools) in new[] { (MacroPhase.Dump, shape.DumpTools), (MacroPhase.Restore, shape.RestoreTools), (MacroPhase.Copy, shape.CopyTools) })
            {
                var fpdump = tools.FirstOrDefault(t => t.Kind == ToolKind.Fpdump);
                var peer = tools.FirstOrDefault(t => t.Kind == ToolKind.Peer);
                if (fpdump is not null && peer is not null)
                    yield return new Row(shape, phase, fpdump, peer);
            }
        }
    }

    public string CommandLine
    {
        get
        {
            var args = new List<string> { "macro", "--dataset", "all", "--rows", Options.Rows.ToString(Inv), "--scale", Options.EffectiveScale.ToString(Inv), "--tables", Options.Tables.ToString(Inv) };
            if (Options.ToastRows is { } t)
                args.AddRange(["--toast-rows", t.ToString(Inv)]);
            args.AddRange(["--runs", Options.Runs.ToString(Inv), "--jobs", Options.Jobs.ToString(Inv)]);
            return "dotnet run -c Release --project benchmarks/FactoryPulse.Dump.Benchmarks -- " + string.Join(' ', args);
        }
    }

    public string ToMarkdown(string? chartFileName, string? chartError)
    {
        var md = new StringBuilder();
        md.AppendLine("# Macro benchmark: three shapes — fpdump vs pg_dump / pg_restore");
        md.AppendLine();
        md.AppendLine(Inv, $"{Started:yyyy-MM-dd HH:mm}–{Finished:HH:mm} (local time), `{CommandLine}`");
        md.AppendLine();
        md.AppendLine("| setup | |");
        md.AppendLine("|---|---|");
        md.AppendLine(Inv, $"| machine | {Machine.Cores} cores ({Machine.Cpu}), {Machine.MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB RAM, {Machine.Os} |");
        md.AppendLine(Inv, $"| .NET | {Machine.Runtime} |");
        md.AppendLine(Inv, $"| PostgreSQL | {Machine.ServerVersion}; clients: {Machine.PgDumpVersion}; {ServerDescription} |");
        md.AppendLine(Inv, $"| server settings | {string.Join(", ", MacroBenchmark.ServerSettings.Select(kv => $"`{kv.Key}={kv.Value}`"))}, and the throwaway-server defaults `fsync=off`, `synchronous_commit=off`, `full_page_writes=off` |");
        md.AppendLine(Inv, $"| fpdump | {Fpdump.BuildText}, Release build of commit {Machine.Commit} |");
        foreach (var shape in Shapes)
        {
            var d = shape.Dataset;
            md.AppendLine(Inv, $"| {d.Name} | {d.Description}; `pg_database_size` {MacroBenchmark.Mb(d.DatabaseBytes)}, binary COPY of {d.Tables.Count} tables {MacroBenchmark.Mb(d.AllTablesBinaryBytes)} |");
        }

        md.AppendLine(Inv, $"| method | per shape: one untimed warm-up dump, then {Options.Runs} rounds of dumps and {Options.Runs} of restores; in each round every tool runs once, round-robin, each round starting one tool later; `CHECKPOINT` and `sync` before every run; restores go into a new empty database (the largest table's row count checked); jobs = {Options.Jobs} for fpdump (dump and restore), `pg_dump -Fd` and `pg_restore` |");
        md.AppendLine();

        md.AppendLine("## All shapes");
        md.AppendLine();
        md.AppendLine("| shape | phase | fpdump | median s | peer | median s | fpdump ÷ peer (paired) | target | met? | fpdump peak RSS MB | peer peak RSS MB |");
        md.AppendLine("|---|---|---|--:|---|--:|--:|--:|---|--:|--:|");
        foreach (var row in Rows())
        {
            var met = row.Met switch { true => "yes", false => "**no**", null => "—" };
            md.AppendLine(Inv, $"| {row.Shape.Dataset.Name} | {row.Phase.ToString().ToLowerInvariant()} | {row.Fpdump.Name} | {Seconds(row.Fpdump)} | {row.Peer.Name} | {Seconds(row.Peer)} | {(row.Ratio is { } r ? "**" + r.ToString("0.00", Inv) + "**" : "—")} | ≤ {row.Target.ToString("0.0#", Inv)}, RSS ≤ {row.RssBudgetMb.ToString("0", Inv)} | {met} | {Rss(row.Fpdump)} | {Rss(row.Peer)} |");
        }

        md.AppendLine();
        md.AppendLine("""
            Ratios are fpdump's time divided by the peer's in the same round, median over rounds (below 1: fpdump is faster).
            Targets are issue 16's: big data (`synthetic`) dump ≥ 5× faster (≤ 0.2) and restore ≥ 2× (≤ 0.5); many objects ≥ 2×
            both (≤ 0.5); the small application database (`fixture` without large.sql) ≤ 0.8× pg_dump's time and ≤ 50 MB peak RSS.
            Elsewhere the RSS budget is 150 MB (PERF-NOTES). Copy rows (issue 17): `fpdump copy` against `fpdump dump` + `fpdump restore`
            of the same database into a new one (both timed end to end), target ≤ 1. Peak RSS: the larger of the process's `VmHWM` and the summed `VmRSS` of
            the process and its children, sampled every 20 ms, median over runs. Times are wall clock from process start to exit.
            """);
        md.AppendLine();
        if (chartFileName is not null)
            md.AppendLine(Inv, $"![medians]({chartFileName})").AppendLine();
        else if (chartError is not null)
            md.AppendLine(Inv, $"(No chart: {chartError})").AppendLine();

        foreach (var shape in Shapes)
        {
            md.AppendLine(Inv, $"## {shape.Dataset.Name}: every tool");
            md.AppendLine();
            md.AppendLine("| phase | tool | median s | min–max s | peak RSS MB | archive MB | runs (s) |");
            md.AppendLine("|---|---|--:|--:|--:|--:|---|");
            foreach (var tool in shape.DumpTools.Concat(shape.RestoreTools).Concat(shape.CopyTools))
            {
                var runs = string.Join(", ", tool.Runs.OrderBy(r => r.Round).Select(r => r.Succeeded ? r.Result.Elapsed.TotalSeconds.ToString("0.00", Inv) : "failed: " + Escape(r.Failure ?? "")));
                var range = tool.MinSeconds is { } min && tool.MaxSeconds is { } max ? $"{min.ToString("0.00", Inv)}–{max.ToString("0.00", Inv)}" : "—";
                md.AppendLine(Inv, $"| {tool.Phase.ToString().ToLowerInvariant()} | {tool.Name} | {Seconds(tool)} | {range} | {Rss(tool)} | {(tool.ArchiveBytes is { } a ? (a / 1e6).ToString("0.0", Inv) : "—")} | {runs} |");
            }

            md.AppendLine();
            md.AppendLine("Commands (`C` the source database, `DB` a new empty one, `$ARCHIVES` a temporary folder):");
            md.AppendLine();
            foreach (var tool in shape.DumpTools.Concat(shape.RestoreTools).Concat(shape.CopyTools))
                md.AppendLine(Inv, $"- {tool.Name}: `{tool.CommandText}`");
            md.AppendLine();
        }

        return md.ToString();
    }

    private static string Seconds(MacroTool tool) =>
        tool.MedianSeconds is { } s ? s.ToString("0.00", Inv) + (tool.Runs.Any(r => !r.Succeeded) ? $" ({tool.Runs.Count(r => !r.Succeeded)} failed)" : "")
        : tool.Runs.Count == 0 ? "not run" : "failed";

    private static string Rss(MacroTool tool) => tool.MedianPeakRss is { } r ? (r / 1e6).ToString("0", Inv) : "—";

    private static string Escape(string text)
    {
        var oneLine = text.Replace('\n', ' ').Replace("|", "\\|", StringComparison.Ordinal);
        return oneLine.Length > 200 ? oneLine[..200] + "…" : oneLine;
    }
}
