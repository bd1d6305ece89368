using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Restore;

/// <summary>One unit of a restore stage: an entry, one chunk of a table's data, or one step of an entry built in two.</summary>
/// <param name="Id">Unique within one stage (chunks of a table share the entry's dump id, so they cannot use it).</param>
/// <param name="Entry">What to run: a data entry (one chunk) or a definition.</param>
/// <param name="LockKey">Units with the same key never run at once; null for none.</param>
/// <param name="WaitsFor">Ids of the units of the same stage that must finish first.</param>
/// <param name="SharedLock">
/// Takes <paramref name="LockKey"/> shared: index builds (a SHARE lock on the table) run beside each other, never beside
/// a unit that takes the key alone.
/// </param>
/// <param name="Statements">
/// Set for one step of an entry built in two (<see cref="IndexFirstSteps"/>): the statements of that step, run instead of the
/// entry's definition. The entry counts as restored after its last step.
/// </param>
/// <param name="Pipelinable">
/// A definition cheap enough to share a round trip (and an implicit transaction) with other ready units of its stage:
/// see <see cref="ParallelScheduler"/>. Index builds and key checks of large tables run alone, on as many workers as there are.
/// </param>
/// <param name="OtherLockKey">A second key the unit takes alone: a foreign key's referenced table, locked as its own table is.</param>
internal sealed record ScheduledUnit(
    int Id, TocEntry Entry, string? LockKey, IReadOnlyList<int> WaitsFor, bool SharedLock = false, IReadOnlyList<string>? Statements = null, bool Pipelinable = false,
    string? OtherLockKey = null)
{
    public bool IsLastStep => Statements is null || ReferenceEquals(Statements, Entry.IndexFirst?.ConstraintStatements);
}

/// <summary>
/// What a unit waits for: its own dependencies, then a list many units share (every load of the stage), held once. Thousands
/// of post-data entries each waiting for thousands of loads would otherwise hold millions of ids, and the scheduler would
/// scan them all for every unit it looks at (it keeps a cursor per shared list instead).
/// </summary>
internal sealed class SharedWaits(IReadOnlyList<int> own, IReadOnlyList<int> shared) : IReadOnlyList<int>
{
    public IReadOnlyList<int> Own => own;
    public IReadOnlyList<int> Shared => shared;
    public int Count => own.Count + shared.Count;
    public int this[int index] => index < own.Count ? own[index] : shared[index - own.Count];

    public IEnumerator<int> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
            yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// A run of units in one pass. A serial stage runs its units one after another on the main connection, in order; a
/// parallel stage hands them to <see cref="ParallelScheduler"/>, which respects their waits and lock keys.
/// </summary>
internal sealed record RestoreStage(RestorePass Pass, bool Parallel, IReadOnlyList<ScheduledUnit> Units);

/// <summary>
/// What a restore runs, in which order, in which pass, with which dependencies and locks — decided once, from the
/// manifest's entries and the options, without a server. The restore, the parallel scheduler, the data-only restore
/// and the plain writer execute it; none of them decides order on its own.
/// </summary>
internal sealed class RestorePlan
{
    private RestorePlan(List<TocEntry> entries, bool dataOnly, List<TocEntry> drops, List<RestoreStage> stages, HashSet<string> createdTables)
    {
        Entries = entries;
        DataOnly = dataOnly;
        Drops = drops;
        Stages = stages;
        CreatedTables = createdTables;
    }

    /// <summary>The selected entries, in dump order.</summary>
    public IReadOnlyList<TocEntry> Entries { get; }

    /// <summary>Rows and sequence values only, into an existing schema: the data-only engine runs it (see <see cref="OrderDataOnly"/>).</summary>
    public bool DataOnly { get; }

    /// <summary>--clean: entries whose drop statement runs before anything is created, in the order to run them (reverse dump order).</summary>
    public IReadOnlyList<TocEntry> Drops { get; }

    /// <summary>The restore itself, stage after stage.</summary>
    public IReadOnlyList<RestoreStage> Stages { get; }

    /// <summary>Tables (schema.name) this restore creates: their loads may TRUNCATE and COPY FREEZE.</summary>
    public IReadOnlySet<string> CreatedTables { get; }

