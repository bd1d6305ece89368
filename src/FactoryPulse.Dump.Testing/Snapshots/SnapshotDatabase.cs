namespace FactoryPulse.Dump.Testing.Snapshots;

/// <summary>
/// Test-framework fixture (works as an xunit class or collection fixture, an NUnit/MSTest field, …): seeds a database once per
/// process and fixture type, captures it as a <see cref="DatabaseSnapshot"/>, and hands each test the seeded state through
/// <see cref="GetDatabaseAsync"/>. Derive from it, implement <see cref="SeedAsync"/>, and dispose it when the tests are done.
/// </summary>
/// <remarks>
/// <para>
/// The seeded template is shared by all live fixtures of the same type on the same server (so test classes running in parallel seed
/// once) and dropped when the last of them is disposed. <see cref="SnapshotStrategy.Template"/>: every <see cref="GetDatabaseAsync"/>
/// clones a fresh database, dropped when the returned <see cref="TestDatabase"/> (or the fixture) is disposed; tests may run in
/// parallel. <see cref="SnapshotStrategy.InPlace"/>: the fixture clones one working database for itself and every
/// <see cref="GetDatabaseAsync"/> resets it first; its tests must take turns (as the tests of one xunit class do).
/// </para>
/// <para>The server is <see cref="SharedPostgresServer"/> unless <see cref="StartServerAsync"/> is overridden; a server of its own is disposed with the fixture.</para>
/// <para>
/// Both dispose paths do the same work once: xunit v3, NUnit and MSTest call <see cref="DisposeAsync"/>; xunit v2 calls only
/// <see cref="Dispose()"/> on class and collection fixtures, which runs the asynchronous teardown on the thread pool and waits for it.
/// </para>
/// </remarks>
public abstract class SnapshotDatabase : IAsyncDisposable, IDisposable
{
    private readonly SemaphoreSlim initGate = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<SnapshotClone, byte> clones = new();
    private SeededTemplates.Lease? template;
    private DatabaseSnapshot? inPlace;
    private SnapshotClone? workingDatabase;
    private PostgresServer? server;
    private int disposed;

    /// <summary>Creates the fixture; nothing happens until the first <see cref="GetDatabaseAsync"/>.</summary>
    /// <param name="strategy">Template clones per test (default) or one database reset in place.</param>
    protected SnapshotDatabase(SnapshotStrategy strategy = SnapshotStrategy.Template)
    {
        Strategy = strategy;
    }

    /// <summary>How tests get the seeded state back.</summary>
    public SnapshotStrategy Strategy { get; }

    /// <summary><c>CREATE DATABASE</c> strategy for clones; override to pick WAL_LOG.</summary>
    protected virtual TemplateCopyStrategy CopyStrategy => TemplateCopyStrategy.FileCopy;

    /// <summary>Start of the names of the databases this fixture creates (lowercase letters, digits, underscores).</summary>
    protected virtual string DatabaseNamePrefix => "snapshot";

    /// <summary>The server, once the fixture has started.</summary>
    /// <exception cref="InvalidOperationException">Before the first <see cref="GetDatabaseAsync"/>.</exception>
    public PostgresServer Server => server ?? throw new InvalidOperationException("The fixture has not started yet; call GetDatabaseAsync first.");

    /// <summary>The seeded template snapshot shared by the fixtures of this type.</summary>
    /// <exception cref="InvalidOperationException">Before the first <see cref="GetDatabaseAsync"/>.</exception>
    public DatabaseSnapshot Template => template?.Snapshot ?? throw new InvalidOperationException("The fixture has not started yet; call GetDatabaseAsync first.");

    /// <summary>
    /// A database in exactly the seeded state: a new clone (template strategy) or the fixture's working database after a reset
    /// (in-place strategy). The first call starts the server and seeds (or joins the seeded template of another live fixture of the type).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The database; dispose it at the end of the test (drops a clone; nothing for in-place).</returns>
    public async Task<TestDatabase> GetDatabaseAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        if (Strategy == SnapshotStrategy.Template)
        {
            var clone = await template!.Snapshot.CloneAsync(cancellationToken).ConfigureAwait(false);
            clones[clone] = 0;
            return new TestDatabase(clone.DatabaseName, clone.ConnectionString, clone, reset: null);
        }

