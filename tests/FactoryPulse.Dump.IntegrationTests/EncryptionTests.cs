using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

public sealed class EncryptionTests(SmallDatabase source) : IClassFixture<SmallDatabase>, IDisposable
{
    private const string Passphrase = "correct horse battery staple";

    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-enc-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    private async Task<string> EncryptedArchiveAsync(string name, int jobs = 1)
    {
        var archive = Path.Combine(_workDirectory, name);
        await DatabaseDumper.DumpAsync(new DumpOptions
        {
            ConnectionString = source.ConnectionString,
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
        var archive = await EncryptedArchiveAsync("tampered");
        var manifestPath = Path.Combine(archive, "manifest.json");
        var file = Directory.GetFiles(Path.Combine(archive, "data")).OrderByDescending(path => new FileInfo(path).Length).First();
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0x20;
        await File.WriteAllBytesAsync(file, bytes);
        // An attacker who also fixes the manifest's checksum still cannot forge the authentication tags.
        var hasher = new System.IO.Hashing.XxHash3();
        hasher.Append(bytes);
        var manifest = await File.ReadAllTextAsync(manifestPath);
        var relative = "data/" + Path.GetFileName(file);
        var at = manifest.IndexOf($"\"file\": \"{relative}\"", StringComparison.Ordinal);
        var checksumAt = manifest.IndexOf("\"checksum\": \"", at, StringComparison.Ordinal) + "\"checksum\": \"".Length;
        var checksumEnd = manifest.IndexOf('"', checksumAt);
        manifest = manifest[..checksumAt] + "xxh3-64:" + hasher.GetCurrentHashAsUInt64().ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + manifest[checksumEnd..];
        await File.WriteAllTextAsync(manifestPath, manifest);
        var target = await source.Server.CreateDatabaseAsync("tampered");

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, EncryptionPassphrase = Passphrase, SingleTransaction = true });

        (await act.Should().ThrowAsync<ArchiveException>()).Which.Message.Should().Contain("failed authentication");
    }
}
