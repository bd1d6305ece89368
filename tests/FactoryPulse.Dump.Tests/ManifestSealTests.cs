using FactoryPulse.Dump.Model;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Data;

namespace FactoryPulse.Dump.Tests;

/// <summary>
/// The sealed manifest of an encrypted archive: its table of contents is encrypted, and any change to it, to its clear
/// header, or a sealed part taken from another archive is refused with <see cref="ArchiveException"/> before anything
/// of it is used. Unencrypted archives keep the readable format version 1.
/// </summary>
public sealed class ManifestSealTests : IDisposable
{
    private const string Passphrase = "correct horse battery staple";
    private const int Rounds = 1000; // the reader accepts any count up to a bound; the default 600 000 would slow these tests
    private const string SecretDefinition = "CREATE TABLE secret_schema.payroll_ledger (salary numeric);\n";

    private readonly string _root = Directory.CreateTempSubdirectory("fpdump-seal-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (ArchiveManifest Manifest, byte[] Key) EncryptedManifest(byte[]? salt = null, Func<byte[], string>? keyCheck = null)
    {
        salt ??= Encryption.NewSalt();
        var key = Encryption.DeriveKey(Passphrase, salt, Rounds);
        var manifest = new ArchiveManifest
        {
            ToolVersion = "0.1.0",
            ServerVersion = "17.2",
            ServerVersionNumber = 170002,
            Database = "factory",
            Encoding = "UTF8",
            CreatedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Complete = true,
            Encryption = new EncryptionInfo
            {
                Algorithm = Encryption.Algorithm,
                KeyDerivation = Encryption.KeyDerivation,
                Iterations = Rounds,
                Salt = Convert.ToHexString(salt),
                KeyCheck = (keyCheck ?? Encryption.KeyCheck)(key),
            },
            Entries =
            [
                new TocEntry { DumpId = 1, Section = Section.PreData, Pass = RestorePass.Main, Kind = ObjectKind.Schema, Name = "secret_schema", Owner = "o", Statements = ["CREATE SCHEMA secret_schema;\n"] },
                new TocEntry
                {
                    DumpId = 2, Section = Section.PreData, Pass = RestorePass.Main, Kind = ObjectKind.Table, Schema = "secret_schema", Name = "payroll_ledger", Owner = "o",
                    Statements = [SecretDefinition], Dependencies = [1],
                },
            ],
        };
        return (manifest, key);
    }

    private async Task<string> WriteArchiveAsync(string name, ArchiveManifest manifest, byte[]? key)
    {
        var archive = Path.Combine(_root, name);
        Directory.CreateDirectory(archive);
        await ArchiveManifestWriter.WriteAsync(archive, manifest, key, CancellationToken.None);
        return archive;
    }

    private static string ManifestPath(string archive) => Path.Combine(archive, ArchiveManifest.FileName);

    private static async Task<JsonObject> ReadJsonAsync(string archive) => JsonNode.Parse(await File.ReadAllTextAsync(ManifestPath(archive)))!.AsObject();

    private static JsonValue Value(object value) => value switch
    {
        bool flag => JsonValue.Create(flag),
        int number => JsonValue.Create(number),
        _ => JsonValue.Create((string)value),
    };

    private static Task WriteJsonAsync(string archive, JsonObject json) => File.WriteAllTextAsync(ManifestPath(archive), json.ToJsonString());

    private static async Task<ArchiveException> ReadFailsAsync(string archive, string? passphrase = Passphrase)
    {
        var act = () => ArchiveReader.ReadManifestAsync(archive, passphrase, CancellationToken.None);
        return (await act.Should().ThrowAsync<ArchiveException>()).Which;
    }

    [Fact]
    public async Task A_sealed_manifest_reads_back_whole_with_the_passphrase()
    {
        var (manifest, key) = EncryptedManifest();

        var archive = await WriteArchiveAsync("sealed", manifest, key);
        var read = await ArchiveReader.ReadManifestAsync(archive, Passphrase, CancellationToken.None);

        read.FormatVersion.Should().Be(ArchiveManifest.SealedFormatVersion);
        read.Sealed.Should().BeNull();
        read.Database.Should().Be("factory");
        read.CreatedAt.Should().Be(manifest.CreatedAt);
        read.Entries.Select(entry => entry.Statements[0]).Should().Equal("CREATE SCHEMA secret_schema;\n", SecretDefinition);
        read.Entries[1].Dependencies.Should().Equal(1);
        // The key opened for the manifest is the data key, and the restore gets it without deriving it again.
        read.Encryption!.KeyFrom(Passphrase).Should().Equal(key);
    }

    [Fact]
    public async Task A_sealed_manifest_shows_only_its_header_in_clear()
    {
        var (manifest, key) = EncryptedManifest();

        var archive = await WriteArchiveAsync("clear-header", manifest, key);
        var text = await File.ReadAllTextAsync(ManifestPath(archive));
        var json = JsonNode.Parse(text)!.AsObject();

        json.Select(property => property.Key).Should().Equal("formatVersion", "tool", "toolVersion", "encryption", "sealed", "complete");
        json["formatVersion"]!.GetValue<int>().Should().Be(2);
        foreach (var secret in new[] { "payroll_ledger", "secret_schema", "CREATE", "factory", "17.2", "UTF8" })
            text.Should().NotContain(secret);
    }

    [Fact]
    public async Task An_unencrypted_manifest_stays_readable_json()
    {
        var (manifest, _) = EncryptedManifest();
        manifest.Encryption = null;

        var archive = await WriteArchiveAsync("plain", manifest, null);
        var json = await ReadJsonAsync(archive);

        json["formatVersion"]!.GetValue<int>().Should().Be(ArchiveManifest.CurrentFormatVersion);
        json.ContainsKey("sealed").Should().BeFalse();
        json["entries"]!.AsArray().Should().HaveCount(2);
        (await ArchiveReader.ReadManifestAsync(archive, CancellationToken.None)).Entries.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_flipped_byte_anywhere_in_the_sealed_part_is_refused()
    {
        var (manifest, key) = EncryptedManifest();
        var archive = await WriteArchiveAsync("flipped", manifest, key);
        var outer = await ArchiveReader.ReadManifestAsync(archive, Passphrase, CancellationToken.None);
        var json = await ReadJsonAsync(archive);
        var sealedBytes = Convert.FromBase64String(json["sealed"]!.GetValue<string>());

        // Every byte: nonce, ciphertext and tag.
        for (var position = 0; position < sealedBytes.Length; position++)
        {
            var changed = (byte[])sealedBytes.Clone();
            changed[position] ^= 0x01;
            var header = Header(outer, Convert.ToBase64String(changed));
            var act = () => ManifestSeal.Open(header, Passphrase, "manifest.json");
            act.Should().Throw<ArchiveException>($"byte {position} was changed").Which.Message.Should().Contain("failed authentication");
        }

        // And through the reader, from the file.
        sealedBytes[sealedBytes.Length / 2] ^= 0x80;
        json["sealed"] = Convert.ToBase64String(sealedBytes);
        await WriteJsonAsync(archive, json);
        (await ReadFailsAsync(archive)).Message.Should().Contain("failed authentication");
    }

    private static ArchiveManifest Header(ArchiveManifest opened, string sealedPart) => new()
    {
        FormatVersion = opened.FormatVersion,
        Tool = opened.Tool,
        ToolVersion = opened.ToolVersion,
        Complete = opened.Complete,
        Encryption = new EncryptionInfo
        {
            Algorithm = opened.Encryption!.Algorithm,
            KeyDerivation = opened.Encryption.KeyDerivation,
            Iterations = opened.Encryption.Iterations,
            Salt = opened.Encryption.Salt,
            KeyCheck = opened.Encryption.KeyCheck,
        },
        Sealed = sealedPart,
    };

    [Theory]
    [InlineData("toolVersion", "0.1.1")]
    [InlineData("tool", "FactoryPulse.Dump2")]
    [InlineData("complete", false)]
    public async Task A_changed_clear_header_field_fails_the_seal(string field, object value)
    {
        var (manifest, key) = EncryptedManifest();
        var archive = await WriteArchiveAsync("header-" + field, manifest, key);
        var json = await ReadJsonAsync(archive);
        json[field] = Value(value);
        await WriteJsonAsync(archive, json);

        (await ReadFailsAsync(archive)).Message.Should().Contain("failed authentication");
    }

    [Theory]
    [InlineData("formatVersion", 1)]
    [InlineData("formatVersion", 3)]
    [InlineData("iterations", Rounds + 1)]
    [InlineData("salt", "00")]
    [InlineData("salt", "")]
    [InlineData("salt", "not hex")]
    [InlineData("iterations", 0)]
    [InlineData("iterations", int.MaxValue)]
    [InlineData("keyCheck", "00")]
    [InlineData("algorithm", "aes-128-gcm")]
    public async Task A_changed_version_or_encryption_parameter_is_refused(string field, object value)
    {
        var (manifest, key) = EncryptedManifest();
        var archive = await WriteArchiveAsync("param-" + field, manifest, key);
        var json = await ReadJsonAsync(archive);
        var holder = json.ContainsKey(field) ? json : json["encryption"]!.AsObject();
        holder[field] = Value(value);
        await WriteJsonAsync(archive, json);

        await ReadFailsAsync(archive);
    }

    [Fact]
    public async Task A_sealed_part_moved_from_another_archive_with_the_same_passphrase_is_refused()
    {
        var (first, firstKey) = EncryptedManifest();
        var (second, secondKey) = EncryptedManifest();
        second.Entries.RemoveAt(1);
        var target = await WriteArchiveAsync("target", first, firstKey);
        var donor = await WriteArchiveAsync("donor", second, secondKey);
        var json = await ReadJsonAsync(target);
        json["sealed"] = (await ReadJsonAsync(donor))["sealed"]!.GetValue<string>();
        await WriteJsonAsync(target, json);

        (await ReadFailsAsync(target)).Message.Should().Contain("failed authentication");
    }

    [Fact]
    public async Task A_sealed_part_under_the_same_key_but_another_header_is_refused()
    {
        // Same salt, so the same key: only the associated data (the header) tells them apart.
        var salt = Encryption.NewSalt();
        var (first, key) = EncryptedManifest(salt);
        var (second, _) = EncryptedManifest(salt);
        second.ToolVersion = "9.9.9";
        second.Entries[1].Statements = ["CREATE FUNCTION public.backdoor() RETURNS void LANGUAGE sql AS 'SELECT 1';\n"];
        var target = await WriteArchiveAsync("same-key-target", first, key);
        var donor = await WriteArchiveAsync("same-key-donor", second, key);
        var json = await ReadJsonAsync(target);
        json["sealed"] = (await ReadJsonAsync(donor))["sealed"]!.GetValue<string>();
        await WriteJsonAsync(target, json);

        (await ReadFailsAsync(target)).Message.Should().Contain("failed authentication");
    }

    [Fact]
    public async Task A_sealed_archive_rewritten_in_the_older_readable_form_is_refused()
    {
        // Someone without the passphrase keeps the encryption header and writes their own readable entries in the form
        // encrypted archives had before sealing: its key check is not the older form's, so the passphrase does not open it.
        var (manifest, key) = EncryptedManifest();
        var archive = await WriteArchiveAsync("downgraded", manifest, key);
        var header = await ReadJsonAsync(archive);
        manifest.FormatVersion = ArchiveManifest.UnsealedFormatVersion;
        manifest.Encryption = JsonSerializer.Deserialize<EncryptionInfo>(header["encryption"]!.ToJsonString(), ArchiveManifest.JsonOptions);
        manifest.Entries[1].Definition = "CREATE FUNCTION public.backdoor() RETURNS void LANGUAGE sql AS 'SELECT 1';\n";
        await File.WriteAllTextAsync(ManifestPath(archive), JsonSerializer.Serialize(manifest, ArchiveManifest.JsonOptions));

        (await ReadFailsAsync(archive)).Message.Should().Contain("does not open this archive");
    }

    [Fact]
    public async Task A_sealed_archive_with_its_sealed_part_removed_is_refused()
    {
        var (manifest, key) = EncryptedManifest();
        var archive = await WriteArchiveAsync("unsealed", manifest, key);
        var json = await ReadJsonAsync(archive);
        json.Remove("sealed");
        json["entries"] = new JsonArray();
        await WriteJsonAsync(archive, json);

        (await ReadFailsAsync(archive)).Message.Should().Contain("without its sealed table of contents");
    }

    [Fact]
    public async Task An_encrypted_manifest_without_or_with_a_wrong_passphrase_is_refused()
    {
        var (manifest, key) = EncryptedManifest();
        var archive = await WriteArchiveAsync("locked", manifest, key);

        (await ReadFailsAsync(archive, passphrase: null)).Message.Should().Contain("encrypted: give its passphrase");
        (await ReadFailsAsync(archive, passphrase: "guess")).Message.Should().Contain("does not open this archive");
        var list = () => DatabaseRestorer.ListAsync(archive);
        (await list.Should().ThrowAsync<ArchiveException>()).Which.Message.Should().Contain("encrypted: give its passphrase");
        (await DatabaseRestorer.ListAsync(archive, Passphrase)).Should().Contain("payroll_ledger");
    }

    [Fact]
    public async Task Verify_without_the_passphrase_never_passes_an_encrypted_archive()
    {
        var (manifest, key) = EncryptedManifest();
        var archive = await WriteArchiveAsync("verify", manifest, key);

        var report = await ArchiveVerifier.VerifyAsync(archive);

        report.Passed.Should().BeFalse();
        report.Problems.Should().ContainSingle().Which.Should().Contain("passphrase");
        var summarize = () => ArchiveVerifier.SummarizeAsync(archive);
        await summarize.Should().ThrowAsync<ArchiveException>();
    }

    [Fact]
    public async Task An_encrypted_archive_of_the_older_readable_form_still_reads_with_its_passphrase_only()
    {
        var (manifest, _) = EncryptedManifest(keyCheck: Encryption.UnsealedKeyCheck);
        // As written before sealing: format 1 (each entry's SQL as one text), readable.
        manifest.FormatVersion = ArchiveManifest.UnsealedFormatVersion;
        foreach (var entry in manifest.Entries)
        {
            entry.Definition = string.Concat(entry.Statements);
            entry.Statements = [];
        }
        var archive = await WriteArchiveAsync("older", manifest, key: null);

        (await ReadJsonAsync(archive))["formatVersion"]!.GetValue<int>().Should().Be(1);
        (await ArchiveReader.ReadManifestAsync(archive, Passphrase, CancellationToken.None)).Entries.Should().HaveCount(2);
        (await ReadFailsAsync(archive, passphrase: null)).Message.Should().Contain("encrypted: give its passphrase");
        (await ArchiveVerifier.VerifyAsync(archive)).Passed.Should().BeFalse();
    }

    [Fact]
    public async Task A_passphrase_given_for_an_unencrypted_archive_is_refused()
    {
        // Otherwise anyone could replace an encrypted archive by an unencrypted one holding their own DDL.
        var (manifest, _) = EncryptedManifest();
        manifest.Encryption = null;
        var archive = await WriteArchiveAsync("stripped", manifest, null);

        (await ReadFailsAsync(archive)).Message.Should().Contain("not encrypted, but a passphrase was given");
    }

    [Fact]
    public void The_associated_data_encodes_each_field_with_its_length()
    {
        var (a, _) = EncryptedManifest();
        var b = Header(a, "");
        a.Tool = "ab";
        a.ToolVersion = "c";
        b.Tool = "a";
        b.ToolVersion = "bc";

        ManifestSeal.Header(a).Should().NotEqual(ManifestSeal.Header(b));
        Encoding.UTF8.GetString(ManifestSeal.Header(a)).Should().Contain("FactoryPulse.Dump sealed manifest");
    }

    /// <summary>The clear header of <paramref name="header"/> with <paramref name="inner"/> sealed under it: what a writer that disagrees with itself would produce.</summary>
    private static ArchiveManifest SealedUnder(ArchiveManifest header, byte[] key, byte[] plaintext)
    {
        header.Sealed = Convert.ToBase64String(Encryption.SealMessage(Encryption.ManifestKey(key), plaintext, ManifestSeal.Header(header)));
        return header;
    }

    private static byte[] Json(ArchiveManifest manifest) => JsonSerializer.SerializeToUtf8Bytes(manifest, ArchiveManifest.JsonOptions);

    public static TheoryData<string> SealedCopyChanges() =>
    [
        "formatVersion", "complete", "tool", "toolVersion", "no encryption", "algorithm", "keyDerivation", "iterations", "salt", "keyCheck", "sealed",
    ];

    [Theory]
    [MemberData(nameof(SealedCopyChanges))]
    public void A_sealed_copy_that_differs_from_its_authenticated_header_in_one_field_is_refused(string field)
    {
        var (manifest, key) = EncryptedManifest();
        var header = Header(manifest, "");
        var inner = EncryptedManifest().Manifest;
        inner.Encryption = Header(manifest, "").Encryption;
        inner.FormatVersion = manifest.FormatVersion;
        var encryption = inner.Encryption!;
        switch (field)
        {
            case "formatVersion": inner.FormatVersion = 3; break;
            case "complete": inner.Complete = false; break;
            case "tool": inner.Tool = "FactoryPulse.Dump2"; break;
            case "toolVersion": inner.ToolVersion = "0.1.1"; break;
            case "no encryption": inner.Encryption = null; break;
            case "algorithm": encryption.Algorithm = "aes-128-gcm"; break;
            case "keyDerivation": encryption.KeyDerivation = "scrypt"; break;
            case "iterations": encryption.Iterations = Rounds + 1; break;
            case "salt": encryption.Salt = Convert.ToHexString(Encryption.NewSalt()); break;
            case "keyCheck": encryption.KeyCheck = "00"; break;
            case "sealed": inner.Sealed = "AAAA"; break;
        }

        var act = () => ManifestSeal.Open(SealedUnder(header, key, Json(inner)), Passphrase, "a/manifest.json");

        act.Should().Throw<ArchiveException>().Which.Message.Should().Be("a/manifest.json: the sealed table of contents does not match the manifest's header.");
    }

    [Fact]
    public void A_sealed_copy_equal_to_its_header_opens_with_the_header_s_opened_key()
    {
        var (manifest, key) = EncryptedManifest();
        var header = Header(manifest, "");
        var inner = EncryptedManifest().Manifest;
        inner.Encryption = Header(manifest, "").Encryption;

        var opened = ManifestSeal.Open(SealedUnder(header, key, Json(inner)), Passphrase, "a/manifest.json");

        opened.Entries.Should().HaveCount(2);
        opened.Encryption.Should().BeSameAs(header.Encryption);
        opened.Encryption!.ManifestSealed.Should().BeTrue();
        opened.Encryption.KeyFrom(Passphrase).Should().Equal(key);
    }

    [Fact]
    public void A_sealed_part_holding_json_null_or_no_manifest_is_refused()
    {
        var (manifest, key) = EncryptedManifest();

        var holdingNull = () => ManifestSeal.Open(SealedUnder(Header(manifest, ""), key, "null"u8.ToArray()), Passphrase, "a/manifest.json");
        holdingNull.Should().Throw<ArchiveException>().Which.Message.Should().Be("a/manifest.json: the sealed table of contents does not match the manifest's header.");

        var holdingText = () => ManifestSeal.Open(SealedUnder(Header(manifest, ""), key, "[1, 2]"u8.ToArray()), Passphrase, "a/manifest.json");
        var refused = holdingText.Should().Throw<ArchiveException>().Which;
        refused.Message.Should().StartWith("a/manifest.json: the sealed table of contents is not a manifest: ");
        refused.InnerException.Should().BeAssignableTo<JsonException>();
    }

    [Fact]
    public void A_sealed_part_that_is_not_base64_is_refused_with_the_format_error_as_cause()
    {
        var (manifest, _) = EncryptedManifest();

        var act = () => ManifestSeal.Open(Header(manifest, "not base64!"), Passphrase, "a/manifest.json");

        var refused = act.Should().Throw<ArchiveException>().Which;
        refused.Message.Should().Be("a/manifest.json: the sealed table of contents is damaged (not base64).");
        refused.InnerException.Should().BeOfType<FormatException>();
    }

    [Fact]
    public void Opening_needs_encryption_parameters_a_sealed_part_and_format_version_two()
    {
        var (manifest, _) = EncryptedManifest();

        var noParameters = Header(manifest, "AAAA");
        noParameters.Encryption = null;
        var open = () => ManifestSeal.Open(noParameters, Passphrase, "a/manifest.json");
        open.Should().Throw<ArchiveException>().Which.Message.Should().Be("a/manifest.json holds a sealed table of contents but no encryption parameters.");

        var formatOne = Header(manifest, "AAAA");
        formatOne.FormatVersion = 1;
        open = () => ManifestSeal.Open(formatOne, Passphrase, "a/manifest.json");
        open.Should().Throw<ArchiveException>().Which.Message.Should().Be("a/manifest.json holds a sealed table of contents under format version 1, which has none.");

        var noSealedPart = Header(manifest, "AAAA");
        noSealedPart.Sealed = null;
        open = () => ManifestSeal.Open(noSealedPart, Passphrase, "a/manifest.json");
        open.Should().Throw<ArchiveException>().Which.Message.Should().Be("a/manifest.json is an encrypted manifest of format version 2 without its sealed table of contents.");
    }

    [Theory]
    [InlineData(true, false, 1, true)]
    [InlineData(false, true, 2, true)]
    [InlineData(false, true, 3, true)]
    [InlineData(false, true, 1, false)]
    [InlineData(false, false, 2, false)]
    public void A_manifest_is_sealed_when_it_has_a_sealed_part_or_encryption_from_format_two_on(bool sealedPart, bool encrypted, int formatVersion, bool expected)
    {
        var (manifest, _) = EncryptedManifest();
        var outer = Header(manifest, sealedPart ? "AAAA" : "");
        outer.Sealed = sealedPart ? "AAAA" : null;
        outer.Encryption = encrypted ? outer.Encryption : null;
        outer.FormatVersion = formatVersion;

        ManifestSeal.IsSealed(outer).Should().Be(expected);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    public void Sealing_raises_the_format_version_to_two_and_never_lowers_it(int before, int after)
    {
        var (manifest, key) = EncryptedManifest();
        manifest.FormatVersion = before;
        manifest.Sealed = "left over";

        var json = JsonNode.Parse(ManifestSeal.Seal(manifest, key))!.AsObject();

        manifest.FormatVersion.Should().Be(after);
        json["formatVersion"]!.GetValue<int>().Should().Be(after);
        var opened = ManifestSeal.Open(JsonSerializer.Deserialize<ArchiveManifest>(json.ToJsonString(), ArchiveManifest.JsonOptions)!, Passphrase, "m");
        opened.FormatVersion.Should().Be(after);
        opened.Sealed.Should().BeNull();
    }

    [Fact]
    public void Sealing_a_manifest_without_encryption_parameters_is_a_programming_error()
    {
        var (manifest, key) = EncryptedManifest();
        manifest.Encryption = null;

        var act = () => ManifestSeal.Seal(manifest, key);

        act.Should().Throw<InvalidOperationException>().WithMessage("Only a manifest with encryption parameters can be sealed.");
    }

    [Fact]
    public void The_clear_header_repeats_the_manifest_s_fields_and_the_encryption_parameters()
    {
        var (manifest, key) = EncryptedManifest();
        manifest.Complete = false;

        var json = JsonNode.Parse(ManifestSeal.Seal(manifest, key))!.AsObject();

        json["tool"]!.GetValue<string>().Should().Be("FactoryPulse.Dump");
        json["toolVersion"]!.GetValue<string>().Should().Be("0.1.0");
        json["complete"]!.GetValue<bool>().Should().BeFalse();
        var encryption = json["encryption"]!.AsObject();
        encryption.Select(property => property.Key).Should().Equal("algorithm", "keyDerivation", "iterations", "salt", "keyCheck");
        encryption["algorithm"]!.GetValue<string>().Should().Be(Encryption.Algorithm);
        encryption["keyDerivation"]!.GetValue<string>().Should().Be(Encryption.KeyDerivation);
        encryption["iterations"]!.GetValue<int>().Should().Be(Rounds);
        encryption["salt"]!.GetValue<string>().Should().Be(manifest.Encryption!.Salt);
        encryption["keyCheck"]!.GetValue<string>().Should().Be(manifest.Encryption.KeyCheck);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_associated_data_is_the_label_and_each_header_field_length_prefixed_in_order(bool complete)
    {
        var manifest = new ArchiveManifest
        {
            FormatVersion = 12,
            ToolVersion = "0.1.0",
            Complete = complete,
            Encryption = new EncryptionInfo { Algorithm = "a", KeyDerivation = "kd", Iterations = 1000, Salt = "5A", KeyCheck = "Ä" },
        };
        var expected = new MemoryStream();
        foreach (var field in new[] { "FactoryPulse.Dump sealed manifest", "12", "FactoryPulse.Dump", "0.1.0", "a", "kd", "1000", "5A", "Ä", complete ? "true" : "false" })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            expected.Write([0, 0, (byte)(bytes.Length >> 8), (byte)bytes.Length]);
            expected.Write(bytes);
        }

        ManifestSeal.Header(manifest).Should().Equal(expected.ToArray());
    }

    [Fact]
    public void A_missing_header_text_encodes_as_an_empty_one()
    {
        // A header read with "toolVersion": null still gets associated data (and then fails the seal like any change).
        var (manifest, _) = EncryptedManifest();
        var empty = Header(manifest, "");
        empty.ToolVersion = "";
        var missing = Header(manifest, "");
        missing.ToolVersion = null!;

        ManifestSeal.Header(missing).Should().Equal(ManifestSeal.Header(empty));
    }

    [Fact]
    public void The_clear_header_is_written_indented_like_a_readable_manifest()
    {
        // Whoever opens manifest.json without the passphrase reads the header line by line.
        var (manifest, key) = EncryptedManifest();

        var text = Encoding.UTF8.GetString(ManifestSeal.Seal(manifest, key));

        text.Should().StartWith(string.Join(Environment.NewLine, "{", "  \"formatVersion\": 2,", "  \"tool\": \"FactoryPulse.Dump\",", "  \"toolVersion\": \"0.1.0\",", "  \"encryption\": {", "    \"algorithm\": \"aes-256-gcm\","));
    }
}
