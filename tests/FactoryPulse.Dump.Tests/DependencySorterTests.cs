using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sorting;

namespace FactoryPulse.Dump.Tests;

public sealed class DependencySorterTests
{
    private const string Owner = "owner";

    private static TableObject Table(uint oid, string schema, string name) =>
        new(oid, schema, name, Owner, unlogged: false, options: null, replicaIdentity: 'd', rowSecurity: false, forceRowSecurity: false);

    private static FunctionObject Function(uint oid, string schema, string name, string arguments = "") =>
        new(oid, schema, name, Owner, arguments, isProcedure: false, $"CREATE OR REPLACE FUNCTION {schema}.{name}({arguments})\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT 1$function$\n");

    private static ViewObject View(uint oid, string schema, string name) => new(oid, schema, name, Owner, null, " SELECT 1;");

    private static TableDataObject Data(TableObject table)
    {
        var data = new TableDataObject(table, binary: true);
        data.AddDependency(table);
        return data;
    }

    private static T With<T>(T item, params DumpableObject[] dependencies)
        where T : DumpableObject
    {
        foreach (var dependency in dependencies)
            item.AddDependency(dependency);
        return item;
    }

    /// <summary>A small shop schema, fresh each call (sorting adds boundary dependencies to the objects).</summary>
    private static List<DumpableObject> Shop()
    {
        var schema = new SchemaObject(16400, "shop", Owner);
        var status = With(new EnumTypeObject(16401, "shop", "status", Owner, ["new", "done"]), schema);
        var customers = Table(16402, "shop", "customers");
        customers.AddDependency(schema);
        var orders = Table(16403, "shop", "orders");
        orders.AddDependency(schema);
        orders.AddDependency(status);
        var orderTotal = With(Function(16404, "shop", "order_total", "o shop.orders"), schema, orders);
        var touch = With(Function(16405, "shop", "touch"), schema);
        var bigOrders = With(View(16406, "shop", "big_orders"), schema, orders, orderTotal);
        var customersPkey = With(new ConstraintObject(16407, customers, "customers_pkey", 'p', "PRIMARY KEY (id)"), customers);
        var ordersPkey = With(new ConstraintObject(16408, orders, "orders_pkey", 'p', "PRIMARY KEY (id)"), orders);
        var fkey = With(new ConstraintObject(16409, orders, "orders_customer_fkey", 'f', "FOREIGN KEY (customer) REFERENCES shop.customers(id)"), orders, customersPkey);
        var index = With(new IndexObject(16410, orders, "orders_status_idx", "CREATE INDEX orders_status_idx ON shop.orders USING btree (status)", false), orders);
        var trigger = With(new TriggerObject(16411, orders, "orders_touch", "CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.touch()", 'O'), orders, touch);
        var acl = With(new AclObject(orders, "TABLE", "shop.orders", new AclChanges([], [new AclItem(Owner, "reader", "SELECT", false)]), []), orders);
        return [schema, status, customers, orders, orderTotal, touch, bigOrders, Data(customers), Data(orders), customersPkey, ordersPkey, fkey, index, trigger, acl];
    }

    private static readonly string[] ShopOrder =
    [
        "SCHEMA shop",
        "TYPE shop.status",
        "FUNCTION shop.touch",
        "TABLE shop.customers",
        "TABLE shop.orders",
        "FUNCTION shop.order_total",
        "VIEW shop.big_orders",
        "TABLE DATA shop.customers",
        "TABLE DATA shop.orders",
        "CONSTRAINT shop.customers_pkey",
        "CONSTRAINT shop.orders_pkey",
        "INDEX shop.orders_status_idx",
        "TRIGGER shop.orders_touch",
        "FK CONSTRAINT shop.orders_customer_fkey",
        "ACL shop.orders",
    ];

    private static List<string> Names(IEnumerable<DumpableObject> objects) => objects.Select(o => o.ToString()).ToList();

    private static List<T> Shuffled<T>(IReadOnlyList<T> items, int seed)
    {
        var copy = items.ToList();
        var random = new Random(seed);
        for (var i = copy.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }
        return copy;
    }

