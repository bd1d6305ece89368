using System.Data.Common;
using System.Globalization;
using System.Text;
using Npgsql;

namespace FactoryPulse.Dump.Sql;

/// <summary>
/// libpq's fallback for the parts a connection string leaves out, in libpq's order: the string itself, then the
/// section of the connection service file that PGSERVICE names (see <see cref="ServiceFile"/>), then PGHOST (or
/// PGHOSTADDR), PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, PGAPPNAME, PGCONNECT_TIMEOUT, PGOPTIONS and the SSL
/// file variables, then the password file (PGPASSFILE or ~/.pgpass), then the defaults (a local socket directory holding
/// the server's socket, else localhost; port 5432; the OS user). The database is left unset when none names it: the
/// server then takes the user name, as libpq does.
/// </summary>
internal static class ConnectionDefaults
{
    private const int DefaultPort = 5432;

    /// <summary>Npgsql refuses a longer connect timeout (seconds).</summary>
    private const int MaxTimeout = 1024;

    /// <summary>A value the string left out, and where it came from: a PG* variable or the service's section.</summary>
    private sealed record Setting(string Value, string Where, string Variable);

    public static NpgsqlConnectionStringBuilder Apply(NpgsqlConnectionStringBuilder given, ClientEnvironment environment, string paramName)
    {
        var resolved = new NpgsqlConnectionStringBuilder(given.ConnectionString);
        // Npgsql's Port defaults to 5432, so only the keys written into the string tell what the caller gave.
        var written = new DbConnectionStringBuilder { ConnectionString = given.ConnectionString };
        var service = ServiceFile.Find(environment, paramName);
        // libpq fills each part from the service first (conninfo_add_defaults reads the service file before the environment).
        Setting? Fallback(string keyword, string variable) =>
            service?.Values.TryGetValue(keyword, out var fromService) == true && fromService.Length > 0
                ? new Setting(fromService, $"{keyword} in service \"{service.Name}\" ({service.File})", "PGSERVICE")
                : Variable(environment, variable) is { } fromVariable ? new Setting(fromVariable, variable, variable) : null;

        if (!written.ContainsKey("Port") && Fallback("port", "PGPORT") is { } portSetting)
        {
            var ports = portSetting.Value.Split(',', StringSplitOptions.TrimEntries);
            var numbers = new int[ports.Length];
            for (var i = 0; i < ports.Length; i++)
                numbers[i] = ParsePort(ports[i], portSetting, paramName);
            resolved.Port = numbers[0];
            // PGHOST=a,b with PGPORT=1,2 pairs them up (Npgsql takes host:port pairs in Host).
            if (numbers.Length > 1 && string.IsNullOrEmpty(given.Host) && Fallback("host", "PGHOST") is { } hostList)
            {
                var hosts = hostList.Value.Split(',', StringSplitOptions.TrimEntries);
                if (hosts.Length == numbers.Length)
                {
                    for (var i = 0; i < hosts.Length; i++)
                        hosts[i] = $"{hosts[i]}:{numbers[i].ToString(CultureInfo.InvariantCulture)}";
                    resolved.Host = string.Join(",", hosts);
                }
            }
        }
        // Npgsql has no hostaddr: a numeric address given alone is the host to connect to, as in libpq.
        if (string.IsNullOrEmpty(resolved.Host))
            resolved.Host = (Fallback("host", "PGHOST") ?? Fallback("hostaddr", "PGHOSTADDR"))?.Value ?? LocalHost(environment, resolved.Port);
        if (string.IsNullOrEmpty(resolved.Username))
            resolved.Username = Fallback("user", "PGUSER")?.Value ?? environment.OsUser;
        if (string.IsNullOrEmpty(resolved.Database) && Fallback("dbname", "PGDATABASE") is { } database)
            resolved.Database = database.Value;
        if (!written.ContainsKey("SSL Mode") && Fallback("sslmode", "PGSSLMODE") is { } sslMode)
            resolved.SslMode = ParseSslMode(sslMode.Value, paramName, sslMode.Variable, sslMode.Where);
        if (string.IsNullOrEmpty(resolved.ApplicationName) && Fallback("application_name", "PGAPPNAME") is { } applicationName)
            resolved.ApplicationName = applicationName.Value;
        if (!written.ContainsKey("Timeout") && Fallback("connect_timeout", "PGCONNECT_TIMEOUT") is { } timeout)
            resolved.Timeout = ParseTimeout(timeout, paramName);
        if (string.IsNullOrEmpty(resolved.Options) && Fallback("options", "PGOPTIONS") is { } options)
            resolved.Options = options.Value;
        if (string.IsNullOrEmpty(resolved.SslCertificate) && Fallback("sslcert", "PGSSLCERT") is { } sslCert)
            resolved.SslCertificate = sslCert.Value;
        if (string.IsNullOrEmpty(resolved.SslKey) && Fallback("sslkey", "PGSSLKEY") is { } sslKey)
            resolved.SslKey = sslKey.Value;
        if (string.IsNullOrEmpty(resolved.RootCertificate) && Fallback("sslrootcert", "PGSSLROOTCERT") is { } rootCert)
            resolved.RootCertificate = rootCert.Value;
        if (string.IsNullOrEmpty(resolved.Password))
        {
            var password = Fallback("password", "PGPASSWORD")?.Value
                ?? FromPasswordFile(resolved, Fallback("passfile", "PGPASSFILE")?.Value ?? environment.DefaultPasswordFile, environment);
            if (password is not null)
                resolved.Password = password;
        }
        return resolved;
    }

