using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Restore;
using FluentAssertions;
using Xunit;

namespace FactoryPulse.Dump.Tests;

/// <summary>The restore plan, built from manifest entries and options alone: no server.</summary>
public sealed class RestorePlanTests
{
    private static RestoreOptions Options(int jobs = 1, bool clean = false, bool singleTransaction = false, bool dataOnly = false, bool ifExists = false) =>
        new() { ConnectionString = "Host=none", InputPath = "/none", Jobs = jobs, Clean = clean, SingleTransaction = singleTransaction, DataOnly = dataOnly, IfExists = ifExists };

    private static TocEntry Schema(int id, string name, bool? creates = true) =>
        new() { DumpId = id, Section = Section.PreData, Kind = ObjectKind.Schema, Name = name, Statements = [$"CREATE SCHEMA {name};\n"], DropStatements = [$"DROP SCHEMA {name};\n"],
            Facts = creates is null ? null : new EntryFacts { CreatesSchema = creates } };

    private static TocEntry Table(int id, string name, bool? partitioned = false, params int[] dependencies) =>
        new() { DumpId = id, Section = Section.PreData, Kind = ObjectKind.Table, Schema = "s", Name = name, Statements = [$"CREATE TABLE s.{name} ();\n"],
            DropStatements = [$"DROP TABLE s.{name};\n"], Dependencies = [.. dependencies], Facts = partitioned is null ? null : new EntryFacts { Partitioned = partitioned } };

    private static TocEntry Data(int id, string table, long bytes, params int[] dependencies) =>
        new() { DumpId = id, Section = Section.Data, Kind = ObjectKind.TableData, Schema = "s", Name = table, Dependencies = [.. dependencies],
            Data = new TableDataInfo { File = $"data/{id}.dat", RawBytes = bytes, Bytes = bytes } };

    private static TocEntry PostData(int id, ObjectKind kind, string table, ConstraintType? type = null, params int[] dependencies) =>
        new() { DumpId = id, Section = Section.PostData, Kind = kind, Schema = "s", Name = $"e{id}", Table = $"s.{table}", Dependencies = [.. dependencies],
            Statements = [$"-- {id}\n"], DropStatements = [$"-- drop {id}\n"], Facts = type is null ? null : new EntryFacts { ConstraintType = type } };

    private static TocEntry Grant(int id, string table) =>
        new() { DumpId = id, Section = Section.PreData, Pass = RestorePass.Acl, Kind = ObjectKind.Acl, Schema = "s", Name = $"TABLE {table}", Table = $"s.{table}", Statements = ["GRANT …;\n"] };

    private static List<TocEntry> Shop() =>
    [
        Schema(1, "s"),
        Table(2, "orders"),
        Table(3, "items"),
        Grant(4, "orders"),
        Data(5, "orders", 1000),
        Data(6, "items", 5000),
        PostData(7, ObjectKind.Constraint, "orders", ConstraintType.PrimaryKey),
        PostData(8, ObjectKind.Index, "items"),
        PostData(9, ObjectKind.Constraint, "items", ConstraintType.Check),
        PostData(10, ObjectKind.Trigger, "orders"),
        PostData(11, ObjectKind.ForeignKeyConstraint, "items", ConstraintType.ForeignKey, 7),
    ];

    private static List<int> DumpIds(IEnumerable<ScheduledUnit> units) => units.Select(unit => unit.Entry.DumpId).ToList();

    [Fact]
    public void A_serial_restore_runs_every_entry_in_dump_order_pass_by_pass()
    {
        var plan = RestorePlan.Build(Shop(), Options(), null);

        plan.Stages.Should().OnlyContain(stage => !stage.Parallel);
        plan.Stages.Select(stage => stage.Pass).Should().Equal(RestorePass.Main, RestorePass.Acl);
        DumpIds(plan.Stages[0].Units).Should().Equal(1, 2, 3, 5, 6, 7, 8, 9, 10, 11);
        DumpIds(plan.Stages[1].Units).Should().Equal(4);
        plan.Drops.Should().BeEmpty();
        plan.CreatesObjects.Should().BeTrue();
        plan.CreatedTables.Should().BeEquivalentTo(["s.orders", "s.items"]);
    }

