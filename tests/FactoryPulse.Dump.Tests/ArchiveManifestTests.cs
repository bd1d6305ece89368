using System.Text.Json;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Tests;

/// <summary>
/// The manifest's own types: a manifest that leaves text fields out reads them as empty text (never null, never
/// anything else), a new manifest names the tool that writes it, and an entry names itself as pg_dump's TOC does.
/// </summary>
public sealed class ArchiveManifestTests
{
    private static ArchiveManifest Read(string json) =>
        JsonSerializer.Deserialize<ArchiveManifest>(json, ArchiveManifest.JsonOptions)!;

    [Fact]
    public void A_manifest_that_leaves_its_text_fields_out_reads_them_as_empty()
    {
        // Every object is present, every text field inside it absent: as a hand-made or damaged manifest would be.
        var manifest = Read("""
            {
              "formatVersion": 2,
              "encryption": { "iterations": 1000 },
              "entries": [
                {
                  "dumpId": 1,
                  "roleReferences": [ { "statement": 0, "offset": 1, "length": 2 } ],
                  "data": { "chunks": [ { "firstBlock": 0 } ], "columns": [ {} ] }
                }
              ]
            }
            """);

        manifest.ToolVersion.Should().BeEmpty();
        manifest.ServerVersion.Should().BeEmpty();
        manifest.Database.Should().BeEmpty();
        manifest.Encoding.Should().BeEmpty();
        var encryption = manifest.Encryption!;
        new[] { encryption.Algorithm, encryption.KeyDerivation, encryption.Salt, encryption.KeyCheck }.Should().AllBe("");
        var entry = manifest.Entries.Should().ContainSingle().Which;
        entry.Name.Should().BeEmpty();
        var reference = entry.RoleReferences.Should().ContainSingle().Which;
        reference.Field.Should().BeEmpty();
        reference.Role.Should().BeEmpty();
        var data = entry.Data!;
        data.File.Should().BeEmpty();
        data.Checksum.Should().BeEmpty();
        var chunk = data.Parts().Should().ContainSingle().Which;
        chunk.File.Should().BeEmpty();
        chunk.Checksum.Should().BeEmpty();
        var column = data.Columns.Should().ContainSingle().Which;
        column.Name.Should().BeEmpty();
        column.Type.Should().BeEmpty();
    }

    [Fact]
    public void A_new_manifest_names_the_tool_that_writes_it_and_the_current_format()
    {
        var manifest = new ArchiveManifest();

        manifest.Tool.Should().Be("FactoryPulse.Dump");
        manifest.FormatVersion.Should().Be(ArchiveManifest.CurrentFormatVersion);
        Read("{}").Tool.Should().Be("FactoryPulse.Dump");
    }

    [Fact]
    public void An_entry_names_itself_with_its_kind_and_its_schema_qualified_name()
    {
        new TocEntry { Kind = ObjectKind.Table, Schema = "shop", Name = "orders" }.DisplayName.Should().Be("TABLE shop.orders");
        new TocEntry { Kind = ObjectKind.Schema, Name = "shop" }.DisplayName.Should().Be("SCHEMA shop");
    }
}
