using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Restore;

namespace FactoryPulse.Dump.Tests;

/// <summary>The restore plan's selection and stage boundaries: sections, schema-only, privileges, ordering, clean.</summary>
public sealed class RestorePlanSelectionTests
{
    private static RestoreOptions Options(
        int jobs = 1, bool clean = false, bool schemaOnly = false, bool dataOnly = false, bool noPrivileges = false, string[]? sections = null) =>
        new()
        {
            ConnectionString = "Host=none", InputPath = "/none", Jobs = jobs, Clean = clean, SchemaOnly = schemaOnly, DataOnly = dataOnly,
            NoPrivileges = noPrivileges, Sections = sections ?? [],
        };

    private static TocEntry Entry(int id, Section section, ObjectKind kind, RestorePass pass = RestorePass.Main, string name = "x") =>
        new() { DumpId = id, Section = section, Pass = pass, Kind = kind, Schema = "s", Name = name, Statements = [$"-- {id}\n"], DropStatements = [$"-- drop {id}\n"] };

    private static TocEntry Data(int id, string table, long bytes, long rows = 0, long rawBytes = -1) =>
        new()
        {
            DumpId = id, Section = Section.Data, Kind = ObjectKind.TableData, Schema = "s", Name = table,
            Data = new TableDataInfo { File = $"data/{id}.dat", RawBytes = rawBytes < 0 ? bytes : rawBytes, Bytes = bytes, Rows = rows },
        };

    private static TocEntry PostData(int id, ObjectKind kind, string table) =>
        new() { DumpId = id, Section = Section.PostData, Kind = kind, Schema = "s", Name = $"e{id}", Table = $"s.{table}", Statements = [$"-- {id}\n"] };

    private static List<TocEntry> Mixed() =>
    [
        Entry(1, Section.PreData, ObjectKind.Schema),
        Entry(2, Section.PreData, ObjectKind.Table, name: "t"),
        Data(3, "t", 10),
        PostData(4, ObjectKind.Index, "t"),
        Entry(5, Section.PreData, ObjectKind.Acl, RestorePass.Acl),
        Entry(6, Section.PostData, ObjectKind.DefaultAcl, RestorePass.PostAcl),
    ];

    private static List<int> Ids(IEnumerable<TocEntry> entries) => entries.Select(entry => entry.DumpId).ToList();

    [Fact]
    public void Schema_only_and_data_only_together_are_refused()
    {
        var act = () => RestorePlan.Select(Mixed(), Options(schemaOnly: true, dataOnly: true), null);

        act.Should().Throw<DumpException>().WithMessage("Schema-only and data-only cannot be used together.");
    }

    [Fact]
    public void An_unknown_section_is_refused_by_name()
    {
        var act = () => RestorePlan.Select(Mixed(), Options(sections: ["data", "indexes"]), null);

        act.Should().Throw<DumpException>().WithMessage("Unknown section 'indexes': use pre-data, data or post-data.");
    }

    [Theory]
    [InlineData("pre-data", new[] { 1, 2, 5 })]
    [InlineData("data", new[] { 3 })]
    [InlineData("post-data", new[] { 4, 6 })]
    public void A_section_selects_its_entries_only(string section, int[] expected)
    {
        Ids(RestorePlan.Select(Mixed(), Options(sections: [section]), null)).Should().Equal(expected);
    }

    [Fact]
    public void Two_sections_select_both()
    {
        Ids(RestorePlan.Select(Mixed(), Options(sections: ["pre-data", "post-data"]), null)).Should().Equal(1, 2, 4, 5, 6);
    }

    [Fact]
    public void Schema_only_leaves_the_data_out_and_data_only_keeps_only_it()
    {
        Ids(RestorePlan.Select(Mixed(), Options(schemaOnly: true), null)).Should().Equal(1, 2, 4, 5, 6);
        Ids(RestorePlan.Select(Mixed(), Options(dataOnly: true), null)).Should().Equal(3);
    }

    [Fact]
    public void No_privileges_leaves_out_grants_and_default_privileges()
    {
        Ids(RestorePlan.Select(Mixed(), Options(noPrivileges: true), null)).Should().Equal(1, 2, 3, 4);
    }

    [Fact]
    public void Entries_come_out_in_dump_id_order_whatever_the_manifest_order()
    {
        var entries = Mixed();
        entries.Reverse();

        Ids(RestorePlan.Select(entries, Options(), null)).Should().Equal(1, 2, 3, 4, 5, 6);
    }

    [Fact]
    public void An_empty_selection_is_no_data_only_restore_and_creates_nothing()
    {
        var plan = RestorePlan.Build(Mixed(), Options(), new HashSet<int>());

        plan.Entries.Should().BeEmpty();
        plan.DataOnly.Should().BeFalse();
        plan.CreatesObjects.Should().BeFalse();
        plan.Stages.Should().BeEmpty();
    }

    [Fact]
    public void Only_main_pass_pre_data_entries_create_objects()
    {
        RestorePlan.Build(Mixed(), Options(sections: ["post-data"]), null).CreatesObjects.Should().BeFalse();
        RestorePlan.Build(Mixed(), Options(), new HashSet<int> { 5 }).CreatesObjects.Should().BeFalse("a grant is pre-data of the ACL pass");
        RestorePlan.Build(Mixed(), Options(), new HashSet<int> { 2 }).CreatesObjects.Should().BeTrue();
        RestorePlan.Build(Mixed(), Options(), new HashSet<int> { 2 }).CreatedTables.Should().BeEquivalentTo(["s.t"]);
        RestorePlan.Build(Mixed(), Options(), new HashSet<int> { 1 }).CreatedTables.Should().BeEmpty("only tables are created tables");
    }