    [Fact]
    public void With_jobs_loads_and_post_data_run_in_one_parallel_stage_and_foreign_keys_after_it_alone()
    {
        var plan = RestorePlan.Build(Shop(), Options(jobs: 4), null);

        plan.Stages.Select(stage => (stage.Pass, stage.Parallel)).Should().Equal((RestorePass.Main, true), (RestorePass.Main, true), (RestorePass.Main, false), (RestorePass.Acl, false));
        DumpIds(plan.Stages[0].Units).Should().Equal(1, 2, 3);
        // Largest load first, then post-data in dump order.
        DumpIds(plan.Stages[1].Units).Should().Equal(6, 5, 7, 8, 9, 10);
        DumpIds(plan.Stages[2].Units).Should().Equal(11);
    }

    [Fact]
    public void With_jobs_pre_data_entries_wait_only_for_what_they_depend_on_and_other_kinds_are_barriers()
    {
        TocEntry Entry(int id, ObjectKind kind, string name, string? table = null, params int[] dependencies) =>
            new() { DumpId = id, Section = Section.PreData, Kind = kind, Schema = "s", Name = name, Table = table, Dependencies = [.. dependencies], Statements = [$"-- {id}\n"] };
        List<TocEntry> entries =
        [
            Schema(1, "s"),
            Entry(2, ObjectKind.Function, "f", null, 1),
            Entry(3, ObjectKind.Table, "a", null, 1),
            Entry(4, ObjectKind.View, "v", null, 3, 2),
            Entry(5, ObjectKind.Extension, "x"),
            Entry(6, ObjectKind.Table, "b", null, 1),
            Entry(7, ObjectKind.Default, "b.c", "s.b", 6),
            Entry(8, ObjectKind.Default, "b.d", "s.b", 6),
        ];

        var plan = RestorePlan.Build(entries, Options(jobs: 2), null);

        plan.Stages.Should().ContainSingle();
        var units = plan.Stages[0].Units;
        plan.Stages[0].Parallel.Should().BeTrue();
        DumpIds(units).Should().Equal(1, 2, 3, 4, 5, 6, 7, 8);
        units.Should().OnlyContain(unit => unit.Pipelinable);
        units[1].WaitsFor.Should().Equal(0);
        units[2].WaitsFor.Should().Equal(0);
        units[3].WaitsFor.Should().BeEquivalentTo([2, 1]);
        // The extension waits for everything before it; everything after it waits for the extension.
        units[4].WaitsFor.Should().BeEquivalentTo([0, 1, 2, 3]);
        units[5].WaitsFor.Should().Equal(4);
        units[6].WaitsFor.Should().BeEquivalentTo([4, 5]);
        // Two defaults of one table never run in two workers' batches at once.
        units[6].LockKey.Should().Be("s.b");
        units[7].LockKey.Should().Be("s.b");
        units[2].LockKey.Should().BeNull();
    }

    [Fact]
    public async Task Parallel_pre_data_runs_independent_entries_on_both_workers_and_dependents_after_their_dependencies()
    {
        TocEntry Entry(int id, ObjectKind kind, params int[] dependencies) =>
            new() { DumpId = id, Section = Section.PreData, Kind = kind, Schema = "s", Name = $"e{id}", Dependencies = [.. dependencies], Statements = [$"-- {id}\n"] };
        var entries = new List<TocEntry> { Schema(1, "s") };
        for (var i = 2; i <= 41; i++)
            entries.Add(Entry(i, ObjectKind.Table, 1));
        for (var i = 42; i <= 81; i++)
            entries.Add(Entry(i, ObjectKind.View, i - 40));
        var units = RestorePlan.Build(entries, Options(jobs: 2), null).Stages[0].Units;
        var finished = new List<int>();
        var workersUsed = new HashSet<int>();
        await ParallelScheduler.RunAsync(units, [0, 1], 10, async (worker, group) =>
        {
            await Task.Yield();
            lock (finished)
            {
                workersUsed.Add(worker);
                foreach (var unit in group)
                {
                    // Every dependency ran before (in an earlier group, or earlier in this one).
                    foreach (var dependency in unit.Entry.Dependencies)
                        finished.Should().Contain(dependency);
                    finished.Add(unit.Entry.DumpId);
                }
            }
        });

        finished.Should().HaveCount(81);
        workersUsed.Should().BeEquivalentTo([0, 1]);
    }

