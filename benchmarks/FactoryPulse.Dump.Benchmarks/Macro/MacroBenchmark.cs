using System.Globalization;
using System.Text.RegularExpressions;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.Benchmarks.Macro;

/// <summary>
/// The macro comparison: a throwaway PostgreSQL server, a dataset, then rounds of fpdump dump against pg_dump and raw binary
/// COPY, and fpdump restore against pg_restore, tools alternating round-robin; writes a Markdown report and a PNG chart.
/// </summary>
internal static partial class MacroBenchmark
{
    /// <summary>Same for every tool: room for bulk loads without checkpoints in the middle of a timed run.</summary>
    public static readonly IReadOnlyDictionary<string, string> ServerSettings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["shared_buffers"] = "256MB",
        ["max_wal_size"] = "4GB",
        ["checkpoint_timeout"] = "30min",
        ["maintenance_work_mem"] = "256MB",
    };

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        if (args.Any(a => a is "-h" or "--help" or "-?"))
        {
            Console.WriteLine(MacroOptions.Usage);
            return 0;
        }

        var options = MacroOptions.Parse(args, out var error);
        if (options is null)
        {
            await Console.Error.WriteLineAsync("macro: " + error).ConfigureAwait(false);
            await Console.Error.WriteLineAsync(MacroOptions.Usage).ConfigureAwait(false);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        try
        {
            await RunCoreAsync(options, cancel.Token).ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("macro: cancelled").ConfigureAwait(false);
            return 130;
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or PostgresServerUnavailableException or Npgsql.NpgsqlException)
        {
            await Console.Error.WriteLineAsync("macro: error: " + ex.Message).ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task RunCoreAsync(MacroOptions options, CancellationToken cancellationToken)
    {
        var repoRoot = FindRepoRoot();
        var outputDirectory = Path.GetFullPath(options.Output ?? Path.Combine(repoRoot, "benchmarks", "results"));
        Directory.CreateDirectory(outputDirectory);
        var started = DateTime.Now;
        var stamp = started.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);

        var fixtureDirectory = options.Shapes.Contains("fixture") ? FindFixtures(repoRoot) : null;
        var fpdump = await PrepareFpdumpAsync(options, repoRoot, cancellationToken).ConfigureAwait(false);
        Log($"fpdump: {fpdump.Executable} ({(fpdump.IsNative ? "native" : "IL, run with dotnet")}; dump --jobs: {(fpdump.DumpJobs ? "yes" : "no")}, --compress: {(fpdump.Compress ? "yes, default " + (fpdump.CompressDefault ?? "?") : "no")}, restore --jobs: {(fpdump.RestoreJobs ? "yes" : "no")})");

        var workDirectory = Path.GetFullPath(options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), "fpdump-macro-" + stamp));
        Directory.CreateDirectory(workDirectory);
        var ownsWorkDirectory = options.WorkDirectory is null;

        Log("starting PostgreSQL …");
        await using var server = await PostgresServer.StartAsync(new PostgresServerOptions { Settings = ServerSettings }, cancellationToken).ConfigureAwait(false);
        try
        {
            var serverVersion = await PgTools.ScalarAsync<string>(server.ConnectionString, "SELECT version()").ConfigureAwait(false);
            var serverMajor = await PgTools.ScalarAsync<int>(server.ConnectionString, "SELECT current_setting('server_version_num')::int / 10000").ConfigureAwait(false);
            var tools = PgTools.Find(serverMajor);
            Log($"server: {server.Description}");

            var headline = options.Dataset == "all";
            var shapes = new List<ShapeResult>();
            foreach (var shape in options.Shapes)
            {
                var sourceConnection = await server.CreateDatabaseAsync("macro_" + shape.Replace('-', '_'), cancellationToken).ConfigureAwait(false);
                Log($"loading the {shape} dataset …");
                var dataset = shape switch
                {
                    "fixture" => await Datasets.CreateFixtureAsync(sourceConnection, tools, fixtureDirectory!, options.EffectiveScale).ConfigureAwait(false),
                    "many-objects" => await Datasets.CreateManyObjectsAsync(sourceConnection, tools, Path.Combine(repoRoot, "benchmarks", "datasets", "many_objects.sql"), options.Tables).ConfigureAwait(false),
                    _ => await Datasets.CreateSyntheticAsync(sourceConnection, tools, options.Rows, options.EffectiveToastRows, workDirectory).ConfigureAwait(false),
                };
                Log(string.Create(CultureInfo.InvariantCulture,
                    $"dataset loaded in {dataset.LoadTime.TotalSeconds:0.0} s: {dataset.Tables.Count} tables, pg_database_size {Mb(dataset.DatabaseBytes)}, binary COPY {Mb(dataset.AllTablesBinaryBytes)} (largest {dataset.LargestTable}: {dataset.LargestTableRows:N0} rows, {Mb(dataset.LargestTableBinaryBytes)})"));
                shapes.Add(await RunShapeAsync(new RunContext(server, tools, dataset, fpdump, options, Path.Combine(workDirectory, "archives-" + shape)), headline, cancellationToken).ConfigureAwait(false));
            }

            var machine = await MachineInfo.CollectAsync(repoRoot, tools, serverVersion).ConfigureAwait(false);
            var baseName = $"macro-{options.Dataset}-{stamp}";
            var markdownPath = Path.Combine(outputDirectory, baseName + ".md");
            var pngPath = Path.Combine(outputDirectory, baseName + ".png");
            string? chartError = null;
            string markdown;
            if (headline)
            {
                var report = new ShapesReport(options, shapes, machine, server.Description, fpdump, started, DateTime.Now);
                try
                {
                    ShapesChart.Save(pngPath, report);
                }
                catch (Exception ex) when (ex is TypeInitializationException or DllNotFoundException or InvalidOperationException or IOException)
                {
                    chartError = ex.Message;
                    pngPath = null;
                }

                markdown = report.ToMarkdown(pngPath is null ? null : Path.GetFileName(pngPath), chartError);
            }
            else
            {
                var shape = shapes[0];
                var report = new MacroReport(options, shape.Dataset, machine, server.Description, fpdump, shape.DumpTools, shape.RestoreTools, shape.CopyTools, started, DateTime.Now);
                try
                {
                    MacroChart.Save(pngPath, report);
                }
                catch (Exception ex) when (ex is TypeInitializationException or DllNotFoundException or InvalidOperationException or IOException)
                {
                    chartError = ex.Message;
                    pngPath = null;
                }

                markdown = report.ToMarkdown(pngPath is null ? null : Path.GetFileName(pngPath), chartError);
            }

            await File.WriteAllTextAsync(markdownPath, markdown, cancellationToken).ConfigureAwait(false);
            Console.WriteLine();
            Console.WriteLine(markdown);
            Log("report: " + markdownPath);
            if (pngPath is not null)
                Log("chart:  " + pngPath);
            else
                Log("chart not written: " + chartError);
        }
        finally
        {
            if (ownsWorkDirectory)
                TryDelete(workDirectory);
        }
    }

    /// <summary>One shape: the tools (all of them, or with <paramref name="headline"/> the pairs of the three-shape table), a warm-up, then the rounds.</summary>
    private static async Task<ShapeResult> RunShapeAsync(RunContext context, bool headline, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(context.ArchiveDirectory);
        var dumpTools = BuildDumpTools(context, headline);
        var restoreTools = context.Options.NoRestore ? [] : BuildRestoreTools(context, headline);
        var copyTools = context.Options.NoRestore || !context.Fpdump.Copy ? [] : BuildCopyTools(context);

        // The page cache and the server's buffers warm up on the first read; this run does not count.
        Log("warm-up (untimed): " + dumpTools[0].Name);
        var warmSpec = await dumpTools[0].PrepareAsync().ConfigureAwait(false);
        await SettleAsync(context, cancellationToken).ConfigureAwait(false);
        var warm = await ChildProcess.RunAsync(warmSpec, cancellationToken).ConfigureAwait(false);
        if (warm.ExitCode != 0)
            throw new InvalidOperationException($"the warm-up fpdump dump failed (exit {warm.ExitCode}): {warm.ErrorTail()}");
        Log(string.Create(CultureInfo.InvariantCulture, $"  {warm.Elapsed.TotalSeconds:0.00} s"));

        await RunRoundsAsync(context, dumpTools, cancellationToken).ConfigureAwait(false);
        if (restoreTools.Count > 0)
            await RunRoundsAsync(context, restoreTools, cancellationToken).ConfigureAwait(false);
        if (copyTools.Count > 0)
            await RunRoundsAsync(context, copyTools, cancellationToken).ConfigureAwait(false);
        return new ShapeResult(context.Dataset, dumpTools, restoreTools, copyTools);
    }

    private static async Task RunRoundsAsync(RunContext context, List<MacroTool> tools, CancellationToken cancellationToken)
    {
        var runs = context.Options.Runs;
        for (var round = 1; round <= runs; round++)
        {
            // Round-robin, and each round starts one tool later, so no tool always runs first (or right after a heavy one).
            for (var k = 0; k < tools.Count; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var tool = tools[(k + round - 1) % tools.Count];
                var spec = await tool.PrepareAsync().ConfigureAwait(false);
                tool.CommandText ??= context.Display(spec);
                await SettleAsync(context, cancellationToken).ConfigureAwait(false);
                var result = await ChildProcess.RunAsync(spec, cancellationToken).ConfigureAwait(false);
                string? failure;
                long? archive;
                if (result.ExitCode != 0)
                {
                    failure = $"exit {result.ExitCode}: {result.ErrorTail()}";
                    archive = null;
                    await tool.FinishAsync(result).ConfigureAwait(false);
                }
                else
                {
                    (failure, archive) = await tool.FinishAsync(result).ConfigureAwait(false);
                }

                tool.Runs.Add(new ToolRun(round, result, failure, archive));
                Log(string.Create(CultureInfo.InvariantCulture,
                    $"[{tool.Phase.ToString().ToLowerInvariant()} {round}/{runs}] {tool.Name,-40} {result.Elapsed.TotalSeconds,8:0.00} s  peak RSS {Mb(result.PeakRssBytes),9}{(archive is long a ? "  archive " + Mb(a) : "")}{(failure is null ? "" : "  FAILED " + failure)}"));
            }
        }
    }

    /// <summary>
    /// Untimed, before every run: CHECKPOINT writes the server's dirty buffers (a restore's load, a dropped database) and
    /// sync(1) makes the kernel write back its dirty pages (the data just loaded, the previous tool's archive), so no run pays
    /// for the write-back of the one before it.
    /// </summary>
    private static async Task SettleAsync(RunContext context, CancellationToken cancellationToken)
    {
        await PgTools.ExecuteAsync(context.Server.ConnectionString, "CHECKPOINT").ConfigureAwait(false);
        await ChildProcess.RunAsync(new ProcessSpec("sync", []), cancellationToken).ConfigureAwait(false);
    }

    private static List<MacroTool> BuildDumpTools(RunContext c, bool headline)
    {
        var list = new List<MacroTool>();
        var jobs = c.Options.Jobs.ToString(CultureInfo.InvariantCulture);
        var conninfo = PgTools.ConnInfo(c.Dataset.ConnectionString);

        MacroTool Fpdump(string name, string slug, IEnumerable<string> extra) => DumpTool(c, name, ToolKind.Fpdump, slug, path =>
            c.Fpdump.Spec(["dump", "--connection", c.Dataset.ConnectionString, "--output", path, .. extra]));

        var fpJobs = c.Fpdump.DumpJobs ? new[] { "--jobs", jobs } : [];
        var fpName = "fpdump dump" + (c.Fpdump.DumpJobs ? " -j" + jobs : "");
        if (headline)
        {
            // The three-shape table's pairs: fpdump (defaults, -jN) against pg_dump -Fc; the -Fd -Z0 dump feeds pg_restore -jN.
            list.Add(Fpdump(fpName, "fpdump", fpJobs));
            list.Add(DumpTool(c, "pg_dump -Fc", ToolKind.Peer, "pg_dump-Fc", path => new ProcessSpec(c.Tools.PgDump, ["-Fc", "-f", path, "-d", conninfo])));
            list.Add(DumpTool(c, $"pg_dump -Fd -j{jobs} -Z0", ToolKind.Peer, "pg_dump-Fd-Z0", path => new ProcessSpec(c.Tools.PgDump, ["-Fd", "-j", jobs, "-Z0", "-f", path, "-d", conninfo])));
            return list;
        }

        if (c.Fpdump.Compress)
        {
            list.Add(Fpdump(fpName + (c.Fpdump.CompressDefault is { } d ? $" (default: {d})" : " (default compression)"), "fpdump", fpJobs));
            var other = c.Fpdump.CompressDefault is "none" ? "zstd" : "none";
            list.Add(Fpdump(fpName + " --compress " + other, "fpdump-" + other, [.. fpJobs, "--compress", other]));
        }
        else
        {
            list.Add(Fpdump(fpName, "fpdump", fpJobs));
        }

        // The issue's first target: the largest table alone, default compression, against the raw COPY of it.
        list.Add(DumpTool(c, fpName + " -t " + c.Dataset.LargestTable + " (largest table alone)", ToolKind.FpdumpLargestTable, "fpdump-largest", path =>
            c.Fpdump.Spec(["dump", "--connection", c.Dataset.ConnectionString, "--output", path, "--table", c.Dataset.LargestTable, .. fpJobs]),
            c.Dataset.LargestTableBinaryBytes));

        list.Add(DumpTool(c, "pg_dump -Fc", ToolKind.Peer, "pg_dump-Fc", path => new ProcessSpec(c.Tools.PgDump, ["-Fc", "-f", path, "-d", conninfo])));
        list.Add(DumpTool(c, $"pg_dump -Fd -j{jobs} -Z0", ToolKind.Peer, "pg_dump-Fd-Z0", path => new ProcessSpec(c.Tools.PgDump, ["-Fd", "-j", jobs, "-Z0", "-f", path, "-d", conninfo])));
        list.Add(DumpTool(c, $"pg_dump -Fd -j{jobs} (gzip)", ToolKind.Peer, "pg_dump-Fd-gzip", path => new ProcessSpec(c.Tools.PgDump, ["-Fd", "-j", jobs, "-f", path, "-d", conninfo])));

        // What a dump costs without its data: start-up, catalog queries, DDL. Tells fixed cost from per-byte cost.
        list.Add(DumpTool(c, "fpdump dump --schema-only", ToolKind.Overhead, "fpdump-schema", path =>
            c.Fpdump.Spec(["dump", "--connection", c.Dataset.ConnectionString, "--output", path, "--schema-only"])));
        list.Add(DumpTool(c, "pg_dump -Fc --schema-only", ToolKind.Overhead, "pg_dump-schema", path => new ProcessSpec(c.Tools.PgDump, ["-Fc", "--schema-only", "-f", path, "-d", conninfo])));

        // The limit: one backend streaming binary COPY to a client that throws it away.
        var largest = c.Dataset.LargestTable;
        var rawName = largest == "public.big" ? "psql COPY big binary (raw)" : $"psql COPY {largest} binary (raw)";
        list.Add(new MacroTool
        {
            Name = rawName,
            Phase = MacroPhase.Dump,
            Kind = ToolKind.Raw,
            DataBytes = c.Dataset.LargestTableBinaryBytes,
            PrepareAsync = () => Task.FromResult(new ProcessSpec(c.Tools.Psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", $"COPY {largest} TO STDOUT (FORMAT binary)"]) { DiscardStdout = true }),
            FinishAsync = _ => Task.FromResult<(string?, long?)>((null, null)),
        });
        return list;
    }

    private static MacroTool DumpTool(RunContext c, string name, ToolKind kind, string slug, Func<string, ProcessSpec> command, long? dataBytes = null)
    {
        var path = Path.Combine(c.ArchiveDirectory, slug);
        return new MacroTool
        {
            Name = name,
            Phase = MacroPhase.Dump,
            Kind = kind,
            DataBytes = dataBytes ?? c.Dataset.AllTablesBinaryBytes,
            PrepareAsync = () =>
            {
                DeletePath(path);
                return Task.FromResult(command(path));
            },
            FinishAsync = _ => Task.FromResult<(string?, long?)>(File.Exists(path) || Directory.Exists(path)
                ? (null, SizeOf(path))
                : ($"no archive at {path}", null)),
        };
    }

    private static List<MacroTool> BuildRestoreTools(RunContext c, bool headline)
    {
        var jobs = c.Options.Jobs.ToString(CultureInfo.InvariantCulture);
        var fpArchive = Path.Combine(c.ArchiveDirectory, "fpdump");
        var fdArchive = Path.Combine(c.ArchiveDirectory, "pg_dump-Fd-Z0");
        var fcArchive = Path.Combine(c.ArchiveDirectory, "pg_dump-Fc");
        var fpJobs = c.Fpdump.RestoreJobs ? new[] { "--jobs", jobs } : [];
        var list = new List<MacroTool>
        {
            RestoreTool(c, "fpdump restore" + (c.Fpdump.RestoreJobs ? " -j" + jobs : "") + (c.Fpdump.Compress ? $" ({c.Fpdump.CompressDefault ?? "default"} archive)" : ""), ToolKind.Fpdump,
                target => c.Fpdump.Spec(["restore", "--connection", target, "--input", fpArchive, .. fpJobs])),
            RestoreTool(c, $"pg_restore -j{jobs} (-Fd -Z0 archive)", ToolKind.Peer,
                target => new ProcessSpec(c.Tools.PgRestore, ["-j", jobs, "-d", PgTools.ConnInfo(target), fdArchive])),
        };
        if (!headline)
        {
            list.Add(RestoreTool(c, "pg_restore (-Fc archive)", ToolKind.Peer,
                target => new ProcessSpec(c.Tools.PgRestore, ["-d", PgTools.ConnInfo(target), fcArchive])));
        }

        return list;
    }

    /// <summary>
    /// Issue 17: database to database. fpdump copy -jN (one snapshot, COPY piped from source to target) against what it
    /// replaces, fpdump dump -jN into a fresh archive and fpdump restore -jN of it (one shell, both timed together).
    /// </summary>
    private static List<MacroTool> BuildCopyTools(RunContext c)
    {
        var jobs = c.Options.Jobs.ToString(CultureInfo.InvariantCulture);
        var archive = Path.Combine(c.ArchiveDirectory, "fpdump-for-copy");
        return
        [
            RestoreTool(c, $"fpdump copy -j{jobs}", ToolKind.Fpdump,
                target => c.Fpdump.Spec(["copy", "--from", c.Dataset.ConnectionString, "--to", target, "--jobs", jobs, "--quiet"]), MacroPhase.Copy),
            RestoreTool(c, $"fpdump dump -j{jobs} + restore -j{jobs}", ToolKind.Peer, target =>
            {
                DeletePath(archive);
                var dump = c.Fpdump.Spec(["dump", "--connection", c.Dataset.ConnectionString, "--output", archive, "--jobs", jobs, "--quiet"]);
                var restore = c.Fpdump.Spec(["restore", "--connection", target, "--input", archive, "--jobs", jobs, "--quiet"]);
                return new ProcessSpec("sh", ["-c", $"{dump} && {restore}"]);
            }, MacroPhase.Copy),
        ];
    }

    private static MacroTool RestoreTool(RunContext c, string name, ToolKind kind, Func<string, ProcessSpec> command, MacroPhase phase = MacroPhase.Restore)
    {
        string? target = null;
        return new MacroTool
        {
            Name = name,
            Phase = phase,
            Kind = kind,
            DataBytes = c.Dataset.AllTablesBinaryBytes,
            PrepareAsync = async () =>
            {
                target = await c.Server.CreateDatabaseAsync("macro_restore").ConfigureAwait(false);
                return command(target);
            },
            FinishAsync = async result =>
            {
                string? failure = null;
                try
                {
                    if (result.ExitCode == 0)
                    {
                        // A cheap check that the data arrived: the largest table's row count.
                        var rows = await PgTools.ScalarAsync<long>(target!, $"SELECT count(*) FROM {c.Dataset.LargestTable}").ConfigureAwait(false);
                        if (rows != c.Dataset.LargestTableRows)
                            failure = $"{c.Dataset.LargestTable} has {rows} rows after the restore, not {c.Dataset.LargestTableRows}";
                    }
                }
                catch (Npgsql.NpgsqlException ex)
                {
                    failure = "check failed: " + ex.Message;
                }
                finally
                {
                    Npgsql.NpgsqlConnection.ClearAllPools();
                    await c.Server.DropDatabaseAsync(PgTools.DatabaseName(target!)).ConfigureAwait(false);
                }

                return (failure, null);
            },
        };
    }

    private static async Task<FpdumpInfo> PrepareFpdumpAsync(MacroOptions options, string repoRoot, CancellationToken cancellationToken)
    {
        string executable;
        string? buildNote = null;
        if (options.FpdumpPath is not null)
        {
            executable = Path.GetFullPath(options.FpdumpPath);
        }
        else
        {
            var project = Path.Combine(repoRoot, "src", "FactoryPulse.Dump.Cli", "FactoryPulse.Dump.Cli.csproj");
            // Published for this machine, as a deployment would run it: the Native AOT binary (no JIT, no runtime to load).
            var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
            var output = Path.Combine(repoRoot, "src", "FactoryPulse.Dump.Cli", "bin", "Release", "publish-" + rid);
            if (!options.NoBuild)
            {
                TryDelete(output); // no fpdump.dll of an earlier ReadyToRun publish next to the native binary
                Log($"publishing fpdump (dotnet publish src/FactoryPulse.Dump.Cli -c Release -r {rid}: Native AOT) …");
                var aot = await ChildProcess.RunAsync(new ProcessSpec("dotnet", ["publish", project, "-c", "Release", "-r", rid, "-o", output, "-nologo", "-v", "q"]), cancellationToken).ConfigureAwait(false);
                if (aot.ExitCode != 0)
                {
                    // No clang or zlib1g-dev here: the framework-dependent ReadyToRun build, and the report says so.
                    buildNote = "the Native AOT publish failed (" + aot.ErrorTail(3).Replace('\n', ' ') + "); ReadyToRun build";
                    Log("Native AOT publish failed; publishing ReadyToRun instead (-p:PublishAot=false) …");
                    TryDelete(output);
                    await ChildProcess.RunCheckedAsync(new ProcessSpec("dotnet",
                        ["publish", project, "-c", "Release", "-r", rid, "-p:PublishAot=false", "--self-contained", "false", "-o", output, "-nologo", "-v", "q"]), cancellationToken).ConfigureAwait(false);
                }
            }

            // The native binary when the folder holds one (no fpdump.dll beside it), else the IL build through dotnet.
            executable = File.Exists(Path.Combine(output, "fpdump.dll")) ? Path.Combine(output, "fpdump.dll") : Path.Combine(output, "fpdump");
        }

        if (!File.Exists(executable))
            throw new InvalidOperationException($"fpdump not found ({executable}); run without --no-build to publish it, or pass --fpdump PATH");

        var info = new FpdumpInfo(executable, !executable.EndsWith(".dll", StringComparison.OrdinalIgnoreCase), false, false, null, false, buildNote);
        // Only pass the flags this build of the CLI lists.
        var dumpHelp = (await ChildProcess.RunAsync(info.Spec(["dump", "--help"]), cancellationToken).ConfigureAwait(false)).StandardOutput;
        var restoreHelp = (await ChildProcess.RunAsync(info.Spec(["restore", "--help"]), cancellationToken).ConfigureAwait(false)).StandardOutput;
        var copyHelp = await ChildProcess.RunAsync(info.Spec(["copy", "--help"]), cancellationToken).ConfigureAwait(false);
        var compressLine = dumpHelp.Split('\n').FirstOrDefault(l => l.Contains("--compress", StringComparison.Ordinal));
        string? compressDefault = null;
        if (compressLine is not null && DefaultPattern().Match(compressLine) is { Success: true } m)
            compressDefault = m.Groups[1].Value.Trim();
        return info with
        {
            DumpJobs = dumpHelp.Contains("--jobs", StringComparison.Ordinal),
            Compress = compressLine is not null,
            CompressDefault = compressDefault,
            RestoreJobs = restoreHelp.Contains("--jobs", StringComparison.Ordinal),
            // Builds before issue 17 have no copy command: the copy comparison is left out for them.
            Copy = copyHelp.ExitCode == 0 && copyHelp.StandardOutput.Contains("--from", StringComparison.Ordinal),
        };
    }

    [GeneratedRegex(@"\[default:\s*([^\]]+)\]")]
    private static partial Regex DefaultPattern();

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "FactoryPulse.Dump.sln")))
                    return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (FactoryPulse.Dump.sln) above " + AppContext.BaseDirectory);
    }

    /// <summary>FPDUMP_FIXTURES, else the repository's own tests/fixtures/factory_pulse.</summary>
    private static string FindFixtures(string repoRoot)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("FPDUMP_FIXTURES");
        if (!string.IsNullOrWhiteSpace(fromEnvironment) && File.Exists(Path.Combine(fromEnvironment, "schema.sql")))
            return Path.GetFullPath(fromEnvironment);
        var inRepository = Path.Combine(repoRoot, "tests", "fixtures", "factory_pulse");
        if (File.Exists(Path.Combine(inRepository, "schema.sql")))
            return inRepository;
        throw new InvalidOperationException("cannot find tests/fixtures/factory_pulse in " + repoRoot + "; set FPDUMP_FIXTURES");
    }

    internal static long SizeOf(string path)
    {
        if (File.Exists(path))
            return new FileInfo(path).Length;
        return Directory.Exists(path)
            ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
            : 0;
    }

    private static void DeletePath(string path)
    {
        if (File.Exists(path))
            File.Delete(path);
        else if (Directory.Exists(path))
            Directory.Delete(path, recursive: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            DeletePath(path);
        }
        catch (IOException ex)
        {
            Log($"could not delete {path}: {ex.Message}");
        }
    }

    internal static string Mb(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    private static void Log(string message) =>
        Console.WriteLine($"{DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {message}");
}

