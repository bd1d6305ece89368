using System.Globalization;
using System.Text;

namespace FactoryPulse.Dump.Benchmarks.Macro;

/// <summary>The results of one macro run, as Markdown.</summary>
internal sealed record MacroReport(
    MacroOptions Options,
    Dataset Dataset,
    MachineInfo Machine,
    string ServerDescription,
    FpdumpInfo Fpdump,
    IReadOnlyList<MacroTool> DumpTools,
    IReadOnlyList<MacroTool> RestoreTools,
    IReadOnlyList<MacroTool> CopyTools,
    DateTime Started,
    DateTime Finished)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public MacroTool? RawTool => DumpTools.FirstOrDefault(t => t.Kind == ToolKind.Raw);

    public string CommandLine
    {
        get
        {
            var args = new List<string> { "macro", "--dataset", Dataset.Name };
            if (Dataset.Name == "fixture")
            {
                args.AddRange(["--scale", Options.EffectiveScale.ToString(Inv)]);
            }
            else
            {
                args.AddRange(["--rows", Options.Rows.ToString(Inv)]);
                if (Options.ToastRows is { } t)
                    args.AddRange(["--toast-rows", t.ToString(Inv)]);
            }

            args.AddRange(["--runs", Options.Runs.ToString(Inv), "--jobs", Options.Jobs.ToString(Inv)]);
            if (Options.NoRestore)
                args.Add("--no-restore");
            return "dotnet run -c Release --project benchmarks/FactoryPulse.Dump.Benchmarks -- " + string.Join(' ', args);
        }
    }

    public string ToMarkdown(string? chartFileName, string? chartError)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv, $"# Macro benchmark: fpdump vs pg_dump / pg_restore — {Dataset.Name}");
        md.AppendLine();
        md.AppendLine(Inv, $"{Started:yyyy-MM-dd HH:mm}–{Finished:HH:mm} (local time), `{CommandLine}`");
        md.AppendLine();
        md.AppendLine("| setup | |");
        md.AppendLine("|---|---|");
        md.AppendLine(Inv, $"| machine | {Machine.Cores} cores ({Machine.Cpu}), {Machine.MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB RAM, {Machine.Os} |");
        md.AppendLine(Inv, $"| .NET | {Machine.Runtime} |");
        md.AppendLine(Inv, $"| PostgreSQL | {Machine.ServerVersion}; clients: {Machine.PgDumpVersion}; {ServerDescription} |");
        md.AppendLine(Inv, $"| server settings | {string.Join(", ", MacroBenchmark.ServerSettings.Select(kv => $"`{kv.Key}={kv.Value}`"))}, and the throwaway-server defaults `fsync=off`, `synchronous_commit=off`, `full_page_writes=off` (the same for every tool) |");
        md.AppendLine(Inv, $"| fpdump | {Fpdump.BuildText}, Release build of commit {Machine.Commit}; flags in its help: dump `--jobs` {YesNo(Fpdump.DumpJobs)}, `--compress` {(Fpdump.Compress ? "yes (default " + (Fpdump.CompressDefault ?? "not shown") + ")" : "no")}, restore `--jobs` {YesNo(Fpdump.RestoreJobs)} |");
        md.AppendLine(Inv, $"| dataset | {Dataset.Description} |");
        md.AppendLine(Inv, $"| dataset size | `pg_database_size` {Mb(Dataset.DatabaseBytes)}; binary COPY of all {Dataset.Tables.Count} tables {Mb(Dataset.AllTablesBinaryBytes)}; largest table `{Dataset.LargestTable}` {Dataset.LargestTableRows:N0} rows, {Mb(Dataset.LargestTableBinaryBytes)} as binary COPY; loaded in {Dataset.LoadTime.TotalSeconds:0} s |");
        md.AppendLine(Inv, $"| method | {Options.Runs} timed rounds per phase after one untimed warm-up dump; in each round every tool runs once, round-robin, each round starting one tool later; `CHECKPOINT` and `sync` before every run; restores go into a new empty database (dropped afterwards, the largest table's row count checked); jobs = {Options.Jobs} |");
        md.AppendLine();

        md.AppendLine("## Dump");
        md.AppendLine();
        var raw = RawTool;
        md.AppendLine("| tool | median s | min–max s | MB/s | × raw | peak RSS MB | archive MB |");
        md.AppendLine("|---|--:|--:|--:|--:|--:|--:|");
        foreach (var tool in DumpTools)
        {
            var xRaw = tool.Kind == ToolKind.Overhead ? "—" : tool.MedianSeconds is { } s && raw?.MedianSeconds is { } r && r > 0 ? (s / r).ToString("0.00", Inv) : "—";
            md.AppendLine(Inv, $"| {Name(tool)} | {Seconds(tool)} | {Range(tool)} | {Throughput(tool)} | {xRaw} | {Rss(tool)} | {(tool.ArchiveBytes is { } a ? (a / 1e6).ToString("0.0", Inv) : "—")} |");
        }

        md.AppendLine();
        AppendRatios(md, DumpTools, "dump");

        if (RestoreTools.Count > 0)
        {
            md.AppendLine("## Restore (into a new, empty database)");
            md.AppendLine();
            md.AppendLine("| tool | median s | min–max s | MB/s | peak RSS MB |");
            md.AppendLine("|---|--:|--:|--:|--:|");
            foreach (var tool in RestoreTools)
                md.AppendLine(Inv, $"| {Name(tool)} | {Seconds(tool)} | {Range(tool)} | {Throughput(tool)} | {Rss(tool)} |");
            md.AppendLine();
            AppendRatios(md, RestoreTools, "restore");
        }

        if (CopyTools.Count > 0)
        {
            md.AppendLine("## Copy (database to database, into a new, empty database)");
            md.AppendLine();
            md.AppendLine("| tool | median s | min–max s | MB/s | peak RSS MB |");
            md.AppendLine("|---|--:|--:|--:|--:|");
            foreach (var tool in CopyTools)
                md.AppendLine(Inv, $"| {Name(tool)} | {Seconds(tool)} | {Range(tool)} | {Throughput(tool)} | {Rss(tool)} |");
            md.AppendLine();
            AppendRatios(md, CopyTools, "copy");
        }

        if (chartFileName is not null)
        {
            md.AppendLine(Inv, $"![medians]({chartFileName})");
            md.AppendLine();
        }
        else if (chartError is not null)
        {
            md.AppendLine(Inv, $"(No chart: {chartError})");
            md.AppendLine();
        }

        md.AppendLine("""
            Columns: **median s** is the median wall time of the timed runs (process start to exit, so it includes fpdump's
            .NET start-up of about 0.1 s); **min–max s** the fastest and slowest; **MB/s** is the binary COPY size of the data the
            tool moves (all tables; for the raw COPY and the "largest table alone" dump, that one table) divided by the median; **× raw** is the median divided by the
            raw binary COPY's median (as in `../shared/PERF-NOTES.md`); **peak RSS MB** is the median over runs of the client's
            peak resident memory (the larger of the process's `VmHWM` and the summed `VmRSS` of the process and its children,
            sampled every 20 ms; the server's memory is not included); **archive MB** the size of the files written. Ratios are
            fpdump's time divided by the peer's, per round (the two ran in the same round), then the median over rounds; below 1
            means fpdump was faster. The `--schema-only` rows show each tool's fixed cost (process start-up, catalog queries,
            DDL) without data; they are not peers in the ratios. The "largest table alone" dump is compared with the raw COPY
            of that table only.
            """);
        md.AppendLine();

        md.AppendLine("<details><summary>Commands and every run</summary>");
        md.AppendLine();
        md.AppendLine("`C` is the source database's connection, `DB` a new empty database, `$ARCHIVES` a temporary folder.");
        md.AppendLine();
        foreach (var tool in DumpTools.Concat(RestoreTools).Concat(CopyTools))
            md.AppendLine(Inv, $"- {tool.Name}: `{tool.CommandText}`");
        md.AppendLine();
        md.AppendLine("| phase | round | tool | s | peak RSS MB | archive MB | note |");
        md.AppendLine("|---|--:|---|--:|--:|--:|---|");
        foreach (var tool in DumpTools.Concat(RestoreTools).Concat(CopyTools))
        {
            foreach (var run in tool.Runs.OrderBy(r => r.Round))
            {
                md.AppendLine(Inv, $"| {tool.Phase.ToString().ToLowerInvariant()} | {run.Round} | {tool.Name} | {run.Result.Elapsed.TotalSeconds:0.00} | {run.Result.PeakRssBytes / 1e6:0.0} | {(run.ArchiveBytes is { } a ? (a / 1e6).ToString("0.0", Inv) : "")} | {Escape(run.Failure ?? "")} |");
            }
        }

        md.AppendLine();
        md.AppendLine("</details>");
        return md.ToString();
    }

    private static void AppendRatios(StringBuilder md, IReadOnlyList<MacroTool> tools, string phase)
    {
        var fpdumps = tools.Where(t => t.Kind is ToolKind.Fpdump or ToolKind.FpdumpLargestTable).ToList();
        var peers = tools.Where(t => t.Kind is ToolKind.Peer or ToolKind.Raw).ToList();
        if (fpdumps.Count == 0 || peers.Count == 0)
            return;
        md.AppendLine(Inv, $"fpdump {phase} time ÷ peer time (paired by round, median; < 1 means fpdump is faster):");
        md.AppendLine();
        md.AppendLine("| fpdump | " + string.Join(" | ", peers.Select(p => "÷ " + p.Name)) + " |");
        md.AppendLine("|---|" + string.Concat(peers.Select(_ => "--:|")));
        foreach (var fp in fpdumps)
        {
            md.AppendLine("| " + fp.Name + " | " + string.Join(" | ", peers.Select(p => Comparable(fp, p) && fp.PairedRatio(p) is { } r ? "**" + r.ToString("0.00", Inv) + "**" : "—")) + " |");
        }

        md.AppendLine();
    }

    private static string Name(MacroTool tool) => tool.Kind is ToolKind.Fpdump or ToolKind.FpdumpLargestTable ? "**" + tool.Name + "**" : tool.Name;

    /// <summary>A dump of the largest table alone is compared with the raw COPY of that table only.</summary>
    private static bool Comparable(MacroTool fpdump, MacroTool peer) => fpdump.Kind != ToolKind.FpdumpLargestTable || peer.Kind == ToolKind.Raw;

    private static string Seconds(MacroTool tool) =>
        tool.MedianSeconds is { } s ? s.ToString("0.00", Inv) + (tool.Runs.Any(r => !r.Succeeded) ? $" ({tool.Runs.Count(r => !r.Succeeded)} failed)" : "")
        : tool.Runs.Count == 0 ? "not run" : "failed: " + Escape(tool.Runs[^1].Failure ?? "");

    private static string Range(MacroTool tool) =>
        tool.MinSeconds is { } min && tool.MaxSeconds is { } max ? $"{min.ToString("0.00", Inv)}–{max.ToString("0.00", Inv)}" : "—";

    private static string Throughput(MacroTool tool) =>
        tool.Kind == ToolKind.Overhead ? "—" : tool.MedianSeconds is { } s && s > 0 ? (tool.DataBytes / 1e6 / s).ToString("0", Inv) : "—";

    private static string Rss(MacroTool tool) => tool.MedianPeakRss is { } r ? (r / 1e6).ToString("0", Inv) : "—";

    private static string Mb(long bytes) => MacroBenchmark.Mb(bytes);

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string Escape(string text)
    {
        var oneLine = text.Replace('\n', ' ').Replace("|", "\\|", StringComparison.Ordinal);
        return oneLine.Length > 300 ? oneLine[..300] + "…" : oneLine;
    }
}