    [Fact]
    public void With_jobs_a_foreign_key_between_two_created_tables_joins_the_parallel_stage_holding_both_tables()
    {
        var entries = Shop();
        entries[^1] = PostData(11, ObjectKind.ForeignKeyConstraint, "items", ConstraintType.ForeignKey, 7);
        entries[^1].Facts!.ReferencedTable = "s.orders";

        var plan = RestorePlan.Build(entries, Options(jobs: 4), null);

        plan.Stages.Select(stage => (stage.Pass, stage.Parallel)).Should().Equal((RestorePass.Main, true), (RestorePass.Main, true), (RestorePass.Acl, false));
        var key = plan.Stages[1].Units.Single(unit => unit.Entry.DumpId == 11);
        key.LockKey.Should().Be("s.items");
        key.OtherLockKey.Should().Be("s.orders");
        // After every load, and after the referenced key it needs.
        key.WaitsFor.Should().Contain([0, 1, 2]);
    }

    [Fact]
    public void Entries_waiting_for_every_load_share_one_list_of_them()
    {
        var entries = Shop();
        entries[^1].Facts!.ReferencedTable = "s.orders";

        var units = RestorePlan.Build(entries, Options(jobs: 4), null).Stages[1].Units;

        var check = (SharedWaits)units.Single(unit => unit.Entry.DumpId == 9).WaitsFor;
        var trigger = (SharedWaits)units.Single(unit => unit.Entry.DumpId == 10).WaitsFor;
        var key = (SharedWaits)units.Single(unit => unit.Entry.DumpId == 11).WaitsFor;
        check.Shared.Should().BeSameAs(trigger.Shared).And.BeSameAs(key.Shared).And.BeEquivalentTo([0, 1]);
        key.Own.Should().Equal(2);
    }

    [Fact]
    public void A_foreign_key_of_a_partitioned_or_unknown_table_still_runs_after_the_stage_alone()
    {
        var entries = Shop();
        entries[2] = Table(3, "items", partitioned: true);
        entries[^1].Facts!.ReferencedTable = "s.orders";
        var partitionedChild = RestorePlan.Build(entries, Options(jobs: 4), null);
        partitionedChild.Stages.Select(stage => stage.Parallel).Should().Equal(true, true, false, false);
        DumpIds(partitionedChild.Stages[2].Units).Should().Equal(11);

        var other = Shop();
        other[^1].Facts!.ReferencedTable = "elsewhere.t";
        RestorePlan.Build(other, Options(jobs: 4), null).Stages.Select(stage => stage.Parallel).Should().Equal(true, true, false, false);
    }

    [Fact]
    public async Task A_unit_holding_a_second_key_never_runs_beside_a_unit_of_that_key()
    {
        List<ScheduledUnit> units =
        [
            new(0, PostData(1, ObjectKind.Trigger, "orders"), "s.orders", []),
            new(1, PostData(2, ObjectKind.ForeignKeyConstraint, "items", ConstraintType.ForeignKey), "s.items", [], OtherLockKey: "s.orders"),
            new(2, PostData(3, ObjectKind.Trigger, "others"), "s.others", []),
        ];
        var events = new List<string>();
        var thirdStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await ParallelScheduler.RunAsync(units, [0, 1], async (worker, unit) =>
        {
            lock (events)
                events.Add($"start {unit.Id}");
            if (unit.Id == 0)
                await thirdStarted.Task; // the orders trigger runs until the third unit took the other worker
            if (unit.Id == 2)
                thirdStarted.TrySetResult();
            await Task.Yield();
            lock (events)
                events.Add($"end {unit.Id}");
        });

        // The key, which needs s.orders too, was passed over while the trigger on s.orders ran.
        events.IndexOf("start 1").Should().BeGreaterThan(events.IndexOf("end 0"));
        events.IndexOf("start 2").Should().BeLessThan(events.IndexOf("end 0"));
    }

