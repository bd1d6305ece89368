using System.Globalization;

namespace FactoryPulse.Dump.Benchmarks.Macro;

/// <summary>Command line of <c>macro</c>: which dataset, how big, how many rounds, where the results go.</summary>
internal sealed record MacroOptions
{
    public const string Usage = """
        Usage: dotnet run -c Release --project benchmarks/FactoryPulse.Dump.Benchmarks -- macro [options]

        End-to-end comparison of fpdump dump/restore with pg_dump/pg_restore and raw binary COPY on a throwaway
        PostgreSQL server. Writes benchmarks/results/macro-<dataset>-<yyyyMMdd-HHmmss>.md and .png.

        Options:
          --dataset NAME               synthetic (default): table big (mixed types) + a TOAST-heavy table + 50 small
                                       tables; fixture: tests/fixtures/factory_pulse (with large.sql unless --scale 0);
                                       many-objects: benchmarks/datasets/many_objects.sql; all: the three shapes of
                                       issue 16 in one run, one table (fpdump vs pg_dump -Fc / pg_restore -jN, ratio,
                                       target, peak RSS) and one chart
          --rows N                     synthetic: rows in big (default 2000000; 8000000 ≈ 1.36 GB as binary COPY)
          --toast-rows N               synthetic: rows of 200 KB in the TOAST table (default rows / 4000, 20..2000)
          --scale N                    fixture: large.sql scale (default 1; 10 ≈ 1 GB; 0 = shim, schema and seed only,
                                       the small application database: the default with --dataset all)
          --tables N                   many-objects: tables (default 3000, ≈ 45 000 archive entries)
          --runs N                     timed rounds per tool, tools alternating round-robin (default 3)
          --jobs N                     parallel jobs for fpdump (when it has --jobs), pg_dump -Fd and pg_restore (default 2)
          --output DIR                 where the report goes (default <repo>/benchmarks/results)
          --work-dir DIR               where archives are written (default a new folder under the temp directory)
          --fpdump PATH                fpdump to run: a native binary, or fpdump.dll (run with dotnet) (default: publish
                                       src/FactoryPulse.Dump.Cli -c Release -r <this machine's RID>: Native AOT; ReadyToRun
                                       when the AOT toolchain is missing)
          --no-build                   do not publish the CLI first; use the existing src/FactoryPulse.Dump.Cli/bin/Release/publish-<rid> build
          --no-restore                 skip the restore comparison
        """;

    public string Dataset { get; init; } = "synthetic";
    public long Rows { get; init; } = 2_000_000;
    public int? ToastRows { get; init; }
    public int? Scale { get; init; }
    public int Tables { get; init; } = 3000;
    public int Runs { get; init; } = 3;
    public int Jobs { get; init; } = 2;
    public string? Output { get; init; }
    public string? WorkDirectory { get; init; }
    public string? FpdumpPath { get; init; }
    public bool NoBuild { get; init; }
    public bool NoRestore { get; init; }

    /// <summary>large.sql scale: the option, else 1 for the fixture alone and 0 (the small application database) in <c>all</c>.</summary>
    public int EffectiveScale => Scale ?? (Dataset == "all" ? 0 : 1);

    /// <summary>The shapes this run measures, in order.</summary>
    public IReadOnlyList<string> Shapes => Dataset == "all" ? ["synthetic", "fixture", "many-objects"] : [Dataset];

    /// <summary>TOAST rows actually used: the option, or rows / 4000 clamped to 20..2000 (2000 at 8M rows).</summary>
    public int EffectiveToastRows => ToastRows ?? (int)Math.Clamp(Rows / 4000, 20, 2000);

    /// <summary>Parses the arguments after <c>macro</c>; returns null and an error for bad input.</summary>
    public static MacroOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        var options = new MacroOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                    throw new FormatException($"{arg} needs a value");
                return args[++i];
            }

            long Number(long min)
            {
                var text = Value();
                if (!long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min)
                    throw new FormatException($"{arg} needs a whole number of at least {min}, not '{text}'");
                return n;
            }

            try
            {
                options = arg switch
                {
                    "--dataset" => Value() switch
                    {
                        "synthetic" => options with { Dataset = "synthetic" },
                        "fixture" => options with { Dataset = "fixture" },
                        "many-objects" => options with { Dataset = "many-objects" },
                        "all" => options with { Dataset = "all" },
                        var other => throw new FormatException($"--dataset is synthetic, fixture, many-objects or all, not '{other}'"),
                    },
                    "--rows" => options with { Rows = Number(1) },
                    "--toast-rows" => options with { ToastRows = (int)Math.Min(Number(0), 100_000) },
                    "--scale" => options with { Scale = (int)Math.Min(Number(0), 1000) },
                    "--tables" => options with { Tables = (int)Math.Min(Number(1), 100_000) },
                    "--runs" => options with { Runs = (int)Math.Min(Number(1), 100) },
                    "--jobs" => options with { Jobs = (int)Math.Min(Number(1), 64) },
                    "--output" => options with { Output = Value() },
                    "--work-dir" => options with { WorkDirectory = Value() },
                    "--fpdump" => options with { FpdumpPath = Value() },
                    "--no-build" => options with { NoBuild = true },
                    "--no-restore" => options with { NoRestore = true },
                    _ => throw new FormatException($"unknown option '{arg}'"),
                };
            }
            catch (FormatException ex)
            {
                error = ex.Message;
                return null;
            }
        }

        return options;
    }
}
