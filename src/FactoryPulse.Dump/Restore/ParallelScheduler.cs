namespace FactoryPulse.Dump.Restore;

/// <summary>
/// Runs a parallel stage of a <see cref="RestorePlan"/> on several workers, as pg_restore --jobs does: a unit starts once
/// the units it waits for are done and no unit with its lock key is running, taking the first ready one in list order.
/// </summary>
internal static class ParallelScheduler
{
    /// <summary>
    /// How far past the first unit of a group the scheduler looks for more: bounded so a long list of units that are
    /// not ready yet (post-data waiting for every load) is not scanned again for every unit handed out.
    /// </summary>
    private const int GroupScanLimit = 256;

    /// <summary>Runs <paramref name="units"/> on <paramref name="workers"/>; <paramref name="run"/> executes one unit on one worker.</summary>
    public static Task RunAsync<TWorker>(IReadOnlyList<ScheduledUnit> units, IReadOnlyList<TWorker> workers, Func<TWorker, ScheduledUnit, Task> run) =>
        RunAsync(units, workers, 1, (worker, group) => run(worker, group[0]));

    /// <summary>
    /// Runs <paramref name="units"/> on <paramref name="workers"/>, handing a worker up to <paramref name="unitsPerGroup"/>
    /// ready <see cref="ScheduledUnit.Pipelinable"/> units at once (one round trip for all of them); <paramref name="run"/>
    /// executes one group, in order, on one worker. A unit joins a group when what it waits for is done or earlier in the
    /// group, and its lock key is free or held only by the group: the group holds every key of its units until it ends.
    /// </summary>
    public static async Task RunAsync<TWorker>(IReadOnlyList<ScheduledUnit> units, IReadOnlyList<TWorker> workers, int unitsPerGroup, Func<TWorker, IReadOnlyList<ScheduledUnit>, Task> run)
    {
        var pending = new List<ScheduledUnit>(units);
        var unfinished = new HashSet<int>();
        foreach (var unit in units)
            unfinished.Add(unit.Id);
        // Key → units holding it: a positive count of shared holders, or -1 for one unit holding it alone.
        var busyKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        var sharedCursors = new Dictionary<IReadOnlyList<int>, int>(ReferenceEqualityComparer.Instance);
        var free = new Queue<TWorker>(workers);
        // A list, not a dictionary keyed by task: units that finish synchronously all return the one cached
        // completed task, and a dictionary would silently drop all but the last of them.
        var running = new List<(Task Task, List<ScheduledUnit> Group, Dictionary<string, int> Keys, TWorker Worker)>();
        var waiting = new List<Task>();
        while (pending.Count > 0 || running.Count > 0)
        {
            while (free.Count > 0 && TakeReady(pending, unfinished, busyKeys, null, null, int.MaxValue, sharedCursors) is { } unit)
            {
                var worker = free.Dequeue();
                var group = new List<ScheduledUnit> { unit };
                var groupKeys = new Dictionary<string, int>(StringComparer.Ordinal);
                Hold(groupKeys, unit);
                if (unit.Pipelinable)
                {
                    var groupIds = new HashSet<int> { unit.Id };
                    while (group.Count < unitsPerGroup && TakeReady(pending, unfinished, busyKeys, groupIds, groupKeys, GroupScanLimit, sharedCursors) is { } next)
                    {
                        group.Add(next);
                        groupIds.Add(next.Id);
                        Hold(groupKeys, next);
                    }
                }
                foreach (var (key, holders) in groupKeys)
                    busyKeys[key] = holders < 0 ? -1 : busyKeys.GetValueOrDefault(key) + holders;
                running.Add((run(worker, group), group, groupKeys, worker));
            }
            if (running.Count == 0)
                throw new RestoreFailedException($"Entries wait on each other and cannot proceed: {pending[0].Entry.DisplayName}.", null);
            waiting.Clear();
            foreach (var item in running)
                waiting.Add(item.Task);
            await Task.WhenAny(waiting).ConfigureAwait(false);
            for (var i = running.Count - 1; i >= 0; i--)
            {
                var (task, done, keys, worker) = running[i];
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
                foreach (var unit in done)
                    unfinished.Remove(unit.Id);
                foreach (var (key, holders) in keys)
                {
                    if (holders < 0 || (busyKeys[key] -= holders) == 0)
                        busyKeys.Remove(key);
                }
                free.Enqueue(worker);
            }
        }
    }

