using System.Security.Cryptography;
using Npgsql;

namespace FactoryPulse.Dump.Testing;

/// <summary>Small SQL helpers shared by the server and snapshot types.</summary>
internal static class ServerSql
{
    private const string LowerAlphanumerics = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Eight random lowercase letters and digits: unique names for databases and folders, valid unquoted too.</summary>
    public static string RandomSuffix() => RandomNumberGenerator.GetString(LowerAlphanumerics, 8);

    public static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    public static string DatabaseOf(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        return string.IsNullOrEmpty(database)
            ? throw new ArgumentException("The connection string must name a database.", nameof(connectionString))
            : database;
    }

    public static void ClearPool(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        NpgsqlConnection.ClearPool(connection);
    }

    public static async Task<NpgsqlConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(connectionString, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            await ExecuteAsync(connection, sql, cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task<List<T>> QueryAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    rows.Add(read(reader));
                }
            }
        }

        return rows;
    }
}
