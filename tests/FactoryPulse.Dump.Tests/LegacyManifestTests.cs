using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Tests;

/// <summary>Format 1 manifests, upgraded in memory: texts split into statements, role references moved with them.</summary>
public sealed class LegacyManifestTests
{
    private static TocEntry Entry(string? definition, params RoleReference[] references) =>
        new() { DumpId = 1, Section = Section.PreData, Kind = ObjectKind.Table, Schema = "s", Name = "t", Statements = [], Definition = definition, RoleReferences = [.. references] };

    private static TocEntry Upgrade(TocEntry entry)
    {
        LegacyManifest.Upgrade(new ArchiveManifest { Entries = [entry] });
        return entry;
    }

    [Fact]
    public void Every_text_is_split_and_then_cleared()
    {
        var entry = Entry("CREATE TABLE s.t ();\nALTER TABLE s.t ADD c int;\n");
        entry.OwnerStatement = "ALTER TABLE s.t OWNER TO app;\n";
        entry.DropStatement = "DROP TABLE s.t;\n";
        entry.DropIfExistsStatement = "DROP TABLE IF EXISTS s.t;\n";
        entry.IndexFirst = new IndexFirstSteps { Index = "CREATE UNIQUE INDEX i ON s.t (c);\n", Constraint = "ALTER TABLE s.t ADD CONSTRAINT k UNIQUE USING INDEX i;\n" };

        Upgrade(entry);

        entry.Statements.Should().Equal("CREATE TABLE s.t ();", "ALTER TABLE s.t ADD c int;");
        entry.OwnerStatements.Should().Equal("ALTER TABLE s.t OWNER TO app;");
        entry.DropStatements.Should().Equal("DROP TABLE s.t;");
        entry.DropIfExistsStatements.Should().Equal("DROP TABLE IF EXISTS s.t;");
        entry.IndexFirst.IndexStatements.Should().Equal("CREATE UNIQUE INDEX i ON s.t (c);");
        entry.IndexFirst.ConstraintStatements.Should().Equal("ALTER TABLE s.t ADD CONSTRAINT k UNIQUE USING INDEX i;");
        entry.IndexFirst.Index.Should().BeNull();
        entry.IndexFirst.Constraint.Should().BeNull();
        entry.Definition.Should().BeNull();
        entry.OwnerStatement.Should().BeNull();
        entry.DropStatement.Should().BeNull();
        entry.DropIfExistsStatement.Should().BeNull();
    }

    [Fact]
    public void Missing_texts_give_no_statements_and_missing_drops_stay_missing()
    {
        var entry = Upgrade(Entry(null));

        entry.Statements.Should().BeEmpty();
        entry.OwnerStatements.Should().BeNull();
        entry.DropStatements.Should().BeNull();
        entry.DropIfExistsStatements.Should().BeNull();
        entry.IndexFirst.Should().BeNull();
    }

    [Fact]
    public void Index_first_steps_without_text_become_empty_lists()
    {
        var entry = Entry("SELECT 1;\n");
        entry.IndexFirst = new IndexFirstSteps();

        Upgrade(entry);

        entry.IndexFirst.IndexStatements.Should().BeEmpty();
        entry.IndexFirst.ConstraintStatements.Should().BeEmpty();
    }

    [Fact]
    public void A_null_entry_is_left_for_the_readers_validation()
    {
        var entry = Entry("SELECT 1;\n");
        var manifest = new ArchiveManifest { Entries = [null!, entry] };

        LegacyManifest.Upgrade(manifest);

        manifest.Entries[0].Should().BeNull();
        entry.Statements.Should().Equal("SELECT 1;");
    }

