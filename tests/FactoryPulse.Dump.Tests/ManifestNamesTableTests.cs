using System.Text.Json;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Tests;

/// <summary>Every enum the manifest stores, against the exact string archives hold, both ways; anything else refused.</summary>
public sealed class ManifestNamesTableTests
{
    private static void RoundTrips<T>(T value, string name, Func<T, string> of, TryParseName<T> tryParse)
        where T : struct, Enum
    {
        of(value).Should().Be(name);
        tryParse(name, out var parsed).Should().BeTrue(name);
        parsed.Should().Be(value);
    }

    private delegate bool TryParseName<T>(string name, out T value);

    [Fact]
    public void Sections_passes_formats_and_compressions_have_fixed_names()
    {
        RoundTrips(Section.PreData, "pre-data", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(Section.Data, "data", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(Section.PostData, "post-data", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(RestorePass.Main, "main", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(RestorePass.Acl, "acl", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(RestorePass.PostAcl, "post-acl", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(DataFormat.Binary, "binary", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(DataFormat.Text, "text", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(DataFormat.LargeObjects, "large-objects", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(DataCompression.None, "none", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(DataCompression.Gzip, "gzip", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(DataCompression.Zstd, "zstd", ManifestNames.Of, ManifestNames.TryParse);
    }

    [Fact]
    public void Constraint_types_and_default_privilege_objects_have_fixed_names()
    {
        RoundTrips(ConstraintType.Check, "check", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(ConstraintType.PrimaryKey, "primary-key", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(ConstraintType.Unique, "unique", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(ConstraintType.Exclusion, "exclusion", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(ConstraintType.ForeignKey, "foreign-key", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(DefaultPrivilegeObjects.Tables, "tables", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(DefaultPrivilegeObjects.Sequences, "sequences", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(DefaultPrivilegeObjects.Functions, "functions", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(DefaultPrivilegeObjects.Types, "types", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(DefaultPrivilegeObjects.Schemas, "schemas", ManifestNames.Of, ManifestNames.TryParse);
        RoundTrips(DefaultPrivilegeObjects.LargeObjects, "large-objects", ManifestNames.Of, ManifestNames.TryParse);
    }

    [Theory]
    [InlineData("")]
    [InlineData("PRE-DATA")]
    [InlineData("tables ")]
    [InlineData("lz4")]
    public void Unknown_names_parse_as_nothing(string name)
    {
        ManifestNames.TryParse(name, out Section _).Should().BeFalse();
        ManifestNames.TryParse(name, out RestorePass _).Should().BeFalse();
        ManifestNames.TryParse(name, out DataFormat _).Should().BeFalse();
        ManifestNames.TryParse(name, out DataCompression _).Should().BeFalse();
        ManifestNames.TryParse(name, out ConstraintType _).Should().BeFalse();
        ManifestNames.TryParse(name, out DefaultPrivilegeObjects _).Should().BeFalse();
    }

    [Theory]
    [InlineData(DefaultPrivilegeObjects.Tables, 'r')]
    [InlineData(DefaultPrivilegeObjects.Sequences, 'S')]
    [InlineData(DefaultPrivilegeObjects.Functions, 'f')]
    [InlineData(DefaultPrivilegeObjects.Types, 'T')]
    [InlineData(DefaultPrivilegeObjects.Schemas, 'n')]
    [InlineData(DefaultPrivilegeObjects.LargeObjects, 'L')]
    internal void Default_privilege_objects_map_to_their_catalog_letter_and_back(DefaultPrivilegeObjects objects, char letter)
    {
        objects.CatalogType().Should().Be(letter);
        DefaultPrivilegeObjectTypes.FromCatalogType(letter).Should().Be(objects);
    }

    [Fact]
    public void An_unknown_catalog_letter_is_no_kind()
    {
        DefaultPrivilegeObjectTypes.FromCatalogType('x').Should().BeNull();
        DefaultPrivilegeObjectTypes.FromCatalogType('R').Should().BeNull();
    }

    [Theory]
    [InlineData("\"Data\"", "\"main\"", "\"TABLE\"", "*unknown section 'Data'*")]
    [InlineData("\"data\"", "\"ACL\"", "\"TABLE\"", "*unknown restore pass 'ACL'*")]
    [InlineData("\"data\"", "\"main\"", "\"table\"", "*'table'*")]
    [InlineData("1", "\"main\"", "\"TABLE\"", "*must be a string, not Number*")]
    public void A_manifest_with_an_unknown_enum_string_or_a_number_is_refused(string section, string pass, string kind, string message)
    {
        var json = $$"""{"entries":[{"dumpId":1,"section":{{section}},"pass":{{pass}},"kind":{{kind}},"name":"c"}]}""";

        var act = () => JsonSerializer.Deserialize<ArchiveManifest>(json, ArchiveManifest.JsonOptions);

        act.Should().Throw<JsonException>().WithMessage(message);
    }
}
