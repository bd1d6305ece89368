using System.Diagnostics;
using System.Text;

namespace FactoryPulse.Dump.Testing;

/// <summary>Outcome of a finished (or timed-out) child process.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, bool TimedOut)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;

    public string Output
    {
        get
        {
            var text = (StandardOutput.TrimEnd() + Environment.NewLine + StandardError.TrimEnd()).Trim();
            return TimedOut ? text + Environment.NewLine + "(timed out and was killed)" : text;
        }
    }
}

/// <summary>Runs a command with an argument list (never a shell string), capturing both output streams.</summary>
internal static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string? workingDirectory,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            // A cwd the unprivileged user cannot read makes initdb/pg_ctl complain, so run inside the cluster folder.
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Keep the child's messages in English and away from any PG* variables of the caller.
        startInfo.Environment["LC_ALL"] = "C";
        foreach (var name in new[] { "PGDATA", "PGPORT", "PGHOST", "PGUSER", "PGDATABASE", "PGOPTIONS" })
        {
            startInfo.Environment.Remove(name);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new ProcessResult(-1, string.Empty, $"could not run {fileName}: {ex.Message}", TimedOut: false);
        }

        // No input: su/runuser must never wait for a terminal.
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            timedOut = true;
        }

        var output = await stdout.ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);
        return new ProcessResult(timedOut ? -1 : process.ExitCode, output, error, timedOut);
    }

    /// <summary>Blocking variant for places that cannot await (ProcessExit handlers, one-off probes).</summary>
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string? workingDirectory, TimeSpan timeout) =>
        Task.Run(() => RunAsync(fileName, arguments, workingDirectory, timeout, CancellationToken.None)).GetAwaiter().GetResult();

    /// <summary>Finds an executable on PATH or in the given extra folders.</summary>
    public static string? FindExecutable(string name, params string[] extraDirectories)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var suffix = OperatingSystem.IsWindows() ? ".exe" : string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Concat(extraDirectories))
        {
            var candidate = Path.Combine(directory, name + suffix);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not ours to kill any more; nothing better to do.
        }
    }
}