    /// <summary>An unset or empty variable counts as missing, as in libpq.</summary>
    internal static string? Variable(ClientEnvironment environment, string name) =>
        environment.Variable(name) is { Length: > 0 } value ? value : null;

    /// <summary>libpq connects to the local socket; where no server listens on one, localhost over TCP is the useful default.</summary>
    private static string LocalHost(ClientEnvironment environment, int port)
    {
        if (OperatingSystem.IsWindows())
            return "localhost";
        foreach (var directory in ClientEnvironment.SocketDirectories)
        {
            if (environment.FileExists($"{directory}/.s.PGSQL.{port.ToString(CultureInfo.InvariantCulture)}"))
                return directory;
        }
        return "localhost";
    }

    private static int ParsePort(string text, Setting setting, string paramName) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new ConnectionStringException($"{setting.Where} must be a port number, not '{text}'.", paramName) { EnvironmentVariable = setting.Variable };

    /// <summary>
    /// libpq's connect_timeout in seconds: zero or less waits for ever (Npgsql's 0), and 1 is taken as 2, since libpq
    /// insists on at least two seconds so that rounding cannot end a connection attempt at once.
    /// </summary>
    private static int ParseTimeout(Setting setting, string paramName)
    {
        if (!int.TryParse(setting.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
            throw new ConnectionStringException($"{setting.Where} must be a number of seconds, not '{setting.Value}'.", paramName) { EnvironmentVariable = setting.Variable };
        return seconds <= 0 ? 0 : Math.Min(Math.Max(seconds, 2), MaxTimeout);
    }

    /// <summary>libpq's sslmode names.</summary>
    public static SslMode ParseSslMode(string value, string paramName, string? variable, string? where = null) => value.ToLowerInvariant() switch
    {
        "disable" => SslMode.Disable,
        "allow" => SslMode.Allow,
        "prefer" => SslMode.Prefer,
        "require" => SslMode.Require,
        "verify-ca" => SslMode.VerifyCA,
        "verify-full" => SslMode.VerifyFull,
        _ => throw new ConnectionStringException(
            $"Unknown sslmode '{value}'{(variable is null ? " in the connection URI" : $" in {where ?? variable}")}; use disable, allow, prefer, require, verify-ca or verify-full.", paramName)
        {
            EnvironmentVariable = variable,
        },
    };

    /// <summary>The password of the first matching line of the password file (passfile, PGPASSFILE or ~/.pgpass), or null.</summary>
    private static string? FromPasswordFile(NpgsqlConnectionStringBuilder resolved, string? path, ClientEnvironment environment)
    {
        if (path is null || environment.ReadPasswordFile(path) is not { } text)
            return null;
        // Several hosts share one password in Npgsql: the first host's line is used.
        var host = resolved.Host!.Split(',')[0];
        var port = resolved.Port.ToString(CultureInfo.InvariantCulture);
        var colon = host.LastIndexOf(':');
        if (colon > 0 && !host.StartsWith('/') && !host.EndsWith(']') && int.TryParse(host.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            port = host[(colon + 1)..];
            host = host[..colon];
        }
        // libpq matches a connection over the default socket directory as "localhost".
        if (host.StartsWith('/') && Array.IndexOf(ClientEnvironment.SocketDirectories, host.TrimEnd('/')) >= 0)
            host = "localhost";
        return PasswordFile.Find(text, host, port, resolved.Database ?? resolved.Username!, resolved.Username!);
    }
}

/// <summary>
/// libpq's connection service file (pg_service.conf): PGSERVICE names a section, looked up in PGSERVICEFILE (else
/// ~/.pg_service.conf) and, only when that file lacks the section, in pg_service.conf of PGSYSCONFDIR (else the system
/// configuration directory). Sections are <c>[name]</c> lines followed by <c>keyword=value</c> lines (libpq's keywords);
/// blank lines and lines starting with <c>#</c> are skipped; the first value of a keyword counts. A named service that
/// neither file defines is an error, as in libpq.
/// </summary>
internal static class ServiceFile
{
    /// <summary>The section of one service and the file it came from.</summary>
    internal sealed record Section(string Name, string File, IReadOnlyDictionary<string, string> Values);

    /// <summary>libpq's keywords that have an Npgsql counterpart; any other is refused rather than silently dropped.</summary>
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "sslmode", "sslcert", "sslkey", "sslrootcert",
        "application_name", "connect_timeout", "options",
    };

    public static Section? Find(ClientEnvironment environment, string paramName)
    {
        if (ConnectionDefaults.Variable(environment, "PGSERVICE") is not { } name)
            return null;
        var userFile = ConnectionDefaults.Variable(environment, "PGSERVICEFILE") ?? environment.DefaultServiceFile;
        if (userFile is not null && environment.ReadServiceFile(userFile) is { } userText && Parse(userText, name, userFile, paramName) is { } inUserFile)
            return inUserFile;
        var systemFile = Path.Combine(ConnectionDefaults.Variable(environment, "PGSYSCONFDIR") ?? environment.SystemConfigDirectory, "pg_service.conf");
        if (environment.ReadServiceFile(systemFile) is { } systemText && Parse(systemText, name, systemFile, paramName) is { } inSystemFile)
            return inSystemFile;
        throw new ConnectionStringException(
            $"The service \"{name}\" that PGSERVICE names is not defined in {(userFile is null ? "" : userFile + " or ")}{systemFile}.", paramName)
        {
            EnvironmentVariable = "PGSERVICE",
        };
    }

    /// <summary>The section named <paramref name="name"/>, or null when the text has none; as libpq, only its lines are checked.</summary>
    internal static Section? Parse(string text, string name, string file, string paramName)
    {
        Dictionary<string, string>? values = null;
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            if (line[0] == '[')
            {
                if (values is not null)
                    break; // the next section begins: ours is complete
                if (line.EndsWith(']') && string.Equals(line[1..^1], name, StringComparison.Ordinal))
                    values = new Dictionary<string, string>(StringComparer.Ordinal);
                continue;
            }
            if (values is null)
                continue;
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
                throw Error($"syntax error in service file \"{file}\", line {lineNumber}: a keyword=value line was expected.", paramName);
            var keyword = line[..equals].Trim();
            if (keyword == "service")
                throw Error($"nested service specifications are not supported in service file \"{file}\", line {lineNumber}.", paramName);
            if (!Keywords.Contains(keyword))
                throw Error($"unsupported keyword \"{keyword}\" in service file \"{file}\", line {lineNumber}; supported: {string.Join(", ", Keywords)}.", paramName);
            values.TryAdd(keyword, line[(equals + 1)..].Trim());
        }
        return values is null ? null : new Section(name, file, values);
    }

    private static ConnectionStringException Error(string message, string paramName) =>
        new(char.ToUpperInvariant(message[0]) + message[1..], paramName) { EnvironmentVariable = "PGSERVICE" };
}

/// <summary>The pgpass format: <c>hostname:port:database:username:password</c>, <c>*</c> matches anything in the first four fields, <c>\</c> escapes <c>:</c> and <c>\</c>, <c>#</c> starts a comment line.</summary>
internal static class PasswordFile
{
    public static string? Find(string text, string host, string port, string database, string user)
    {
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
                continue;
            var fields = Split(line);
            if (fields.Count < 5)
                continue;
            if (Matches(fields[0], host) && Matches(fields[1], port) && Matches(fields[2], database) && Matches(fields[3], user))
                return fields[4] ?? "*";
        }
        return null;
    }

    /// <summary>A null field is the <c>*</c> wildcard (an escaped <c>\*</c> is a literal star).</summary>
    private static bool Matches(string? field, string value) => field is null || string.Equals(field, value, StringComparison.Ordinal);

    /// <summary>Splits at unescaped colons; as libpq, the password ends at the next unescaped colon.</summary>
    private static List<string?> Split(string line)
    {
        var fields = new List<string?>(5);
        var current = new StringBuilder();
        var escaped = false;
        for (var i = 0; i < line.Length && fields.Count < 5; i++)
        {
            var c = line[i];
            if (c == '\\' && i + 1 < line.Length)
            {
                current.Append(line[++i]);
                escaped = true;
                continue;
            }
            if (c == ':')
            {
                fields.Add(Field(current, escaped));
                current.Clear();
                escaped = false;
                continue;
            }
            current.Append(c);
        }
        if (fields.Count < 5)
            fields.Add(Field(current, escaped));
        return fields;
    }

    private static string? Field(StringBuilder text, bool escaped) => !escaped && text.Length == 1 && text[0] == '*' ? null : text.ToString();
}
