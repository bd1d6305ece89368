using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;

namespace FactoryPulse.Dump.Testing.Snapshots;

/// <summary>
/// The state of a seeded database, captured once and given back to each test: as a fresh database cloned from a frozen template
/// (<see cref="SnapshotStrategy.Template"/>, <see cref="CloneAsync"/>) or by resetting the same database
/// (<see cref="SnapshotStrategy.InPlace"/>, <see cref="ResetAsync"/>). Foreign-key cycles and triggers are no obstacle to either:
/// a clone is a file-level copy, and an in-place reset reloads without foreign-key checks or user triggers.
/// </summary>
/// <remarks>
/// The connection string must be a superuser's (as <see cref="PostgresServer.ConnectionString"/> is); the maintenance database
/// <c>postgres</c> on the same server is used for <c>CREATE/DROP DATABASE</c>. Large objects, and materialized view contents changed
/// by <c>REFRESH</c>, are not part of an in-place snapshot; schema changes (DDL) are not undone by either strategy — use template clones
/// for tests that change the schema.
/// </remarks>
public sealed class DatabaseSnapshot : IAsyncDisposable
{
    private const string MaintenanceDatabase = "postgres";

    private readonly string adminConnectionString;
    private readonly DatabaseSnapshotOptions options;
    private readonly InPlaceSnapshot? inPlace;
    private readonly string? templateOwner;
    private readonly int serverVersion;
    private readonly ConcurrentDictionary<string, SnapshotClone> clones = new(StringComparer.Ordinal);
    private int disposed;

    private DatabaseSnapshot(
        string connectionString,
        string adminConnectionString,
        DatabaseSnapshotOptions options,
        string databaseName,
        int serverVersion,
        string? templateOwner,
        InPlaceSnapshot? inPlace)
    {
        ConnectionString = connectionString;
        this.adminConnectionString = adminConnectionString;
        this.options = options;
        DatabaseName = databaseName;
        this.serverVersion = serverVersion;
        this.templateOwner = templateOwner;
        this.inPlace = inPlace;
    }

    /// <summary>The strategy this snapshot was captured with.</summary>
    public SnapshotStrategy Strategy => options.Strategy;

    /// <summary>
    /// In-place: the database that <see cref="ResetAsync"/> resets. Template: the frozen template database (closed to connections;
    /// clone it with <see cref="CloneAsync"/>).
    /// </summary>
    public string DatabaseName { get; }

    /// <summary>Superuser connection string to <see cref="DatabaseName"/> (usable for connections with the in-place strategy only).</summary>
    public string ConnectionString { get; }

    /// <summary>In-place: number of tables captured (0 for the template strategy).</summary>
    public int TableCount => inPlace?.TableCount ?? 0;

    /// <summary>In-place: bytes of binary COPY data held in memory (0 for the template strategy).</summary>
    public long DataBytes => inPlace?.DataBytes ?? 0;

    /// <summary>Names of the clones made by <see cref="CloneAsync"/> and not yet disposed.</summary>
    public IReadOnlyCollection<string> OpenClones => [.. clones.Keys];

    /// <summary>
    /// Captures the current state of the database named in <paramref name="connectionString"/>.
    /// Template strategy: copies it into a new database <c>{prefix}_tpl_xxxxxxxx</c> closed to connections (or, with
    /// <see cref="DatabaseSnapshotOptions.UseSourceAsTemplate"/>, closes the database itself); sessions on the source make the copy wait
    /// up to 5 s and then fail, so close them first (pooled idle connections of this connection string are cleared).
    /// In-place strategy: installs the change-tracking triggers (schema <c>fpdump_snapshot</c>) and reads every table into memory
    /// with binary COPY and every sequence's position, in one repeatable-read transaction. One in-place snapshot per database.
    /// </summary>
    /// <param name="connectionString">Superuser connection string naming the seeded database.</param>
    /// <param name="options">Strategy and names; <see langword="null"/> uses the defaults (template, FILE_COPY).</param>
    /// <param name="cancellationToken">Cancels the capture.</param>
    /// <returns>The snapshot; dispose it to drop the template and clones, or to remove the tracking triggers.</returns>
    public static async Task<DatabaseSnapshot> CaptureAsync(
        string connectionString, DatabaseSnapshotOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        options ??= new DatabaseSnapshotOptions();
        ValidatePrefix(options.DatabaseNamePrefix);
        if (options.LockTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LockTimeout, "DatabaseSnapshotOptions.LockTimeout must be positive.");
        }

