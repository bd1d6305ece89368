namespace FactoryPulse.Dump.Sql;

/// <summary>
/// What libpq consults besides the connection string: PG* variables, the password file, the local socket directories
/// and the OS user. A seam, so the resolution rules are tested without touching the process environment.
/// </summary>
internal sealed class ClientEnvironment
{
    /// <summary>Debian/Ubuntu packages put the socket here; upstream builds use /tmp (libpq's DEFAULT_PGSOCKET_DIR).</summary>
    public static readonly string[] SocketDirectories = ["/var/run/postgresql", "/tmp"];

    /// <summary>The value of an environment variable, or null.</summary>
    public required Func<string, string?> Variable { get; init; }

    /// <summary>A password file's text, or null when it is missing, unreadable or (as libpq) readable by group or others.</summary>
    public required Func<string, string?> ReadPasswordFile { get; init; }

    /// <summary>Whether a file exists (a server socket such as /tmp/.s.PGSQL.5432).</summary>
    public required Func<string, bool> FileExists { get; init; }

    /// <summary>Where ~/.pgpass lives (%APPDATA%\postgresql\pgpass.conf on Windows), or null without a home.</summary>
    public required string? DefaultPasswordFile { get; init; }

    /// <summary>A service file's text, or null when it is missing or unreadable.</summary>
    public required Func<string, string?> ReadServiceFile { get; init; }

    /// <summary>Where the user's service file lives (~/.pg_service.conf; %APPDATA%\postgresql\.pg_service.conf on Windows), or null without a home.</summary>
    public required string? DefaultServiceFile { get; init; }

    /// <summary>
    /// Where the system-wide pg_service.conf lives when PGSYSCONFDIR is unset: libpq's compiled-in configuration directory,
    /// /etc/postgresql-common in Debian's and Ubuntu's packages (the ones this project's servers come from).
    /// </summary>
    public required string SystemConfigDirectory { get; init; }

    /// <summary>The OS user, libpq's default role name.</summary>
    public required string OsUser { get; init; }

    /// <summary>The process's own environment and files.</summary>
    public static ClientEnvironment Current { get; } = new()
    {
        Variable = Environment.GetEnvironmentVariable,
        ReadPasswordFile = ReadOwnerOnlyFile,
        FileExists = File.Exists,
        DefaultPasswordFile = OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "postgresql", "pgpass.conf")
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? Path.Combine(home, ".pgpass") : null,
        ReadServiceFile = ReadFileIfPresent,
        DefaultServiceFile = OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "postgresql", ".pg_service.conf")
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } serviceHome ? Path.Combine(serviceHome, ".pg_service.conf") : null,
        SystemConfigDirectory = "/etc/postgresql-common",
        OsUser = Environment.UserName,
    };

    private static string? ReadFileIfPresent(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadOwnerOnlyFile(string path)
    {
        try
        {
            if (!File.Exists(path))
                return null;
            // libpq ignores a password file others can read (it warns: permissions should be u=rw (0600) or less).
            const UnixFileMode othersMayRead = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & othersMayRead) != 0)
                return null;
            return File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
