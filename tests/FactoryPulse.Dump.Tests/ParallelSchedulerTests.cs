using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Restore;
using FluentAssertions;
using Xunit;

namespace FactoryPulse.Dump.Tests;

public sealed class ParallelSchedulerTests
{
    private static readonly HashSet<string> NoPartitions = [];

    // Constraints are primary keys unless a test says otherwise (the archive's facts record the type).
    private static TocEntry Entry(int id, string kind, string? table, params int[] dependencies) =>
        new()
        {
            DumpId = id, Section = Section.PostData, Kind = ObjectKinds.TryParse(kind, out var parsed) ? parsed : throw new ArgumentException(kind), Schema = "public",
            Name = $"e{id}", Table = table, Dependencies = [.. dependencies],
            Facts = kind == "CONSTRAINT" ? new EntryFacts { ConstraintType = ConstraintType.PrimaryKey } : null,
        };

    private static TocEntry Data(int id, string table, long rawBytes, params long[] chunkRawBytes)
    {
        var entry = new TocEntry
        {
            DumpId = id, Section = Section.Data, Kind = ObjectKind.TableData, Schema = "public", Name = table,
            Data = new TableDataInfo { Format = DataFormat.Binary, RawBytes = rawBytes, Bytes = rawBytes / 3 },
        };
        if (chunkRawBytes.Length > 0)
        {
            entry.Data.Chunks = [];
            foreach (var raw in chunkRawBytes)
                entry.Data.Chunks.Add(new DataChunk { RawBytes = raw, Bytes = raw / 3 });
        }
        return entry;
    }

    private static string Name(TocEntry entry) => entry.Data is null ? entry.Name : $"{entry.Name}:{entry.Data.RawBytes}";

    [Fact]
    public async Task Entries_that_finish_synchronously_are_all_counted_done()
    {
        // Each run returns the one cached completed task; the scheduler must still see every entry finish, or the
        // entries depending on them wait forever (a restore once failed this way when statements completed synchronously).
        var units = RestorePlan.Schedule([], [Entry(1, "INDEX", "public.a"), Entry(2, "INDEX", "public.b"), Entry(3, "ROW SECURITY", "public.c"), Entry(4, "POLICY", "public.d", 1, 2, 3)], NoPartitions);
        var ran = new List<int>();

        await ParallelScheduler.RunAsync(units, ["w1", "w2", "w3"], (_, unit) =>
        {
            var entry = unit.Entry;
            ran.Add(entry.DumpId);
            return Task.CompletedTask;
        });

        ran.Should().Equal(1, 2, 3, 4);
    }

    [Fact]
    public async Task An_entry_starts_only_after_its_dependencies_finish()
    {
        var units = RestorePlan.Schedule([], [Entry(1, "INDEX", "public.a"), Entry(2, "CONSTRAINT", "public.b", 1), Entry(3, "TRIGGER", "public.c", 2)], NoPartitions);
        var finished = new HashSet<int>();
        var violations = new List<int>();

        await ParallelScheduler.RunAsync(units, [1, 2, 3], async (_, unit) =>
        {
            var entry = unit.Entry;
            lock (finished)
            {
                foreach (var dependency in entry.Dependencies)
                {
                    if (!finished.Contains(dependency))
                        violations.Add(entry.DumpId);
                }
            }
            await Task.Delay(5);
            lock (finished)
                finished.Add(entry.DumpId);
        });

        violations.Should().BeEmpty();
        finished.Should().BeEquivalentTo([1, 2, 3]);
    }

    [Fact]
    public async Task Entries_of_one_table_never_run_side_by_side()
    {
        var entries = new List<TocEntry>();
        for (var id = 1; id <= 12; id++)
            entries.Add(Entry(id, id % 3 == 0 ? "TRIGGER" : "CONSTRAINT", id % 2 == 0 ? "public.even" : "public.odd"));
        var active = new Dictionary<string, int>(StringComparer.Ordinal);
        var most = 0;
        var workersAtOnce = 0;
        var mostWorkers = 0;

        await ParallelScheduler.RunAsync(RestorePlan.Schedule([], entries, NoPartitions), [1, 2, 3, 4], async (_, unit) =>
        {
            var entry = unit.Entry;
            lock (active)
            {
                active[entry.Table!] = active.GetValueOrDefault(entry.Table!) + 1;
                most = Math.Max(most, active[entry.Table!]);
                mostWorkers = Math.Max(mostWorkers, ++workersAtOnce);
            }
            await Task.Delay(5);
            lock (active)
            {
                active[entry.Table!]--;
                workersAtOnce--;
            }
        });

        most.Should().Be(1);
        mostWorkers.Should().Be(2, "two tables give two entries at a time, even with four workers");
    }