    /// <summary>The restore creates objects: an empty target is expected, and new objects get exactly the archived privileges.</summary>
    public bool CreatesObjects
    {
        get
        {
            foreach (var entry in Entries)
            {
                if (entry.Section == Section.PreData && entry.Pass == RestorePass.Main)
                    return true;
            }
            return false;
        }
    }

    /// <param name="entries">The manifest's entries.</param>
    /// <param name="options">Selection, sections, data-only, jobs, single transaction, clean.</param>
    /// <param name="listed">The dump ids of a list file (<see cref="RestoreOptions.UseListFile"/>), or null.</param>
    public static RestorePlan Build(IReadOnlyList<TocEntry> entries, RestoreOptions options, IReadOnlySet<int>? listed)
    {
        var selected = Select(entries, options, listed);
        var dataOnly = selected.Count > 0 && selected.TrueForAll(entry => entry.IsData);
        var created = new HashSet<string>(StringComparer.Ordinal);
        var partitioned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in selected)
        {
            if (entry.Kind != ObjectKind.Table)
                continue;
            created.Add(entry.QualifiedName);
            // An archive without facts does not say; its tables are treated as partitioned (their keys wait for every load).
            if (entry.Facts?.Partitioned != false)
                partitioned.Add(entry.QualifiedName);
        }
        var drops = new List<TocEntry>();
        var stages = new List<RestoreStage>();
        if (!dataOnly)
        {
            if (options.Clean)
            {
                // The reverse of the restore order, every pass: an event trigger (post-ACL) goes before the function it calls.
                for (var p = TocOrder.Passes.Count - 1; p >= 0; p--)
                {
                    for (var i = selected.Count - 1; i >= 0; i--)
                    {
                        var entry = selected[i];
                        // The platform's objects are never dropped: their grants and dependants belong to the platform.
                        if (entry.Pass == TocOrder.Passes[p] && entry.Facts?.ManagedByPlatform != true
                            && (options.IfExists ? entry.DropIfExistsStatements : entry.DropStatements) is { Count: > 0 })
                            drops.Add(entry);
                    }
                }
            }
            var parallel = options.Jobs > 1 && !options.SingleTransaction;
            foreach (var pass in TocOrder.Passes)
                AddStages(stages, selected, pass, parallel && pass == RestorePass.Main, partitioned, created);
        }
        return new RestorePlan(selected, dataOnly, drops, stages, created);
    }

    /// <summary>
    /// The entries a restore with <paramref name="options"/> runs, in dump order: list file, names, sections,
    /// schema-only/data-only, privileges.
    /// </summary>
    public static List<TocEntry> Select(IReadOnlyList<TocEntry> entries, RestoreOptions options, IReadOnlySet<int>? listed)
    {
        if (options.SchemaOnly && options.DataOnly)
            throw new DumpException("Schema-only and data-only cannot be used together.");
        var sections = new HashSet<Section>();
        foreach (var name in options.Sections)
        {
            if (!ManifestNames.TryParse(name, out Section section))
                throw new DumpException($"Unknown section '{name}': use pre-data, data or post-data.");
            sections.Add(section);
        }
        var byName = EntrySelection.Create(options, entries);
        var selected = new List<TocEntry>(entries.Count);
        foreach (var entry in entries)
        {
            if (listed is not null && !listed.Contains(entry.DumpId))
                continue;
            if (byName is not null && !byName.Includes(entry))
                continue;
            if (sections.Count > 0 && !sections.Contains(entry.Section))
                continue;
            if (options.SchemaOnly && entry.IsData)
                continue;
            if (options.DataOnly && !entry.IsData)
                continue;
            if (options.NoPrivileges && entry.Kind.IsPrivileges())
                continue;
            selected.Add(entry);
        }
        selected.Sort((a, b) => a.DumpId.CompareTo(b.DumpId));
        return selected;
    }

