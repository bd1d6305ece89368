using System.Text.Json;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Tests;

public sealed class ArchiveReaderTests : IDisposable
{
    private readonly string _root;
    private readonly string _archive;

    public ArchiveReaderTests()
    {
        _root = Path.Combine(Path.GetTempPath(), "fpdump-archive-tests-" + Guid.NewGuid().ToString("N"));
        _archive = Path.Combine(_root, "archive");
        Directory.CreateDirectory(Path.Combine(_archive, "data"));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    private static TocEntry Schema(int dumpId) => new()
    {
        DumpId = dumpId,
        Section = Section.PreData,
        Pass = RestorePass.Main,
        Kind = ObjectKind.Schema,
        Name = "shop",
        Owner = "owner",
        Statements = ["CREATE SCHEMA shop;\n"],
    };

    private static TocEntry Table(int dumpId, params int[] dependencies) => new()
    {
        DumpId = dumpId,
        Section = Section.PreData,
        Pass = RestorePass.Main,
        Kind = ObjectKind.Table,
        Schema = "shop",
        Name = "orders",
        Owner = "owner",
        Statements = ["CREATE TABLE shop.orders (\n    id integer\n);\n"],
        Dependencies = [.. dependencies],
    };

    private TocEntry Data(int dumpId, string file, byte[] content, params int[] dependencies)
    {
        var path = Path.Combine(_archive, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return DataEntry(dumpId, file, content.Length, dependencies);
    }

    private static TocEntry DataEntry(int dumpId, string file, long bytes, params int[] dependencies) => new()
    {
        DumpId = dumpId,
        Section = Section.Data,
        Pass = RestorePass.Main,
        Kind = ObjectKind.TableData,
        Schema = "shop",
        Name = "orders",
        Owner = "owner",
        Dependencies = [.. dependencies],
        Data = new TableDataInfo
        {
            File = file,
            Format = DataFormat.Binary,
            Compression = DataCompression.None,
            Columns = [new DataColumn { Name = "id", Type = "integer" }],
            Rows = 2,
            Bytes = bytes,
            Checksum = "xxh3-64:0000000000000000",
        },
    };

    private ArchiveManifest ValidManifest() => new()
    {
        FormatVersion = ArchiveManifest.CurrentFormatVersion,
        ToolVersion = "0.1.0",
        ServerVersion = "17.2",
        ServerVersionNumber = 170002,
        Database = "factory",
        Encoding = "UTF8",
        CreatedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Complete = true,
        Entries = [Schema(1), Table(2, 1), Data(3, "data/3.dat", [1, 2, 3, 4, 5], 2)],
    };

    private void WriteManifest(ArchiveManifest manifest) =>
        File.WriteAllText(Path.Combine(_archive, ArchiveManifest.FileName), JsonSerializer.Serialize(manifest, ArchiveManifest.JsonOptions));

    private Task<ArchiveManifest> Read() => ArchiveReader.ReadManifestAsync(_archive, CancellationToken.None);

    private async Task<ArchiveException> ReadFails()
    {
        var act = Read;
        return (await act.Should().ThrowAsync<ArchiveException>()).Which;
    }

    [Fact]
    public async Task Reading_a_valid_archive_returns_its_manifest()
    {
        WriteManifest(ValidManifest());

        var manifest = await Read();

        manifest.Complete.Should().BeTrue();
        manifest.Database.Should().Be("factory");
        manifest.ServerVersionNumber.Should().Be(170002);
        manifest.Entries.Select(e => e.DumpId).Should().Equal(1, 2, 3);
        manifest.Entries[2].Data!.File.Should().Be("data/3.dat");
        manifest.Entries[2].Data!.Bytes.Should().Be(5);
        manifest.Entries[2].Dependencies.Should().Equal(2);
        ArchiveReader.DataFilePath(_archive, manifest.Entries[2].Data!).Should().Be(Path.Combine(_archive, "data/3.dat"));
    }

    [Fact]
    public async Task Reading_a_format_1_manifest_splits_its_sql_text_into_statements_once_and_moves_role_references_with_them()
    {
        var manifest = ValidManifest();
        manifest.FormatVersion = 1;
        var table = manifest.Entries[1];
        table.Statements = [];
        // A semicolon inside a dollar-quoted comment and a BEGIN ATOMIC body: the legacy text needs the lexer, once.
        table.Definition = "CREATE TABLE shop.orders (id integer);\n\nCOMMENT ON TABLE shop.orders IS $$a; b$$;\n" +
            "CREATE FUNCTION shop.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nGRANT SELECT ON shop.orders TO reader;\n";
        table.OwnerStatement = "ALTER TABLE shop.orders OWNER TO app;\n";
        var grantee = table.Definition.LastIndexOf("reader", StringComparison.Ordinal);
        table.RoleReferences =
        [
            new RoleReference { Field = "definition", Offset = grantee, Length = 6, Role = "reader" },
            new RoleReference { Field = "owner", Offset = 33, Length = 3, Role = "app" },
        ];
        table.DropStatement = "DROP TABLE shop.orders;\n";
        WriteManifest(manifest);

        var read = (await Read()).Entries[1];

        read.Statements.Should().Equal(
            "CREATE TABLE shop.orders (id integer);",
            "COMMENT ON TABLE shop.orders IS $$a; b$$;",
            "CREATE FUNCTION shop.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;",
            "GRANT SELECT ON shop.orders TO reader;");
        read.OwnerStatements.Should().Equal("ALTER TABLE shop.orders OWNER TO app;");
        read.DropStatements.Should().Equal("DROP TABLE shop.orders;");
        read.Definition.Should().BeNull();
        read.RoleReferences[0].Statement.Should().Be(3);
        read.RoleReferences[1].Statement.Should().Be(0);
        Restore.RoleMapper.Apply([read], new Dictionary<string, string> { ["reader"] = "Analyst", ["app"] = "svc" });
        read.Statements[3].Should().Be("GRANT SELECT ON shop.orders TO \"Analyst\";");
        read.OwnerStatements.Should().Equal("ALTER TABLE shop.orders OWNER TO \"svc\";");
    }

    [Fact]
    public async Task Reading_an_archive_with_an_empty_data_file_works()
    {
        var manifest = ValidManifest();
        manifest.Entries[2] = Data(3, "data/3.dat", []);
        WriteManifest(manifest);

        (await Read()).Entries.Should().HaveCount(3);
    }

    [Fact]
    public async Task Reading_writes_camel_case_json_the_reader_understands()
    {
        WriteManifest(ValidManifest());

        var json = await File.ReadAllTextAsync(Path.Combine(_archive, ArchiveManifest.FileName));

        json.Should().Contain($"\"formatVersion\": {ArchiveManifest.CurrentFormatVersion}").And.Contain("\"complete\": true");
    }

    [Fact]
    public async Task Reading_a_missing_directory_throws()
    {
        var missing = Path.Combine(_root, "nope");

        var act = () => ArchiveReader.ReadManifestAsync(missing, CancellationToken.None);

        (await act.Should().ThrowAsync<ArchiveException>()).WithMessage($"*'{missing}'*does not exist*");
    }

    [Fact]
    public async Task Reading_a_directory_without_manifest_throws()
    {
        var exception = await ReadFails();

        exception.Message.Should().Contain("manifest.json is missing");
    }

    [Theory]
    [InlineData("{ \"formatVersion\": 1, ")]
    [InlineData("not json at all")]
    [InlineData("{ \"formatVersion\": \"one\" }")]
    [InlineData("[]")]
    [InlineData("")]
    public async Task Reading_a_corrupt_manifest_throws(string json)
    {
        await File.WriteAllTextAsync(Path.Combine(_archive, ArchiveManifest.FileName), json);

        var exception = await ReadFails();

        exception.Message.Should().Contain("manifest.json is corrupt");
        exception.InnerException.Should().BeAssignableTo<JsonException>();
    }

    [Fact]
    public async Task Reading_a_null_manifest_throws()
    {
        await File.WriteAllTextAsync(Path.Combine(_archive, ArchiveManifest.FileName), "null");

        (await ReadFails()).Message.Should().Contain("empty");
    }

    [Fact]
    public async Task Reading_a_manifest_of_a_newer_format_version_throws()
    {
        var manifest = ValidManifest();
        manifest.FormatVersion = ArchiveManifest.CurrentFormatVersion + 1;
        WriteManifest(manifest);

        var exception = await ReadFails();

        exception.Message.Should().Contain($"format version {ArchiveManifest.CurrentFormatVersion + 1}").And.Contain("Upgrade");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task Reading_a_manifest_with_an_invalid_format_version_throws(int version)
    {
        var manifest = ValidManifest();
        manifest.FormatVersion = version;
        WriteManifest(manifest);

        (await ReadFails()).Message.Should().Contain($"invalid format version {version}");
    }

    [Fact]
    public async Task Reading_an_incomplete_archive_throws()
    {
        var manifest = ValidManifest();
        manifest.Complete = false;
        WriteManifest(manifest);

        (await ReadFails()).Message.Should().Contain("incomplete");
    }

    [Fact]
    public async Task Reading_a_manifest_with_a_duplicate_dump_id_throws()
    {
        var manifest = ValidManifest();
        manifest.Entries.Add(Schema(2));
        WriteManifest(manifest);

        (await ReadFails()).Message.Should().Contain("dump id 2 twice");
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("../archive/data/3.dat")]
    [InlineData("data/../../x")]
    [InlineData("data/..")]
    [InlineData("/etc/passwd")]
    [InlineData("")]
    public async Task Reading_a_data_file_path_that_could_leave_the_archive_throws(string file)
    {
        // The file may even exist outside: it must be refused before it is looked at.
        await File.WriteAllBytesAsync(Path.Combine(_root, "x"), [1, 2, 3, 4, 5]);
        var manifest = ValidManifest();
        manifest.Entries[2].Data!.File = file;
        WriteManifest(manifest);

        var exception = await ReadFails();

        exception.Message.Should().Contain("unsafe data file").And.Contain("TABLE DATA shop.orders");
    }

    [Fact]
    public async Task Reading_an_archive_with_a_missing_data_file_throws()
    {
        var manifest = ValidManifest();
        File.Delete(Path.Combine(_archive, "data", "3.dat"));
        WriteManifest(manifest);

        (await ReadFails()).Message.Should().Contain("'data/3.dat'").And.Contain("TABLE DATA shop.orders").And.Contain("missing");
    }

    [Fact]
    public async Task Reading_an_archive_with_a_truncated_data_file_throws()
    {
        var manifest = ValidManifest();
        await File.WriteAllBytesAsync(Path.Combine(_archive, "data", "3.dat"), [1, 2, 3]);
        WriteManifest(manifest);

        (await ReadFails()).Message.Should().Contain("has 3 bytes").And.Contain("says 5").And.Contain("truncated");
    }

    [Fact]
    public async Task Reading_an_archive_with_a_grown_data_file_throws()
    {
        var manifest = ValidManifest();
        await File.WriteAllBytesAsync(Path.Combine(_archive, "data", "3.dat"), new byte[6]);
        WriteManifest(manifest);

        (await ReadFails()).Message.Should().Contain("has 6 bytes");
    }

    [Fact]
    public async Task Reading_an_archive_whose_entries_share_a_data_file_throws()
    {
        var manifest = ValidManifest();
        manifest.Entries.Add(DataEntry(4, "data/3.dat", 5));
        WriteManifest(manifest);

        (await ReadFails()).Message.Should().Contain("share the data file");
    }

    [Theory]
    [InlineData("\"format\": \"binary\"", "\"format\": \"csv\"", "unknown data format 'csv'")]
    [InlineData("\"compression\": \"none\"", "\"compression\": \"lz4\"", "unknown compression 'lz4'")]
    [InlineData("\"section\": \"data\"", "\"section\": \"Data\"", "unknown section 'Data'")]
    [InlineData("\"pass\": \"main\"", "\"pass\": 0", "restore pass must be a string")]
    [InlineData("\"kind\": \"TABLE DATA\"", "\"kind\": \"TABLE DATUM\"", "unknown entry kind 'TABLE DATUM'")]
    public async Task Reading_an_archive_with_an_unknown_enum_value_throws(string field, string replacement, string expected)
    {
        WriteManifest(ValidManifest());
        var path = Path.Combine(_archive, ArchiveManifest.FileName);
        var text = File.ReadAllText(path);
        text.Should().Contain(field);
        File.WriteAllText(path, text.Replace(field, replacement, StringComparison.Ordinal));

        (await ReadFails()).Message.Should().Contain(expected);
    }

    [Fact]
    public async Task Reading_a_manifest_with_a_dependency_on_a_missing_dump_id_throws()
    {
        var manifest = ValidManifest();
        manifest.Entries[1].Dependencies.Add(99);
        WriteManifest(manifest);

        (await ReadFails()).Message.Should().Contain("TABLE shop.orders").And.Contain("dump id 99");
    }

    [Fact]
    public async Task Reading_a_manifest_with_a_null_entry_throws()
    {
        await File.WriteAllTextAsync(Path.Combine(_archive, ArchiveManifest.FileName), "{ \"formatVersion\": 1, \"complete\": true, \"entries\": [ null ] }");

        (await ReadFails()).Message.Should().Contain("empty entry");
    }

    [Fact]
    public async Task Reading_a_valid_archive_given_with_a_trailing_separator_works()
    {
        WriteManifest(ValidManifest());

        var manifest = await ArchiveReader.ReadManifestAsync(_archive + Path.DirectorySeparatorChar, CancellationToken.None);

        manifest.Entries.Should().HaveCount(3);
    }
}