/// <summary>The fpdump build under test (a native binary, or an IL fpdump.dll run with dotnet) and the flags its help lists.</summary>
internal sealed record FpdumpInfo(string Executable, bool IsNative, bool DumpJobs, bool Compress, string? CompressDefault, bool RestoreJobs, string? BuildNote)
{
    /// <summary>The build has <c>fpdump copy</c>.</summary>
    public bool Copy { get; init; }

    public ProcessSpec Spec(IEnumerable<string> arguments) =>
        IsNative ? new ProcessSpec(Executable, [.. arguments]) : new ProcessSpec("dotnet", [Executable, .. arguments]);

    public string BuildText => (IsNative ? "Native AOT binary `fpdump`" : "IL `fpdump.dll` run with `dotnet` (ReadyToRun when published here)") + (BuildNote is null ? "" : "; " + BuildNote);
}

/// <summary>One shape's dataset and its timed tools.</summary>
internal sealed record ShapeResult(Dataset Dataset, IReadOnlyList<MacroTool> DumpTools, IReadOnlyList<MacroTool> RestoreTools, IReadOnlyList<MacroTool> CopyTools);

internal sealed record RunContext(PostgresServer Server, PgTools Tools, Dataset Dataset, FpdumpInfo Fpdump, MacroOptions Options, string ArchiveDirectory)
{
    /// <summary>A command line for the report: connection strings shown as C (or DB for a restore target), the archive folder as $ARCHIVES.</summary>
    public string Display(ProcessSpec spec)
    {
        var args = spec.Arguments.Select(a =>
            a == Dataset.ConnectionString || a == PgTools.ConnInfo(Dataset.ConnectionString) ? "C"
            : a.Contains("macro_restore_", StringComparison.Ordinal) ? "DB"
            : a.Replace(ArchiveDirectory, "$ARCHIVES", StringComparison.Ordinal)).ToList();
        var program = spec.FileName == "dotnet" ? "dotnet" : Path.GetFileName(spec.FileName);
        if (program == "dotnet" && args.Count > 0 && args[0] == Fpdump.Executable)
        {
            program = "fpdump";
            args.RemoveAt(0);
        }

        var text = new ProcessSpec(program, args) { DiscardStdout = spec.DiscardStdout }.ToString();
        return text;
    }
}
