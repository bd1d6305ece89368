using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;

namespace FactoryPulse.Dump.Testing;

/// <summary>
/// A throwaway cluster in <c>&lt;temp&gt;/fpdump-pg-XXXXXXXX</c>: <c>data/</c> is the data directory, <c>server.log</c> the server log and
/// <c>owner.pid</c> the id of the process that started it (so later runs can tell leftovers from clusters still in use).
/// </summary>
internal sealed class LocalCluster
{
    internal const string DirectoryPrefix = "fpdump-pg-";
    internal const string OwnerFileName = "owner.pid";
    internal const string DataFolderName = "data";
    private const int MaxStartAttempts = 5;

    // A tiny sh watchdog that outlives the test process: once the owner pid is gone while the folder still exists, it stops the
    // cluster and deletes the folder; it ends by itself once the folder is deleted. ProcessExit alone is not enough: vstest kills the
    // test host about 100 ms after the run (VSTEST_TESTHOST_SHUTDOWN_TIMEOUT), and .NET runs no ProcessExit on SIGTERM or SIGKILL.
    // It gets its own session (setsid) and a double fork, ignores INT/HUP/TERM sent to the run's process group, and keeps no stdio.
    // Arguments: owner pid, folder, stop command...
    private const string WatchdogScript = """
        exec </dev/null >/dev/null 2>&1
        (
          trap '' INT HUP TERM
          owner=$1; dir=$2; shift 2
          while kill -0 "$owner" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
          if [ -d "$dir" ]; then "$@"; rm -rf "$dir"; fi
        ) &
        """;

    private readonly PostgresBinaries binaries;
    private readonly ServerUser user;
    private int stopped;

    private LocalCluster(string rootDirectory, PostgresBinaries binaries, ServerUser user)
    {
        RootDirectory = rootDirectory;
        this.binaries = binaries;
        this.user = user;
    }

    /// <summary>The fpdump-pg-* folder holding everything of this cluster.</summary>
    public string RootDirectory { get; }

    public string DataDirectory => Path.Combine(RootDirectory, DataFolderName);

    public string LogFile => Path.Combine(RootDirectory, "server.log");

    public int Port { get; private set; }

    /// <summary>Folders that may hold clusters: the temp path, and /tmp when root had to fall back to it.</summary>
    internal static IEnumerable<string> ParentDirectories()
    {
        var temp = Path.GetFullPath(Path.GetTempPath());
        yield return temp;
        if (!OperatingSystem.IsWindows() && Path.TrimEndingDirectorySeparator(temp) != "/tmp")
        {
            yield return "/tmp";
        }
    }

    public static async Task<LocalCluster> StartAsync(PostgresBinaries binaries, PostgresServerOptions options, CancellationToken cancellationToken)
    {
        var user = ServerUser.Current;
        LocalClusterJanitor.RemoveStaleClusters(binaries, user);

        var cluster = new LocalCluster(CreateRootDirectory(user), binaries, user);
        LocalClusterJanitor.Track(cluster);
        try
        {
            await user.HandOverAsync(cluster.RootDirectory, cancellationToken).ConfigureAwait(false);
            await cluster.StartWatchdogAsync(cancellationToken).ConfigureAwait(false);
            await cluster.InitAsync(cancellationToken).ConfigureAwait(false);
            await cluster.StartServerAsync(options, cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            try
            {
                await cluster.StopAndDeleteAsync(immediate: true).ConfigureAwait(false);
            }
            catch (Exception cleanupError) when (cleanupError is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // The start failure is the interesting error; a leftover folder is swept by the next run.
            }

            throw;
        }
    }

    /// <summary>Stops the server (fast, then immediate, then kill) and deletes the folder. Safe to call more than once.</summary>
    public async Task StopAndDeleteAsync(bool immediate)
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        try
        {
            await StopServerAsync(immediate).ConfigureAwait(false);
            await DeleteDirectoryAsync(RootDirectory).ConfigureAwait(false);
        }
        finally
        {
            LocalClusterJanitor.Untrack(this);
        }
    }

    /// <summary>Blocking, immediate-mode variant for ProcessExit handlers.</summary>
    public void StopAndDeleteNow() => Task.Run(() => StopAndDeleteAsync(immediate: true)).GetAwaiter().GetResult();

    private static string CreateRootDirectory(ServerUser user)
    {
        var parent = Path.GetTempPath();
        if (user.UserName is not null && !OperatingSystem.IsWindows() && !OthersCanTraverse(parent))
        {
            // The server user must reach the folder; a root-only TMPDIR (e.g. /root/tmp) would make initdb fail.
            parent = "/tmp";
        }

        while (true)
        {
            var path = Path.Combine(parent, DirectoryPrefix + ServerSql.RandomSuffix());
            if (Directory.Exists(path))
            {
                continue;
            }

            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
            }
            else
            {
                Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            File.WriteAllText(Path.Combine(path, OwnerFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            return path;
        }
    }

    [UnsupportedOSPlatform("windows")]
    internal static bool OthersCanTraverse(string directory)
    {
        for (var current = new DirectoryInfo(directory); current is not null; current = current.Parent)
        {
            if (current.Exists && (current.UnixFileMode & UnixFileMode.OtherExecute) == 0)
            {
                return false;
            }
        }

        return true;
    }

    private async Task StartWatchdogAsync(CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var (stopFile, stopArguments) = user.Wrap(binaries.PgCtl, ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "10", "stop"]);
        string[] arguments =
        [
            "-c", WatchdogScript, "fpdump-pg-watchdog",
            Environment.ProcessId.ToString(CultureInfo.InvariantCulture), RootDirectory, stopFile, .. stopArguments,
        ];
        var setsid = ProcessRunner.FindExecutable("setsid", "/usr/bin", "/bin");
        var result = setsid is null
            ? await ProcessRunner.RunAsync("/bin/sh", arguments, "/", TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false)
            : await ProcessRunner.RunAsync(setsid, ["-f", "/bin/sh", .. arguments], "/", TimeSpan.FromSeconds(10), cancellationToken)
                .ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not start the cleanup watchdog for {RootDirectory}: {result.Output}");
        }
    }

