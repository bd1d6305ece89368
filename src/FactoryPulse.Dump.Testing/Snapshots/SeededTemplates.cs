namespace FactoryPulse.Dump.Testing.Snapshots;

/// <summary>Process-wide seeded templates of <see cref="SnapshotDatabase"/> fixtures, one per fixture type and server, reference-counted.</summary>
internal static class SeededTemplates
{
    private static readonly Dictionary<(Type, PostgresServer), Entry> Entries = [];
    private static readonly Lock Sync = new();

    public static async Task<Lease> AcquireAsync(
        Type fixtureType,
        PostgresServer server,
        string prefix,
        TemplateCopyStrategy copyStrategy,
        Func<string, CancellationToken, Task> seed,
        CancellationToken cancellationToken)
    {
        Entry entry;
        lock (Sync)
        {
            if (!Entries.TryGetValue((fixtureType, server), out entry!))
            {
                entry = new Entry((fixtureType, server));
                entry.Snapshot = CreateAsync(server, prefix, copyStrategy, seed);
                Entries[entry.Key] = entry;
            }

            entry.References++;
        }

        try
        {
            var snapshot = await entry.Snapshot.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new Lease(entry, snapshot);
        }
        catch
        {
            await ReleaseAsync(entry).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task ReleaseAsync(Entry entry)
    {
        lock (Sync)
        {
            if (--entry.References > 0)
            {
                return;
            }

            Entries.Remove(entry.Key);
        }

        try
        {
            var snapshot = await entry.Snapshot.ConfigureAwait(false);
            await snapshot.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && entry.Snapshot.IsFaulted)
        {
            // Seeding failed; the acquirer saw the error and nothing was created to drop.
        }
    }

    private static async Task<DatabaseSnapshot> CreateAsync(
        PostgresServer server, string prefix, TemplateCopyStrategy copyStrategy, Func<string, CancellationToken, Task> seed)
    {
        // Seeding carries on for other waiters even if the first caller gives up, so it takes no caller's token.
        var connectionString = await server.CreateDatabaseAsync(prefix + "_seed", CancellationToken.None).ConfigureAwait(false);
        try
        {
            await seed(connectionString, CancellationToken.None).ConfigureAwait(false);
            return await DatabaseSnapshot.CaptureAsync(
                connectionString,
                new DatabaseSnapshotOptions { Strategy = SnapshotStrategy.Template, UseSourceAsTemplate = true, CopyStrategy = copyStrategy, DatabaseNamePrefix = prefix },
                CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await server.DropDatabaseAsync(ServerSql.DatabaseOf(connectionString), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Number of live seeded templates (for tests).</summary>
    internal static int Count
    {
        get
        {
            lock (Sync)
            {
                return Entries.Count;
            }
        }
    }

    internal sealed class Entry((Type, PostgresServer) key)
    {
        public (Type, PostgresServer) Key { get; } = key;

        public Task<DatabaseSnapshot> Snapshot { get; set; } = null!;

        public int References { get; set; }
    }

    internal sealed class Lease(Entry entry, DatabaseSnapshot snapshot)
    {
        private int released;

        public DatabaseSnapshot Snapshot { get; } = snapshot;

        public Task ReleaseAsync()
        {
            return Interlocked.Exchange(ref released, 1) != 0 ? Task.CompletedTask : SeededTemplates.ReleaseAsync(entry);
        }
    }
}