    private static void AssertDependenciesFirst(IReadOnlyList<DumpableObject> sorted)
    {
        var position = new Dictionary<DumpableObject, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < sorted.Count; i++)
            position[sorted[i]] = i;
        foreach (var item in sorted)
        {
            foreach (var dependency in item.Dependencies)
            {
                if (dependency is BoundaryObject || !position.TryGetValue(dependency, out var at))
                    continue;
                at.Should().BeLessThan(position[item], "{0} depends on {1}", item, dependency);
            }
        }
    }

    [Fact]
    public void Sorting_a_shop_schema_gives_the_expected_order()
    {
        var sorted = DependencySorter.Sort(Shop());

        Names(sorted).Should().Equal(ShopOrder);
    }

    [Fact]
    public void Sorting_puts_dependencies_before_dependents()
    {
        var sorted = DependencySorter.Sort(Shuffled(Shop(), 7));

        AssertDependenciesFirst(sorted);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(12345)]
    public void Sorting_is_deterministic_whatever_the_input_order(int seed)
    {
        var sorted = DependencySorter.Sort(Shuffled(Shop(), seed));

        Names(sorted).Should().Equal(ShopOrder);
    }

    [Fact]
    public void Sorting_the_same_objects_twice_gives_the_same_order()
    {
        var objects = Shop();

        var first = Names(DependencySorter.Sort(objects));
        var second = Names(DependencySorter.Sort(Shuffled(objects, 99)));

        second.Should().Equal(first);
    }

    [Fact]
    public void Sorting_keeps_name_order_among_independent_objects_of_one_kind()
    {
        var objects = new List<DumpableObject>
        {
            Table(3, "public", "zebra"),
            Table(1, "public", "apple"),
            Table(2, "public", "Mango"),
            Table(4, "other", "zebra"),
        };

        var sorted = DependencySorter.Sort(objects);

        // Schema first, then name, ordinal (upper case before lower case, like pg_dump's strcmp).
        Names(sorted).Should().Equal("TABLE other.zebra", "TABLE public.Mango", "TABLE public.apple", "TABLE public.zebra");
    }

    [Fact]
    public void Sorting_orders_kinds_by_priority_before_names()
    {
        var schema = new SchemaObject(1, "zzz", Owner);
        var type = new EnumTypeObject(2, "aaa", "yyy", Owner, ["a"]);
        var function = Function(3, "aaa", "xxx");
        var table = Table(4, "aaa", "aaa");

        var sorted = DependencySorter.Sort([table, function, type, schema]);

        Names(sorted).Should().Equal("SCHEMA zzz", "TYPE aaa.yyy", "FUNCTION aaa.xxx", "TABLE aaa.aaa");
    }

    [Fact]
    public void Sorting_orders_overloaded_functions_by_their_arguments()
    {
        var text = Function(10, "public", "f", "t text");
        var integer = Function(11, "public", "f", "i integer");

        var sorted = DependencySorter.Sort([text, integer]);

        sorted.Should().Equal(integer, text);
    }

    [Fact]
    public void Sorting_moves_an_object_only_as_far_as_its_dependencies_require()
    {
        // Function "a" depends on table "t": it must follow t, but "b" keeps its place before the tables.
        var t = Table(1, "public", "t");
        var a = With(Function(2, "public", "a"), t);
        var b = Function(3, "public", "b");
        var u = Table(4, "public", "u");

        var sorted = DependencySorter.Sort([u, t, b, a]);

        Names(sorted).Should().Equal("FUNCTION public.b", "TABLE public.t", "FUNCTION public.a", "TABLE public.u");
    }

    [Fact]
    public void Sorting_puts_pre_data_before_data_before_post_data()
    {
        var sorted = DependencySorter.Sort(Shuffled(Shop(), 3));

        var main = sorted.Where(o => o.Pass == RestorePass.Main).Select(o => o.Section).ToList();
        main.Should().BeInAscendingOrder();
        main.Should().Contain([Section.PreData, Section.Data, Section.PostData]);
    }

    [Fact]
    public void Sorting_a_pre_data_object_that_needs_a_post_data_object_is_a_loop_through_the_boundaries()
    {
        // Without the section boundaries the view would quietly land after the table data.
        var table = Table(1, "public", "t");
        var trigger = With(new TriggerObject(2, table, "t_trg", "CREATE TRIGGER t_trg AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f()", 'O'), table);
        var view = With(View(3, "public", "v"), trigger);

        var act = () => DependencySorter.Sort([Data(table), view, trigger, table]);

        act.Should().Throw<UnsupportedObjectException>().WithMessage("*loop*");
    }

    [Fact]
    public void Sorting_ignores_dependencies_on_objects_that_are_not_dumped()
    {
        var outside = Table(100, "ext", "outside");
        var view = With(View(1, "public", "v"), outside);

        var sorted = DependencySorter.Sort([view]);

        sorted.Should().Equal(view);
    }

    [Fact]
    public void Sorting_moves_a_primary_key_a_view_depends_on_before_the_data()
    {
        var table = Table(1, "public", "orders");
        var pkey = With(new ConstraintObject(2, table, "orders_pkey", 'p', "PRIMARY KEY (id)"), table);
        var other = With(new ConstraintObject(3, table, "orders_code_key", 'u', "UNIQUE (code)"), table);
        // A view grouping by the key needs the key (functional dependency).
        var view = With(View(4, "public", "order_summary"), table, pkey);
        var data = Data(table);

        var sorted = DependencySorter.Sort([data, view, other, pkey, table]);

        pkey.NeededBeforeData.Should().BeTrue();
        pkey.Section.Should().Be(Section.PreData);
        other.NeededBeforeData.Should().BeFalse("no pre-data object needs it");
        other.Section.Should().Be(Section.PostData);
        Names(sorted).Should().Equal(
            "TABLE public.orders",
            "CONSTRAINT public.orders_pkey",
            "VIEW public.order_summary",
            "TABLE DATA public.orders",
            "CONSTRAINT public.orders_code_key");
    }

    [Fact]
    public void Sorting_moves_a_unique_constraint_a_function_depends_on_before_the_data()
    {
        var table = Table(1, "public", "t");
        var unique = With(new ConstraintObject(2, table, "t_code_key", 'u', "UNIQUE (code)"), table);
        var function = With(Function(3, "public", "f"), table, unique);

        var sorted = DependencySorter.Sort([Data(table), function, unique, table]);

        unique.NeededBeforeData.Should().BeTrue();
        Names(sorted).Should().Equal("TABLE public.t", "CONSTRAINT public.t_code_key", "FUNCTION public.f", "TABLE DATA public.t");
    }

    [Fact]
    public void Sorting_leaves_a_primary_key_that_only_post_data_objects_need_after_the_data()
    {
        var customers = Table(1, "public", "customers");
        var pkey = With(new ConstraintObject(2, customers, "customers_pkey", 'p', "PRIMARY KEY (id)"), customers);
        var fkey = With(new ConstraintObject(3, customers, "customers_parent_fkey", 'f', "FOREIGN KEY (parent) REFERENCES public.customers(id)"), customers, pkey);

        var sorted = DependencySorter.Sort([fkey, pkey, Data(customers), customers]);

        pkey.NeededBeforeData.Should().BeFalse();
        Names(sorted).Should().Equal("TABLE public.customers", "TABLE DATA public.customers", "CONSTRAINT public.customers_pkey", "FK CONSTRAINT public.customers_parent_fkey");
    }

    [Fact]
    public void Sorting_a_dependency_loop_throws_naming_the_objects_in_the_loop()
    {
        var b = Function(2, "public", "b_loop");
        var c = Function(3, "public", "c_loop");
        b.AddDependency(c);
        c.AddDependency(b);
        // Stuck because of the loop, but not part of it; it sorts first.
        var bystander = With(Function(1, "public", "a_bystander"), b);
        var fine = Table(4, "public", "fine");

        var act = () => DependencySorter.Sort([fine, c, bystander, b]);

        var exception = act.Should().Throw<UnsupportedObjectException>().Which;
        exception.Message.Should().Contain("loop")
            .And.Contain("FUNCTION public.b_loop")
            .And.Contain("FUNCTION public.c_loop")
            .And.NotContain("a_bystander")
            .And.NotContain("public.fine");
    }

    [Fact]
    public void Sorting_a_three_object_loop_names_all_three()
    {
        // Functions have no placeholder form, so nothing can break this loop.
        var x = new FunctionObject(1, "public", "x", Owner, "", false, "CREATE FUNCTION public.x() …");
        var y = With(new FunctionObject(2, "public", "y", Owner, "", false, "CREATE FUNCTION public.y() …"), x);
        var z = With(new FunctionObject(3, "public", "z", Owner, "", false, "CREATE FUNCTION public.z() …"), y);
        x.AddDependency(z);

        var act = () => DependencySorter.Sort([x, y, z]);

        act.Should().Throw<UnsupportedObjectException>()
            .Which.Message.Should().Contain("FUNCTION public.x").And.Contain("FUNCTION public.y").And.Contain("FUNCTION public.z");
    }

    [Fact]
    public void Sorting_repairs_a_loop_of_views_with_a_placeholder_view_and_a_later_definition()
    {
        var x = View(1, "public", "x");
        var y = With(View(2, "public", "y"), x);
        var z = With(View(3, "public", "z"), y);
        x.AddDependency(z);

        var sorted = DependencySorter.Sort([x, y, z]);

        var placeholder = sorted.OfType<ViewObject>().Single(view => view.IsPlaceholder);
        var definition = sorted.OfType<ViewDefinitionObject>().Single();
        sorted.IndexOf(definition).Should().BeGreaterThan(sorted.IndexOf(placeholder));
        foreach (var item in sorted)
        {
            foreach (var dependency in item.Dependencies)
                sorted.IndexOf(dependency).Should().BeLessThan(sorted.IndexOf(item), $"{item} depends on {dependency}");
        }
    }

    [Fact]
    public void Sorting_a_pre_data_object_that_needs_table_data_is_a_loop()
    {
        // A view cannot need a data-section object: data waits for all of pre-data.
        var sequence = new SequenceObject(1, "public", "s", Owner, false, new SequenceOptions("bigint", 1, 1, 1, long.MaxValue, 1, false));
        var set = With(new SequenceSetObject(sequence, 42, true), sequence);
        var view = With(View(2, "public", "v"), set);

        var act = () => DependencySorter.Sort([view, set, sequence]);

        act.Should().Throw<UnsupportedObjectException>().WithMessage("*loop*");
    }

    [Fact]
    public void Sorting_numbers_dump_ids_from_one_in_output_order()
    {
        var sorted = DependencySorter.Sort(Shuffled(Shop(), 5));

        sorted.Select(o => o.DumpId).Should().Equal(Enumerable.Range(1, sorted.Count));
        sorted.Should().NotContain(o => o is BoundaryObject);
    }

    [Fact]
    public void Sorting_puts_privileges_after_objects_and_default_privileges_and_refreshes_last()
    {
        var schema = new SchemaObject(1, "app", Owner);
        var table = With(Table(2, "app", "a_table"), schema);
        var matview = new MaterializedViewObject(3, "app", "a_matview", Owner, null, " SELECT 1", populated: true);
        matview.AddDependency(table);
        var refresh = With(new RefreshMaterializedViewObject(matview), matview);
        var defaultAcl = With(new DefaultAclObject(4, Owner, "app", 'r', new AclChanges([], [new AclItem(Owner, "reader", "SELECT", false)])), schema);
        var schemaAcl = With(new AclObject(schema, "SCHEMA", "app", new AclChanges([], [new AclItem(Owner, "reader", "USAGE", false)]), []), schema);
        var index = With(new IndexObject(5, table, "z_idx", "CREATE INDEX z_idx ON app.a_table (id)", false), table);

        var sorted = DependencySorter.Sort([refresh, defaultAcl, schemaAcl, index, matview, Data(table), table, schema]);

        Names(sorted).Should().Equal(
            "SCHEMA app",
            "TABLE app.a_table",
            "MATERIALIZED VIEW app.a_matview",
            "TABLE DATA app.a_table",
            "INDEX app.z_idx",
            "ACL app",
            "DEFAULT ACL app.DEFAULT PRIVILEGES FOR TABLES",
            "MATERIALIZED VIEW DATA app.a_matview");
        AssertDependenciesFirst(sorted);
    }

    [Fact]
    public void Sorting_an_empty_list_gives_an_empty_list()
    {
        DependencySorter.Sort([]).Should().BeEmpty();
    }

    [Fact]
    public void Sorting_thousands_of_tables_puts_each_before_its_data_and_its_key_after_the_data()
    {
        var objects = new List<DumpableObject>();
        var schema = new SchemaObject(16400, "tenant", Owner);
        objects.Add(schema);
        for (uint i = 0; i < 6000; i++)
        {
            var table = With(Table(20000 + (i * 3), "tenant", $"items_{i:D5}"), schema);
            objects.Add(table);
            objects.Add(Data(table));
            objects.Add(With(new ConstraintObject(20001 + (i * 3), table, $"items_{i:D5}_pkey", 'p', "PRIMARY KEY (id)"), table));
        }

        var sorted = DependencySorter.Sort(objects);

        sorted.Should().HaveCount(objects.Count);
        var position = new Dictionary<DumpableObject, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < sorted.Count; i++)
            position[sorted[i]] = i;
        var lastTable = -1;
        var firstData = int.MaxValue;
        var lastData = -1;
        var firstKey = int.MaxValue;
        foreach (var item in sorted)
        {
            switch (item)
            {
                case TableObject:
                    lastTable = Math.Max(lastTable, position[item]);
                    break;
                case TableDataObject:
                    firstData = Math.Min(firstData, position[item]);
                    lastData = Math.Max(lastData, position[item]);
                    break;
                case ConstraintObject:
                    firstKey = Math.Min(firstKey, position[item]);
                    break;
            }
        }
        lastTable.Should().BeLessThan(firstData, "every table is pre-data");
        lastData.Should().BeLessThan(firstKey, "every key is post-data");
        sorted[1].Should().BeOfType<TableObject>().Which.Name.Should().Be("items_00000", "tables keep name order");
    }

    [Fact]
    public void Sorting_a_schema_only_dump_keeps_a_pre_data_object_that_needs_a_post_data_object_in_a_loop()
    {
        // No table data: only the post-data boundary waiting for the pre-data boundary closes the loop.
        var table = Table(1, "public", "t");
        var trigger = With(new TriggerObject(2, table, "t_trg", "CREATE TRIGGER t_trg AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f()", 'O'), table);
        var view = With(View(3, "public", "v"), trigger);

        var act = () => DependencySorter.Sort([view, trigger, table]);

        // The view is split into a placeholder and its definition, which still needs the trigger: no repair left.
        act.Should().Throw<UnsupportedObjectException>().Which.Message.Should().Match(
            "Cannot order objects that depend on each other in a loop: VIEW DEFINITION public.v -> TRIGGER public.t_trg -> POST-DATA BOUNDARY -> PRE-DATA BOUNDARY.");
    }

    [Fact]
    public void Sorting_table_data_that_needs_a_post_data_object_is_a_loop_through_the_boundaries()
    {
        // Rows load before any index or key exists; data waiting for an index can never be placed.
        var table = Table(1, "public", "t");
        var index = With(new IndexObject(2, table, "t_idx", "CREATE INDEX t_idx ON public.t USING btree (id)", false), table);
        var data = With(Data(table), index);

        var act = () => DependencySorter.Sort([data, index, table]);

        act.Should().Throw<UnsupportedObjectException>().Which.Message.Should().Match(
            "Cannot order objects that depend on each other in a loop: TABLE DATA public.t -> INDEX public.t_idx -> POST-DATA BOUNDARY.");
    }

    [Fact]
    public void Sorting_a_loop_names_exactly_the_objects_in_it_skipping_dependencies_already_placed()
    {
        // Each function of the loop first depends on the schema, which is placed: the walk passes over it.
        var schema = new SchemaObject(1, "public", Owner);
        var b = With(Function(2, "public", "b_loop"), schema);
        var c = With(Function(3, "public", "c_loop"), schema, b);
        b.AddDependency(c);
        var bystander = With(Function(4, "public", "a_bystander"), schema, c);

        var act = () => DependencySorter.Sort([bystander, c, b, schema]);

        act.Should().Throw<UnsupportedObjectException>().Which.Message.Should().Be(
            "Cannot order objects that depend on each other in a loop: FUNCTION public.c_loop -> FUNCTION public.b_loop.");
    }

    [Fact]
    public void Sorting_a_loop_leaves_out_dependencies_outside_the_dump_while_walking_it()
    {
        // The bystander sorts first and is stuck; c_loop's first dependency is not dumped: the walk passes over it.
        var outside = Function(100, "ext", "outside");
        var b = Function(2, "public", "b_loop");
        var c = With(Function(3, "public", "c_loop"), outside, b);
        b.AddDependency(c);
        var bystander = With(Function(1, "public", "a_bystander"), c);

        var act = () => DependencySorter.Sort([c, b, bystander]);

        act.Should().Throw<UnsupportedObjectException>().Which.Message.Should().Be(
            "Cannot order objects that depend on each other in a loop: FUNCTION public.c_loop -> FUNCTION public.b_loop.");
    }

    [Fact]
    public void Sorting_objects_in_two_loops_reports_the_loop_through_each_object_s_first_dependency()
    {
        var x = Function(1, "public", "x");
        var y = With(Function(2, "public", "y"), x);
        var z = With(Function(3, "public", "z"), x);
        x.AddDependency(y);
        x.AddDependency(z);

        var act = () => DependencySorter.Sort([z, y, x]);

        act.Should().Throw<UnsupportedObjectException>().Which.Message.Should().Be(
            "Cannot order objects that depend on each other in a loop: FUNCTION public.x -> FUNCTION public.y.");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sorting_puts_objects_outside_any_schema_before_those_inside_one_of_the_same_kind(bool reversed)
    {
        var changes = new AclChanges([], [new AclItem(Owner, "reader", "USAGE", false)]);
        var schemaAcl = new AclObject(new SchemaObject(1, "zeta", Owner), "SCHEMA", "zeta", changes, []);
        var tableAcl = new AclObject(Table(2, "Alpha", "t"), "TABLE", "\"Alpha\".t", changes, []);

        var sorted = DependencySorter.Sort(reversed ? [tableAcl, schemaAcl] : [schemaAcl, tableAcl]);

        Names(sorted).Should().Equal("ACL zeta", "ACL Alpha.t");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sorting_objects_alike_in_kind_schema_and_name_orders_them_by_catalog_oid(bool reversed)
    {
        // Default privileges of two roles in one schema: only the catalog oid tells them apart (not the role's name).
        var changes = new AclChanges([], [new AclItem(Owner, "reader", "SELECT", false)]);
        var zed = new DefaultAclObject(10, "zed", "app", 'r', changes);
        var amy = new DefaultAclObject(20, "amy", "app", 'r', changes);

        var sorted = DependencySorter.Sort(reversed ? [amy, zed] : [zed, amy]);

        sorted.Should().Equal(zed, amy);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sorting_one_name_shared_by_two_kinds_of_equal_priority_orders_them_by_kind_name(bool reversed)
    {
        // A view named "t.c" and the default of column c of table t: same schema, same name, same priority.
        var table = Table(1, "public", "t");
        var columnDefault = new ColumnDefaultObject(200, table, "c", "0", onView: false);
        var viewDefinition = new ViewDefinitionObject(View(100, "public", "t.c"), null);

        var sorted = DependencySorter.Sort(reversed ? [viewDefinition, columnDefault] : [columnDefault, viewDefinition]);

        Names(sorted).Should().Equal("DEFAULT public.t.c", "VIEW DEFINITION public.t.c");
    }
}
