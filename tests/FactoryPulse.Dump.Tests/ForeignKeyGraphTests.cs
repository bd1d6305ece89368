using FactoryPulse.Dump.Restore;

namespace FactoryPulse.Dump.Tests;

public sealed class ForeignKeyGraphTests
{
    private static ForeignKey Key(string table, string referenced) =>
        new($"{table}_{referenced}_fkey", table, referenced, Deferrable: false, InitiallyDeferred: false);

    private static List<string[]> Components(ForeignKeyGraph.Plan plan) => plan.Components.Select(component => component.ToArray()).ToList();

    [Fact]
    public void Without_keys_every_table_is_its_own_component_in_archive_order()
    {
        var plan = ForeignKeyGraph.Build(["c", "a", "b"], []);

        Components(plan).Should().BeEquivalentTo(new[] { new[] { "c" }, ["a"], ["b"] }, options => options.WithStrictOrdering());
        plan.CycleKeys.Should().BeEmpty();
    }

    [Fact]
    public void A_parent_loads_before_its_child_whatever_the_archive_order()
    {
        var plan = ForeignKeyGraph.Build(["orders", "customers", "notes"], [Key("orders", "customers")]);

        Components(plan).Should().BeEquivalentTo(new[] { new[] { "customers" }, ["orders"], ["notes"] }, options => options.WithStrictOrdering());
        plan.CycleKeys.Should().BeEmpty();
    }

    [Fact]
    public void A_child_after_its_already_placed_parent_is_a_component_of_its_own()
    {
        // The parent's component is finished when the child is reached: the edge to it must not pull the child in.
        var plan = ForeignKeyGraph.Build(["customers", "orders"], [Key("orders", "customers")]);

        Components(plan).Should().BeEquivalentTo(new[] { new[] { "customers" }, ["orders"] }, options => options.WithStrictOrdering());
        plan.CycleKeys.Should().BeEmpty();
    }

    [Fact]
    public void A_chain_loads_from_the_root_parent_down()
    {
        var plan = ForeignKeyGraph.Build(["lines", "orders", "customers", "regions"],
            [Key("lines", "orders"), Key("orders", "customers"), Key("customers", "regions")]);

        Components(plan).Should().BeEquivalentTo(new[] { new[] { "regions" }, ["customers"], ["orders"], ["lines"] }, options => options.WithStrictOrdering());
    }

    [Fact]
    public void A_self_reference_is_no_cycle_and_needs_no_deferring()
    {
        var plan = ForeignKeyGraph.Build(["employees"], [Key("employees", "employees")]);

        Components(plan).Should().BeEquivalentTo(new[] { new[] { "employees" } });
        plan.CycleKeys.Should().BeEmpty();
        Key("employees", "employees").IsSelfReference.Should().BeTrue();
        Key("employees", "teams").IsSelfReference.Should().BeFalse();
    }

    [Fact]
    public void Tables_in_a_cycle_share_one_component_in_archive_order_and_all_its_keys_are_cycle_keys()
    {
        var xy = Key("x", "y");
        var yz = Key("y", "z");
        var zx = Key("z", "x");
        var plan = ForeignKeyGraph.Build(["x", "y", "z"], [xy, yz, zx]);

        Components(plan).Should().BeEquivalentTo(new[] { new[] { "x", "y", "z" } }, options => options.WithStrictOrdering());
        plan.CycleKeys.Should().Equal(xy, yz, zx);
    }

    [Fact]
    public void A_cycle_with_a_parent_outside_and_a_child_outside_orders_all_three_parts()
    {
        var ab = Key("a", "b");
        var bc = Key("b", "c");
        var cd = Key("c", "d");
        var ca = Key("c", "a");
        var ea = Key("e", "a");
        var plan = ForeignKeyGraph.Build(["a", "b", "c", "d", "e"], [ab, bc, cd, ca, ea]);

        Components(plan).Should().BeEquivalentTo(new[] { new[] { "d" }, ["a", "b", "c"], ["e"] }, options => options.WithStrictOrdering());
        plan.CycleKeys.Should().Equal(ab, bc, ca);
    }

    [Fact]
    public void A_back_edge_found_deep_in_the_walk_lifts_every_table_on_the_way()
    {
        // p -> q -> r -> s -> q: q, r, s form the cycle; p only references it.
        var pq = Key("p", "q");
        var qr = Key("q", "r");
        var rs = Key("r", "s");
        var sq = Key("s", "q");
        var plan = ForeignKeyGraph.Build(["s", "p", "r", "q"], [pq, qr, rs, sq]);

        Components(plan).Should().BeEquivalentTo(new[] { new[] { "s", "r", "q" }, ["p"] }, options => options.WithStrictOrdering());
        plan.CycleKeys.Should().Equal(qr, rs, sq);
    }

    [Fact]
    public void Two_cycles_joined_by_one_key_stay_two_components_and_the_joining_key_is_not_deferred()
    {
        var ab = Key("a", "b");
        var ba = Key("b", "a");
        var cd = Key("c", "d");
        var dc = Key("d", "c");
        var ca = Key("c", "a");
        var plan = ForeignKeyGraph.Build(["c", "d", "a", "b"], [ab, ba, cd, dc, ca]);

        Components(plan).Should().BeEquivalentTo(new[] { new[] { "a", "b" }, ["c", "d"] }, options => options.WithStrictOrdering());
        plan.CycleKeys.Should().Equal(ab, ba, cd, dc);
    }

    [Fact]
    public void A_node_with_several_parents_waits_for_all_of_them()
    {
        var plan = ForeignKeyGraph.Build(["lines", "orders", "products", "vendors"],
            [Key("lines", "orders"), Key("lines", "products"), Key("products", "vendors")]);

        Components(plan).Should().BeEquivalentTo(new[] { new[] { "orders" }, ["vendors"], ["products"], ["lines"] }, options => options.WithStrictOrdering());
    }

    [Fact]
    public void Keys_to_tables_outside_the_restore_are_ignored()
    {
        var plan = ForeignKeyGraph.Build(["orders", "lines"], [Key("orders", "customers"), Key("audit", "orders"), Key("lines", "orders"), Key("orders", "lines")]);

        Components(plan).Should().BeEquivalentTo(new[] { new[] { "orders", "lines" } }, options => options.WithStrictOrdering());
        plan.CycleKeys.Should().Equal(Key("lines", "orders"), Key("orders", "lines"));
    }

    [Fact]
    public void A_long_chain_does_not_overflow_and_comes_out_parent_first()
    {
        const int count = 20_000;
        var tables = new List<string>(count);
        var keys = new List<ForeignKey>(count);
        for (var i = 0; i < count; i++)
        {
            tables.Add($"t{i}");
            if (i > 0)
                keys.Add(Key($"t{i - 1}", $"t{i}")); // t0 -> t1 -> … : the last table is the root parent
        }

        var plan = ForeignKeyGraph.Build(tables, keys);

        plan.Components.Should().HaveCount(count);
        plan.Components[0].Should().Equal($"t{count - 1}");
        plan.Components[^1].Should().Equal("t0");
        plan.CycleKeys.Should().BeEmpty();
    }
}
