using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Restore;

/// <summary>One unit of a parallel restore: a table's data (or one chunk of it), or a post-data entry.</summary>
/// <param name="Id">Unique within one schedule (chunks of a table share the entry's dump id, so they cannot use it).</param>
/// <param name="Entry">What to run: a data entry (one chunk) or a post-data entry.</param>
/// <param name="LockKey">Units with the same key never run at once; null for none.</param>
/// <param name="WaitsFor">Ids of the units that must finish first.</param>
/// <param name="SharedLock">
/// Takes <paramref name="LockKey"/> shared: index builds (a SHARE lock on the table) run beside each other, never beside
/// a unit that takes the key alone.
/// </param>
/// <param name="Statements">
/// Set for one step of an entry built in two (<see cref="IndexFirstSteps"/>): the SQL of that step, run instead of the
/// entry's definition. The entry counts as restored after its last step.
/// </param>
internal sealed record ScheduledUnit(int Id, TocEntry Entry, string? LockKey, IReadOnlyList<int> WaitsFor, bool SharedLock = false, string? Statements = null)
{
    public bool IsLastStep => Statements is null || Statements == Entry.IndexFirst?.Constraint;
}

/// <summary>
/// Runs a restore's data loads and post-data entries on several workers, as pg_restore --jobs does: a unit starts once
/// the units it waits for are done and no unit with its lock key is running, taking the first ready one in list order.
/// </summary>
internal static class ParallelScheduler
{
    /// <summary>
    /// Post-data entries that touch only their own table, so they may run as soon as that table's rows are in, beside
    /// other tables' loads: indexes, and primary key, unique and exclusion constraints. Everything else waits for every
    /// load: triggers, policies, rules, materialized view refreshes and attachments may read or fire on other tables,
    /// and a CHECK constraint is validated as it is added, possibly by a function reading other tables (the reason it
    /// was placed after the data at all). A constraint whose type the archive does not record waits too.
    /// </summary>
    private static bool RunsBesideLoads(TocEntry entry) =>
        entry.Kind == ObjectKind.Index
        || (entry.Kind == ObjectKind.Constraint && entry.Facts?.ConstraintType is ConstraintType.PrimaryKey or ConstraintType.Unique or ConstraintType.Exclusion);

    /// <summary>
    /// Builds the schedule: data units first, largest first (the longest loads start early, the rest fill in around
    /// them), then post-data entries in dump order with their dependencies on each other kept.
    /// </summary>
    /// <param name="data">The data entries to load; chunked ones become one unit per chunk.</param>
    /// <param name="postData">Post-data entries, in dump order.</param>
    /// <param name="partitioned">Partitioned tables (schema.name): their indexes and keys wait for every load.</param>
    public static List<ScheduledUnit> Plan(IReadOnlyList<TocEntry> data, IReadOnlyList<TocEntry> postData, IReadOnlySet<string> partitioned)
    {
        var loads = new List<TocEntry>(data.Count);
        foreach (var entry in data)
        {
            if (entry.Data?.Chunks is not { } chunks)
            {
                loads.Add(entry);
                continue;
            }
            foreach (var chunk in chunks)
            {
                loads.Add(new TocEntry
                {
                    DumpId = entry.DumpId, Section = entry.Section, Pass = entry.Pass, Kind = entry.Kind, Schema = entry.Schema, Name = entry.Name, Owner = entry.Owner,
                    Data = new TableDataInfo
                    {
                        // A one-chunk list: loaded as a piece (no TRUNCATE, other pieces load beside it).
                        Format = entry.Data.Format, Compression = entry.Data.Compression, Columns = entry.Data.Columns,
                        Rows = chunk.Rows, Bytes = chunk.Bytes, RawBytes = chunk.RawBytes, Chunks = [chunk],
                    },
                });
            }
        }
        loads.Sort((a, b) => LoadCost(b).CompareTo(LoadCost(a)));

        var units = new List<ScheduledUnit>(loads.Count + postData.Count);
        var allLoads = new List<int>(loads.Count);
        var loadsByTable = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var load in loads)
        {
            var id = units.Count;
            units.Add(new ScheduledUnit(id, load, null, []));
            allLoads.Add(id);
            var table = $"{load.Schema}.{load.Name}";
            if (!loadsByTable.TryGetValue(table, out var ids))
                loadsByTable[table] = ids = [];
            ids.Add(id);
        }

        var idByDumpId = new Dictionary<int, int>();
        foreach (var entry in postData)
        {
            var waits = new List<int>();
            foreach (var dependency in entry.Dependencies)
            {
                if (idByDumpId.TryGetValue(dependency, out var earlier))
                    waits.Add(earlier);
            }
            // An index or key of a plain table that was loaded here needs only that table's rows. A partitioned
            // parent's would lock its partitions in an order that can deadlock with their loads: it waits for all.
            if (RunsBesideLoads(entry) && entry.Table is { } table && !partitioned.Contains(table) && loadsByTable.TryGetValue(table, out var own))
                waits.AddRange(own);
            else
                waits.AddRange(allLoads);
            if (entry.IndexFirst is { } steps)
            {
                // The key's index builds beside the table's other indexes; adopting it as the constraint takes the
                // table alone, briefly.
                var index = units.Count;
                units.Add(new ScheduledUnit(index, entry, LockKey(entry), waits, SharedLock: true, Statements: steps.Index));
                idByDumpId[entry.DumpId] = units.Count;
                units.Add(new ScheduledUnit(units.Count, entry, LockKey(entry), [index], Statements: steps.Constraint));
                continue;
            }
            var id = units.Count;
            idByDumpId[entry.DumpId] = id;
            units.Add(new ScheduledUnit(id, entry, LockKey(entry), waits, SharedLock: entry.Kind == ObjectKind.Index));
        }
        return units;
    }

    /// <summary>
    /// What a load costs the server, in bytes of plain rows: the COPY stream's size where the archive knows it (compression
    /// ratios differ between tables), doubled for rows past the TOAST threshold (about 2 kB), whose values the server
    /// compresses and slices as it loads them — measured at half the speed per byte of plain rows.
    /// </summary>
    private static long LoadCost(TocEntry entry)
    {
        var data = entry.Data!;
        var bytes = data.RawBytes > 0 ? data.RawBytes : data.Bytes;
        return data.Rows > 0 && bytes / data.Rows > 2032 ? 2 * bytes : bytes;
    }

    /// <summary>
    /// Entries with the same key never run at once: those of one table (index builds and key additions on one table
    /// would only queue on its lock), and — for entries of no table — those of one kind (two ALTER PUBLICATION … ADD
    /// TABLE on one publication update the same catalog row).
    /// </summary>
    private static string LockKey(TocEntry entry) => entry.Table ?? "kind:" + entry.Kind.TocName();

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
