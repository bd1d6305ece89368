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
    public void A_split_table_s_parts_are_its_chunks_and_an_unsplit_table_s_part_is_its_one_file()
    {
        var split = Read("""
            { "entries": [ { "data": { "file": "", "rows": 5, "chunks": [
              { "file": "data/2.0.dat", "firstBlock": 0, "endBlock": 8, "rows": 2 },
              { "file": "data/2.1.dat", "firstBlock": 8, "rows": 3 } ] } } ] }
            """).Entries[0].Data!;
        var whole = new TableDataInfo { File = "data/3.dat", Rows = 4, Bytes = 40, RawBytes = 50, Checksum = "ab" };

        split.Parts().Select(part => (part.File, part.FirstBlock, part.EndBlock, part.Rows))
            .Should().Equal(("data/2.0.dat", 0L, (long?)8L, 2L), ("data/2.1.dat", 8L, (long?)null, 3L));
        var one = whole.Parts().Should().ContainSingle().Which;
        (one.File, one.FirstBlock, one.EndBlock, one.Rows, one.Bytes, one.RawBytes, one.Checksum)
            .Should().Be(("data/3.dat", 0L, (long?)null, 4L, 40L, 50L, "ab"));
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