    /// <summary>Adds <paramref name="unit"/>'s key to what a group holds: shared holders count up, an exclusive holder makes it -1.</summary>
    private static void Hold(Dictionary<string, int> keys, ScheduledUnit unit)
    {
        if (unit.OtherLockKey is { } other)
            keys[other] = -1;
        if (unit.LockKey is not { } key)
            return;
        var holders = keys.GetValueOrDefault(key);
        keys[key] = !unit.SharedLock || holders < 0 ? -1 : holders + 1;
    }

    /// <summary>Every unit in <paramref name="waits"/> finished, or is earlier in the group being formed.</summary>
    private static bool WaitsDone(IReadOnlyList<int> waits, HashSet<int> unfinished, HashSet<int>? groupIds, Dictionary<IReadOnlyList<int>, int> sharedCursors)
    {
        if (waits is SharedWaits shared)
            return WaitsDone(shared.Own, unfinished, groupIds, sharedCursors) && SharedWaitsDone(shared.Shared, unfinished, groupIds, sharedCursors);
        for (var i = 0; i < waits.Count; i++)
        {
            if (unfinished.Contains(waits[i]) && groupIds?.Contains(waits[i]) != true)
                return false;
        }
        return true;
    }

    /// <summary>A shared list is checked from the first id not yet seen finished: units only ever finish, so each id is passed once.</summary>
    private static bool SharedWaitsDone(IReadOnlyList<int> waits, HashSet<int> unfinished, HashSet<int>? groupIds, Dictionary<IReadOnlyList<int>, int> sharedCursors)
    {
        var first = sharedCursors.GetValueOrDefault(waits);
        while (first < waits.Count && !unfinished.Contains(waits[first]))
            first++;
        sharedCursors[waits] = first;
        for (var i = first; i < waits.Count; i++)
        {
            if (unfinished.Contains(waits[i]) && groupIds?.Contains(waits[i]) != true)
                return false;
        }
        return true;
    }

    /// <summary>
    /// The first ready unit in list order, removed from <paramref name="pending"/>. With a group (<paramref name="groupIds"/>
    /// not null): only <see cref="ScheduledUnit.Pipelinable"/> units, which may wait for units of the group and share its keys.
    /// </summary>
    private static ScheduledUnit? TakeReady(
        List<ScheduledUnit> pending, HashSet<int> unfinished, Dictionary<string, int> busyKeys, HashSet<int>? groupIds, Dictionary<string, int>? groupKeys, int scanLimit,
        Dictionary<IReadOnlyList<int>, int> sharedCursors)
    {
        for (var i = 0; i < pending.Count && i < scanLimit; i++)
        {
            var unit = pending[i];
            if (groupIds is not null && !unit.Pipelinable)
                continue;
            // busyKeys holds only the other running groups: this group's own keys never conflict with its units, which run one after another.
            if (unit.LockKey is { } key && busyKeys.TryGetValue(key, out var holders) && (!unit.SharedLock || holders < 0 || groupKeys?.GetValueOrDefault(key) < 0))
                continue;
            // The second key is taken alone: any other running group holding it, shared or not, keeps the unit waiting.
            if (unit.OtherLockKey is { } other && busyKeys.ContainsKey(other))
                continue;
            if (!WaitsDone(unit.WaitsFor, unfinished, groupIds, sharedCursors))
                continue;
            pending.RemoveAt(i);
            return unit;
        }
        return null;
    }
}