    /// <summary>
    /// One pass's stages. With --jobs, tables load side by side once every pre-data entry has run, and indexes, keys,
    /// triggers and policies are built beside them; foreign keys run afterwards, one at a time (two of them can lock
    /// the same pair of tables in opposite order). Everything else runs in dump order on the main connection.
    /// </summary>
    private static void AddStages(List<RestoreStage> stages, List<TocEntry> entries, RestorePass pass, bool parallel, HashSet<string> partitioned, HashSet<string> created)
    {
        var serial = new List<TocEntry>();
        var preData = new List<TocEntry>();
        var data = new List<TocEntry>();
        var postData = new List<TocEntry>();
        void FlushPreData()
        {
            if (preData.Count == 0)
                return;
            stages.Add(new RestoreStage(pass, true, SchedulePreData(preData)));
            preData.Clear();
        }
        void FlushSerial()
        {
            if (serial.Count == 0)
                return;
            var units = new List<ScheduledUnit>(serial.Count);
            foreach (var entry in serial)
                units.Add(new ScheduledUnit(units.Count, entry, null, units.Count == 0 ? [] : [units.Count - 1]));
            stages.Add(new RestoreStage(pass, false, units));
            serial.Clear();
        }
        void FlushParallel()
        {
            if (data.Count == 0 && postData.Count == 0)
                return;
            stages.Add(new RestoreStage(pass, true, Schedule(data, postData, partitioned)));
            data.Clear();
            postData.Clear();
        }
        foreach (var entry in entries)
        {
            if (entry.Pass != pass)
                continue;
            if (parallel && entry.Section == Section.PreData)
            {
                FlushParallel();
                FlushSerial();
                preData.Add(entry);
                continue;
            }
            FlushPreData();
            if (parallel && entry.Section == Section.PostData && (entry.Kind != ObjectKind.ForeignKeyConstraint || ForeignKeyRunsBesideOthers(entry, partitioned, created)))
            {
                FlushSerial();
                postData.Add(entry);
                continue;
            }
            if (parallel && entry.Data is not null)
            {
                // Data after post-data entries starts a new parallel stage: those post-data entries come first.
                if (postData.Count > 0)
                    FlushParallel();
                FlushSerial();
                data.Add(entry);
                continue;
            }
            FlushParallel();
            serial.Add(entry);
        }
        FlushPreData();
        FlushParallel();
        FlushSerial();
    }

    /// <summary>
    /// A foreign key joins the parallel stage when both its tables are known: it then takes both tables' lock keys (ALTER
    /// TABLE … ADD FOREIGN KEY locks both, SHARE ROW EXCLUSIVE), so no two workers ever hold one of them and none can wait
    /// for the other in opposite order. A key of a partitioned table (which locks every partition), or one whose referenced
    /// table this restore does not create (its kind unknown) or the archive does not name, runs after the stage, alone.
    /// </summary>
    private static bool ForeignKeyRunsBesideOthers(TocEntry entry, HashSet<string> partitioned, HashSet<string> created) =>
        entry.Table is { } table && entry.Facts?.ReferencedTable is { } referenced
        && created.Contains(table) && created.Contains(referenced) && !partitioned.Contains(table) && !partitioned.Contains(referenced);

    /// <summary>
    /// Pre-data kinds that create one object of their own, whose needs the archive's dependencies name in full (pg_depend:
    /// schema, types, functions, tables a view reads): with --jobs they run side by side, each once what it depends on is
    /// in. Everything else — extensions, languages, casts, shell types, foreign servers, … — creates or changes objects
    /// others may need without a dependency saying so, and runs alone, after everything before it and before everything after it.
    /// </summary>
    private static bool RunsBesideOtherDefinitions(ObjectKind kind) => kind is ObjectKind.Schema or ObjectKind.Type or ObjectKind.Domain
        or ObjectKind.Function or ObjectKind.Procedure or ObjectKind.Aggregate or ObjectKind.Table or ObjectKind.View or ObjectKind.ViewDefinition
        or ObjectKind.MaterializedView or ObjectKind.Sequence or ObjectKind.SequenceOwnedBy or ObjectKind.Default or ObjectKind.Collation
        or ObjectKind.TextSearchConfiguration or ObjectKind.TextSearchDictionary or ObjectKind.ForeignTable;

