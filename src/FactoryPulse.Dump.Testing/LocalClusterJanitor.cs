using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace FactoryPulse.Dump.Testing;

/// <summary>
/// Keeps local clusters from outliving the test run: stops the ones still running at ProcessExit, and on the first start of a run
/// removes fpdump-pg-* folders left behind by runs that crashed or were killed.
/// </summary>
internal static class LocalClusterJanitor
{
    private static readonly ConcurrentDictionary<LocalCluster, byte> Running = new();
    private static int exitHookInstalled;
    private static int staleSweepDone;

    public static void Track(LocalCluster cluster)
    {
        if (Interlocked.Exchange(ref exitHookInstalled, 1) == 0)
        {
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        }

        Running.TryAdd(cluster, 0);
    }

    public static void Untrack(LocalCluster cluster) => Running.TryRemove(cluster, out _);

    /// <summary>Sweeps leftovers once per process; folders whose owner process is still alive are never touched.</summary>
    public static void RemoveStaleClusters(PostgresBinaries binaries, ServerUser user)
    {
        if (Interlocked.Exchange(ref staleSweepDone, 1) != 0)
        {
            return;
        }

        foreach (var parent in LocalCluster.ParentDirectories().Distinct(StringComparer.Ordinal))
        {
            IEnumerable<string> candidates;
            try
            {
                candidates = Directory.EnumerateDirectories(parent, LocalCluster.DirectoryPrefix + "*").ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var directory in candidates)
            {
                try
                {
                    RemoveIfStale(directory, binaries, user);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Someone else's folder, or one another run is sweeping right now: not ours to fight over.
                }
            }
        }
    }

    /// <summary>Whether postmaster.pid names a live process (its pid is returned either way when the file is readable).</summary>
    public static bool PostmasterRunning(string dataDirectory, out int pid)
    {
        var found = ReadPid(Path.Combine(dataDirectory, "postmaster.pid"));
        pid = found ?? 0;
        return found is not null && IsAlive(found.Value);
    }

    public static bool IsAlive(int pid)
    {
        if (Directory.Exists("/proc/self"))
        {
            return Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    public static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone already, or not ours to kill.
        }
    }

    private static void OnProcessExit(object? sender, EventArgs e)
    {
        foreach (var cluster in Running.Keys)
        {
            try
            {
                cluster.StopAndDeleteNow();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Exiting anyway; the next run's sweep removes what is left.
            }
        }
    }

    private static void RemoveIfStale(string directory, PostgresBinaries binaries, ServerUser user)
    {
        var owner = ReadPid(Path.Combine(directory, LocalCluster.OwnerFileName));
        if (owner is not null)
        {
            if (owner.Value == Environment.ProcessId || IsAlive(owner.Value))
            {
                return;
            }
        }
        else if (Directory.GetLastWriteTimeUtc(directory) > DateTime.UtcNow.AddMinutes(-10))
        {
            // No owner file: maybe a cluster being created this very moment by another run; only old ones are leftovers.
            return;
        }

        // Our layout keeps the data in data/; a plain "initdb -D fpdump-pg-x" layout has it in the folder itself.
        var dataDirectory = Path.Combine(directory, LocalCluster.DataFolderName);
        if (!Directory.Exists(dataDirectory))
        {
            dataDirectory = directory;
        }

        if (PostmasterRunning(dataDirectory, out var pid))
        {
            // The owner died without stopping its server (e.g. the test host was killed). Only stop a process that provably is
            // this cluster's postmaster: after pid reuse, postmaster.pid may name a backend of a cluster that is still in use.
            if (!IsPostmasterOf(pid, dataDirectory))
            {
                return;
            }

            user.Run(binaries.PgCtl, ["-D", dataDirectory, "-m", "immediate", "-w", "-t", "10", "stop"], directory, TimeSpan.FromSeconds(20));
            if (IsAlive(pid))
            {
                Kill(pid);
            }

            if (IsAlive(pid))
            {
                return;
            }
        }

        Directory.Delete(directory, recursive: true);
    }

    private static bool IsPostmasterOf(int pid, string dataDirectory)
    {
        // pg_ctl starts "postgres -D <data> ...", and only the postmaster keeps that command line (backends rewrite theirs).
        var cmdline = "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/cmdline";
        try
        {
            return File.Exists(cmdline)
                && File.ReadAllText(cmdline).Split('\0').Contains(Path.TrimEndingDirectorySeparator(dataDirectory), StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static int? ReadPid(string file)
    {
        try
        {
            if (!File.Exists(file))
            {
                return null;
            }

            using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            var first = reader.ReadLine();
            return int.TryParse(first?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
