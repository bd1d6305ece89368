using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Npgsql;

namespace FactoryPulse.Dump.Testing;

/// <summary>
/// A PostgreSQL server for integration tests, with a superuser connection. Obtain one with <see cref="StartAsync"/>
/// (or share one per test run through <see cref="SharedPostgresServer"/>), give each test class its own database with
/// <see cref="CreateDatabaseAsync"/>, and dispose the server when done.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable, IDisposable
{
    // The optional FactoryPulse.Dump.Testing.Testcontainers package, found by name so that this package never references Docker.
    private const string TestcontainersType = "FactoryPulse.Dump.Testing.Testcontainers.TestcontainersPostgres, FactoryPulse.Dump.Testing.Testcontainers";

    private readonly LocalCluster? cluster;
    private readonly IAsyncDisposable? stopper;
    private readonly ConcurrentDictionary<string, byte> createdDatabases = new(StringComparer.Ordinal);
    private int disposed;

    private PostgresServer(PostgresServerKind kind, string connectionString, string description, LocalCluster? cluster, IAsyncDisposable? stopper)
    {
        Kind = kind;
        ConnectionString = connectionString;
        Description = description;
        this.cluster = cluster;
        this.stopper = stopper;
    }

    /// <summary>Superuser connection string (Npgsql keyword form) to the maintenance database <c>postgres</c>; for a server taken from the
    /// environment variable, the database named there (<c>postgres</c> when it names none).</summary>
    public string ConnectionString { get; }

    /// <summary>Where the server came from.</summary>
    public PostgresServerKind Kind { get; }

    /// <summary>Human-readable description for test output, e.g. "local PostgreSQL 15.8 binaries on 127.0.0.1:54123"; never holds a password.</summary>
    public string Description { get; }

    /// <summary>The cluster folder of a <see cref="PostgresServerKind.LocalBinaries"/> server (for tests of this library).</summary>
    internal string? ClusterDirectory => cluster?.RootDirectory;

    /// <summary>Set on the process-wide server: user code disposing it must not pull it away from the other test classes.</summary>
    internal bool IsShared { get; set; }

    /// <summary>
    /// Finds or starts a server: (a) the connection string in <see cref="PostgresServerOptions.ConnectionStringVariable"/>,
    /// (b) a fresh cluster from local PostgreSQL binaries, (c) <see cref="PostgresServerOptions.Fallback"/>, or, when that is not set and the
    /// FactoryPulse.Dump.Testing.Testcontainers package is referenced, a Testcontainers container when a Docker engine is reachable.
    /// </summary>
    /// <param name="options">Where to look and how to start; <see langword="null"/> uses the defaults.</param>
    /// <param name="cancellationToken">Cancels the start; a half-started cluster is cleaned up.</param>
    /// <returns>A running server; dispose it to stop it.</returns>
    /// <exception cref="PostgresServerUnavailableException">No source worked; the message says what was tried and how to provide a server.</exception>
    public static async Task<PostgresServer> StartAsync(PostgresServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PostgresServerOptions();
        ValidateOptions(options);

        var fromEnvironment = Environment.GetEnvironmentVariable(options.ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return await FromEnvironmentAsync(options, fromEnvironment, cancellationToken).ConfigureAwait(false);
        }

        var binaries = PostgresBinaries.Find(options.BinariesDirectory, out var searched);
        if (binaries is not null)
        {
            return await StartLocalAsync(options, binaries, cancellationToken).ConfigureAwait(false);
        }

        if (options.BinariesDirectory is not null)
        {
            // An explicit folder is a request, not a hint: falling through to Docker would hide the typo.
            throw PostgresServerUnavailableException.Create(
                options,
                $"PostgresServerOptions.BinariesDirectory is {options.BinariesDirectory}, but it does not contain initdb, pg_ctl and postgres.");
        }

        var fallback = options.Fallback ?? FindTestcontainersFallback();
        string last;
        if (fallback is null)
        {
            last = "no fallback is set (PostgresServerOptions.Fallback; the FactoryPulse.Dump.Testing.Testcontainers package is not referenced)";
        }
        else
        {
            try
            {
                return await fallback(options, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresServerUnavailableException ex)
            {
                // The fallback says why (e.g. no Docker engine); the message names every source tried.
                last = ex.Message;
                throw PostgresServerUnavailableException.Create(
                    options,
                    $"No PostgreSQL server available: {options.ConnectionStringVariable} is not set, no server binaries were found in {searched}, and the fallback failed: {last}",
                    ex);
            }
        }

        throw PostgresServerUnavailableException.Create(
            options,
            $"No PostgreSQL server available: {options.ConnectionStringVariable} is not set, no server binaries were found in {searched}, and {last}.");
    }

    /// <summary>
    /// Wraps a server started by other means (a Testcontainers container, a cloud instance, …) so that fixtures and
    /// <see cref="CreateDatabaseAsync"/> can use it. Checks that it answers; disposing the result drops nothing on the server but disposes
    /// <paramref name="stopper"/> (e.g. the container), except for <see cref="PostgresServerKind.Environment"/>, where only the databases
    /// created through it are dropped.
    /// </summary>
    /// <param name="kind">Where the server came from (reported by <see cref="Kind"/>).</param>
    /// <param name="connectionString">Superuser connection string (Npgsql keyword form); a missing database means <c>postgres</c>.</param>
    /// <param name="source">Where it runs, for <see cref="Description"/>, e.g. "in Testcontainers postgres:15-alpine on localhost:32768"; no password.</param>
    /// <param name="stopper">Stops the server when this one is disposed; also disposed when the server does not answer.</param>
    /// <param name="cancellationToken">Cancels the connection check.</param>
    /// <returns>The server.</returns>
    /// <exception cref="PostgresServerUnavailableException">The server does not answer.</exception>
    public static async Task<PostgresServer> AttachAsync(
        PostgresServerKind kind, string connectionString, string source, IAsyncDisposable? stopper, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(source);
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(builder.Database))
            {
                builder.Database = "postgres";
            }

            var version = await QueryVersionAsync(builder.ConnectionString, cancellationToken).ConfigureAwait(false);
            return new PostgresServer(kind, builder.ConnectionString, $"PostgreSQL {version} {source}", cluster: null, stopper);
        }
        catch (Exception ex)
        {
            if (stopper is not null)
            {
                await stopper.DisposeAsync().ConfigureAwait(false);
            }

            if (ex is NpgsqlException or TimeoutException or ArgumentException)
            {
                throw new PostgresServerUnavailableException($"The PostgreSQL server {source} did not accept connections: {ex.Message}", ex);
            }

            throw;
        }
    }

    /// <summary>Superuser connection string for another database on this server.</summary>
    /// <param name="database">Database name (not quoted).</param>
    /// <returns>The connection string in Npgsql keyword form.</returns>
    public string GetConnectionString(string database)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;
    }

    /// <summary>Creates a new, empty database named <paramref name="namePrefix"/> + "_" + a short random suffix (all lowercase).</summary>
    /// <param name="namePrefix">Start of the name: letters, digits and underscores, starting with a letter or underscore.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>A superuser connection string to the new database.</returns>
    public async Task<string> CreateDatabaseAsync(string namePrefix = "test", CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var prefix = ValidatePrefix(namePrefix);
        for (var attempt = 1; ; attempt++)
        {
            var name = prefix + "_" + ServerSql.RandomSuffix();
            try
            {
                // template0 never has connections (template1 might, which makes CREATE DATABASE fail) and carries no local additions.
                await ExecuteAsync($"CREATE DATABASE {ServerSql.QuoteIdentifier(name)} TEMPLATE template0", cancellationToken).ConfigureAwait(false);
                createdDatabases.TryAdd(name, 0);
                return GetConnectionString(name);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase && attempt < 3)
            {
                // A random name collided; draw another.
            }
        }
    }

    /// <summary>Drops a database if it exists, disconnecting its sessions (<c>DROP DATABASE IF EXISTS … WITH (FORCE)</c>, PostgreSQL 13+).</summary>
    /// <param name="database">Database name (not quoted).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>A task that completes when the database is gone.</returns>
    public async Task DropDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        await DropCoreAsync(database, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops and deletes a cluster or container this library started. A server taken from the environment variable stays up; only the
    /// databases created through <see cref="CreateDatabaseAsync"/> are dropped. Disposing the <see cref="SharedPostgresServer"/> does nothing;
    /// it is stopped when the process exits.
    /// </summary>
    /// <returns>A task that completes when the server is stopped and its files are gone.</returns>
    public ValueTask DisposeAsync() => IsShared ? ValueTask.CompletedTask : new ValueTask(DisposeCoreAsync(immediate: false));

    /// <summary>
    /// Blocking form of <see cref="DisposeAsync"/> for fixtures of runners that only call <see cref="IDisposable"/> (xunit v2).
    /// The teardown runs on the thread pool, away from the caller's synchronization context, so waiting on it cannot deadlock.
    /// </summary>
    public void Dispose()
    {
        if (!IsShared)
        {
            Task.Run(() => DisposeCoreAsync(immediate: false)).GetAwaiter().GetResult();
        }
    }

    /// <summary>Blocking teardown for ProcessExit handlers; never throws.</summary>
    internal void DisposeOnProcessExit()
    {
        try
        {
            Task.Run(() => DisposeCoreAsync(immediate: true)).Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // The process is exiting; a leftover cluster folder is swept by the next run.
        }
    }

    private async Task DisposeCoreAsync(bool immediate)
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        if (Kind == PostgresServerKind.Environment)
        {
            // Someone else's server: undo only what we did.
            var failures = new List<Exception>();
            foreach (var database in createdDatabases.Keys)
            {
                try
                {
                    await DropCoreAsync(database, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
                {
                    failures.Add(ex);
                }
            }

            ServerSql.ClearPool(ConnectionString);
            if (failures.Count > 0)
            {
                throw new AggregateException($"Could not drop every test database created on the server from {Description}.", failures);
            }

            return;
        }

        // Close idle pooled connections before the server goes away, so later pool users do not trip over dead sockets.
        ServerSql.ClearPool(ConnectionString);
        foreach (var database in createdDatabases.Keys)
        {
            ServerSql.ClearPool(GetConnectionString(database));
        }

        if (cluster is not null)
        {
            await cluster.StopAndDeleteAsync(immediate).ConfigureAwait(false);
        }

        if (stopper is not null)
        {
            await stopper.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task DropCoreAsync(string database, CancellationToken cancellationToken)
    {
        await DropSubscriptionsAsync(database, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync($"DROP DATABASE IF EXISTS {ServerSql.QuoteIdentifier(database)} WITH (FORCE)", cancellationToken).ConfigureAwait(false);
        createdDatabases.TryRemove(database, out _);
        ServerSql.ClearPool(GetConnectionString(database));
    }

    /// <summary>
    /// DROP DATABASE refuses a database that holds subscriptions, even WITH (FORCE). A subscription a test created is
    /// disabled and detached from its slot (so dropping it never contacts the publisher), then dropped from inside its database.
    /// </summary>
    private async Task DropSubscriptionsAsync(string database, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var connection = new NpgsqlConnection(ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(
                "SELECT s.subname FROM pg_catalog.pg_subscription s JOIN pg_catalog.pg_database d ON d.oid = s.subdbid WHERE d.datname = $1", connection);
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = database });
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        names.Add(reader.GetString(0));
                }
            }
        }
        if (names.Count == 0)
            return;
        var inDatabase = new NpgsqlConnection(GetConnectionString(database));
        await using (inDatabase.ConfigureAwait(false))
        {
            await inDatabase.OpenAsync(cancellationToken).ConfigureAwait(false);
            foreach (var name in names)
            {
                var quoted = ServerSql.QuoteIdentifier(name);
                var command = new NpgsqlCommand(
                    $"ALTER SUBSCRIPTION {quoted} DISABLE; ALTER SUBSCRIPTION {quoted} SET (slot_name = NONE); DROP SUBSCRIPTION {quoted}", inDatabase);
                await using (command.ConfigureAwait(false))
                {
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<PostgresServer> FromEnvironmentAsync(PostgresServerOptions options, string connectionString, CancellationToken cancellationToken)
    {
        var variable = options.ConnectionStringVariable;
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The parser's message names keywords and positions, not values, so it cannot leak the password.
            throw PostgresServerUnavailableException.Create(
                options, $"{variable} is set but is not a valid Npgsql connection string: {ex.Message}", ex);
        }

        if (string.IsNullOrEmpty(builder.Database))
        {
            builder.Database = "postgres";
        }

        var where = $"{builder.Username ?? "(default user)"}@{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}/{builder.Database}";
        string version;
        try
        {
            version = await QueryVersionAsync(builder.ConnectionString, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or ArgumentException or TimeoutException)
        {
            throw PostgresServerUnavailableException.Create(
                options,
                $"{variable} is set, but connecting to {where} failed: {ex.Message} Fix or unset {variable}.",
                ex);
        }

        return new PostgresServer(
            PostgresServerKind.Environment,
            builder.ConnectionString,
            $"PostgreSQL {version} from {variable} ({where})",
            cluster: null,
            stopper: null);
    }

    private static async Task<PostgresServer> StartLocalAsync(PostgresServerOptions options, PostgresBinaries binaries, CancellationToken cancellationToken)
    {
        LocalCluster cluster;
        try
        {
            cluster = await LocalCluster.StartAsync(binaries, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw PostgresServerUnavailableException.Create(
                options, $"PostgreSQL server binaries were found in {binaries.Directory}, but a test cluster could not be started: {ex.Message}", ex);
        }

        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = cluster.Port,
            Username = "postgres",
            Database = "postgres",
        }.ConnectionString;
        try
        {
            var version = await QueryVersionAsync(connectionString, cancellationToken).ConfigureAwait(false);
            return new PostgresServer(
                PostgresServerKind.LocalBinaries,
                connectionString,
                $"local PostgreSQL {version} binaries on 127.0.0.1:{cluster.Port.ToString(CultureInfo.InvariantCulture)}",
                cluster,
                stopper: null);
        }
        catch (Exception ex)
        {
            await cluster.StopAndDeleteAsync(immediate: true).ConfigureAwait(false);
            if (ex is NpgsqlException or TimeoutException)
            {
                throw PostgresServerUnavailableException.Create(
                    options, $"A local test cluster started in {cluster.RootDirectory} but did not accept connections: {ex.Message}", ex);
            }

            throw;
        }
    }

    /// <summary>The Testcontainers package's <c>TestcontainersPostgres.StartAsync(options, image, token)</c> with its default image, when the package is referenced.</summary>
    internal static Func<PostgresServerOptions, CancellationToken, Task<PostgresServer>>? FindTestcontainersFallback()
    {
        var type = Type.GetType(TestcontainersType, throwOnError: false);
        var start = type?.GetMethod(
            "StartAsync", BindingFlags.Public | BindingFlags.Static, [typeof(PostgresServerOptions), typeof(string), typeof(CancellationToken)]);
        if (start is null || start.ReturnType != typeof(Task<PostgresServer>)
            || type!.GetField("DefaultImage", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is not string image)
        {
            return null;
        }

        // A delegate rather than MethodInfo.Invoke, so exceptions are not wrapped in TargetInvocationException.
        var startAsync = start.CreateDelegate<Func<PostgresServerOptions, string, CancellationToken, Task<PostgresServer>>>();
        return (options, cancellationToken) => startAsync(options, image, cancellationToken);
    }

    private static async Task<string> QueryVersionAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand("SHOW server_version", connection);
            await using (command.ConfigureAwait(false))
            {
                var version = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? "?";

                // "15.8 (Debian 15.8-1.pgdg120+1)" -> "15.8"
                var space = version.IndexOf(' ', StringComparison.Ordinal);
                return space > 0 ? version[..space] : version;
            }
        }
    }

    private static void ValidateOptions(PostgresServerOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionStringVariable, nameof(options));
        if (options.Port is int port && (port < 1 || port > 65535))
        {
            throw new ArgumentOutOfRangeException(nameof(options), port, "PostgresServerOptions.Port must be between 1 and 65535.");
        }

        foreach (var name in options.Settings?.Keys ?? [])
        {
            var valid = name.Length > 0
                && (char.IsAsciiLetter(name[0]) || name[0] == '_')
                && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.');
            if (!valid)
            {
                throw new ArgumentException($"'{name}' is not a valid PostgreSQL setting name.", nameof(options));
            }

            if (string.Equals(name, "port", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException("Set PostgresServerOptions.Port instead of a 'port' setting.", nameof(options));
            }
        }
    }

    private static string ValidatePrefix(string namePrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(namePrefix);
        var prefix = namePrefix.ToLowerInvariant();
        var valid = (char.IsAsciiLetter(prefix[0]) || prefix[0] == '_')
            && prefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            && prefix.Length <= 50; // names are cut at 63 bytes; keep room for "_" + suffix
        return valid
            ? prefix
            : throw new ArgumentException("The prefix must be at most 50 letters, digits or underscores, starting with a letter or underscore.", nameof(namePrefix));
    }
}