    [Fact]
    public async Task Index_builds_of_one_table_run_side_by_side_but_never_beside_its_other_entries()
    {
        var entries = new List<TocEntry>
        {
            Entry(1, "INDEX", "public.t"), Entry(2, "INDEX", "public.t"), Entry(3, "CONSTRAINT", "public.t"), Entry(4, "INDEX", "public.t"),
        };
        var indexesAtOnce = 0;
        var mostIndexes = 0;
        var active = 0;
        var constraintHadCompany = false;

        await ParallelScheduler.RunAsync(RestorePlan.Schedule([], entries, NoPartitions), [1, 2, 3], async (_, unit) =>
        {
            lock (entries)
            {
                active++;
                if (unit.Entry.Kind == ObjectKind.Index)
                    mostIndexes = Math.Max(mostIndexes, ++indexesAtOnce);
                if (unit.Entry.Kind == ObjectKind.Constraint && active > 1)
                    constraintHadCompany = true;
            }
            await Task.Delay(20);
            lock (entries)
            {
                active--;
                if (unit.Entry.Kind == ObjectKind.Index)
                    indexesAtOnce--;
            }
        });

        mostIndexes.Should().BeGreaterThan(1, "CREATE INDEX takes a SHARE lock: several build on one table at once");
        constraintHadCompany.Should().BeFalse("ALTER TABLE takes the table alone");
    }

    [Fact]
    public void A_key_built_index_first_becomes_a_shared_index_step_then_an_exclusive_constraint_step()
    {
        var key = Entry(2, "CONSTRAINT", "public.big");
        key.IndexFirst = new IndexFirstSteps { IndexStatements = ["CREATE UNIQUE INDEX big_pkey ON public.big USING btree (id);"], ConstraintStatements = ["ALTER TABLE ONLY public.big ADD CONSTRAINT big_pkey PRIMARY KEY USING INDEX big_pkey;"] };
        var trigger = Entry(3, "TRIGGER", "public.big", 2);

        var units = RestorePlan.Schedule([Data(1, "big", 100)], [key, trigger], NoPartitions);

        units.Should().HaveCount(4);
        var (index, adopt, after) = (units[1], units[2], units[3]);
        index.Statements![0].Should().StartWith("CREATE UNIQUE INDEX");
        index.SharedLock.Should().BeTrue();
        index.IsLastStep.Should().BeFalse();
        index.WaitsFor.Should().Equal(0);
        adopt.Statements![0].Should().Contain("USING INDEX");
        adopt.SharedLock.Should().BeFalse();
        adopt.IsLastStep.Should().BeTrue();
        adopt.WaitsFor.Should().Equal(1);
        after.WaitsFor.Should().Contain(2, "entries depending on the key wait for its last step");
    }

    [Fact]
    public void Loads_come_first_largest_first_with_chunks_as_separate_units()
    {
        var units = RestorePlan.Schedule([Data(1, "small", 10), Data(2, "big", 300, 150, 150), Data(3, "blobs", 200)], [Entry(4, "INDEX", "public.big")], NoPartitions);

        units.Select(unit => Name(unit.Entry)).Should().Equal("blobs:200", "big:150", "big:150", "small:10", "e4");
        units.Take(4).Should().OnlyContain(unit => unit.LockKey == null && unit.WaitsFor.Count == 0, "chunks of one table load side by side");
    }

    [Fact]
    public void Rows_past_the_toast_threshold_count_double()
    {
        // 100 MB of 200 kB values loads slower than 150 MB of 170-byte rows: it goes first.
        var blobs = Data(1, "blobs", 100_000_000);
        blobs.Data!.Rows = 500;
        var big = Data(2, "big", 150_000_000);
        big.Data!.Rows = 900_000;

        var units = RestorePlan.Schedule([big, blobs], [], NoPartitions);

        units.Select(unit => unit.Entry.Name).Should().Equal("blobs", "big");
    }

    [Fact]
    public void An_index_or_key_waits_only_for_its_own_tables_loads_and_anything_else_for_all_loads()
    {
        var units = RestorePlan.Schedule(
            [Data(1, "big", 300, 150, 150), Data(2, "blobs", 200)],
            [Entry(3, "CONSTRAINT", "public.big"), Entry(4, "INDEX", "public.big"), Entry(5, "TRIGGER", "public.big"), Entry(6, "MATERIALIZED VIEW DATA", null)],
            NoPartitions);
        var bigChunks = units.Where(unit => unit.Entry.Name == "big" && unit.Entry.Data is not null).Select(unit => unit.Id).ToList();
        var allLoads = units.Where(unit => unit.Entry.Data is not null).Select(unit => unit.Id).ToList();

        units.Single(unit => unit.Entry.DumpId == 3).WaitsFor.Should().BeEquivalentTo(bigChunks);
        units.Single(unit => unit.Entry.DumpId == 4).WaitsFor.Should().BeEquivalentTo(bigChunks);
        units.Single(unit => unit.Entry.DumpId == 5).WaitsFor.Should().BeEquivalentTo(allLoads);
        units.Single(unit => unit.Entry.DumpId == 6).WaitsFor.Should().BeEquivalentTo(allLoads);
    }