    /// <summary>
    /// The pre-data stage with --jobs (pg_restore runs pre-data serially, one round trip per entry): every entry waits for
    /// the entries it depends on, and entries that are not <see cref="RunsBesideOtherDefinitions"/> are barriers. Entries
    /// that alter an existing table (a column default, a sequence's OWNED BY) take that table's lock key, so two workers
    /// never queue on one table's lock inside their batches. Units are pipelinable: each worker sends ready runs of them in
    /// one round trip, as the serial restore does.
    /// </summary>
    /// <param name="preData">The pass's pre-data entries, in dump order.</param>
    public static List<ScheduledUnit> SchedulePreData(IReadOnlyList<TocEntry> preData)
    {
        var units = new List<ScheduledUnit>(preData.Count);
        var idByDumpId = new Dictionary<int, int>(preData.Count);
        var sinceBarrier = new List<int>();
        var barrier = -1;
        foreach (var entry in preData)
        {
            var id = units.Count;
            var waits = new List<int>();
            if (RunsBesideOtherDefinitions(entry.Kind))
            {
                if (barrier >= 0)
                    waits.Add(barrier);
                foreach (var dependency in entry.Dependencies)
                {
                    if (idByDumpId.TryGetValue(dependency, out var earlier) && earlier > barrier)
                        waits.Add(earlier);
                }
                sinceBarrier.Add(id);
            }
            else
            {
                // Everything since the last barrier (and so, through it, everything before).
                waits.AddRange(sinceBarrier);
                if (barrier >= 0)
                    waits.Add(barrier);
                sinceBarrier.Clear();
                barrier = id;
            }
            idByDumpId[entry.DumpId] = id;
            var lockKey = entry.Kind is ObjectKind.Default or ObjectKind.SequenceOwnedBy ? entry.Table : null;
            units.Add(new ScheduledUnit(id, entry, lockKey, waits, Pipelinable: entry.Kind != ObjectKind.Subscription));
        }
        return units;
    }

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
    /// A parallel stage: data units first, largest first (the longest loads start early, the rest fill in around
    /// them), then post-data entries in dump order with their dependencies on each other kept. A load whose entry
    /// depends on another data entry (the archive records that when a table's rows need another's, e.g. foreign keys
    /// that already exist on the target) waits for all of that entry's loads.
    /// </summary>
    /// <param name="data">The data entries to load; chunked ones become one unit per chunk.</param>
    /// <param name="postData">Post-data entries, in dump order.</param>
    /// <param name="partitioned">Partitioned tables (schema.name): their indexes and keys wait for every load.</param>
    public static List<ScheduledUnit> Schedule(IReadOnlyList<TocEntry> data, IReadOnlyList<TocEntry> postData, IReadOnlySet<string> partitioned)
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
                    Dependencies = entry.Dependencies, Facts = entry.Facts,
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
        var loadsByDumpId = new Dictionary<int, List<int>>();
        var loadWaits = new List<List<int>>(loads.Count);
        foreach (var load in loads)
        {
            var id = units.Count;
            var waits = new List<int>();
            loadWaits.Add(waits);
            units.Add(new ScheduledUnit(id, load, null, waits));
            allLoads.Add(id);
            if (!loadsByTable.TryGetValue(load.QualifiedName, out var ids))
                loadsByTable[load.QualifiedName] = ids = [];
            ids.Add(id);
            if (!loadsByDumpId.TryGetValue(load.DumpId, out var pieces))
                loadsByDumpId[load.DumpId] = pieces = [];
            pieces.Add(id);
        }
        for (var i = 0; i < loads.Count; i++)
        {
            foreach (var dependency in loads[i].Dependencies)
            {
                if (dependency != loads[i].DumpId && loadsByDumpId.TryGetValue(dependency, out var earlier))
                    loadWaits[i].AddRange(earlier);
            }
        }

