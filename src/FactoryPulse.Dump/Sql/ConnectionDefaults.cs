using System.Data.Common;
using System.Globalization;
using System.Text;
using Npgsql;

namespace FactoryPulse.Dump.Sql;

/// <summary>
/// libpq's fallback for the parts a connection string leaves out, in libpq's order: the string itself, then PGHOST,
/// PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, then the password file (PGPASSFILE or ~/.pgpass), then the
/// defaults (a local socket directory holding the server's socket, else localhost; port 5432; the OS user). The
/// database is left unset when neither names it: the server then takes the user name, as libpq does.
/// </summary>
internal static class ConnectionDefaults
{
    private const int DefaultPort = 5432;

    public static NpgsqlConnectionStringBuilder Apply(NpgsqlConnectionStringBuilder given, ClientEnvironment environment, string paramName)
    {
        var resolved = new NpgsqlConnectionStringBuilder(given.ConnectionString);
        // Npgsql's Port defaults to 5432, so only the keys written into the string tell what the caller gave.
        var written = new DbConnectionStringBuilder { ConnectionString = given.ConnectionString };

        var portGiven = written.ContainsKey("Port");
        if (!portGiven && Variable(environment, "PGPORT") is { } portText)
        {
            var ports = portText.Split(',', StringSplitOptions.TrimEntries);
            var numbers = new int[ports.Length];
            for (var i = 0; i < ports.Length; i++)
                numbers[i] = ParsePort(ports[i], paramName);
            resolved.Port = numbers[0];
            // PGHOST=a,b with PGPORT=1,2 pairs them up (Npgsql takes host:port pairs in Host).
            if (numbers.Length > 1 && string.IsNullOrEmpty(given.Host) && Variable(environment, "PGHOST") is { } hostList)
            {
                var hosts = hostList.Split(',', StringSplitOptions.TrimEntries);
                if (hosts.Length == numbers.Length)
                {
                    for (var i = 0; i < hosts.Length; i++)
                        hosts[i] = $"{hosts[i]}:{numbers[i].ToString(CultureInfo.InvariantCulture)}";
                    resolved.Host = string.Join(",", hosts);
                }
            }
        }
        if (string.IsNullOrEmpty(resolved.Host))
            resolved.Host = Variable(environment, "PGHOST") ?? LocalHost(environment, resolved.Port);
        if (string.IsNullOrEmpty(resolved.Username))
            resolved.Username = Variable(environment, "PGUSER") ?? environment.OsUser;
        if (string.IsNullOrEmpty(resolved.Database) && Variable(environment, "PGDATABASE") is { } database)
            resolved.Database = database;
        if (!written.ContainsKey("SSL Mode") && Variable(environment, "PGSSLMODE") is { } sslMode)
            resolved.SslMode = ParseSslMode(sslMode, paramName, "PGSSLMODE");
        if (string.IsNullOrEmpty(resolved.Password))
        {
            var password = Variable(environment, "PGPASSWORD") ?? FromPasswordFile(resolved, environment);
            if (password is not null)
                resolved.Password = password;
        }
        return resolved;
    }

    /// <summary>An unset or empty variable counts as missing, as in libpq.</summary>
    private static string? Variable(ClientEnvironment environment, string name) =>
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

    private static int ParsePort(string text, string paramName) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new ConnectionStringException($"PGPORT must be a port number, not '{text}'.", paramName) { EnvironmentVariable = "PGPORT" };

    /// <summary>libpq's sslmode names.</summary>
    public static SslMode ParseSslMode(string value, string paramName, string? variable) => value.ToLowerInvariant() switch
    {
        "disable" => SslMode.Disable,
        "allow" => SslMode.Allow,
        "prefer" => SslMode.Prefer,
        "require" => SslMode.Require,
        "verify-ca" => SslMode.VerifyCA,
        "verify-full" => SslMode.VerifyFull,
        _ => throw new ConnectionStringException(
            $"Unknown sslmode '{value}'{(variable is null ? " in the connection URI" : $" in {variable}")}; use disable, allow, prefer, require, verify-ca or verify-full.", paramName)
        {
            EnvironmentVariable = variable,
        },
    };

    /// <summary>The password of the first matching line of PGPASSFILE or ~/.pgpass, or null.</summary>
    private static string? FromPasswordFile(NpgsqlConnectionStringBuilder resolved, ClientEnvironment environment)
    {
        var path = Variable(environment, "PGPASSFILE") ?? environment.DefaultPasswordFile;
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
