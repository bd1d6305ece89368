using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FactoryPulse.Dump.Benchmarks.Macro;

/// <summary>One child process to run: program, arguments (never through a shell unless asked), extra environment.</summary>
internal sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>Send standard output straight to /dev/null (through <c>sh -c 'exec "$@" &gt;/dev/null'</c>, so the measured pid is the program itself).</summary>
    public bool DiscardStdout { get; init; }

    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    public override string ToString() => string.Join(' ', new[] { FileName }.Concat(Arguments).Select(Quote)) + (DiscardStdout ? " > /dev/null" : "");

    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+$".Contains(c, StringComparison.Ordinal)) ? s : "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>Exit code, wall time from start to exit, peak memory of the process tree, and the captured output.</summary>
internal sealed record ProcessResult(int ExitCode, TimeSpan Elapsed, long PeakRssBytes, string StandardOutput, string StandardError)
{
    public string ErrorTail(int lines = 8)
    {
        var all = (StandardError.Length > 0 ? StandardError : StandardOutput).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(" | ", all.TakeLast(lines)).Trim();
    }
}

/// <summary>
/// Runs a child process, times it with a <see cref="Stopwatch"/> and samples its memory every 20 ms: peak RSS is the larger
/// of the root process's <c>VmHWM</c> (exact, kernel-tracked) and the largest sum of <c>VmRSS</c> over the process and its
/// descendants seen in one sample (so pg_dump's forked -j workers count; shared pages count once per process).
/// </summary>
internal static class ChildProcess
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(20);

    public static async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        if (spec.DiscardStdout)
        {
            psi.FileName = "/bin/sh";
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("exec \"$@\" > /dev/null");
            psi.ArgumentList.Add("sh");
            psi.ArgumentList.Add(spec.FileName);
        }
        else
        {
            psi.FileName = spec.FileName;
        }

        foreach (var argument in spec.Arguments)
            psi.ArgumentList.Add(argument);
        if (spec.Environment is not null)
        {
            foreach (var (name, value) in spec.Environment)
                psi.Environment[name] = value;
        }

        using var process = new Process { StartInfo = psi };
        var stopwatch = Stopwatch.StartNew();
        process.Start();
        var pid = process.Id;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(() => SampleAsync(pid, stopSampling.Token), CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        stopwatch.Stop();
        await stopSampling.CancelAsync().ConfigureAwait(false);
        var peak = await sampler.ConfigureAwait(false);
        return new ProcessResult(process.ExitCode, stopwatch.Elapsed, peak, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Runs and throws with the error output when the exit code is not 0 (for setup steps, not for timed runs).</summary>
    public static async Task<ProcessResult> RunCheckedAsync(ProcessSpec spec, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(spec, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"'{spec}' exited with {result.ExitCode}: {result.ErrorTail()}");
        return result;
    }

    private static async Task<long> SampleAsync(int rootPid, CancellationToken stop)
    {
        long peak = 0;
        while (true)
        {
            peak = Math.Max(peak, Sample(rootPid));
            try
            {
                await Task.Delay(SampleInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return peak;
            }
        }
    }

    private static long Sample(int rootPid)
    {
        var (rootHwm, rootRss) = ReadStatus(rootPid);
        if (rootHwm == 0 && rootRss == 0)
            return 0; // not started yet, or gone
        var sum = rootRss;
        foreach (var pid in Descendants(rootPid))
            sum += ReadStatus(pid).Rss;
        return Math.Max(rootHwm, sum);
    }

    /// <summary>VmHWM and VmRSS in bytes from /proc/PID/status; zeros when the process is gone.</summary>
    private static (long Hwm, long Rss) ReadStatus(int pid)
    {
        try
        {
            long hwm = 0, rss = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    hwm = ParseKb(line);
                else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    rss = ParseKb(line);
            }

            return (hwm, rss);
        }
        catch (IOException)
        {
            return (0, 0);
        }
        catch (UnauthorizedAccessException)
        {
            return (0, 0);
        }
    }

    private static long ParseKb(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : 0;
    }

    /// <summary>All descendants of <paramref name="rootPid"/>, from the parent pids in /proc/*/stat (this kernel has no /proc/PID/task/TID/children).</summary>
    private static List<int> Descendants(int rootPid)
    {
        var parentOf = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir.AsSpan());
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"), Encoding.ASCII);
                var close = stat.LastIndexOf(')');
                if (close < 0)
                    continue;
                var fields = stat[(close + 2)..].Split(' ', 3);
                if (fields.Length >= 2 && int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ppid))
                    parentOf[pid] = ppid;
            }
            catch (IOException)
            {
                // exited meanwhile
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        var result = new List<int>();
        var frontier = new HashSet<int> { rootPid };
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, ppid) in parentOf)
            {
                if (frontier.Contains(ppid) && frontier.Add(pid))
                {
                    result.Add(pid);
                    grew = true;
                }
            }
        }
        while (grew);
        return result;
    }
}