        var reset = await inPlace!.ResetAsync(cancellationToken).ConfigureAwait(false);
        return new TestDatabase(inPlace.DatabaseName, inPlace.ConnectionString, clone: null, reset);
    }

    /// <summary>In-place strategy: resets the working database now (e.g. after a test, to leave it clean). Template strategy: nothing to do.</summary>
    /// <param name="cancellationToken">Cancels the reset.</param>
    /// <returns>What was reloaded (empty for the template strategy).</returns>
    public async Task<SnapshotResetResult> ResetAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        return inPlace is null
            ? new SnapshotResetResult { ReloadedTables = [], ChangedTables = [], Elapsed = TimeSpan.Zero }
            : await inPlace.ResetAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops the fixture's databases, releases the shared template (dropped with the last fixture of the type) and stops a server of its own.</summary>
    /// <returns>A task that completes when all is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await initGate.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var clone in clones.Keys)
            {
                // Clones the tests did not dispose (disposing twice is harmless).
                await clone.DisposeAsync().ConfigureAwait(false);
            }

            if (workingDatabase is not null)
            {
                await workingDatabase.DisposeAsync().ConfigureAwait(false);
            }

            if (inPlace is not null)
            {
                await inPlace.DisposeAsync().ConfigureAwait(false);
            }

            if (template is not null)
            {
                await template.ReleaseAsync().ConfigureAwait(false);
            }

            if (server is not null)
            {
                // A no-op for the shared server.
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            initGate.Release();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Blocking form of <see cref="DisposeAsync"/> for runners that only know <see cref="IDisposable"/> (xunit v2 fixtures).
    /// The teardown runs on the thread pool, away from the caller's synchronization context, so waiting on it cannot deadlock.
    /// </summary>
    public void Dispose()
    {
        Task.Run(async () => await DisposeAsync().ConfigureAwait(false)).GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    /// <summary>Loads the seed into the empty database (a superuser connection string); runs once per process and fixture type while fixtures of the type are alive.</summary>
    /// <param name="connectionString">Superuser connection string to a new, empty database (created from <c>template0</c>).</param>
    /// <param name="cancellationToken">Cancels the seed.</param>
    /// <returns>A task that completes when the database is seeded; close every connection to it before (pools of this string are cleared).</returns>
    protected abstract Task SeedAsync(string connectionString, CancellationToken cancellationToken);

    /// <summary>The server to use; <see cref="SharedPostgresServer"/> by default. A server returned here is disposed with the fixture.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A running server.</returns>
    protected virtual Task<PostgresServer> StartServerAsync(CancellationToken cancellationToken) => SharedPostgresServer.GetAsync(cancellationToken);

    private async Task EnsureStartedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref template) is not null && (Strategy == SnapshotStrategy.Template || Volatile.Read(ref inPlace) is not null))
        {
            return;
        }

        await initGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
            server ??= await StartServerAsync(cancellationToken).ConfigureAwait(false);
            template ??= await SeededTemplates.AcquireAsync(
                GetType(), server, DatabaseNamePrefix, CopyStrategy, SeedAsync, cancellationToken).ConfigureAwait(false);
            if (Strategy == SnapshotStrategy.InPlace && inPlace is null)
            {
                workingDatabase ??= await template.Snapshot.CloneAsync(cancellationToken).ConfigureAwait(false);
                inPlace = await DatabaseSnapshot.CaptureAsync(
                    workingDatabase.ConnectionString,
                    new DatabaseSnapshotOptions { Strategy = SnapshotStrategy.InPlace, DatabaseNamePrefix = DatabaseNamePrefix },
                    cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            initGate.Release();
        }
    }
}

/// <summary>A database in the seeded state handed to one test by <see cref="SnapshotDatabase.GetDatabaseAsync"/>.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly SnapshotClone? clone;

    internal TestDatabase(string databaseName, string connectionString, SnapshotClone? clone, SnapshotResetResult? reset)
    {
        DatabaseName = databaseName;
        ConnectionString = connectionString;
        this.clone = clone;
        Reset = reset;
    }

    /// <summary>Name of the database.</summary>
    public string DatabaseName { get; }

    /// <summary>Superuser connection string to the database.</summary>
    public string ConnectionString { get; }

    /// <summary>In-place strategy: what the reset before this test reloaded; <see langword="null"/> for a template clone.</summary>
    public SnapshotResetResult? Reset { get; }

    /// <summary>Drops a template clone; nothing for the in-place strategy (the next test's <see cref="SnapshotDatabase.GetDatabaseAsync"/> resets).</summary>
    /// <returns>A task that completes when the clone is dropped.</returns>
    public ValueTask DisposeAsync() => clone?.DisposeAsync() ?? ValueTask.CompletedTask;
}
