using System.Globalization;

namespace FactoryPulse.Dump.Testing;

/// <summary>A folder holding the PostgreSQL server tools.</summary>
internal sealed record PostgresBinaries(string Directory, string InitDb, string PgCtl, string Postgres)
{
    private static readonly string Suffix = OperatingSystem.IsWindows() ? ".exe" : string.Empty;

    /// <summary>
    /// Finds the binaries: only <paramref name="binariesDirectory"/> when given, else PATH, then /usr/lib/postgresql/*/bin
    /// (highest version first). Returns <see langword="null"/> and what was searched when nothing fits.
    /// </summary>
    public static PostgresBinaries? Find(string? binariesDirectory, out string searched)
    {
        if (binariesDirectory is not null)
        {
            searched = binariesDirectory;
            return TryDirectory(binariesDirectory);
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(directory, "initdb" + Suffix);
            if (!File.Exists(initdb))
            {
                continue;
            }

            // PATH often holds symlinks (e.g. /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb); prefer the real folder.
            var target = ResolveLink(initdb);
            var found = TryDirectory(Path.GetDirectoryName(target)!) ?? TryDirectory(directory);
            if (found is not null)
            {
                searched = "PATH";
                return found;
            }
        }

        const string debianRoot = "/usr/lib/postgresql";
        searched = "PATH and " + debianRoot + "/*/bin";
        if (!System.IO.Directory.Exists(debianRoot))
        {
            return null;
        }

        var versions = System.IO.Directory.EnumerateDirectories(debianRoot)
            .Select(dir => (dir, version: ParseVersion(Path.GetFileName(dir))))
            .Where(x => x.version is not null)
            .OrderByDescending(x => x.version);
        foreach (var (dir, _) in versions)
        {
            var found = TryDirectory(Path.Combine(dir, "bin"));
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    private static PostgresBinaries? TryDirectory(string directory)
    {
        var full = Path.GetFullPath(directory);
        var initdb = Path.Combine(full, "initdb" + Suffix);
        var pgCtl = Path.Combine(full, "pg_ctl" + Suffix);
        var postgres = Path.Combine(full, "postgres" + Suffix);
        return File.Exists(initdb) && File.Exists(pgCtl) && File.Exists(postgres)
            ? new PostgresBinaries(full, initdb, pgCtl, postgres)
            : null;
    }

    private static string ResolveLink(string file)
    {
        try
        {
            return File.ResolveLinkTarget(file, returnFinalTarget: true)?.FullName ?? file;
        }
        catch (IOException)
        {
            return file;
        }
    }

    private static Version? ParseVersion(string name) =>
        Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var version) ? version
        : int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? new Version(major, 0)
        : null;
}
