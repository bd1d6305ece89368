using System.ComponentModel;
using System.Data.Common;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace FactoryPulse.Dump.IntegrationTests.Oracle;

/// <summary>A libpq keyword/value conninfo; the password is kept apart so it never reaches a command line.</summary>
internal sealed record LibpqConnInfo(string ConnInfo, string? Password)
{
    /// <summary>Port of npgsql_to_kv in pgcompare (Npgsql / DbConnectionStringBuilder syntax to libpq).</summary>
    internal static LibpqConnInfo FromNpgsql(string connectionString)
    {
        var parsed = new DbConnectionStringBuilder { ConnectionString = connectionString };
        string? host = null, port = null, password = null;
        var options = new StringBuilder();
        var rest = new StringBuilder();
        foreach (string rawKey in parsed.Keys)
        {
            var value = Convert.ToString(parsed[rawKey], System.Globalization.CultureInfo.InvariantCulture) ?? "";
            var key = Regex.Replace(rawKey, @"\s", "").ToLowerInvariant();
            switch (key)
            {
                case "host" or "server":
                    host = value;
                    break;
                case "port":
                    port = value;
                    break;
                case "username" or "user" or "userid" or "uid":
                    rest.Append(" user=").Append(Quote(value));
                    break;
                case "password" or "pwd" or "psw":
                    password = value;
                    break;
                case "database" or "db":
                    rest.Append(" dbname=").Append(Quote(value));
                    break;
                case "sslmode":
                    var mode = value.ToLowerInvariant() switch
                    {
                        "verifyca" or "verify-ca" => "verify-ca",
                        "verifyfull" or "verify-full" => "verify-full",
                        var other => other,
                    };
                    rest.Append(" sslmode=").Append(mode);
                    break;
                case "timeout":
                    rest.Append(" connect_timeout=").Append(Quote(value));
                    break;
                case "applicationname":
                    rest.Append(" application_name=").Append(Quote(value));
                    break;
                case "clientencoding":
                    rest.Append(" client_encoding=").Append(Quote(value));
                    break;
                case "targetsessionattributes":
                    rest.Append(" target_session_attributes=").Append(value.ToLowerInvariant());
                    break;
                case "sslcertificate":
                    rest.Append(" sslcert=").Append(Quote(value));
                    break;
                case "sslkey":
                    rest.Append(" sslkey=").Append(Quote(value));
                    break;
                case "rootcertificate":
                    rest.Append(" sslrootcert=").Append(Quote(value));
                    break;
                case "options":
                    options.Append(' ').Append(value);
                    break;
                case "searchpath":
                    options.Append(" -c search_path=").Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(" ", "\\ ", StringComparison.Ordinal));
                    break;
                default:
                    break; // pooling, timeouts and other client-side settings mean nothing to libpq
            }
        }

        // Npgsql allows host lists and host:port; libpq takes parallel host= and port= lists
        var head = "";
        if (!string.IsNullOrEmpty(host))
        {
            var hosts = new List<string>();
            var ports = new List<string>();
            foreach (var item in host.Split(','))
            {
                var h = Regex.Replace(item, @"\s", "");
                var p = port;
                Match match;
                if ((match = Regex.Match(h, @"^\[(.*)\]:([0-9]+)$")).Success)
                    (h, p) = (match.Groups[1].Value, match.Groups[2].Value);
                else if ((match = Regex.Match(h, @"^\[(.*)\]$")).Success)
                    h = match.Groups[1].Value;
                else if ((match = Regex.Match(h, @"^([^:]+):([0-9]+)$")).Success)
                    (h, p) = (match.Groups[1].Value, match.Groups[2].Value);
                hosts.Add(h);
                ports.Add(string.IsNullOrEmpty(p) ? "5432" : p);
            }
            head = $" host={Quote(string.Join(',', hosts))} port={Quote(string.Join(',', ports))}";
        }
        else if (!string.IsNullOrEmpty(port))
        {
            head = $" port={Quote(port)}";
        }
        var conninfo = head + rest;
        if (options.Length > 0)
            conninfo += " options=" + Quote(options.ToString(1, options.Length - 1));
        return new LibpqConnInfo(conninfo.TrimStart(' '), password);
    }

    // libpq single-quoted value: backslash and quote escaped with a backslash
    private static string Quote(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}

internal static class PgDump
{
    /// <summary>Runs `pg_dump --schema-only` ($PG_DUMP or pg_dump on PATH, like pgcompare); throws with stderr on failure.</summary>
    internal static async Task<string> SchemaOnlyAsync(
        string npgsqlConnectionString, IReadOnlyList<string> excludeSchemas, string side, CancellationToken ct)
    {
        var conn = LibpqConnInfo.FromNpgsql(npgsqlConnectionString);
        var executable = Environment.GetEnvironmentVariable("PG_DUMP") is { Length: > 0 } configured ? configured : "pg_dump";
        var utf8 = new UTF8Encoding(false);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = utf8,
            StandardErrorEncoding = utf8,
        };
        start.ArgumentList.Add("--schema-only");
        // inside double quotes a pg_dump pattern is taken literally (no wildcards, no case folding)
        foreach (var schema in excludeSchemas)
            start.ArgumentList.Add("--exclude-schema=\"" + schema.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"");
        start.ArgumentList.Add("-d");
        start.ArgumentList.Add(conn.ConnInfo);
        if (conn.Password is not null)
            start.Environment["PGPASSWORD"] = conn.Password;
        // we decode stdout as UTF-8, so have pg_dump convert from whatever the database encoding is
        start.Environment["PGCLIENTENCODING"] = "UTF8";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"could not start {executable} (put it on PATH or set PG_DUMP): {e.Message}", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            try
            {
                await Task.WhenAll(stdout, stderr, process.WaitForExitAsync(ct));
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // already exited
                }
                throw;
            }
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"pg_dump --schema-only of {side} failed (exit code {process.ExitCode}): {(await stderr).Trim()}");
            }
            return await stdout;
        }
    }
}
