using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

public sealed class EncryptionTests(SmallDatabase source) : IClassFixture<SmallDatabase>, IDisposable
{
    private const string Passphrase = "correct horse battery staple";

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-enc-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private async Task<string> EncryptedArchiveAsync(string name, int jobs = 1, string? from = null)
    {
        var archive = Path.Combine(_workDirectory, name);
        await DatabaseDumper.DumpAsync(new DumpOptions
        {
            ConnectionString = from ?? source.ConnectionString,
            OutputPath = archive,
            EncryptionPassphrase = Passphrase,
            Compression = DataCompression.None, // so the plaintext would be visible if it were there
            Jobs = jobs,
        });
        return archive;
    }

    [Fact]
    public async Task An_encrypted_archive_restores_with_its_passphrase_and_holds_no_readable_row()
    {
        var archive = await EncryptedArchiveAsync("encrypted", jobs: 2);
        var manifest = await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json"));
        manifest.Should().Contain("aes-256-gcm").And.NotContain(Passphrase);
        foreach (var file in Directory.GetFiles(Path.Combine(archive, "data")))
            System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)).Should().NotContain("customer 1");
        (await ArchiveVerifier.VerifyAsync(archive, new VerifyOptions { EncryptionPassphrase = Passphrase })).Passed.Should().BeTrue();
        var target = await source.Server.CreateDatabaseAsync("decrypted");

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, EncryptionPassphrase = Passphrase, Jobs = 2 });

        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    [Fact]
    public async Task Large_object_contents_are_encrypted_too_and_restore_with_the_passphrase()
    {
        var withObjects = await source.Server.CreateDatabaseAsync("lo_enc");
        // One object over two 1 MiB pieces, an empty one and a small one.
        await Db.ExecuteAsync(withObjects, """
            SELECT pg_catalog.lo_from_bytea(0, convert_to(repeat('secret large object ', 120000), 'UTF8'));
            SELECT pg_catalog.lo_from_bytea(0, ''::bytea);
            SELECT pg_catalog.lo_from_bytea(0, convert_to('secret large object, small', 'UTF8'));
            """);
        var archive = Path.Combine(_workDirectory, "lo-encrypted");
        await DatabaseDumper.DumpAsync(new DumpOptions
        {
            ConnectionString = withObjects, OutputPath = archive, EncryptionPassphrase = Passphrase, Compression = DataCompression.None,
        });
        foreach (var file in Directory.GetFiles(Path.Combine(archive, "data")))
            System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)).Should().NotContain("secret large object");
        var target = await source.Server.CreateDatabaseAsync("lo_dec");

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, EncryptionPassphrase = Passphrase });

        const string Contents = "SELECT string_agg(oid::text || ':' || md5(pg_catalog.lo_get(oid)), ',' ORDER BY oid) FROM pg_catalog.pg_largeobject_metadata";
        var expected = await Db.ScalarAsync<string>(withObjects, Contents);
        expected.Split(',').Should().HaveCount(3);
        (await Db.ScalarAsync<string>(target, Contents)).Should().Be(expected);
    }

    [Fact]
    public async Task Without_or_with_a_wrong_passphrase_the_restore_fails_clearly_before_touching_the_target()
    {
        var archive = await EncryptedArchiveAsync("locked");
        var target = await source.Server.CreateDatabaseAsync("locked");

        var missing = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });
        var wrong = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, EncryptionPassphrase = "guess" });

        (await missing.Should().ThrowAsync<ArchiveException>()).Which.Message.Should().Contain("encrypted").And.Contain("passphrase");
        (await wrong.Should().ThrowAsync<ArchiveException>()).Which.Message.Should().Contain("does not open this archive");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'shop'")).Should().Be(0);
    }

    [Fact]
    public async Task A_changed_byte_in_an_encrypted_file_is_caught_even_when_the_checksum_is_updated()
    {
        // A sealed manifest's checksums cannot be updated without the passphrase; in the older readable form they can,
        // and the records' authentication tags still catch the change.
        var archive = await EncryptedArchiveAsync("tampered");
        await OlderReadableFormAsync(archive);
        var manifestPath = Path.Combine(archive, "manifest.json");
        var file = Directory.GetFiles(Path.Combine(archive, "data")).OrderByDescending(path => new FileInfo(path).Length).First();
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0x20;
        await File.WriteAllBytesAsync(file, bytes);
        var hasher = new System.IO.Hashing.XxHash3();
        hasher.Append(bytes);
        var manifest = await File.ReadAllTextAsync(manifestPath);
        var relative = "data/" + Path.GetFileName(file);
        var at = manifest.IndexOf($"\"file\": \"{relative}\"", StringComparison.Ordinal);
        var checksumAt = manifest.IndexOf("\"checksum\": \"", at, StringComparison.Ordinal) + "\"checksum\": \"".Length;
        var checksumEnd = manifest.IndexOf('"', checksumAt);
        manifest = manifest[..checksumAt] + "xxh3-64:" + hasher.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture) + manifest[checksumEnd..];
        await File.WriteAllTextAsync(manifestPath, manifest);
        var target = await source.Server.CreateDatabaseAsync("tampered");

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, EncryptionPassphrase = Passphrase, SingleTransaction = true });

        (await act.Should().ThrowAsync<ArchiveException>()).Which.Message.Should().Contain("failed authentication");
    }

    // Objects in the target outside the system schemas: a refused restore must leave none.
    private const string UserObjects = """
        SELECT (SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname NOT IN ('public', 'information_schema'))
             + (SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema')
             + (SELECT count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema')
        """;

    private async Task RestoreIsRefusedAndCreatesNothingAsync(string archive, string targetName, string expectedMessage)
    {
        var target = await source.Server.CreateDatabaseAsync(targetName);

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, EncryptionPassphrase = Passphrase });

        (await act.Should().ThrowAsync<ArchiveException>()).Which.Message.Should().Contain(expectedMessage);
        (await Db.ScalarAsync<long>(target, UserObjects)).Should().Be(0);
    }

    [Fact]
    public async Task No_ddl_text_and_no_table_name_appears_in_clear_anywhere_in_an_encrypted_archive()
    {
        var archive = await EncryptedArchiveAsync("opaque");

        var files = Directory.GetFiles(archive, "*", SearchOption.AllDirectories);
        files.Should().Contain(path => path.EndsWith("manifest.json", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var text = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file));
            foreach (var secret in new[] { "CREATE", "customers", "orders", "orders_by_customer", "referred_by", "current_setting", "shop.", "customer 1", "SECURITY" })
                text.Should().NotContain(secret, $"{Path.GetRelativePath(archive, file)} must not show it");
            Path.GetRelativePath(archive, file).Should().NotContain("customers").And.NotContain("orders");
        }
        (await DatabaseRestorer.ListAsync(archive, Passphrase)).Should().Contain("TABLE shop customers").And.Contain("TABLE shop orders");
    }

    [Fact]
    public async Task A_changed_byte_of_the_sealed_manifest_fails_the_restore_before_anything_is_created()
    {
        var archive = await EncryptedArchiveAsync("edited");
        var json = await ReadManifestJsonAsync(archive);
        var sealedPart = Convert.FromBase64String(json["sealed"]!.GetValue<string>());
        sealedPart[sealedPart.Length / 3] ^= 0x04;
        json["sealed"] = Convert.ToBase64String(sealedPart);
        await WriteManifestJsonAsync(archive, json);

        await RestoreIsRefusedAndCreatesNothingAsync(archive, "edited", "failed authentication");
    }

    [Fact]
    public async Task Swapped_data_files_of_the_same_size_fail_the_restore_before_anything_is_created()
    {
        // Two tables of the same shape and row count: their encrypted files have the same size, so only the sealed
        // checksums tell them apart (and the restore would otherwise load each table's rows into the other).
        var twins = await source.Server.CreateDatabaseAsync("twins");
        await Db.ExecuteAsync(twins, """
            CREATE SCHEMA twin;
            CREATE TABLE twin.a (id integer, v integer);
            CREATE TABLE twin.b (id integer, v integer);
            INSERT INTO twin.a SELECT g, g FROM generate_series(1, 200) g;
            INSERT INTO twin.b SELECT g, -g FROM generate_series(1, 200) g;
            """);
        var archive = await EncryptedArchiveAsync("swapped", from: twins);
        var files = Directory.GetFiles(Path.Combine(archive, "data"));
        files.Should().HaveCount(2);
        new FileInfo(files[0]).Length.Should().Be(new FileInfo(files[1]).Length);
        File.Move(files[0], files[0] + ".swap");
        File.Move(files[1], files[0]);
        File.Move(files[0] + ".swap", files[1]);

        await RestoreIsRefusedAndCreatesNothingAsync(archive, "swapped", "checksum");
        (await ArchiveVerifier.VerifyAsync(archive, new VerifyOptions { EncryptionPassphrase = Passphrase })).Passed.Should().BeFalse();
    }

    [Fact]
    public async Task Swapped_data_files_of_different_tables_fail_the_restore_before_anything_is_created()
    {
        var archive = await EncryptedArchiveAsync("swapped-small");
        var files = Directory.GetFiles(Path.Combine(archive, "data"));
        files.Should().HaveCount(2);
        File.Move(files[0], files[0] + ".swap");
        File.Move(files[1], files[0]);
        File.Move(files[0] + ".swap", files[1]);

        await RestoreIsRefusedAndCreatesNothingAsync(archive, "swapped_small", "Data file");
    }

    [Fact]
    public async Task The_sealed_part_of_another_archive_with_the_same_passphrase_is_refused()
    {
        var archive = await EncryptedArchiveAsync("victim");
        var other = await EncryptedArchiveAsync("other");
        var json = await ReadManifestJsonAsync(archive);
        json["sealed"] = (await ReadManifestJsonAsync(other))["sealed"]!.GetValue<string>();
        await WriteManifestJsonAsync(archive, json);

        await RestoreIsRefusedAndCreatesNothingAsync(archive, "victim", "failed authentication");
    }

    [Fact]
    public async Task An_encrypted_archive_in_the_older_readable_form_still_restores()
    {
        // Encrypted archives written before manifests were sealed: format version 1, readable manifest, encrypted data.
        var archive = await EncryptedArchiveAsync("older", jobs: 2);
        await OlderReadableFormAsync(archive);
        (await ReadManifestJsonAsync(archive))["entries"]!.AsArray().Should().NotBeEmpty();
        var target = await source.Server.CreateDatabaseAsync("older");

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, EncryptionPassphrase = Passphrase });

        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    /// <summary>
    /// Fixtures/encrypted-before-sealing: SmallDatabase dumped with --encrypt by the tool as it was before manifests were
    /// sealed (commit 1604b9a; format version 1, readable manifest, encrypted data), passphrase "written before sealing".
    /// </summary>
    [Fact]
    public async Task An_encrypted_archive_written_before_sealing_still_restores()
    {
        const string FixturePassphrase = "written before sealing";
        var archive = Path.Combine(_workDirectory, "before-sealing");
        CopyDirectory(FixtureDirectory("encrypted-before-sealing"), archive);
        (await ReadManifestJsonAsync(archive))["formatVersion"]!.GetValue<int>().Should().Be(1);
        (await ArchiveVerifier.VerifyAsync(archive, new VerifyOptions { EncryptionPassphrase = FixturePassphrase })).Passed.Should().BeTrue();
        (await ArchiveVerifier.VerifyAsync(archive)).Passed.Should().BeFalse("an encrypted archive is never verified without its passphrase");
        var target = await source.Server.CreateDatabaseAsync("before_sealing");

        // Without owners: the fixture was dumped on a server whose owner role the test server may not have.
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, EncryptionPassphrase = FixturePassphrase, NoOwner = true });

        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    private static string FixtureDirectory(string name)
    {
        var relative = Path.Combine("tests", "FactoryPulse.Dump.IntegrationTests", "Fixtures", name);
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relative);
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var directory in Directory.GetDirectories(from))
            CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
    }

    [Fact]
    public async Task The_cli_reads_an_encrypted_archive_for_list_summary_and_verify_only_with_its_passphrase()
    {
        var archive = await EncryptedArchiveAsync("cli");
        var keyFile = Path.Combine(_workDirectory, "key");
        await File.WriteAllTextAsync(keyFile, Passphrase + "\n");

        foreach (var command in new[] { "list", "summary" })
        {
            var locked = await ExternalTool.FpdumpAsync(command, "--input", archive);
            locked.ExitCode.Should().Be(1, locked.Stderr);
            locked.Stderr.Should().Contain("encrypted: give its passphrase");
            var opened = await ExternalTool.FpdumpAsync(command, "--input", archive, "--key-file", keyFile);
            opened.ExitCode.Should().Be(0, opened.Stderr);
            opened.Stdout.Should().Contain("customers");
        }
        var notChecked = await ExternalTool.FpdumpAsync("verify", "--input", archive);
        notChecked.ExitCode.Should().Be(3, notChecked.Stderr);
        notChecked.Stderr.Should().Contain("passphrase");
        var verified = await ExternalTool.FpdumpAsync("verify", "--input", archive, "--key-file", keyFile);
        verified.ExitCode.Should().Be(0, verified.Stderr);
    }

    [Fact]
    public async Task An_encrypted_backup_set_seals_all_three_manifests_and_verifies_them()
    {
        var folder = Path.Combine(_workDirectory, "set");

        var set = await BackupSet.CreateAsync(new BackupSetOptions
        {
            ConnectionString = source.ConnectionString,
            Directory = folder,
            Prefix = "small",
            Dump = new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = folder, EncryptionPassphrase = Passphrase },
        });

        set.Verification.Passed.Should().BeTrue(string.Join("; ", set.Verification.Problems));
        foreach (var archive in new[] { set.CompleteArchive, set.SchemaArchive, set.DataArchive })
        {
            var header = await ReadManifestJsonAsync(archive);
            header["formatVersion"]!.GetValue<int>().Should().Be(2);
            header.ContainsKey("entries").Should().BeFalse();
            (await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json"))).Should().NotContain("customers");
        }
        (await DatabaseRestorer.ListAsync(set.SchemaArchive, Passphrase)).Should().Contain("TABLE shop customers").And.NotContain("TABLE DATA");
        (await DatabaseRestorer.ListAsync(set.DataArchive, Passphrase)).Should().Contain("TABLE DATA shop customers");
    }

    private static async Task<JsonObject> ReadManifestJsonAsync(string archive) =>
        JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json")))!.AsObject();

    private static Task WriteManifestJsonAsync(string archive, JsonObject json) =>
        File.WriteAllTextAsync(Path.Combine(archive, "manifest.json"), json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

    /// <summary>An entry as format 1 stored it: each field's statements as one text, role offsets into that text.</summary>
    private static void ToFormat1(JsonObject entry)
    {
        var starts = new Dictionary<string, List<int>>();
        string? Join(string listName, string textName, string? roleField)
        {
            if (entry[listName] is not JsonArray list)
                return null;
            var text = new StringBuilder();
            var offsets = new List<int>();
            foreach (var statement in list)
            {
                offsets.Add(text.Length);
                text.Append(statement!.GetValue<string>());
            }
            entry.Remove(listName);
            entry[textName] = text.ToString();
            if (roleField is not null)
                starts[roleField] = offsets;
            return text.ToString();
        }
        Join("statements", "definition", "definition");
        Join("ownerStatements", "ownerStatement", "owner");
        Join("dropStatements", "dropStatement", null);
        Join("dropIfExistsStatements", "dropIfExistsStatement", null);
        if (entry["indexFirst"] is JsonObject indexFirst)
        {
            entry["indexFirst"] = new JsonObject
            {
                ["index"] = string.Concat(indexFirst["indexStatements"]!.AsArray().Select(statement => statement!.GetValue<string>())),
                ["constraint"] = string.Concat(indexFirst["constraintStatements"]!.AsArray().Select(statement => statement!.GetValue<string>())),
            };
        }
        entry.Remove("facts");
        if (entry["roleReferences"] is JsonArray references)
        {
            foreach (var reference in references)
            {
                var item = reference!.AsObject();
                var statement = item["statement"]?.GetValue<int>() ?? 0;
                item["offset"] = starts[item["field"]!.GetValue<string>()][statement] + item["offset"]!.GetValue<int>();
                item.Remove("statement");
            }
        }
    }

    /// <summary>
    /// Rewrites a sealed archive as encrypted archives were written before sealing (format version 1, readable manifest,
    /// the older key check), opening it as docs/archive-format.md describes — an implementation apart from the library's.
    /// </summary>
    private static async Task OlderReadableFormAsync(string archive)
    {
        var header = await ReadManifestJsonAsync(archive);
        var encryption = header["encryption"]!.AsObject();
        var key = Rfc2898DeriveBytes.Pbkdf2(Passphrase, Convert.FromHexString(encryption["salt"]!.GetValue<string>()),
            encryption["iterations"]!.GetValue<int>(), HashAlgorithmName.SHA256, 32);
        var manifestKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, [], Encoding.UTF8.GetBytes("FactoryPulse.Dump manifest seal"));
        var associated = new MemoryStream();
        foreach (var field in new[]
                 {
                     "FactoryPulse.Dump sealed manifest", header["formatVersion"]!.ToJsonString(), header["tool"]!.GetValue<string>(),
                     header["toolVersion"]!.GetValue<string>(), encryption["algorithm"]!.GetValue<string>(), encryption["keyDerivation"]!.GetValue<string>(),
                     encryption["iterations"]!.ToJsonString(), encryption["salt"]!.GetValue<string>(), encryption["keyCheck"]!.GetValue<string>(),
                     header["complete"]!.ToJsonString(),
                 })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            associated.Write(length);
            associated.Write(bytes);
        }
        var message = Convert.FromBase64String(header["sealed"]!.GetValue<string>());
        var plaintext = new byte[message.Length - 28];
        using (var aes = new AesGcm(manifestKey, 16))
            aes.Decrypt(message.AsSpan(0, 12), message.AsSpan(12, plaintext.Length), message.AsSpan(12 + plaintext.Length), plaintext, associated.ToArray());
        var manifest = JsonNode.Parse(plaintext)!.AsObject();
        manifest["formatVersion"] = 1;
        foreach (var entry in manifest["entries"]!.AsArray())
            ToFormat1(entry!.AsObject());
        manifest["encryption"]!["keyCheck"] = Convert.ToHexString(HMACSHA256.HashData(key, "FactoryPulse.Dump key check"u8));
        await WriteManifestJsonAsync(archive, manifest);
    }
}