    [Fact]
    public void A_single_transaction_restore_never_runs_in_parallel()
    {
        var plan = RestorePlan.Build(Shop(), Options(jobs: 4, singleTransaction: true), null);

        plan.Stages.Should().OnlyContain(stage => !stage.Parallel);
    }

    [Fact]
    public void Index_builds_share_their_tables_lock_and_everything_else_takes_it_alone()
    {
        var units = RestorePlan.Build(Shop(), Options(jobs: 4), null).Stages[1].Units;

        var index = units.Single(unit => unit.Entry.DumpId == 8);
        index.LockKey.Should().Be("s.items");
        index.SharedLock.Should().BeTrue();
        var check = units.Single(unit => unit.Entry.DumpId == 9);
        check.LockKey.Should().Be("s.items");
        check.SharedLock.Should().BeFalse();
        units.Where(unit => unit.Entry.Data is not null).Should().OnlyContain(unit => unit.LockKey == null);
    }

    [Fact]
    public void A_key_waits_for_its_own_tables_load_and_a_check_or_trigger_for_every_load()
    {
        var units = RestorePlan.Build(Shop(), Options(jobs: 4), null).Stages[1].Units;
        int IdOf(int dumpId) => units.Single(unit => unit.Entry.DumpId == dumpId).Id;

        units.Single(unit => unit.Entry.DumpId == 7).WaitsFor.Should().Equal(IdOf(5));
        units.Single(unit => unit.Entry.DumpId == 8).WaitsFor.Should().Equal(IdOf(6));
        units.Single(unit => unit.Entry.DumpId == 9).WaitsFor.Should().BeEquivalentTo([IdOf(5), IdOf(6)]);
        units.Single(unit => unit.Entry.DumpId == 10).WaitsFor.Should().BeEquivalentTo([IdOf(5), IdOf(6)]);
    }

    [Fact]
    public void A_partitioned_parents_index_waits_for_every_load()
    {
        List<TocEntry> entries = [Table(1, "parent", partitioned: true), Table(2, "p1"), Data(3, "p1", 10), Data(4, "other", 10), PostData(5, ObjectKind.Index, "parent"), PostData(6, ObjectKind.Index, "p1")];

        var units = RestorePlan.Build(entries, Options(jobs: 2), null).Stages[1].Units;

        units.Single(unit => unit.Entry.DumpId == 5).WaitsFor.Should().HaveCount(2);
        units.Single(unit => unit.Entry.DumpId == 6).WaitsFor.Should().HaveCount(1);
    }

    [Fact]
    public void Without_facts_a_table_counts_as_partitioned_and_a_constraint_as_one_that_waits_for_every_load()
    {
        // An archive written before facts existed: decide the cautious way.
        List<TocEntry> entries = [Table(1, "t", partitioned: null), Table(2, "u"), Data(3, "t", 10), Data(4, "u", 10),
            PostData(5, ObjectKind.Index, "t"), PostData(6, ObjectKind.Constraint, "u")];

        var units = RestorePlan.Build(entries, Options(jobs: 2), null).Stages[1].Units;

        units.Single(unit => unit.Entry.DumpId == 5).WaitsFor.Should().HaveCount(2);
        units.Single(unit => unit.Entry.DumpId == 6).WaitsFor.Should().HaveCount(2);
    }

