using FactoryPulse.Dump.Dumping;
using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Tests;

public sealed class ObjectFilterTests
{
    private const string Owner = "owner";

    private static TableObject Table(string schema, string name) =>
        new(16400, schema, name, Owner, unlogged: false, options: null, replicaIdentity: 'd', rowSecurity: false, forceRowSecurity: false);

    private static FunctionObject Function(string schema, string name) =>
        new(16500, schema, name, Owner, "", isProcedure: false, $"CREATE FUNCTION {schema}.{name}() …");

    private static IndexObject IndexOn(RelationObject table) => new(16600, table, table.Name + "_idx", "CREATE INDEX …", clustered: false);

    private static ObjectFilter Filter(
        string[]? schemas = null, string[]? excludeSchemas = null, string[]? tables = null, string[]? excludeTables = null,
        string[]? excludeTableData = null, string[]? sections = null) =>
        new(new DumpOptions
        {
            OutputPath = "unused",
            Schemas = schemas ?? [],
            ExcludeSchemas = excludeSchemas ?? [],
            Tables = tables ?? [],
            ExcludeTables = excludeTables ?? [],
            ExcludeTableData = excludeTableData ?? [],
            Sections = sections ?? [],
        });

    [Fact]
    public void Without_options_the_filter_is_empty_and_includes_everything()
    {
        var filter = Filter();
        var orders = Table("shop", "orders");

        filter.IsEmpty.Should().BeTrue();
        filter.Includes(orders).Should().BeTrue();
        filter.Includes(IndexOn(orders)).Should().BeTrue();
        filter.Includes(new SchemaObject(16300, "shop", Owner)).Should().BeTrue();
        filter.Includes(new ExtensionObject(16301, "pgcrypto", "public", "1.3")).Should().BeTrue();
        filter.IncludesData(orders).Should().BeTrue();
        filter.IncludesSection(Section.PreData).Should().BeTrue();
        filter.IncludesSection(Section.Data).Should().BeTrue();
        filter.IncludesSection(Section.PostData).Should().BeTrue();
    }

    [Theory]
    [InlineData("schemas")]
    [InlineData("exclude-schemas")]
    [InlineData("tables")]
    [InlineData("exclude-tables")]
    [InlineData("exclude-table-data")]
    [InlineData("sections")]
    public void Any_one_option_makes_the_filter_non_empty(string option)
    {
        var filter = option switch
        {
            "schemas" => Filter(schemas: ["shop"]),
            "exclude-schemas" => Filter(excludeSchemas: ["shop"]),
            "tables" => Filter(tables: ["orders"]),
            "exclude-tables" => Filter(excludeTables: ["orders"]),
            "exclude-table-data" => Filter(excludeTableData: ["orders"]),
            _ => Filter(sections: ["data"]),
        };

        filter.IsEmpty.Should().BeFalse();
    }

    [Theory]
    [InlineData("pre-data", "PreData")]
    [InlineData("data", "Data")]
    [InlineData("post-data", "PostData")]
    public void A_section_option_includes_that_section_only(string option, string section)
    {
        var filter = Filter(sections: [option]);

        foreach (var candidate in new[] { Section.PreData, Section.Data, Section.PostData })
            filter.IncludesSection(candidate).Should().Be(candidate.ToString() == section, $"{candidate} against --section={option}");
    }

    [Fact]
    public void Two_sections_include_both()
    {
        var filter = Filter(sections: ["pre-data", "post-data"]);

        filter.IncludesSection(Section.PreData).Should().BeTrue();
        filter.IncludesSection(Section.Data).Should().BeFalse();
        filter.IncludesSection(Section.PostData).Should().BeTrue();
    }

    [Fact]
    public void An_unknown_section_is_refused_by_name()
    {
        var act = () => Filter(sections: ["schema"]);

        act.Should().Throw<DumpException>().WithMessage("Unknown section 'schema': use pre-data, data or post-data.");
    }

    [Fact]
    public void Includes_needs_both_the_section_and_the_patterns()
    {
        var orders = Table("shop", "orders");
        var index = IndexOn(orders);

        Filter(sections: ["post-data"]).Includes(orders).Should().BeFalse("a table is pre-data");
        Filter(sections: ["post-data"]).Includes(index).Should().BeTrue();
        Filter(sections: ["post-data"], excludeSchemas: ["shop"]).Includes(index).Should().BeFalse("its table's schema is excluded");
        Filter(sections: ["pre-data"], excludeSchemas: ["shop"]).IncludesObject(index).Should().BeFalse("IncludesObject ignores the section");
        Filter(sections: ["pre-data"]).IncludesObject(index).Should().BeTrue("IncludesObject ignores the section");
    }

