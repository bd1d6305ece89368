using System.Text.Json;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Restore;
using FluentAssertions;
using Xunit;
using Item = FactoryPulse.Dump.Restore.TargetDefaultPrivileges.Item;
using Row = FactoryPulse.Dump.Restore.TargetDefaultPrivileges.Row;

namespace FactoryPulse.Dump.Tests;

/// <summary>What takes a target's default privileges back off a created object, computed without a server.</summary>
public sealed class TargetDefaultPrivilegesTests
{
    private const string Me = "restorer";

    // acldefault as the server gives it for an owner: tables, sequences, functions, types, schemas.
    private static readonly Row[] BuiltIn =
    [
        new(Me, null, 'r', [Own("INSERT"), Own("SELECT"), Own("UPDATE"), Own("DELETE"), Own("TRUNCATE"), Own("REFERENCES"), Own("TRIGGER")]),
        new(Me, null, 'S', [Own("SELECT"), Own("UPDATE"), Own("USAGE")]),
        new(Me, null, 'f', [new Item(null, "EXECUTE", false), Own("EXECUTE")]),
        new(Me, null, 'T', [new Item(null, "USAGE", false), Own("USAGE")]),
        new(Me, null, 'n', [Own("USAGE"), Own("CREATE")]),
        new("table_owner", null, 'S', [new Item("table_owner", "SELECT", false), new Item("table_owner", "UPDATE", false), new Item("table_owner", "USAGE", false)]),
    ];

    private static Item Own(string privilege) => new(Me, privilege, false);

    private static TocEntry Entry(string? schema, string name, string target, DefaultPrivilegeObjects objects, string owner = "app_owner", bool? createdAsOwner = null) => new()
    {
        Kind = ObjectKind.Table,
        Schema = schema,
        Name = name,
        Owner = owner,
        Facts = new EntryFacts { PrivilegeTarget = target, DefaultPrivileges = objects, CreatedAsOwner = createdAsOwner },
    };

    [Fact]
    public void A_target_without_default_privileges_needs_nothing()
    {
        TargetDefaultPrivileges.Create(Me, [], BuiltIn).Should().BeNull();
    }

    [Fact]
    public void Defaults_that_equal_the_built_in_ones_need_nothing()
    {
        // A schema row granting only what the owner has anyway changes nothing a new object gets.
        TargetDefaultPrivileges.Create(Me, [new Row(Me, "public", 'r', [Own("SELECT")])], BuiltIn).Should().BeNull();
    }

    [Fact]
    public void A_global_revoke_from_public_is_given_back_to_each_new_function()
    {
        var defaults = TargetDefaultPrivileges.Create(Me, [new Row(Me, null, 'f', [Own("EXECUTE")])], BuiltIn)!;

        defaults.UndoFor(Entry("public", "f", "FUNCTION public.f(integer)", DefaultPrivilegeObjects.Functions), withOwner: true)
            .Should().Equal("GRANT EXECUTE ON FUNCTION public.f(integer) TO PUBLIC;");
        defaults.UndoFor(Entry("app", "t", "TABLE app.t", DefaultPrivilegeObjects.Tables), withOwner: true).Should().BeNull("tables have no defaults here");
    }

    [Fact]
    public void Schema_defaults_are_revoked_in_that_schema_only_and_grantees_are_quoted()
    {
        var defaults = TargetDefaultPrivileges.Create(Me,
            [new Row(Me, "public", 'r', [new Item("Reader \"x\"", "SELECT", false), new Item("Reader \"x\"", "INSERT", false), new Item("anon", "SELECT", false)])], BuiltIn)!;

        defaults.UndoFor(Entry("public", "t", "TABLE public.t", DefaultPrivilegeObjects.Tables), withOwner: true)
            .Should().Equal("REVOKE SELECT, INSERT ON TABLE public.t FROM \"Reader \"\"x\"\"\";", "REVOKE SELECT ON TABLE public.t FROM \"anon\";");
        defaults.UndoFor(Entry("app", "t", "TABLE app.t", DefaultPrivilegeObjects.Tables), withOwner: true).Should().BeNull();
    }

    [Fact]
    public void A_schema_row_adds_to_the_global_one_and_grant_options_are_undone_with_the_privilege()
    {
        Row[] rows =
        [
            new(Me, null, 'S', [Own("SELECT"), Own("USAGE"), new Item("writer", "SELECT", false)]), // global: no UPDATE for the owner
            new(Me, "public", 'S', [new Item("writer", "USAGE", true)]),
        ];
        var defaults = TargetDefaultPrivileges.Create(Me, rows, BuiltIn)!;

        defaults.UndoFor(Entry("public", "s", "SEQUENCE public.s", DefaultPrivilegeObjects.Sequences), withOwner: true)
            .Should().Equal("REVOKE SELECT, USAGE ON SEQUENCE public.s FROM \"writer\";", $"GRANT UPDATE ON SEQUENCE public.s TO \"{Me}\";");
        defaults.UndoFor(Entry("app", "s", "SEQUENCE app.s", DefaultPrivilegeObjects.Sequences), withOwner: true)
            .Should().Equal("REVOKE SELECT ON SEQUENCE app.s FROM \"writer\";", $"GRANT UPDATE ON SEQUENCE app.s TO \"{Me}\";");
    }