    [Fact]
    public void A_check_constraint_added_after_the_data_waits_for_every_load()
    {
        // Validating it may call a function that reads another table, whose rows must be in by then.
        var check = Entry(3, "CONSTRAINT", "public.big");
        check.Definition = "ALTER TABLE ONLY public.big\n    ADD CONSTRAINT big_ref_known CHECK (public.ref_known(ref));\n";
        check.Facts = new EntryFacts { ConstraintType = ConstraintType.Check };
        var key = Entry(4, "CONSTRAINT", "public.big");
        key.Definition = "ALTER TABLE ONLY public.big\n    ADD CONSTRAINT big_pkey PRIMARY KEY (id);\n";

        var units = RestorePlan.Schedule([Data(1, "big", 100), Data(2, "refs", 100)], [check, key], NoPartitions);

        units.Single(unit => unit.Entry.DumpId == 3).WaitsFor.Should().BeEquivalentTo([0, 1]);
        units.Single(unit => unit.Entry.DumpId == 4).WaitsFor.Should().BeEquivalentTo([units.Single(unit => unit.Entry.Name == "big").Id]);
    }

    [Fact]
    public void A_partitioned_tables_index_waits_for_every_load()
    {
        // Building it locks the partitions while they may still be loading, and a partition's load reads the parent.
        var units = RestorePlan.Schedule([Data(1, "p1", 100), Data(2, "p2", 100)], [Entry(3, "INDEX", "public.parent")], new HashSet<string> { "public.parent" });

        units.Single(unit => unit.Entry.DumpId == 3).WaitsFor.Should().BeEquivalentTo([0, 1]);
    }

    [Fact]
    public async Task An_index_builds_while_another_table_still_loads()
    {
        var units = RestorePlan.Schedule([Data(1, "big", 100), Data(2, "blobs", 90)], [Entry(3, "INDEX", "public.big")], NoPartitions);
        var blobsLoading = new TaskCompletionSource();
        var indexBuilt = new TaskCompletionSource();
        var order = new List<string>();

        await ParallelScheduler.RunAsync(units, [1, 2], async (_, unit) =>
        {
            var entry = unit.Entry;
            lock (order)
                order.Add("start " + entry.Name);
            if (entry.Name == "blobs")
            {
                // Finishes only once the index on big is built: proves the two overlapped.
                await indexBuilt.Task.WaitAsync(TimeSpan.FromSeconds(10));
            }
            else if (entry.Name == "e3")
            {
                indexBuilt.SetResult();
            }
            else
            {
                await Task.Delay(10);
            }
        });

        order.Should().Equal("start big", "start blobs", "start e3");
    }

    [Fact]
    public async Task Entries_waiting_on_each_other_give_a_typed_error_naming_one_of_them()
    {
        var units = RestorePlan.Schedule([], [Entry(1, "POLICY", "public.a", 2), Entry(2, "POLICY", "public.b", 1)], NoPartitions);
        // Plan keeps only dependencies on earlier entries (dump order), so build the cycle by hand.
        units = [units[0] with { WaitsFor = [1] }, units[1] with { WaitsFor = [0] }];

        var act = () => ParallelScheduler.RunAsync(units, ["w"], (_, _) => Task.CompletedTask);

        (await act.Should().ThrowAsync<RestoreFailedException>()).Which.Message.Should().Contain("POLICY public.e1");
    }

    [Fact]
    public async Task A_failing_entry_is_reported_after_the_running_ones_finish_and_nothing_new_starts()
    {
        var units = RestorePlan.Schedule([], [Entry(1, "INDEX", "public.a"), Entry(2, "INDEX", "public.b"), Entry(3, "INDEX", "public.c", 1)], NoPartitions);
        var slowFinished = false;
        var started = new List<int>();

        var act = () => ParallelScheduler.RunAsync(units, [1, 2], async (_, unit) =>
        {
            var entry = unit.Entry;
            lock (started)
                started.Add(entry.DumpId);
            if (entry.DumpId == 1)
                throw new RestoreFailedException("index failed", null);
            await Task.Delay(50);
            slowFinished = true;
        });

        await act.Should().ThrowAsync<RestoreFailedException>().WithMessage("index failed");
        slowFinished.Should().BeTrue();
        started.Should().NotContain(3);
    }
}