    [Fact]
    public void A_key_built_index_first_becomes_a_shared_index_step_and_then_an_exclusive_constraint_step()
    {
        var key = PostData(3, ObjectKind.Constraint, "t", ConstraintType.PrimaryKey);
        key.IndexFirst = new IndexFirstSteps { IndexStatements = ["CREATE UNIQUE INDEX …;"], ConstraintStatements = ["ALTER TABLE … USING INDEX …;"] };
        var trigger = PostData(4, ObjectKind.Trigger, "t", null, 3);

        var units = RestorePlan.Build([Table(1, "t"), Data(2, "t", 10), key, trigger], Options(jobs: 2), null).Stages[1].Units;

        units.Should().HaveCount(4);
        units[1].Statements.Should().Equal("CREATE UNIQUE INDEX …;");
        units[1].SharedLock.Should().BeTrue();
        units[1].IsLastStep.Should().BeFalse();
        units[2].Statements.Should().Equal("ALTER TABLE … USING INDEX …;");
        units[2].SharedLock.Should().BeFalse();
        units[2].WaitsFor.Should().Equal(units[1].Id);
        units[2].IsLastStep.Should().BeTrue();
        units[3].WaitsFor.Should().Contain(units[2].Id, "what depends on the key waits for its last step");
    }

    [Fact]
    public void A_data_entry_that_depends_on_another_data_entry_waits_for_all_of_its_loads_also_with_jobs()
    {
        // Platform tables whose foreign keys already exist on the target: the referenced rows must be in first.
        var referenced = Data(3, "users", 10);
        referenced.Data!.Chunks = [new DataChunk { File = "data/3.1.dat", RawBytes = 5 }, new DataChunk { File = "data/3.2.dat", RawBytes = 5 }];
        var dependent = Data(4, "identities", 1000, 3);

        var units = RestorePlan.Build([Table(1, "users"), Table(2, "identities"), referenced, dependent], Options(jobs: 4), null).Stages[1].Units;

        var waiting = units.Single(unit => unit.Entry.DumpId == 4);
        waiting.WaitsFor.Should().BeEquivalentTo(units.Where(unit => unit.Entry.DumpId == 3).Select(unit => unit.Id));
        units.Where(unit => unit.Entry.DumpId == 3).Should().HaveCount(2).And.OnlyContain(unit => unit.WaitsFor.Count == 0);
    }

    [Fact]
    public async Task Dependent_loads_run_after_what_they_depend_on_on_several_workers()
    {
        var plan = RestorePlan.Build([Table(1, "users"), Data(2, "users", 10), Data(3, "identities", 1000, 2), Data(4, "sessions", 500, 3)], Options(jobs: 3), null);
        var units = plan.Stages.Single(stage => stage.Parallel && stage.Units[0].Entry.IsData).Units;
        var finished = new List<int>();

        await ParallelScheduler.RunAsync(units, [1, 2, 3], async (_, unit) =>
        {
            await Task.Yield();
            lock (finished)
                finished.Add(unit.Entry.DumpId);
        });

        finished.Should().Equal(2, 3, 4);
    }

    [Fact]
    public void Clean_drops_what_the_restore_creates_in_reverse_restore_order()
    {
        var plan = RestorePlan.Build(Shop(), Options(clean: true), null);

        plan.Drops.Select(entry => entry.DumpId).Should().Equal(11, 10, 9, 8, 7, 3, 2, 1);
    }

    [Fact]
    public void Clean_drops_an_event_trigger_before_the_function_it_calls()
    {
        // The event trigger runs in the post-ACL pass, after everything; dropped in the main pass order only, it was never
        // dropped, and dropping its function failed (issue 13).
        List<TocEntry> entries =
        [
            new() { DumpId = 1, Section = Section.PreData, Kind = ObjectKind.Function, Schema = "public", Name = "et_f", Statements = ["CREATE FUNCTION …;\n"],
                DropStatements = ["DROP FUNCTION public.et_f();\n"] },
            new() { DumpId = 2, Section = Section.PostData, Pass = RestorePass.PostAcl, Kind = ObjectKind.EventTrigger, Name = "et", Statements = ["CREATE EVENT TRIGGER …;\n"],
                DropStatements = ["DROP EVENT TRIGGER et;\n"], Dependencies = [1] },
        ];

        RestorePlan.Build(entries, Options(clean: true), null).Drops.Select(entry => entry.DumpId).Should().Equal(2, 1);
    }