    [Fact]
    public void A_grant_option_beyond_the_built_in_privilege_loses_only_the_option()
    {
        var defaults = TargetDefaultPrivileges.Create(Me, [new Row(Me, "public", 'T', [new Item(Me, "USAGE", true)])], BuiltIn)!;

        defaults.StatementsFor(Me, 'T', "public", "DOMAIN public.d").Should().Equal($"REVOKE GRANT OPTION FOR USAGE ON DOMAIN public.d FROM \"{Me}\";");
    }

    [Fact]
    public void A_global_row_with_every_privilege_revoked_gets_the_built_in_ones_back()
    {
        var defaults = TargetDefaultPrivileges.Create(Me, [new Row(Me, null, 'T', [])], BuiltIn)!;

        defaults.UndoFor(Entry("public", "e", "TYPE public.e", DefaultPrivilegeObjects.Types), withOwner: true)
            .Should().Equal("GRANT USAGE ON TYPE public.e TO PUBLIC;", $"GRANT USAGE ON TYPE public.e TO \"{Me}\";");
    }

    [Fact]
    public void Schemas_take_only_global_defaults()
    {
        var defaults = TargetDefaultPrivileges.Create(Me, [new Row(Me, null, 'n', [Own("USAGE"), Own("CREATE"), new Item("reader", "USAGE", false)])], BuiltIn)!;

        defaults.UndoFor(Entry(null, "reports", "SCHEMA reports", DefaultPrivilegeObjects.Schemas), withOwner: true)
            .Should().Equal("REVOKE USAGE ON SCHEMA reports FROM \"reader\";");
    }

    [Fact]
    public void An_identity_sequence_takes_its_table_owners_defaults_unless_owners_are_not_restored()
    {
        Row[] rows =
        [
            new("table_owner", "public", 'S', [new Item("api", "UPDATE", false)]),
            new(Me, "public", 'S', [new Item("writer", "USAGE", false)]),
        ];
        var defaults = TargetDefaultPrivileges.Create(Me, rows, BuiltIn)!;
        var identity = Entry("public", "t_id_seq", "SEQUENCE public.t_id_seq", DefaultPrivilegeObjects.Sequences, owner: "table_owner", createdAsOwner: true);

        defaults.UndoFor(identity, withOwner: true).Should().Equal("REVOKE UPDATE ON SEQUENCE public.t_id_seq FROM \"api\";");
        defaults.UndoFor(identity, withOwner: false).Should().Equal(["REVOKE USAGE ON SEQUENCE public.t_id_seq FROM \"writer\";"], "with --no-owner the restoring role owns the table");
        defaults.UndoFor(Entry("public", "s", "SEQUENCE public.s", DefaultPrivilegeObjects.Sequences, owner: "table_owner"), withOwner: true)
            .Should().Equal(["REVOKE USAGE ON SEQUENCE public.s FROM \"writer\";"], "other objects are created by the restoring role, whoever owns them later");
    }

    [Fact]
    public void Another_roles_defaults_do_not_touch_what_the_restoring_role_creates()
    {
        var defaults = TargetDefaultPrivileges.Create(Me, [new Row("supabase_admin", "public", 'r', [new Item("anon", "SELECT", false)])],
            [new Row("supabase_admin", null, 'r', [new Item("supabase_admin", "SELECT", false)])])!;

        defaults.UndoFor(Entry("public", "t", "TABLE public.t", DefaultPrivilegeObjects.Tables), withOwner: true).Should().BeNull();
    }

    [Fact]
    public void Entries_without_the_fact_get_no_undo()
    {
        var defaults = TargetDefaultPrivileges.Create(Me, [new Row(Me, null, 'f', [Own("EXECUTE")])], BuiltIn)!;
        var older = new TocEntry { Kind = ObjectKind.Function, Schema = "public", Name = "f", Facts = null };

        defaults.UndoFor(older, withOwner: true).Should().BeNull("archives written before the fact existed restore as before");
    }

    [Theory]
    [InlineData("tables", 'r')]
    [InlineData("sequences", 'S')]
    [InlineData("functions", 'f')]
    [InlineData("types", 'T')]
    [InlineData("schemas", 'n')]
    [InlineData("large-objects", 'L')]
    public void The_fact_is_stored_as_the_kind_alter_default_privileges_names(string name, char catalogType)
    {
        var objects = DefaultPrivilegeObjectTypes.FromCatalogType(catalogType)!.Value;
        var entry = new TocEntry { Kind = ObjectKind.Table, Name = "t", Facts = new EntryFacts { PrivilegeTarget = "TABLE public.t", DefaultPrivileges = objects, CreatedAsOwner = true } };

        var json = JsonSerializer.Serialize(new ArchiveManifest { Entries = [entry] }, ArchiveManifest.JsonOptions);

        json.Should().Contain("\"privilegeTarget\": \"TABLE public.t\"").And.Contain($"\"defaultPrivileges\": \"{name}\"").And.Contain("\"createdAsOwner\": true");
        var read = JsonSerializer.Deserialize<ArchiveManifest>(json, ArchiveManifest.JsonOptions)!.Entries[0].Facts!;
        read.DefaultPrivileges.Should().Be(objects);
        read.PrivilegeTarget.Should().Be("TABLE public.t");
        objects.CatalogType().Should().Be(catalogType);
        ManifestNames.Of(objects).Should().Be(name);
    }
}
