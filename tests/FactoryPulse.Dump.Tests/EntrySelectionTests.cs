using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Restore;
using FluentAssertions;
using Xunit;

namespace FactoryPulse.Dump.Tests;

public sealed class EntrySelectionTests
{
    private static readonly List<TocEntry> Entries =
    [
        new() { DumpId = 1, Kind = ObjectKind.Schema, Name = "shop" },
        new() { DumpId = 2, Kind = ObjectKind.Extension, Name = "pgcrypto" },
        new() { DumpId = 3, Kind = ObjectKind.Table, Schema = "shop", Name = "Orders" },
        new() { DumpId = 4, Kind = ObjectKind.Sequence, Schema = "shop", Name = "Orders_id_seq", Table = "shop.Orders" },
        new() { DumpId = 5, Kind = ObjectKind.Table, Schema = "shop", Name = "customers" },
        new() { DumpId = 6, Kind = ObjectKind.TableData, Schema = "shop", Name = "Orders", Table = "shop.Orders" },
        new() { DumpId = 7, Kind = ObjectKind.SequenceSet, Schema = "shop", Name = "Orders_id_seq" },
        new() { DumpId = 8, Kind = ObjectKind.Index, Schema = "shop", Name = "orders_total_idx", Table = "shop.Orders" },
        new() { DumpId = 9, Kind = ObjectKind.Policy, Schema = "shop", Name = "orders_own", Table = "shop.Orders" },
        new() { DumpId = 10, Kind = ObjectKind.Acl, Schema = "shop", Name = "TABLE Orders", Table = "shop.Orders" },
        new() { DumpId = 11, Kind = ObjectKind.Function, Schema = "shop", Name = "total(integer)" },
        new() { DumpId = 12, Kind = ObjectKind.Table, Schema = "public", Name = "notes" },
        new() { DumpId = 13, Kind = ObjectKind.TableData, Schema = "shop", Name = "customers", Table = "shop.customers" },
    ];

    private static List<int> Selected(RestoreOptions options)
    {
        var selection = EntrySelection.Create(options, Entries);
        return Entries.Where(entry => selection is null || selection.Includes(entry)).Select(entry => entry.DumpId).ToList();
    }

    private static RestoreOptions Options() => new() { ConnectionString = "Host=x", InputPath = "/nowhere" };

    [Fact]
    public void No_names_select_everything()
    {
        EntrySelection.Create(Options(), Entries).Should().BeNull();
    }

    [Fact]
    public void A_table_brings_its_data_children_privileges_and_owned_sequence_with_its_value()
    {
        // Quoted: the name keeps its case, as in psql patterns.
        Selected(Options() with { Tables = ["shop.\"Orders\""] }).Should().Equal(3, 4, 6, 7, 8, 9, 10);
    }

    [Fact]
    public void An_unquoted_table_pattern_folds_to_lower_case_and_wildcards_match()
    {
        Selected(Options() with { Tables = ["Customer*"] }).Should().Equal(5, 13);
        Selected(Options() with { Tables = ["orders"] }).Should().BeEmpty();
    }

    [Fact]
    public void A_schema_brings_itself_and_its_objects_but_no_schema_less_ones()
    {
        Selected(Options() with { Schemas = ["shop"] }).Should().Equal(1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13);
    }

    [Fact]
    public void An_excluded_schema_leaves_out_itself_and_its_objects_only()
    {
        Selected(Options() with { ExcludeSchemas = ["sh?p"] }).Should().Equal(2, 12);
    }

    [Fact]
    public void A_schema_and_a_table_together_select_the_table_within_the_schema()
    {
        Selected(Options() with { Schemas = ["public"], Tables = ["*"] }).Should().Equal(12);
    }
}