        var source = ServerSql.DatabaseOf(connectionString);
        var admin = ServerSql.WithDatabase(connectionString, MaintenanceDatabase);
        int version;
        string owner;
        var connection = await ServerSql.OpenAsync(admin, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = new NpgsqlCommand(
                "SELECT current_setting('server_version_num')::int, pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database WHERE datname = $1",
                connection);
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = source });
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        throw new InvalidOperationException($"Database {source} does not exist.");
                    }

                    version = reader.GetInt32(0);
                    owner = reader.GetString(1);
                }
            }
        }

        if (options.Strategy == SnapshotStrategy.InPlace)
        {
            var captured = await InPlaceSnapshot.CaptureAsync(connectionString, options.LockTimeout, options.InPlaceDeleteThresholdBytes, cancellationToken).ConfigureAwait(false);
            return new DatabaseSnapshot(connectionString, admin, options, source, version, templateOwner: null, captured);
        }

        ServerSql.ClearPool(connectionString);
        string template;
        if (options.UseSourceAsTemplate)
        {
            template = source;
            var quoted = ServerSql.QuoteIdentifier(template);
            await ServerSql.ExecuteAsync(admin, $"ALTER DATABASE {quoted} WITH ALLOW_CONNECTIONS false", cancellationToken).ConfigureAwait(false);
            var terminate = new NpgsqlCommand(
                "SELECT count(pg_catalog.pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid()",
                await ServerSql.OpenAsync(admin, cancellationToken).ConfigureAwait(false));
            await using (terminate.Connection!.ConfigureAwait(false))
            await using (terminate.ConfigureAwait(false))
            {
                terminate.Parameters.Add(new NpgsqlParameter { Value = template });
                await terminate.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            template = await CreateDatabaseAsync(admin, options.DatabaseNamePrefix + "_tpl", source, owner, options.CopyStrategy, version, cancellationToken)
                .ConfigureAwait(false);
            try
            {
                await ServerSql.ExecuteAsync(admin, $"ALTER DATABASE {ServerSql.QuoteIdentifier(template)} WITH ALLOW_CONNECTIONS false", cancellationToken)
                    .ConfigureAwait(false);
            }
            catch
            {
                await DropDatabaseAsync(admin, template, version, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }

        return new DatabaseSnapshot(ServerSql.WithDatabase(connectionString, template), admin, options, template, version, owner, inPlace: null);
    }

    /// <summary>
    /// Template strategy: creates a new database <c>{prefix}_xxxxxxxx</c> holding exactly the captured state (same owner), with
    /// <c>CREATE DATABASE … TEMPLATE … STRATEGY</c> <see cref="DatabaseSnapshotOptions.CopyStrategy"/>. Safe to call concurrently.
    /// </summary>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The clone; disposing it drops the database (disconnecting its sessions).</returns>
    /// <exception cref="InvalidOperationException">The snapshot uses the in-place strategy.</exception>
    public async Task<SnapshotClone> CloneAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        if (inPlace is not null)
        {
            throw new InvalidOperationException("CloneAsync needs the template strategy; this snapshot is in-place (use ResetAsync).");
        }

        var name = await CreateDatabaseAsync(adminConnectionString, options.DatabaseNamePrefix, DatabaseName, templateOwner!, options.CopyStrategy, serverVersion, cancellationToken)
            .ConfigureAwait(false);
        var clone = new SnapshotClone(this, name, ServerSql.WithDatabase(ConnectionString, name));
        clones[name] = clone;
        if (Volatile.Read(ref disposed) != 0)
        {
            // Lost a race with DisposeAsync: do not leave the database behind.
            await clone.DisposeAsync().ConfigureAwait(false);
            throw new ObjectDisposedException(nameof(DatabaseSnapshot));
        }

        return clone;
    }

    /// <summary>
    /// In-place strategy: puts <see cref="DatabaseName"/> back to the captured state. Empties the tables written since the snapshot
    /// (or the last reset) — DELETE when they are small, else TRUNCATE together with the tables referencing them — reloads them from memory with triggers and foreign-key checks
    /// off, and sets every sequence back. Nothing changed: one round trip. Resets take turns; other sessions must not hold locks on the
    /// tables (waits up to <see cref="DatabaseSnapshotOptions.LockTimeout"/>).
    /// </summary>
    /// <param name="cancellationToken">Cancels the reset (its transaction rolls back).</param>
    /// <returns>Which tables were reloaded.</returns>
    /// <exception cref="InvalidOperationException">The snapshot uses the template strategy.</exception>
    public Task<SnapshotResetResult> ResetAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        return inPlace is null
            ? throw new InvalidOperationException("ResetAsync needs the in-place strategy; this snapshot is a template (use CloneAsync).")
            : inPlace.ResetAsync(cancellationToken);
    }

    /// <summary>
    /// Template: drops the clones still open and the template database. In-place: removes the tracking schema and triggers (the data
    /// stays as it is); a database that no longer exists is fine.
    /// </summary>
    /// <returns>A task that completes when everything is dropped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        if (inPlace is not null)
        {
            try
            {
                await inPlace.RemoveTrackingAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidCatalogName)
            {
                // The database was dropped already.
            }

            return;
        }

        foreach (var clone in clones.Values)
        {
            await clone.DisposeAsync().ConfigureAwait(false);
        }

        await DropDatabaseAsync(adminConnectionString, DatabaseName, serverVersion, CancellationToken.None).ConfigureAwait(false);
    }

    internal async Task DropCloneAsync(SnapshotClone clone)
    {
        ServerSql.ClearPool(clone.ConnectionString);
        await DropDatabaseAsync(adminConnectionString, clone.DatabaseName, serverVersion, CancellationToken.None).ConfigureAwait(false);
        clones.TryRemove(clone.DatabaseName, out _);
    }

    private static async Task<string> CreateDatabaseAsync(
        string admin, string prefix, string template, string owner, TemplateCopyStrategy strategy, int version, CancellationToken cancellationToken)
    {
        var strategyClause = version >= 150000
            ? strategy == TemplateCopyStrategy.WalLog ? " STRATEGY WAL_LOG" : " STRATEGY FILE_COPY"
            : string.Empty;
        for (var attempt = 1; ; attempt++)
        {
            var name = prefix + "_" + ServerSql.RandomSuffix();
            try
            {
                await ServerSql.ExecuteAsync(
                    admin,
                    $"CREATE DATABASE {ServerSql.QuoteIdentifier(name)} OWNER {ServerSql.QuoteIdentifier(owner)} TEMPLATE {ServerSql.QuoteIdentifier(template)}{strategyClause}",
                    cancellationToken).ConfigureAwait(false);
                return name;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase && attempt < 3)
            {
                // A random name collided; draw another.
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse)
            {
                throw new InvalidOperationException(
                    $"Cannot copy database {template}: other sessions are connected to it ({ex.MessageText}). Close them (and clear their connection pool) before capturing.",
                    ex);
            }
        }
    }

    private static async Task DropDatabaseAsync(string admin, string name, int version, CancellationToken cancellationToken)
    {
        var force = version >= 130000 ? " WITH (FORCE)" : string.Empty;
        await ServerSql.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {ServerSql.QuoteIdentifier(name)}{force}", cancellationToken).ConfigureAwait(false);
    }

    private static void ValidatePrefix(string prefix)
    {
        var valid = !string.IsNullOrEmpty(prefix)
            && (char.IsAsciiLetterLower(prefix[0]) || prefix[0] == '_')
            && prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            && prefix.Length <= 40;
        if (!valid)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"DatabaseNamePrefix '{prefix}' must be at most 40 lowercase letters, digits or underscores, starting with a letter or underscore."),
                "options");
        }
    }
}
