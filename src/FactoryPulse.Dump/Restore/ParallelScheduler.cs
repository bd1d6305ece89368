namespace FactoryPulse.Dump.Restore;

/// <summary>
/// Runs a parallel stage of a <see cref="RestorePlan"/> on several workers, as pg_restore --jobs does: a unit starts once
/// the units it waits for are done and no unit with its lock key is running, taking the first ready one in list order.
/// </summary>
internal static class ParallelScheduler
{
    /// <summary>Runs <paramref name="units"/> on <paramref name="workers"/>; <paramref name="run"/> executes one unit on one worker.</summary>
    public static async Task RunAsync<TWorker>(IReadOnlyList<ScheduledUnit> units, IReadOnlyList<TWorker> workers, Func<TWorker, ScheduledUnit, Task> run)
    {
        var pending = new List<ScheduledUnit>(units);
        var unfinished = new HashSet<int>();
        foreach (var unit in units)
            unfinished.Add(unit.Id);
        // Key → units holding it: a positive count of shared holders, or -1 for one unit holding it alone.
        var busyKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        var free = new Queue<TWorker>(workers);
        // A list, not a dictionary keyed by task: units that finish synchronously all return the one cached
        // completed task, and a dictionary would silently drop all but the last of them.
        var running = new List<(Task Task, ScheduledUnit Unit, TWorker Worker)>();
        var waiting = new List<Task>();
        while (pending.Count > 0 || running.Count > 0)
        {
            while (free.Count > 0 && TakeReady(pending, unfinished, busyKeys) is { } unit)
            {
                var worker = free.Dequeue();
                if (unit.LockKey is { } key)
                    busyKeys[key] = unit.SharedLock ? busyKeys.GetValueOrDefault(key) + 1 : -1;
                running.Add((run(worker, unit), unit, worker));
            }
            if (running.Count == 0)
                throw new RestoreFailedException($"Entries wait on each other and cannot proceed: {pending[0].Entry.DisplayName}.", null);
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
                    // Let the units already running finish before reporting, so no worker is left mid-statement.
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
                unfinished.Remove(done.Id);
                if (done.LockKey is { } key && (!done.SharedLock || --busyKeys[key] == 0))
                    busyKeys.Remove(key);
                free.Enqueue(worker);
            }
        }
    }

    private static ScheduledUnit? TakeReady(List<ScheduledUnit> pending, HashSet<int> unfinished, Dictionary<string, int> busyKeys)
    {
        for (var i = 0; i < pending.Count; i++)
        {
            var unit = pending[i];
            if (unit.LockKey is { } key && busyKeys.TryGetValue(key, out var holders) && (!unit.SharedLock || holders < 0))
                continue;
            var ready = true;
            foreach (var id in unit.WaitsFor)
            {
                if (unfinished.Contains(id))
                {
                    ready = false;
                    break;
                }
            }
            if (!ready)
                continue;
            pending.RemoveAt(i);
            return unit;
        }
        return null;
    }
}
