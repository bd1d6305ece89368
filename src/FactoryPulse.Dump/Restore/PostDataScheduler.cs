using FactoryPulse.Dump.Archive;

namespace FactoryPulse.Dump.Restore;

/// <summary>
/// Runs post-data entries on several workers: an entry starts once the entries it depends on are done, and never beside
/// another entry with the same lock key (index builds and key additions on one table would only queue on its lock).
/// </summary>
internal static class PostDataScheduler
{
    /// <summary>Runs <paramref name="entries"/> on <paramref name="workers"/>; <paramref name="run"/> executes one entry on one worker.</summary>
    public static async Task RunAsync<TWorker>(IReadOnlyList<TocEntry> entries, IReadOnlyList<TWorker> workers, Func<TWorker, TocEntry, Task> run)
    {
        var pending = new List<TocEntry>(entries);
        var pendingIds = new HashSet<int>();
        foreach (var entry in entries)
            pendingIds.Add(entry.DumpId);
        var busyKeys = new HashSet<string>(StringComparer.Ordinal);
        var free = new Queue<TWorker>(workers);
        // A list, not a dictionary keyed by task: entries that finish synchronously all return the one cached
        // completed task, and a dictionary would silently drop all but the last of them.
        var running = new List<(Task Task, TocEntry Entry, TWorker Worker)>();
        var waiting = new List<Task>();
        while (pending.Count > 0 || running.Count > 0)
        {
            while (free.Count > 0 && TakeReady(pending, pendingIds, busyKeys) is { } entry)
            {
                var worker = free.Dequeue();
                busyKeys.Add(LockKey(entry));
                running.Add((run(worker, entry), entry, worker));
            }
            if (running.Count == 0)
                throw new RestoreFailedException($"Post-data entries wait on each other and cannot proceed: {pending[0].DisplayName}.", null);
            waiting.Clear();
            foreach (var item in running)
                waiting.Add(item.Task);
            await Task.WhenAny(waiting).ConfigureAwait(false);
            for (var i = running.Count - 1; i >= 0; i--)
            {
                var (task, done, worker) = running[i];
                if (!task.IsCompleted)
                    continue;
                running.RemoveAt(i);
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch
                {
                    // Let the entries already running finish before reporting, so no worker is left mid-statement.
                    foreach (var other in running)
                    {
                        try
                        {
                            await other.Task.ConfigureAwait(false);
                        }
                        catch (DumpException)
                        {
                        }
                    }
                    throw;
                }
                pendingIds.Remove(done.DumpId);
                busyKeys.Remove(LockKey(done));
                free.Enqueue(worker);
            }
        }
    }

    /// <summary>
    /// Entries with the same key never run at once: those of one table, and — for entries of no table — those of one kind
    /// (two ALTER PUBLICATION … ADD TABLE on one publication update the same catalog row).
    /// </summary>
    private static string LockKey(TocEntry entry) => entry.Table ?? "kind:" + entry.Kind;

    private static TocEntry? TakeReady(List<TocEntry> pending, HashSet<int> pendingIds, HashSet<string> busyKeys)
    {
        for (var i = 0; i < pending.Count; i++)
        {
            var entry = pending[i];
            if (busyKeys.Contains(LockKey(entry)))
                continue;
            var ready = true;
            foreach (var dependency in entry.Dependencies)
            {
                if (pendingIds.Contains(dependency))
                {
                    ready = false;
                    break;
                }
            }
            if (!ready)
                continue;
            pending.RemoveAt(i);
            return entry;
        }
        return null;
    }
}