    [Fact]
    public void Clean_with_if_exists_drops_only_entries_that_have_such_a_statement()
    {
        var entries = Shop();
        entries[1].DropIfExistsStatements = ["DROP TABLE IF EXISTS s.orders;\n"];

        RestorePlan.Build(entries, Options(clean: true, ifExists: true), null).Drops.Select(entry => entry.DumpId).Should().Equal(2);
    }

    [Fact]
    public void Selecting_data_only_makes_a_data_only_plan_with_no_stages()
    {
        var plan = RestorePlan.Build(Shop(), Options(dataOnly: true), null);

        plan.DataOnly.Should().BeTrue();
        plan.Entries.Select(entry => entry.DumpId).Should().Equal(5, 6);
        plan.Stages.Should().BeEmpty();
        plan.CreatesObjects.Should().BeFalse();
    }

    [Fact]
    public void A_list_file_selects_by_dump_id()
    {
        var plan = RestorePlan.Build(Shop(), Options(), new HashSet<int> { 2, 5 });

        plan.Entries.Select(entry => entry.DumpId).Should().Equal(2, 5);
    }

    [Fact]
    public void A_data_only_restore_loads_parents_first_and_keeps_a_cycle_together_with_its_keys_deferred()
    {
        // a → b → c → b (cycle b/c), d independent; the archive lists them children first.
        List<TocEntry> loads = [Data(1, "a", 1), Data(2, "b", 1), Data(3, "c", 1), Data(4, "d", 1)];
        List<ForeignKey> keys =
        [
            new("a_b", "s.a", "s.b", false, false),
            new("b_c", "s.b", "s.c", false, false),
            new("c_b", "s.c", "s.b", false, false),
            new("d_d", "s.d", "s.d", false, false),
        ];
        var sequence = new TocEntry { DumpId = 5, Section = Section.Data, Kind = ObjectKind.SequenceSet, Schema = "s", Name = "q" };
        var refresh = new TocEntry { DumpId = 6, Section = Section.PostData, Pass = RestorePass.PostAcl, Kind = ObjectKind.MaterializedViewData, Schema = "s", Name = "mv" };

        var order = RestorePlan.OrderDataOnly(loads, entry => entry.QualifiedName, keys, [.. loads, sequence, refresh]);

        var names = order.Loads.Select(entry => entry.Name).ToList();
        names.IndexOf("a").Should().BeGreaterThan(names.IndexOf("b")).And.BeGreaterThan(names.IndexOf("c"));
        Math.Abs(names.IndexOf("b") - names.IndexOf("c")).Should().Be(1, "a cycle's tables load together");
        names.Should().Contain("d");
        order.CycleKeys.Select(key => key.Name).Should().BeEquivalentTo(["b_c", "c_b"], "a self-reference needs no deferring");
        order.AfterLoads.Should().Equal(sequence);
        order.Refreshes.Should().Equal(refresh);
    }

    [Fact]
    public void A_script_runs_entries_pass_by_pass_in_dump_order()
    {
        TocOrder.InRestoreOrder(Shop()).Select(entry => entry.DumpId).Should().Equal(1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 4);
    }

    [Fact]
    public void Schema_facts_do_not_change_the_plan_and_user_text_never_matters()
    {
        // Comments and bodies mentioning PARTITION BY or CHECK ( change nothing: only facts decide.
        var entries = Shop();
        entries[1].Statements = ["CREATE TABLE s.orders ();\n", "\nCOMMENT ON TABLE s.orders IS 'not PARTITION BY anything';\n"];
        entries[6].Statements = ["ALTER TABLE s.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);\n", "\nCOMMENT ON CONSTRAINT orders_pkey ON s.orders IS ' CHECK (x)';\n"];

        var units = RestorePlan.Build(entries, Options(jobs: 4), null).Stages[1].Units;

        units.Single(unit => unit.Entry.DumpId == 7).WaitsFor.Should().HaveCount(1);
    }
}
