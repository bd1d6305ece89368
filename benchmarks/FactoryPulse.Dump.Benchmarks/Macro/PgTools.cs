using System.Globalization;
using Npgsql;

namespace FactoryPulse.Dump.Benchmarks.Macro;

/// <summary>The client programs (psql, pg_dump, pg_restore) of the server's major version, and libpq arguments for a database.</summary>
internal sealed class PgTools
{
    private readonly string binDirectory;

    private PgTools(string binDirectory) => this.binDirectory = binDirectory;

    public string Psql => Path.Combine(binDirectory, "psql");
    public string PgDump => Path.Combine(binDirectory, "pg_dump");
    public string PgRestore => Path.Combine(binDirectory, "pg_restore");

    /// <summary>Prefers /usr/lib/postgresql/MAJOR/bin (the real binaries; /usr/bin/pg_dump is Debian's Perl wrapper), else PATH.</summary>
    public static PgTools Find(int serverMajor)
    {
        var debian = $"/usr/lib/postgresql/{serverMajor.ToString(CultureInfo.InvariantCulture)}/bin";
        if (File.Exists(Path.Combine(debian, "pg_dump")) && File.Exists(Path.Combine(debian, "psql")))
            return new PgTools(debian);
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, "pg_dump")))
                return new PgTools(dir);
        }

        throw new InvalidOperationException("pg_dump, pg_restore and psql are needed for the comparison; install the PostgreSQL client package (postgresql-client-15).");
    }

    /// <summary>A libpq conninfo string (for <c>-d</c>) for the database of an Npgsql connection string.</summary>
    public static string ConnInfo(string npgsqlConnectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(npgsqlConnectionString);
        var parts = new List<string>
        {
            "host=" + QuoteValue(b.Host ?? "127.0.0.1"),
            "port=" + b.Port.ToString(CultureInfo.InvariantCulture),
            "user=" + QuoteValue(b.Username ?? "postgres"),
            "dbname=" + QuoteValue(b.Database ?? "postgres"),
        };
        if (!string.IsNullOrEmpty(b.Password))
            parts.Add("password=" + QuoteValue(b.Password));
        return string.Join(' ', parts);
    }

    private static string QuoteValue(string value) =>
        value.Length > 0 && !value.Any(c => c is ' ' or '\'' or '\\') ? value : "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    public static string DatabaseName(string npgsqlConnectionString) =>
        new NpgsqlConnectionStringBuilder(npgsqlConnectionString).Database ?? throw new ArgumentException("connection string names no database");

    public ProcessSpec PsqlFile(string connectionString, string file, IEnumerable<KeyValuePair<string, string>>? variables = null)
    {
        var args = new List<string> { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", ConnInfo(connectionString) };
        foreach (var (name, value) in variables ?? [])
        {
            args.Add("-v");
            args.Add(name + "=" + value);
        }

        args.Add("-f");
        args.Add(file);
        return new ProcessSpec(Psql, args);
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        var value = await command.ExecuteScalarAsync().ConfigureAwait(false);
        return (T)Convert.ChangeType(value!, typeof(T), CultureInfo.InvariantCulture);
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public static async Task<List<string>> ColumnAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        var values = new List<string>();
        while (await reader.ReadAsync().ConfigureAwait(false))
            values.Add(reader.GetString(0));
        return values;
    }

    /// <summary>Bytes of <c>COPY table TO STDOUT (FORMAT binary)</c>, read in 1 MiB buffers and thrown away.</summary>
    public static async Task<long> BinaryCopySizeAsync(string connectionString, string qualifiedTable)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var raw = await connection.BeginRawBinaryCopyAsync($"COPY {qualifiedTable} TO STDOUT (FORMAT binary)").ConfigureAwait(false);
        Stream stream = raw;
        var buffer = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            total += n;
        return total;
    }
}