    [Fact]
    public void References_move_to_their_statement_and_offset_within_it_per_field()
    {
        const string definition = "GRANT SELECT ON s.t TO alice;\nGRANT SELECT ON s.t TO bob;\n";
        const string owner = "ALTER TABLE s.t OWNER TO carol;\n";
        var alice = new RoleReference { Field = "definition", Offset = definition.IndexOf("alice", StringComparison.Ordinal), Length = 5, Role = "alice" };
        var bob = new RoleReference { Field = "definition", Offset = definition.IndexOf("bob", StringComparison.Ordinal), Length = 3, Role = "bob" };
        var carol = new RoleReference { Field = "owner", Offset = owner.IndexOf("carol", StringComparison.Ordinal), Length = 5, Role = "carol" };
        var entry = Entry(definition, alice, carol, bob);
        entry.OwnerStatement = owner;

        Upgrade(entry);

        (alice.Statement, alice.Offset).Should().Be((0, 23));
        (bob.Statement, bob.Offset).Should().Be((1, 23));
        (carol.Statement, carol.Offset).Should().Be((0, 25));
        entry.Statements[1].Substring(bob.Offset, bob.Length).Should().Be("bob");
        entry.OwnerStatements![0].Substring(carol.Offset, carol.Length).Should().Be("carol");
    }

    [Fact]
    public void A_reference_at_the_very_start_of_a_later_statement_belongs_to_it()
    {
        const string definition = "SELECT 1;\nalice;\n";
        var reference = new RoleReference { Field = "definition", Offset = 10, Length = 5, Role = "alice" };
        var entry = Entry(definition, reference);

        Upgrade(entry);

        (reference.Statement, reference.Offset).Should().Be((1, 0));
    }

    [Fact]
    public void A_reference_up_to_the_last_character_of_its_statement_is_accepted()
    {
        var reference = new RoleReference { Field = "definition", Offset = 0, Length = "SELECT 1;".Length, Role = "r" };

        Upgrade(Entry("SELECT 1;\n", reference));

        (reference.Statement, reference.Offset).Should().Be((0, 0));
    }

    [Theory]
    [InlineData(0, 10)] // one character past the statement
    [InlineData(2, 0)] // empty
    [InlineData(2, -1)]
    [InlineData(0, 11)]
    public void A_reference_outside_its_statement_is_refused(int offset, int length)
    {
        var entry = Entry("SELECT 1;\nSELECT 2;\n", new RoleReference { Field = "definition", Offset = offset, Length = length, Role = "r" });

        var act = () => Upgrade(entry);

        act.Should().Throw<ArchiveException>().WithMessage("Entry TABLE s.t has a role reference outside its definition text; the manifest is corrupt.");
    }

    [Fact]
    public void A_reference_before_the_first_statement_is_refused()
    {
        var entry = Entry("\n\nSELECT 1;\n", new RoleReference { Field = "definition", Offset = 0, Length = 1, Role = "r" });

        var act = () => Upgrade(entry);

        act.Should().Throw<ArchiveException>().WithMessage("*outside its definition text*");
    }

    [Fact]
    public void A_reference_into_an_empty_text_is_refused()
    {
        var entry = Entry(null, new RoleReference { Field = "definition", Offset = 0, Length = 1, Role = "r" });

        var act = () => Upgrade(entry);

        act.Should().Throw<ArchiveException>().WithMessage("*outside its definition text*");
    }

    [Fact]
    public void An_owner_reference_is_checked_against_the_owner_text()
    {
        var entry = Entry("SELECT 1;\n", new RoleReference { Field = "owner", Offset = 30, Length = 3, Role = "r" });
        entry.OwnerStatement = "ALTER TABLE s.t OWNER TO app;\n";

        var act = () => Upgrade(entry);

        act.Should().Throw<ArchiveException>().WithMessage("Entry TABLE s.t has a role reference outside its owner text; the manifest is corrupt.");
    }

    [Fact]
    public void A_reference_in_an_unknown_field_is_refused()
    {
        var entry = Entry("SELECT 1;\n", new RoleReference { Field = "drop", Offset = 0, Length = 1, Role = "r" });

        var act = () => Upgrade(entry);

        act.Should().Throw<ArchiveException>().WithMessage("Entry TABLE s.t has a role reference in an unknown field 'drop'; the manifest is corrupt.");
    }
}