    [Fact]
    public void A_schema_pattern_picks_schemas_their_contents_and_nothing_schema_less()
    {
        var filter = Filter(schemas: ["Sh*"]); // unquoted: folds to sh*

        filter.IncludesObject(new SchemaObject(16300, "shop", Owner)).Should().BeTrue();
        filter.IncludesObject(new SchemaObject(16301, "stock", Owner)).Should().BeFalse();
        filter.IncludesObject(Table("shop", "orders")).Should().BeTrue();
        filter.IncludesObject(IndexOn(Table("shipping", "parcels"))).Should().BeTrue("an index goes with its table");
        filter.IncludesObject(Table("stock", "items")).Should().BeFalse();
        filter.IncludesObject(IndexOn(Table("stock", "items"))).Should().BeFalse();
        filter.IncludesObject(Function("stock", "f")).Should().BeFalse();
        filter.IncludesObject(new ExtensionObject(16302, "pgcrypto", "shop", "1.3")).Should().BeFalse("extensions come only with a whole database");
    }

    [Fact]
    public void An_excluded_schema_drops_its_contents_but_keeps_schema_less_objects()
    {
        var filter = Filter(excludeSchemas: ["stock"]);

        filter.IncludesObject(new SchemaObject(16300, "stock", Owner)).Should().BeFalse();
        filter.IncludesObject(new SchemaObject(16301, "shop", Owner)).Should().BeTrue();
        filter.IncludesObject(Function("stock", "f")).Should().BeFalse();
        filter.IncludesObject(Function("shop", "f")).Should().BeTrue();
        filter.IncludesObject(Table("stock", "items")).Should().BeFalse();
        filter.IncludesObject(Table("shop", "orders")).Should().BeTrue();
        filter.IncludesObject(new ExtensionObject(16302, "pgcrypto", "stock", "1.3")).Should().BeTrue();
    }

    [Fact]
    public void Include_and_exclude_schema_together_take_the_difference()
    {
        var filter = Filter(schemas: ["s*"], excludeSchemas: ["stock"]);

        filter.IncludesObject(Table("shop", "orders")).Should().BeTrue();
        filter.IncludesObject(Table("stock", "items")).Should().BeFalse();
        filter.IncludesObject(Table("audit", "log")).Should().BeFalse();
    }

    [Fact]
    public void A_table_pattern_picks_matching_relations_and_what_hangs_off_them_only()
    {
        var filter = Filter(tables: ["shop.ord*"]);
        var orders = Table("shop", "orders");

        filter.IncludesObject(orders).Should().BeTrue();
        filter.IncludesObject(IndexOn(orders)).Should().BeTrue();
        filter.IncludesObject(new ViewObject(16700, "shop", "order_totals", Owner, null, "SELECT 1")).Should().BeTrue();
        filter.IncludesObject(Table("shop", "items")).Should().BeFalse();
        filter.IncludesObject(Table("stock", "orders")).Should().BeFalse("the schema part must match too");
        filter.IncludesObject(new SchemaObject(16300, "shop", Owner)).Should().BeFalse("--table dumps no schemas");
        filter.IncludesObject(Function("shop", "orders")).Should().BeFalse("only relations match --table");
        filter.IncludesObject(new ExtensionObject(16302, "pgcrypto", "shop", "1.3")).Should().BeFalse();
    }

    [Fact]
    public void A_table_pattern_without_schema_matches_in_any_schema_and_exclusions_still_apply()
    {
        Filter(tables: ["orders"]).IncludesObject(Table("stock", "orders")).Should().BeTrue();
        Filter(tables: ["orders"], excludeTables: ["stock.orders"]).IncludesObject(Table("stock", "orders")).Should().BeFalse();
        Filter(tables: ["orders"], excludeTables: ["stock.orders"]).IncludesObject(Table("shop", "orders")).Should().BeTrue();
        Filter(tables: ["orders"], excludeSchemas: ["stock"]).IncludesObject(Table("stock", "orders")).Should().BeFalse();
        Filter(tables: ["orders"], excludeSchemas: ["stock"]).IncludesObject(IndexOn(Table("stock", "orders"))).Should().BeFalse();
        Filter(tables: ["orders"], excludeSchemas: ["stock"]).IncludesObject(Table("shop", "orders")).Should().BeTrue();
    }

    [Fact]
    public void An_excluded_table_drops_the_table_and_its_indexes_but_not_other_objects_of_its_schema()
    {
        var filter = Filter(excludeTables: ["shop.orders"]);
        var orders = Table("shop", "orders");

        filter.IncludesObject(orders).Should().BeFalse();
        filter.IncludesObject(IndexOn(orders)).Should().BeFalse();
        filter.IncludesObject(Table("shop", "items")).Should().BeTrue();
        filter.IncludesObject(Table("stock", "orders")).Should().BeTrue();
        filter.IncludesObject(Function("shop", "orders")).Should().BeTrue("only relations are excluded by --exclude-table");
        filter.IncludesData(orders).Should().BeTrue("--exclude-table is not --exclude-table-data");
    }

    [Fact]
    public void Excluded_table_data_keeps_the_table_and_drops_only_its_rows()
    {
        var filter = Filter(excludeTableData: ["shop.audit*"]);
        var auditLog = Table("shop", "audit_log");

        filter.IncludesObject(auditLog).Should().BeTrue();
        filter.IncludesData(auditLog).Should().BeFalse();
        filter.IncludesData(Table("shop", "orders")).Should().BeTrue();
        filter.IncludesData(Table("stock", "audit_log")).Should().BeTrue();
    }
}
