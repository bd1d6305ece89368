using System.Text.Json;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;
using FluentAssertions;
using Xunit;

namespace FactoryPulse.Dump.Tests;

public sealed class ManifestNamesTests
{
    [Fact]
    public void Every_entry_kind_has_one_toc_name_that_reads_back()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kind in Enum.GetValues<ObjectKind>())
        {
            var name = kind.TocName();
            name.Should().NotBeNullOrEmpty();
            names.Add(name).Should().BeTrue($"{name} names one kind");
            ObjectKinds.TryParse(name, out var parsed).Should().BeTrue();
            parsed.Should().Be(kind);
        }
        ObjectKinds.TryParse("table", out _).Should().BeFalse("TOC names are upper case, as pg_dump writes them");
    }

    [Fact]
    public void The_manifest_stores_its_enums_as_the_strings_archives_always_held()
    {
        var entry = new TocEntry
        {
            DumpId = 3, Section = Section.Data, Pass = RestorePass.PostAcl, Kind = ObjectKind.ForeignKeyConstraint, Name = "t",
            Data = new TableDataInfo { Format = DataFormat.LargeObjects, Compression = DataCompression.Zstd },
            Facts = new EntryFacts { ConstraintType = ConstraintType.PrimaryKey, Partitioned = false },
        };

        var json = JsonSerializer.Serialize(new ArchiveManifest { Entries = [entry] }, ArchiveManifest.JsonOptions);

        json.Should().Contain("\"section\": \"data\"").And.Contain("\"pass\": \"post-acl\"").And.Contain("\"kind\": \"FK CONSTRAINT\"")
            .And.Contain("\"format\": \"large-objects\"").And.Contain("\"compression\": \"zstd\"")
            .And.Contain("\"constraintType\": \"primary-key\"").And.Contain("\"partitioned\": false")
            .And.NotContain("securityDefiner", "facts not recorded are left out");
        var read = JsonSerializer.Deserialize<ArchiveManifest>(json, ArchiveManifest.JsonOptions)!.Entries[0];
        read.Section.Should().Be(Section.Data);
        read.Pass.Should().Be(RestorePass.PostAcl);
        read.Kind.Should().Be(ObjectKind.ForeignKeyConstraint);
        read.Data!.Format.Should().Be(DataFormat.LargeObjects);
        read.Data.Compression.Should().Be(DataCompression.Zstd);
        read.Facts!.ConstraintType.Should().Be(ConstraintType.PrimaryKey);
        read.Facts.SecurityDefiner.Should().BeNull();
    }

    [Theory]
    [InlineData("check")]
    [InlineData("foreign-key")]
    [InlineData("exclusion")]
    public void Constraint_types_read_back(string name)
    {
        var json = $$$"""{"entries":[{"dumpId":1,"section":"post-data","pass":"main","kind":"CONSTRAINT","name":"c","facts":{"constraintType":"{{{name}}}"}}]}""";
        var read = JsonSerializer.Deserialize<ArchiveManifest>(json, ArchiveManifest.JsonOptions)!.Entries[0];
        ManifestNames.Of(read.Facts!.ConstraintType!.Value).Should().Be(name);
    }

    [Fact]
    public void An_unknown_constraint_type_is_refused()
    {
        var json = """{"entries":[{"dumpId":1,"section":"post-data","pass":"main","kind":"CONSTRAINT","name":"c","facts":{"constraintType":"CHECK"}}]}""";
        var act = () => JsonSerializer.Deserialize<ArchiveManifest>(json, ArchiveManifest.JsonOptions);
        act.Should().Throw<JsonException>().WithMessage("*unknown constraint type 'CHECK'*");
    }
}
