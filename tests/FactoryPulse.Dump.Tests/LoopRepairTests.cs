using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sorting;

namespace FactoryPulse.Dump.Tests;

/// <summary>The two loops the sorter repairs: a view and a function using each other, a domain CHECK calling a function on the domain.</summary>
public sealed class LoopRepairTests
{
    private const string Owner = "owner";

    private static readonly SchemaObject Schema = new(16300, "s", Owner);

    private static FunctionObject Function(uint oid) => new(oid, "s", $"f{oid}", Owner, "", isProcedure: false, "CREATE FUNCTION …");

    [Fact]
    public void A_domain_loop_moves_the_validated_constraints_out_and_cuts_the_domain_from_the_loop()
    {
        var function = Function(16500);
        var status = new EnumTypeObject(16501, "s", "status", Owner, ["new"]);
        DomainConstraint positive = new(16601, "positive", "CHECK (s.f16500(VALUE))", Validated: true);
        DomainConstraint notValid = new(16602, "later", "CHECK (VALUE > 0)", Validated: false);
        DomainConstraint small = new(16603, "small", "CHECK (VALUE < 10)", Validated: true);
        var domain = new DomainObject(16600, "s", "d", Owner, "integer", null, null, notNull: false, [positive, notValid, small]);
        domain.AddDependency(Schema);
        domain.AddDependency(status);
        domain.AddDependency(function);
        function.AddDependency(domain);
        var objects = new List<DumpableObject> { Schema, status, domain, function };

        LoopRepair.TryRepair([domain, function, status], objects).Should().BeTrue();

        var separate = objects.OfType<DomainConstraintObject>().ToList();
        separate.Select(item => item.Name).Should().Equal("positive", "small");
        separate.Should().OnlyContain(item => item.Dependencies.SequenceEqual(new DumpableObject[] { domain, function }));
        domain.SeparateConstraints.Should().BeEquivalentTo([16601u, 16603u]);
        domain.Dependencies.Should().Equal(Schema, status);
        objects.Should().HaveCount(6);
    }

    [Fact]
    public void A_domain_whose_constraints_were_already_moved_cannot_repair_the_loop_again()
    {
        var function = Function(16510);
        var domain = new DomainObject(16610, "s", "d", Owner, "integer", null, null, notNull: false, [new DomainConstraint(16611, "c", "CHECK (true)", Validated: true)]);
        domain.AddDependency(function);
        var objects = new List<DumpableObject> { domain, function };
        LoopRepair.TryRepair([domain, function], objects).Should().BeTrue();
        domain.AddDependency(function);

        LoopRepair.TryRepair([domain, function], objects).Should().BeFalse();

        objects.Should().HaveCount(3);
        domain.Dependencies.Should().Equal(function); // nothing moved, so nothing is cut
    }

    [Fact]
    public void A_domain_with_only_not_valid_constraints_is_no_repair()
    {
        var function = Function(16520);
        var domain = new DomainObject(16620, "s", "d", Owner, "integer", null, null, notNull: false, [new DomainConstraint(16621, "c", "CHECK (true)", Validated: false)]);
        domain.AddDependency(function);
        var objects = new List<DumpableObject> { domain, function };

        LoopRepair.TryRepair([domain, function], objects).Should().BeFalse();

        objects.Should().HaveCount(2);
        domain.Dependencies.Should().Equal(function);
        domain.SeparateConstraints.Should().BeEmpty();
    }

    [Fact]
    public void A_loop_of_functions_only_is_not_repairable()
    {
        var first = Function(16530);
        var second = Function(16531);
        var objects = new List<DumpableObject> { first, second };

        LoopRepair.TryRepair([first, second], objects).Should().BeFalse();

        objects.Should().HaveCount(2);
    }

    [Fact]
    public void A_view_loop_leaves_a_placeholder_that_needs_only_its_schema_and_types_and_a_definition_after_everything()
    {
        var function = Function(16540);
        var status = new EnumTypeObject(16541, "s", "status", Owner, ["new"]);
        var view = new ViewObject(16700, "s", "v", Owner, null, "SELECT s.f16540()");
        view.AddDependency(Schema);
        view.AddDependency(function);
        view.AddDependency(status);
        function.AddDependency(view);
        var objects = new List<DumpableObject> { Schema, status, view, function };

        LoopRepair.TryRepair([function, view], objects).Should().BeTrue();

        view.IsPlaceholder.Should().BeTrue();
        view.Dependencies.Should().Equal(Schema, status);
        var definition = objects.OfType<ViewDefinitionObject>().Should().ContainSingle().Subject;
        definition.Dependencies.Should().Equal(Schema, function, status, view);
        objects.Should().HaveCount(5);
    }

    [Fact]
    public void A_placeholder_view_is_not_split_again_and_a_domain_in_the_same_loop_is_tried()
    {
        var function = Function(16550);
        var view = new ViewObject(16710, "s", "v", Owner, null, "SELECT 1") { IsPlaceholder = true };
        var domain = new DomainObject(16630, "s", "d", Owner, "integer", null, null, notNull: false, [new DomainConstraint(16631, "c", "CHECK (true)", Validated: true)]);
        domain.AddDependency(function);
        var objects = new List<DumpableObject> { view, domain, function };

        LoopRepair.TryRepair([view, function, domain], objects).Should().BeTrue();

        objects.OfType<ViewDefinitionObject>().Should().BeEmpty();
        objects.OfType<DomainConstraintObject>().Should().ContainSingle();
    }
}
