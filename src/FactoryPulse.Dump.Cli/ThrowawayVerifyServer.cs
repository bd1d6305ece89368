using System.Diagnostics;
using System.Globalization;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.Cli;

/// <summary>
/// The throwaway server `fpdump backup` restores a new set into: a fresh cluster from installed PostgreSQL server binaries
/// (never downloaded), of the source's major version when installed, else the nearest newer one, stopped and deleted after.
/// </summary>
internal sealed class ThrowawayVerifyServer : IAsyncDisposable
{
    /// <summary>Named to FactoryPulse.Dump.Testing as its connection-string variable; the backup command reads it as --verify-server's default first, so a cluster is started only when it is unset.</summary>
    public const string ConnectionVariable = "FPDUMP_VERIFY_SERVER";

    private const string DebianRoot = "/usr/lib/postgresql";

    private PostgresServer? _server;

    /// <summary>For <see cref="BackupSetOptions.StartRestoreCheckServer"/>: starts a cluster, or says why there is none.</summary>
    public async Task<RestoreCheckServer> StartAsync(int sourceMajor, CancellationToken cancellationToken)
    {
        // The search runs child processes and waits for them: never on the caller's thread, which may be the one
        // completing the socket reads those waits depend on.
        var searched = "";
        var installed = await Task.Run(() => FindInstalled(out searched), cancellationToken).ConfigureAwait(false);
        string? chosen = null;
        var chosenMajor = int.MaxValue;
        foreach (var (major, directory) in installed)
        {
            if (major >= sourceMajor && major < chosenMajor)
                (chosen, chosenMajor) = (directory, major);
        }
        if (chosen is null)
        {
            var found = installed.Count == 0 ? "none" : string.Join(", ", installed.Keys.Order());
            return new RestoreCheckServer
            {
                Description = $"no PostgreSQL server binaries of version {sourceMajor} or newer are installed (searched {searched}; found: {found}); install them or pass --verify-server",
            };
        }
        try
        {
            _server = await PostgresServer.StartAsync(new PostgresServerOptions
            {
                BinariesDirectory = chosen,
                ConnectionStringVariable = ConnectionVariable,
            }, cancellationToken);
        }
        catch (PostgresServerUnavailableException exception)
        {
            return new RestoreCheckServer { Description = $"a throwaway PostgreSQL {chosenMajor} server could not be started: {exception.Message}" };
        }
        return new RestoreCheckServer
        {
            ConnectionString = _server.ConnectionString,
            Description = $"a throwaway server ({_server.Description})",
            // A cluster fpdump made for this check and deletes after it: the archive's roles may be created there.
            MayCreateRoles = _server.Kind == PostgresServerKind.LocalBinaries,
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    /// <summary>Server binaries by major version: /usr/lib/postgresql/N/bin, FactoryPulse.Dump.Testing's cache of fetched versions, then PATH.</summary>
    private static SortedDictionary<int, string> FindInstalled(out string searched)
    {
        var found = new SortedDictionary<int, string>();
        if (Directory.Exists(DebianRoot))
        {
            foreach (var directory in Directory.EnumerateDirectories(DebianRoot))
            {
                if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var major) && HasServer(Path.Combine(directory, "bin")))
                    found.TryAdd(major, Path.Combine(directory, "bin"));
            }
        }
        // Only folders already there: the cache is renamed into place when complete, and a backup never downloads a server.
        var cache = PostgresVersions.CacheDirectory;
        if (Directory.Exists(cache))
        {
            foreach (var directory in Directory.EnumerateDirectories(cache))
            {
                if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var major) && HasServer(Path.Combine(directory, "bin")))
                    found.TryAdd(major, Path.Combine(directory, "bin"));
            }
        }
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(directory, "initdb");
            if (!File.Exists(initdb))
                continue;
            var real = Path.GetDirectoryName(File.ResolveLinkTarget(initdb, returnFinalTarget: true)?.FullName ?? initdb)!;
            if (HasServer(real) && MajorOf(Path.Combine(real, "postgres")) is { } major)
                found.TryAdd(major, real);
        }
        searched = $"{DebianRoot}/*/bin, {cache} and PATH";
        return found;
    }

    private static bool HasServer(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")) && File.Exists(Path.Combine(directory, "postgres"));

    /// <summary>"postgres (PostgreSQL) 15.8 (Debian …)" → 15; null when it does not answer like that.</summary>
    private static int? MajorOf(string postgres)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(postgres, "--version") { RedirectStandardOutput = true, UseShellExecute = false });
            if (process is null)
                return null;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit(10_000);
            var marker = output.IndexOf(") ", StringComparison.Ordinal);
            if (marker < 0)
                return null;
            var version = output[(marker + 2)..].TrimStart();
            var end = 0;
            while (end < version.Length && char.IsAsciiDigit(version[end]))
                end++;
            return int.TryParse(version.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
