using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sets;
using FluentAssertions;
using Xunit;

namespace FactoryPulse.Dump.Tests;

/// <summary>The backup summary counts from the archive's facts, never from its SQL text.</summary>
public sealed class ArchiveSummaryTests : IDisposable
{
    private readonly string _archive = Directory.CreateTempSubdirectory("fpdump-summary-").FullName;

    public void Dispose() => Directory.Delete(_archive, recursive: true);

    private static TocEntry Function(int id, string name, bool? securityDefiner, string body) => new()
    {
        DumpId = id, Section = Section.PreData, Kind = ObjectKind.Function, Schema = "app", Name = name,
        Statements = [$"CREATE FUNCTION app.{name}() RETURNS text LANGUAGE sql AS $$ SELECT '{body}' $$;\n"],
        Facts = securityDefiner is null ? null : new EntryFacts { SecurityDefiner = securityDefiner },
    };

    private static TocEntry ForeignKey(int id, string table, string? referenced, string text) => new()
    {
        DumpId = id, Section = Section.PostData, Kind = ObjectKind.ForeignKeyConstraint, Schema = "app", Name = $"{table}_fk", Table = $"app.{table}",
        Statements = [text], Facts = referenced is null ? null : new EntryFacts { ConstraintType = ConstraintType.ForeignKey, ReferencedTable = referenced },
    };

    [Fact]
    public void Security_definer_functions_and_foreign_key_cycles_come_from_facts_not_from_text()
    {
        var manifest = new ArchiveManifest
        {
            Entries =
            [
                Function(1, "looks_like_one", securityDefiner: false, " SECURITY DEFINER"),
                Function(2, "is_one", securityDefiner: true, "plain"),
                // The text names another table; the facts say which one it references.
                ForeignKey(3, "a", "app.b", "ALTER TABLE app.a ADD CONSTRAINT a_fk FOREIGN KEY (b) REFERENCES other.x (id);\nCOMMENT ON CONSTRAINT a_fk ON app.a IS 'REFERENCES app.z (id)';\n"),
                ForeignKey(4, "b", "app.a", "ALTER TABLE app.b ADD CONSTRAINT b_fk FOREIGN KEY (a) REFERENCES app.a (id);\n"),
            ],
        };

        var summary = ArchiveSummary.Build(_archive, manifest);

        summary.Schemas.Single().Functions.Should().Be(2);
        summary.Schemas.Single().SecurityDefinerFunctions.Should().Be(1);
        summary.ForeignKeyCycles.Should().ContainSingle().Which.Should().Contain("app.a").And.Contain("app.b").And.NotContain("other.x");
        summary.Warnings.Should().NotContain(warning => warning.Contains("facts", StringComparison.Ordinal));
    }

    [Fact]
    public void An_archive_without_facts_is_summarised_with_a_warning_instead_of_guesses()
    {
        var manifest = new ArchiveManifest
        {
            Entries =
            [
                Function(1, "f", securityDefiner: null, " SECURITY DEFINER"),
                ForeignKey(2, "a", null, "ALTER TABLE app.a ADD CONSTRAINT a_fk FOREIGN KEY (a) REFERENCES app.a (id);\n"),
            ],
        };

        var summary = ArchiveSummary.Build(_archive, manifest);

        summary.Schemas.Single().Functions.Should().Be(1);
        summary.Schemas.Single().SecurityDefinerFunctions.Should().BeNull("unknown, not zero");
        summary.ForeignKeyCycles.Should().BeNull("unknown, not none");
        summary.Warnings.Should().Contain(warning => warning.Contains("no facts", StringComparison.Ordinal));
    }
}
