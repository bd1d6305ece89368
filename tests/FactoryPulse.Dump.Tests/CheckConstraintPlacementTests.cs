using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sorting;

namespace FactoryPulse.Dump.Tests;

public sealed class CheckConstraintPlacementTests
{
    private static TableObject Table(uint oid, string name) =>
        new(oid, "public", name, "owner", unlogged: false, options: null, replicaIdentity: 'd', rowSecurity: false, forceRowSecurity: false);

    private static readonly FunctionObject MaxQty = new(16500, "public", "max_qty", "owner", "", isProcedure: false, "CREATE FUNCTION public.max_qty() …");
    private static readonly EnumTypeObject Status = new(16501, "public", "status", "owner", ["new"]);

    [Fact]
    public void A_check_calling_a_function_leaves_create_table_and_takes_the_references_from_the_function_on()
    {
        var stock = Table(16600, "stock");
        stock.Checks.Add(new InlineCheck(16601, "qty_bounded", "CHECK ((qty <= public.max_qty()))"));
        stock.Checks.Add(new InlineCheck(16602, "qty_positive", "CHECK ((qty > 0))"));
        var objects = new List<DumpableObject> { stock };
        var references = new Dictionary<uint, List<DumpableObject>> { [16601] = [Status, MaxQty, stock] };

        CheckConstraintPlacement.Apply([stock], references, objects);

        stock.Checks.Should().ContainSingle().Which.Name.Should().Be("qty_positive");
        stock.Dependencies.Should().Equal(Status); // what came before the function stays with the table
        var separate = objects.OfType<ConstraintObject>().Should().ContainSingle().Subject;
        separate.Name.Should().Be("qty_bounded");
        separate.ConstraintType.Should().Be('c');
        separate.Section.Should().Be(Section.PostData);
        separate.Dependencies.Should().Equal(stock, MaxQty);
    }

    [Fact]
    public void A_check_without_function_calls_stays_inline_and_its_references_are_the_tables()
    {
        var orders = Table(16610, "orders");
        orders.Checks.Add(new InlineCheck(16611, "status_known", "CHECK ((status <> 'new'::public.status))"));
        var objects = new List<DumpableObject> { orders };

        CheckConstraintPlacement.Apply([orders], new Dictionary<uint, List<DumpableObject>> { [16611] = [orders, Status] }, objects);

        orders.Checks.Should().ContainSingle();
        orders.Dependencies.Should().Equal(Status);
        objects.Should().Equal(orders);
    }

    [Fact]
    public void Inherited_checks_stay_inline_even_when_they_call_a_function()
    {
        var parent = Table(16620, "measurements");
        var child = Table(16621, "measurements_2026");
        child.InheritParents.Add(parent);
        child.Checks.Add(new InlineCheck(16622, "bounded", "CHECK ((v <= public.max_qty()))", IsLocal: false));
        var objects = new List<DumpableObject> { parent, child };

        CheckConstraintPlacement.Apply([parent, child], new Dictionary<uint, List<DumpableObject>> { [16622] = [MaxQty] }, objects);

        child.Checks.Should().ContainSingle();
        child.Dependencies.Should().Equal(MaxQty);
        objects.Should().HaveCount(2);
    }
}