        var costByTable = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var load in loads)
            costByTable[load.QualifiedName] = costByTable.GetValueOrDefault(load.QualifiedName) + LoadCost(load);
        var idByDumpId = new Dictionary<int, int>();
        foreach (var entry in postData)
        {
            // Definitions on small tables build in milliseconds: round trips, not the server, would set the pace. A
            // materialized view's refresh runs its query, whose cost the archive does not know.
            var pipelinable = entry.Kind != ObjectKind.MaterializedViewData
                && (entry.Table is not { } ownTable || costByTable.GetValueOrDefault(ownTable) <= PipelinableTableCost);
            var waits = new List<int>();
            foreach (var dependency in entry.Dependencies)
            {
                if (idByDumpId.TryGetValue(dependency, out var earlier))
                    waits.Add(earlier);
            }
            // An index or key of a plain table that was loaded here needs only that table's rows. A partitioned
            // parent's would lock its partitions in an order that can deadlock with their loads: it waits for all.
            IReadOnlyList<int> allWaits = waits;
            if (RunsBesideLoads(entry) && entry.Table is { } table && !partitioned.Contains(table) && loadsByTable.TryGetValue(table, out var own))
                waits.AddRange(own);
            else if (allLoads.Count > 0)
                allWaits = new SharedWaits(waits, allLoads);
            if (entry.IndexFirst is { } steps)
            {
                // The key's index builds beside the table's other indexes; adopting it as the constraint takes the
                // table alone, briefly.
                var index = units.Count;
                units.Add(new ScheduledUnit(index, entry, LockKey(entry), allWaits, SharedLock: true, Statements: steps.IndexStatements, Pipelinable: pipelinable));
                idByDumpId[entry.DumpId] = units.Count;
                units.Add(new ScheduledUnit(units.Count, entry, LockKey(entry), [index], Statements: steps.ConstraintStatements, Pipelinable: pipelinable));
                continue;
            }
            var id = units.Count;
            idByDumpId[entry.DumpId] = id;
            // A foreign key's check reads the referenced table too: it waits for every load (as above), and for a small
            // referenced table it stays cheap enough to pipeline.
            var otherLockKey = entry.Kind == ObjectKind.ForeignKeyConstraint && entry.Facts?.ReferencedTable is { } referenced && referenced != entry.Table ? referenced : null;
            if (otherLockKey is not null && costByTable.GetValueOrDefault(otherLockKey) > PipelinableTableCost)
                pipelinable = false;
            units.Add(new ScheduledUnit(id, entry, LockKey(entry), allWaits, SharedLock: entry.Kind == ObjectKind.Index, Pipelinable: pipelinable, OtherLockKey: otherLockKey));
        }
        return units;
    }

    /// <summary>Tables whose rows cost at most this much (<see cref="LoadCost"/>) get their indexes and keys pipelined: 4 MiB.</summary>
    internal const long PipelinableTableCost = 4L << 20;

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

    /// <summary>A data-only restore's order: table loads by foreign-key component, then the rest.</summary>
    /// <param name="Loads">Table data entries, parents before children; tables of one cycle next to each other.</param>
    /// <param name="CycleKeys">The foreign keys inside cycles: deferred (or dropped) while the rows load.</param>
    /// <param name="AfterLoads">Large objects and sequence values, in dump order.</param>
    /// <param name="Refreshes">Materialized view refreshes, after the deferred checks ran.</param>
    public sealed record DataOnlyOrder(IReadOnlyList<TocEntry> Loads, IReadOnlyList<ForeignKey> CycleKeys, IReadOnlyList<TocEntry> AfterLoads, IReadOnlyList<TocEntry> Refreshes);

    /// <summary>
    /// Orders a data-only restore through the target's foreign keys (<see cref="ForeignKeyGraph"/>); the keys come from
    /// the target because a data-only archive holds none.
    /// </summary>
    /// <param name="tableLoads">Table data entries (no large objects), in dump order.</param>
    /// <param name="tableOf">The name the keys use for an entry's table.</param>
    /// <param name="keys">Foreign keys between those tables.</param>
    /// <param name="others">Every other selected entry, in dump order.</param>
    public static DataOnlyOrder OrderDataOnly(IReadOnlyList<TocEntry> tableLoads, Func<TocEntry, string> tableOf, IReadOnlyList<ForeignKey> keys, IReadOnlyList<TocEntry> others)
    {
        var names = new List<string>(tableLoads.Count);
        var entryByTable = new Dictionary<string, TocEntry>(StringComparer.Ordinal);
        foreach (var entry in tableLoads)
        {
            var name = tableOf(entry);
            names.Add(name);
            entryByTable[name] = entry;
        }
        var graph = ForeignKeyGraph.Build(names, keys);
        var loads = new List<TocEntry>(tableLoads.Count);
        foreach (var component in graph.Components)
        {
            foreach (var table in component)
                loads.Add(entryByTable[table]);
        }
        var after = new List<TocEntry>();
        var refreshes = new List<TocEntry>();
        foreach (var entry in others)
        {
            if (entry.Data is { Format: DataFormat.LargeObjects } || entry.Kind == ObjectKind.SequenceSet)
                after.Add(entry);
            else if (entry.Kind == ObjectKind.MaterializedViewData)
                refreshes.Add(entry);
        }
        return new DataOnlyOrder(loads, graph.CycleKeys, after, refreshes);
    }
}