    private async Task InitAsync(CancellationToken cancellationToken)
    {
        // The superuser must be called postgres whatever OS user runs the cluster; trust auth keeps connection strings password-free.
        string[] arguments = ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"];
        var result = await user.RunAsync(binaries.InitDb, arguments, RootDirectory, TimeSpan.FromMinutes(2), cancellationToken)
            .ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"initdb failed (exit code {result.ExitCode}) for {DataDirectory}{Describe(user)}:{Environment.NewLine}{result.Output}");
        }
    }

    private async Task StartServerAsync(PostgresServerOptions options, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port ?? PickFreePort();
            var logOffset = File.Exists(LogFile) ? new FileInfo(LogFile).Length : 0;
            string[] arguments =
            [
                "-D", DataDirectory, "-w", "-t", "60", "-l", LogFile,
                "-o", BuildServerOptions(port, options.Settings), "start",
            ];
            var result = await user.RunAsync(binaries.PgCtl, arguments, RootDirectory, TimeSpan.FromSeconds(90), cancellationToken)
                .ConfigureAwait(false);
            if (result.Succeeded)
            {
                Port = port;
                return;
            }

            var log = ReadLogTail(logOffset);

            // pg_ctl may give up while the server is still coming up; never leave such a half-started server behind.
            await StopServerAsync(immediate: true).ConfigureAwait(false);

            // A free port picked by us can be grabbed by someone else before the server binds it.
            if (options.Port is null && attempt < MaxStartAttempts && IsPortConflict(log))
            {
                continue;
            }

            throw new InvalidOperationException(
                $"pg_ctl could not start the server on 127.0.0.1:{port} (exit code {result.ExitCode}){Describe(user)}: {result.Output}"
                + $"{Environment.NewLine}--- tail of {LogFile} ---{Environment.NewLine}{log}");
        }
    }

    private static string BuildServerOptions(int port, IReadOnlyDictionary<string, string>? settings)
    {
        var values = new List<KeyValuePair<string, string>>
        {
            new("port", port.ToString(CultureInfo.InvariantCulture)),
            new("listen_addresses", "127.0.0.1"),
            // No Unix sockets: parallel runs would fight over /tmp/.s.PGSQL.<port>, and an unprivileged user may not write /var/run/postgresql.
            new("unix_socket_directories", string.Empty),
            // Throwaway data: durability only costs time.
            new("fsync", "off"),
            new("synchronous_commit", "off"),
            new("full_page_writes", "off"),
            new("max_connections", "200"),
        };
        if (settings is not null)
        {
            values.AddRange(settings);
        }

        // pg_ctl hands this string to /bin/sh, so each name=value is quoted as one word; a later -c wins over an earlier one.
        var builder = new StringBuilder();
        foreach (var (name, value) in values)
        {
            builder.Append(builder.Length == 0 ? "-c " : " -c ").Append(ServerUser.ShellQuote(name + "=" + value));
        }

        return builder.ToString();
    }

    private static int PickFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static bool IsPortConflict(string log) =>
        log.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
        || log.Contains("Address already in use", StringComparison.OrdinalIgnoreCase)
        || log.Contains("could not create any TCP/IP sockets", StringComparison.OrdinalIgnoreCase);

    private string ReadLogTail(long offset)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return lines.Length == 0 ? "(server log is empty)" : string.Join(Environment.NewLine, lines.TakeLast(40));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"(server log unreadable: {ex.Message})";
        }
    }

    private async Task StopServerAsync(bool immediate)
    {
        if (!LocalClusterJanitor.PostmasterRunning(DataDirectory, out _))
        {
            return;
        }

        // -t 20: a fast shutdown that hangs for 20 s is escalated to immediate.
        foreach (var mode in immediate ? new[] { "immediate" } : new[] { "fast", "immediate" })
        {
            await user.RunAsync(
                    binaries.PgCtl,
                    ["-D", DataDirectory, "-m", mode, "-w", "-t", "20", "stop"],
                    RootDirectory,
                    TimeSpan.FromSeconds(30),
                    CancellationToken.None)
                .ConfigureAwait(false);
            if (!LocalClusterJanitor.PostmasterRunning(DataDirectory, out _))
            {
                return;
            }
        }

        if (LocalClusterJanitor.PostmasterRunning(DataDirectory, out var pid))
        {
            LocalClusterJanitor.Kill(pid);
        }
    }

    private static async Task DeleteDirectoryAsync(string path)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (Exception ex) when (attempt < 5 && ex is IOException or UnauthorizedAccessException)
            {
                // Server processes may still be closing files for a moment after shutdown.
                await Task.Delay(200 * attempt).ConfigureAwait(false);
            }
        }
    }

    private static string Describe(ServerUser user) => user.UserName is null ? string.Empty : $" (run as user {user.UserName})";
}
