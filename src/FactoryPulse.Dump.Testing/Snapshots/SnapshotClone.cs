namespace FactoryPulse.Dump.Testing.Snapshots;

/// <summary>A database cloned from a <see cref="DatabaseSnapshot"/> template; disposing it drops the database.</summary>
public sealed class SnapshotClone : IAsyncDisposable
{
    private readonly DatabaseSnapshot owner;
    private int disposed;

    internal SnapshotClone(DatabaseSnapshot owner, string databaseName, string connectionString)
    {
        this.owner = owner;
        DatabaseName = databaseName;
        ConnectionString = connectionString;
    }

    /// <summary>Name of the cloned database.</summary>
    public string DatabaseName { get; }

    /// <summary>Superuser connection string to the cloned database.</summary>
    public string ConnectionString { get; }

    /// <summary>Drops the database (<c>WITH (FORCE)</c>: open sessions are disconnected) after clearing this connection string's pool.</summary>
    /// <returns>A task that completes when the database is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await owner.DropCloneAsync(this).ConfigureAwait(false);
    }
}
