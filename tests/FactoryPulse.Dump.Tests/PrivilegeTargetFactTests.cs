using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Dumping;
using FactoryPulse.Dump.Model;
using FluentAssertions;
using Xunit;

namespace FactoryPulse.Dump.Tests;

/// <summary>The dump records, per entry, how GRANT names the object it creates and which default privileges apply to it.</summary>
public sealed class PrivilegeTargetFactTests
{
    private static readonly DdlContext Context = new(new HashSet<string>(StringComparer.Ordinal) { "order", "user" }, new Dictionary<(uint ClassId, uint ObjectId, int SubId), string>());

    private static EntryFacts? FactsOf(DumpableObject item) => TocBuilder.Build(item, Context).Facts;

    private static readonly SequenceOptions Options = new("bigint", 1, 1, 1, long.MaxValue, 1, false);

    [Fact]
    public void Tables_views_and_sequences_are_named_as_their_acl_entries_name_them()
    {
        var table = new TableObject(16500, "Sales", "order", "app_owner", unlogged: false, options: null, replicaIdentity: 'd', rowSecurity: false, forceRowSecurity: false);
        var view = new ViewObject(16501, "public", "v", "app_owner", options: null, definition: " SELECT 1");
        var sequence = new SequenceObject(16502, "public", "s", "app_owner", unlogged: false, Options);

        FactsOf(table).Should().BeEquivalentTo(new EntryFacts { Partitioned = false, PrivilegeTarget = "TABLE \"Sales\".\"order\"", DefaultPrivileges = DefaultPrivilegeObjects.Tables });
        FactsOf(view)!.PrivilegeTarget.Should().Be("TABLE public.v");
        FactsOf(view)!.DefaultPrivileges.Should().Be(DefaultPrivilegeObjects.Tables);
        FactsOf(sequence)!.PrivilegeTarget.Should().Be("SEQUENCE public.s");
        FactsOf(sequence)!.DefaultPrivileges.Should().Be(DefaultPrivilegeObjects.Sequences);
        FactsOf(sequence)!.CreatedAsOwner.Should().BeNull();
    }

    [Fact]
    public void An_identity_sequence_is_created_as_its_tables_owner()
    {
        var table = new TableObject(16500, "public", "t", "app_owner", unlogged: false, options: null, replicaIdentity: 'd', rowSecurity: false, forceRowSecurity: false);
        var sequence = new SequenceObject(16502, "public", "t_id_seq", "app_owner", unlogged: false, Options) { OwnedBy = (table, "id"), IdentityKind = 'a' };

        FactsOf(sequence)!.CreatedAsOwner.Should().BeTrue();
    }

    [Fact]
    public void Routines_types_and_schemas_carry_their_kind_of_default_privileges()
    {
        var function = new FunctionObject(16600, "public", "f", "app_owner", "x integer", isProcedure: false, "CREATE FUNCTION public.f(x integer) RETURNS integer LANGUAGE sql AS 'SELECT x'");
        var procedure = new FunctionObject(16601, "public", "p", "app_owner", "", isProcedure: true, "CREATE PROCEDURE public.p() LANGUAGE sql AS 'SELECT 1'");
        var enumType = new EnumTypeObject(16700, "public", "mood", "app_owner", ["ok"]);
        var schema = new SchemaObject(16800, "user", "app_owner");

        FactsOf(function)!.PrivilegeTarget.Should().Be("FUNCTION public.f(x integer)");
        FactsOf(function)!.DefaultPrivileges.Should().Be(DefaultPrivilegeObjects.Functions);
        FactsOf(procedure)!.PrivilegeTarget.Should().Be("PROCEDURE public.p()");
        FactsOf(enumType)!.PrivilegeTarget.Should().Be("TYPE public.mood");
        FactsOf(enumType)!.DefaultPrivileges.Should().Be(DefaultPrivilegeObjects.Types);
        FactsOf(schema)!.PrivilegeTarget.Should().Be("SCHEMA \"user\"");
        FactsOf(schema)!.DefaultPrivileges.Should().Be(DefaultPrivilegeObjects.Schemas);
    }

    [Fact]
    public void Objects_no_default_privileges_apply_to_get_no_target()
    {
        // public exists in every database (its entry only comments on it); a shell type is created without privileges.
        FactsOf(new SchemaObject(2200, "public", "pg_database_owner"))!.PrivilegeTarget.Should().BeNull();
        FactsOf(new UndefinedTypeObject(16701, "public", "shell", "app_owner"))?.PrivilegeTarget.Should().BeNull();
    }
}
