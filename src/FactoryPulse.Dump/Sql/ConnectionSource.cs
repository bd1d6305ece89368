using System.Net.Sockets;
using Npgsql;

namespace FactoryPulse.Dump.Sql;

/// <summary>
/// Where a run gets its connections: from a connection string (the library's own unpooled connections, see
/// <see cref="ServerConnection.OpenAsync"/>) or from the caller's <see cref="NpgsqlDataSource"/>, whose connections
/// go back to the caller's pool and whose pools the library never clears.
/// </summary>
internal sealed class ConnectionSource
{
    private readonly NpgsqlConnectionStringBuilder _settings;
    private readonly NpgsqlDataSource? _dataSource;

    private ConnectionSource(NpgsqlConnectionStringBuilder settings, NpgsqlDataSource? dataSource)
    {
        _settings = settings;
        _dataSource = dataSource;
    }

    /// <summary>
    /// The caller's data source when there is one, else <paramref name="connectionString"/> with its missing parts filled
    /// in as libpq does (PG* environment variables, the password file, defaults; see <see cref="ConnectionDefaults"/>).
    /// </summary>
    public static ConnectionSource Create(string connectionString, NpgsqlDataSource? dataSource) =>
        dataSource is null
            ? new ConnectionSource(ServerConnection.Resolve(connectionString), null)
            // Only to name the server and database in messages (Describe never shows a password); connections come from the data source.
            : new ConnectionSource(new NpgsqlConnectionStringBuilder(dataSource.ConnectionString), dataSource);

    /// <summary>
    /// The public data-source overloads take the connection from the data source alone: a connection string beside it
    /// would be ignored silently, so it is refused.
    /// </summary>
    public static void ThrowIfBothGiven(string? connectionString, string paramName)
    {
        if (!string.IsNullOrEmpty(connectionString))
            throw new ArgumentException("Give either a data source or ConnectionString, not both: with a data source, leave ConnectionString empty.", paramName);
    }

    public bool IsDataSource => _dataSource is not null;

    /// <summary>The database connected to: as named, else (libpq's default) the user's name; for a data source that names none, PGDATABASE.</summary>
    public string? Database => _settings.Database ?? (_dataSource is null ? _settings.Username : Environment.GetEnvironmentVariable("PGDATABASE"));

    /// <summary>"user@host:port/database", never the password.</summary>
    public string Describe() => ServerConnection.Describe(_settings);

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_dataSource is null)
            return await ServerConnection.OpenAsync(_settings, cancellationToken).ConfigureAwait(false);
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or SocketException)
        {
            throw ServerConnection.Translate(exception, _settings);
        }
    }

    /// <summary>The same server and credentials, another database (pg_restore --create). Connection strings only: a data source is bound to its database.</summary>
    public ConnectionSource WithDatabase(string database)
    {
        if (_dataSource is not null)
            throw new InvalidOperationException("A data source is bound to one database.");
        return new ConnectionSource(new NpgsqlConnectionStringBuilder(_settings.ConnectionString) { Database = database }, null);
    }

    /// <summary>The database named by the settings, or <c>postgres</c> when they name none (where CREATE DATABASE runs).</summary>
    public ConnectionSource ForMaintenance() =>
        string.IsNullOrEmpty(_settings.Database) ? WithDatabase("postgres") : this;
}