    [Fact]
    public void Clean_never_drops_platform_objects_or_entries_without_a_drop_statement()
    {
        var entries = Mixed();
        entries[0].Facts = new EntryFacts { ManagedByPlatform = true };
        entries[1].Facts = new EntryFacts { ManagedByPlatform = false };
        entries[3].DropStatements = [];

        Ids(RestorePlan.Build(entries, Options(clean: true), null).Drops).Should().Equal(6, 5, 2);
        Ids(RestorePlan.Build(entries, Options(), null).Drops).Should().BeEmpty("without --clean nothing is dropped");
    }

    [Fact]
    public void A_serial_stage_chains_each_unit_to_the_one_before()
    {
        var stage = RestorePlan.Build(Mixed(), Options(), null).Stages[0];

        stage.Parallel.Should().BeFalse();
        stage.Units.Select(unit => unit.Id).Should().Equal(0, 1, 2, 3);
        stage.Units[0].WaitsFor.Should().BeEmpty();
        stage.Units[1].WaitsFor.Should().Equal(0);
        stage.Units[3].WaitsFor.Should().Equal(2);
        stage.Units.Should().OnlyContain(unit => unit.LockKey == null && !unit.SharedLock && unit.IsLastStep);
    }

    [Fact]
    public void Data_after_post_data_starts_a_second_parallel_stage_and_serial_entries_split_stages()
    {
        List<TocEntry> entries =
        [
            Entry(1, Section.PreData, ObjectKind.Table, name: "a"),
            Data(2, "a", 10),
            PostData(3, ObjectKind.Index, "a"),
            Data(4, "b", 10),
            Entry(5, Section.PostData, ObjectKind.ForeignKeyConstraint),
            PostData(6, ObjectKind.Trigger, "a"),
        ];

        var plan = RestorePlan.Build(entries, Options(jobs: 2), null);

        plan.Stages.Select(stage => (stage.Parallel, Ids(stage.Units.Select(unit => unit.Entry)).Count)).Should().Equal(
            (true, 1), (true, 2), (true, 1), (false, 1), (true, 1));
        Ids(plan.Stages[1].Units.Select(unit => unit.Entry)).Should().Equal(2, 3);
        Ids(plan.Stages[2].Units.Select(unit => unit.Entry)).Should().Equal(4);
        Ids(plan.Stages[4].Units.Select(unit => unit.Entry)).Should().Equal(6);
    }

    [Fact]
    public void One_job_runs_everything_serially()
    {
        RestorePlan.Build(Mixed(), Options(jobs: 1), null).Stages.Should().OnlyContain(stage => !stage.Parallel);
        RestorePlan.Build(Mixed(), Options(jobs: 2), null).Stages.Should().Contain(stage => stage.Parallel && stage.Pass == RestorePass.Main);
        RestorePlan.Build(Mixed(), Options(jobs: 2), null).Stages.Where(stage => stage.Pass != RestorePass.Main).Should().OnlyContain(stage => !stage.Parallel);
    }

    [Fact]
    public void Load_cost_uses_the_raw_size_when_known_and_doubles_only_past_the_toast_threshold()
    {
        // 2032 bytes a row is the threshold itself: not doubled.
        var atThreshold = Data(1, "at", bytes: 2032 * 10, rows: 10);
        var justUnder = Data(2, "under", bytes: (2033 * 10) - 5, rows: 10); // 2032 a row (integer division): not doubled
        var wide = Data(3, "wide", bytes: 15_000, rows: 5); // 3000 a row: counts 30 000
        var compressed = Data(4, "compressed", bytes: 100, rows: 0, rawBytes: 25_000); // raw size wins
        var noRaw = Data(5, "noraw", bytes: 21_000, rows: 0, rawBytes: 0); // no raw size: the file size

        var units = RestorePlan.Schedule([atThreshold, justUnder, wide, compressed, noRaw], [], new HashSet<string>());

        units.Select(unit => unit.Entry.DumpId).Should().Equal(3, 4, 5, 2, 1);
    }

    [Fact]
    public void A_data_only_order_puts_large_objects_and_sequences_after_loads_and_ignores_the_rest()
    {
        List<TocEntry> loads = [Data(1, "child", 1), Data(2, "parent", 1)];
        var blobs = new TocEntry { DumpId = 3, Section = Section.Data, Kind = ObjectKind.LargeObjectData, Name = "blobs", Data = new TableDataInfo { Format = DataFormat.LargeObjects } };
        var sequence = new TocEntry { DumpId = 4, Section = Section.Data, Kind = ObjectKind.SequenceSet, Schema = "s", Name = "q" };
        var table = new TocEntry { DumpId = 5, Section = Section.PreData, Kind = ObjectKind.Table, Schema = "s", Name = "t" };
        var refresh = new TocEntry { DumpId = 6, Section = Section.PostData, Pass = RestorePass.PostAcl, Kind = ObjectKind.MaterializedViewData, Schema = "s", Name = "mv" };
        ForeignKey key = new("child_parent", "s.child", "s.parent", false, false);

        var order = RestorePlan.OrderDataOnly(loads, entry => entry.QualifiedName, [key], [.. loads, blobs, sequence, table, refresh]);

        Ids(order.Loads).Should().Equal(2, 1);
        order.CycleKeys.Should().BeEmpty();
        Ids(order.AfterLoads).Should().Equal(3, 4);
        Ids(order.Refreshes).Should().Equal(6);
    }
}
