using System.Net.Sockets;
using Npgsql;

namespace FactoryPulse.Dump.Sql;

/// <summary>Turns user connection strings into open Npgsql connections, and failures into one-line, secret-free errors.</summary>
internal static class ServerConnection
{
    /// <summary>The connection string as written (keywords or a libpq URI), nothing filled in; malformed text is a <see cref="ConnectionStringException"/>.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string connectionString, string paramName = "ConnectionString")
    {
        var trimmed = (connectionString ?? "").Trim();
        if (trimmed.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return FromUri(trimmed, paramName);
        try
        {
            return new NpgsqlConnectionStringBuilder(trimmed);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Npgsql names the keyword or position, never the value, so the message holds no password.
            throw new ConnectionStringException($"The connection string is not valid: {exception.Message}", paramName, exception);
        }
    }

    /// <summary>
    /// The connection string with every part it leaves out filled in as libpq does (see <see cref="ConnectionDefaults"/>):
    /// what the library connects with, so "Database=shop", "" and "postgresql:///shop" honour PGHOST and PGPORT.
    /// </summary>
    public static NpgsqlConnectionStringBuilder Resolve(string connectionString, string paramName = "ConnectionString") =>
        Resolve(connectionString, ClientEnvironment.Current, paramName);

    public static NpgsqlConnectionStringBuilder Resolve(string connectionString, ClientEnvironment environment, string paramName = "ConnectionString") =>
        ConnectionDefaults.Apply(Parse(connectionString, paramName), environment, paramName);

    /// <summary>libpq URI: postgresql://user:password@host:port/database?sslmode=require&amp;application_name=x</summary>
    private static NpgsqlConnectionStringBuilder FromUri(string uri, string paramName)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        var rest = uri[(uri.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var query = "";
        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        if (queryStart >= 0)
        {
            query = rest[(queryStart + 1)..];
            rest = rest[..queryStart];
        }
        var path = "";
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            path = rest[(slash + 1)..];
            rest = rest[..slash];
        }
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var credentials = rest[..at];
            rest = rest[(at + 1)..];
            var colon = credentials.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon >= 0 ? credentials[..colon] : credentials);
            if (colon >= 0)
                builder.Password = Uri.UnescapeDataString(credentials[(colon + 1)..]);
        }
        if (rest.Length > 0)
        {
            var hosts = new List<string>();
            foreach (var part in rest.Split(','))
            {
                var host = Uri.UnescapeDataString(part);
                // Npgsql takes host:port pairs in Host; a lone port applies to all hosts.
                hosts.Add(host);
            }
            if (hosts.Count == 1 && TrySplitPort(hosts[0], out var onlyHost, out var port))
            {
                builder.Host = onlyHost;
                builder.Port = port;
            }
            else
            {
                builder.Host = string.Join(",", hosts);
            }
        }
        if (path.Length > 0)
            builder.Database = Uri.UnescapeDataString(path);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            switch (key.ToLowerInvariant())
            {
                case "sslmode":
                    builder.SslMode = ConnectionDefaults.ParseSslMode(value, paramName, null);
                    break;
                case "sslrootcert":
                    builder.RootCertificate = value;
                    break;
                case "sslcert":
                    builder.SslCertificate = value;
                    break;
                case "sslkey":
                    builder.SslKey = value;
                    break;
                case "application_name":
                    builder.ApplicationName = value;
                    break;
                case "connect_timeout":
                    builder.Timeout = ParseNumber(key, value, paramName);
                    break;
                case "user":
                    builder.Username = value;
                    break;
                case "password":
                    builder.Password = value;
                    break;
                case "dbname":
                    builder.Database = value;
                    break;
                case "host":
                    builder.Host = value;
                    break;
                case "port":
                    builder.Port = ParseNumber(key, value, paramName);
                    break;
                case "options":
                    builder.Options = value;
                    break;
                default:
                    throw new ConnectionStringException($"Unsupported parameter '{key}' in the connection URI.", paramName);
            }
        }
        return builder;
    }

    private static int ParseNumber(string key, string value, string paramName) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ConnectionStringException($"The connection URI parameter '{key}' must be a number, not '{value}'.", paramName);

    private static bool TrySplitPort(string host, out string name, out int port)
    {
        name = host;
        port = 0;
        var colon = host.LastIndexOf(':');
        if (colon <= 0 || host.EndsWith(']'))
            return false;
        if (!int.TryParse(host.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port))
            return false;
        name = host[..colon].Trim('[', ']');
        return true;
    }

    /// <summary>"user@host:port/database", never the password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder) =>
        $"{builder.Username ?? "(default user)"}@{builder.Host ?? "localhost"}:{(builder.Port == 0 ? 5432 : builder.Port)}/{builder.Database ?? builder.Username ?? "(default database)"}";

    public static async Task<NpgsqlConnection> OpenAsync(NpgsqlConnectionStringBuilder builder, CancellationToken cancellationToken)
    {
        var settings = new NpgsqlConnectionStringBuilder(builder.ConnectionString)
        {
            // A dump or restore is one long session; pooling only keeps servers busy afterwards.
            Pooling = false,
            ApplicationName = string.IsNullOrEmpty(builder.ApplicationName) ? "fpdump" : builder.ApplicationName,
            CommandTimeout = 0,
        };
        var connection = DataSourceFor(settings.ConnectionString).CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or SocketException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw Translate(exception, builder);
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, NpgsqlDataSource> DataSources = new(StringComparer.Ordinal);

    /// <summary>
    /// One unpooled data source per connection string, for the life of the process (what <c>new NpgsqlConnection(string)</c>
    /// keeps internally too), without type loading: every value the library reads is of a built-in type (data moves as
    /// raw COPY bytes, never decoded), and loading the server's type catalog was the first query of every run, ~25 ms of
    /// server time on the small Factory Pulse database (issue 16).
    /// </summary>
    internal static NpgsqlDataSource DataSourceFor(string connectionString) =>
        DataSources.GetOrAdd(connectionString, static text =>
        {
            var builder = new NpgsqlDataSourceBuilder(text);
            builder.ConfigureTypeLoading(typeLoading => typeLoading.EnableTypeLoading(false));
            return builder.Build();
        });

    public static ServerConnectionException Translate(Exception exception, NpgsqlConnectionStringBuilder builder)
    {
        var where = Describe(builder);
        var message = exception switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword } => $"Password authentication failed for {where}. Check the password in the connection string or PGPASSWORD.",
            PostgresException { SqlState: PostgresErrorCodes.InvalidAuthorizationSpecification } postgres => $"The server refused {where}: {postgres.MessageText}. Check the user name and pg_hba.conf.",
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } => $"Database does not exist: {where}. Create it first or fix the database name.",
            PostgresException { SqlState: PostgresErrorCodes.CannotConnectNow } => $"The server at {where} is starting up or shutting down; try again shortly.",
            PostgresException postgres => $"Cannot log in to {where}: {postgres.MessageText}",
            _ when FindSocketError(exception) is { } socket => $"Cannot connect to PostgreSQL at {where}: {socket.Message}. Check that the server is running and the host and port are right.",
            TimeoutException or NpgsqlException { InnerException: TimeoutException } => $"Timed out connecting to PostgreSQL at {where}. Check the host, port and firewall.",
            _ => $"Cannot connect to PostgreSQL at {where}: {exception.Message}",
        };
        return new ServerConnectionException(message, exception) { SqlState = (exception as PostgresException)?.SqlState };
    }

    private static SocketException? FindSocketError(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is SocketException socket)
                return socket;
        }
        return null;
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return (T)value!;
    }
}
