using FactoryPulse.Dump.Archive;

namespace FactoryPulse.Dump.Tests;

/// <summary>
/// <see cref="EncryptionInfo.KeyFrom"/> on its own: which parameters this version reads, which salts it accepts, the key
/// check of each manifest form, and the opened key kept for the same passphrase only.
/// </summary>
public sealed class EncryptionKeyOpeningTests
{
    private const string Passphrase = "correct horse battery staple";
    private const int Rounds = 1000; // any count up to the bound reads; the default 600 000 would slow these tests

    private static EncryptionInfo Info(byte[] salt, int rounds = Rounds, bool sealedManifest = true, string? keyCheckFor = Passphrase)
    {
        var key = Encryption.DeriveKey(keyCheckFor ?? Passphrase, salt, Math.Max(rounds, 1));
        return new EncryptionInfo
        {
            Algorithm = Encryption.Algorithm,
            KeyDerivation = Encryption.KeyDerivation,
            Iterations = rounds,
            Salt = Convert.ToHexString(salt),
            KeyCheck = sealedManifest ? Encryption.KeyCheck(key) : Encryption.UnsealedKeyCheck(key),
            ManifestSealed = sealedManifest,
        };
    }

    private static byte[] Salt(int length)
    {
        var salt = new byte[length];
        for (var i = 0; i < length; i++)
            salt[i] = (byte)(0xA0 + i);
        return salt;
    }

    private static ArchiveException Refused(EncryptionInfo info, string? passphrase = Passphrase)
    {
        var act = () => info.KeyFrom(passphrase);
        return act.Should().Throw<ArchiveException>().Which;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_missing_passphrase_is_refused_asking_for_it(string? passphrase)
    {
        Refused(Info(Salt(16)), passphrase).Message.Should().StartWith("The archive is encrypted: give its passphrase");
    }

    [Theory]
    [InlineData("aes-128-gcm", Encryption.KeyDerivation, Rounds, "aes-128-gcm/pbkdf2-sha256 (1000 rounds)")]
    [InlineData(Encryption.Algorithm, "scrypt", Rounds, "aes-256-gcm/scrypt (1000 rounds)")]
    [InlineData(Encryption.Algorithm, Encryption.KeyDerivation, 0, "aes-256-gcm/pbkdf2-sha256 (0 rounds)")]
    [InlineData(Encryption.Algorithm, Encryption.KeyDerivation, -5, "aes-256-gcm/pbkdf2-sha256 (-5 rounds)")]
    [InlineData(Encryption.Algorithm, Encryption.KeyDerivation, Encryption.MaxIterations + 1, "aes-256-gcm/pbkdf2-sha256 (10000001 rounds)")]
    public void Parameters_this_version_does_not_read_are_refused_naming_them(string algorithm, string keyDerivation, int rounds, string named)
    {
        var info = Info(Salt(16));
        info.Algorithm = algorithm;
        info.KeyDerivation = keyDerivation;
        info.Iterations = rounds;

        Refused(info).Message.Should().Be($"The archive is encrypted with {named}, which this version does not read.");
    }

    [Fact]
    public void One_round_is_the_fewest_that_reads()
    {
        var salt = Salt(16);

        Info(salt, rounds: 1).KeyFrom(Passphrase).Should().Equal(Encryption.DeriveKey(Passphrase, salt, 1));
    }

    [Fact]
    public void The_largest_round_count_is_read_and_the_salt_checked_next()
    {
        // Deriving ten million rounds would take seconds: a salt too short shows the round count got past its check.
        var info = Info(Salt(16));
        info.Iterations = Encryption.MaxIterations;
        info.Salt = Convert.ToHexString(Salt(7));

        Refused(info).Message.Should().Be("The archive's encryption salt is damaged (too short).");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void A_salt_shorter_than_eight_bytes_is_refused(int length)
    {
        var info = Info(Salt(16));
        info.Salt = Convert.ToHexString(Salt(length));

        Refused(info).Message.Should().Be("The archive's encryption salt is damaged (too short).");
    }

    [Fact]
    public void An_eight_byte_salt_is_read()
    {
        var salt = Salt(8);

        Info(salt).KeyFrom(Passphrase).Should().Equal(Encryption.DeriveKey(Passphrase, salt, Rounds));
    }

    [Theory]
    [InlineData("not hex")]
    [InlineData("A0A1A2A3A4A5A6A7A")]
    public void A_salt_that_is_not_hex_is_refused_with_the_format_error_as_cause(string salt)
    {
        var info = Info(Salt(16));
        info.Salt = salt;

        var refused = Refused(info);

        refused.Message.Should().Be("The archive's encryption salt is damaged.");
        refused.InnerException.Should().BeOfType<FormatException>();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_key_check_of_each_manifest_form_opens_only_that_form(bool sealedManifest)
    {
        var salt = Salt(16);
        var info = Info(salt, sealedManifest: sealedManifest);

        info.KeyFrom(Passphrase).Should().Equal(Encryption.DeriveKey(Passphrase, salt, Rounds));

        var otherForm = Info(salt, sealedManifest: sealedManifest);
        otherForm.ManifestSealed = !sealedManifest;
        Refused(otherForm).Message.Should().Be("The passphrase does not open this archive.");
    }

    [Fact]
    public void A_wrong_passphrase_is_refused()
    {
        Refused(Info(Salt(16)), "correct horse battery stapler").Message.Should().Be("The passphrase does not open this archive.");
    }

    [Fact]
    public void The_opened_key_is_kept_for_the_same_passphrase_and_no_other()
    {
        var info = Info(Salt(16));

        var opened = info.KeyFrom(Passphrase);

        // The restore asks again after the reader opened the manifest: the same key comes back, not a second derivation.
        info.KeyFrom(Passphrase).Should().BeSameAs(opened);
        Refused(info, "Correct horse battery staple").Message.Should().Be("The passphrase does not open this archive.");
        Refused(info, null).Message.Should().StartWith("The archive is encrypted: give its passphrase");
        info.KeyFrom(Passphrase).Should().BeSameAs(opened);
    }

    [Fact]
    public void A_key_opened_once_does_not_open_for_a_passphrase_that_fails_the_check()
    {
        // A first call with the wrong passphrase keeps nothing: the right one still opens, and the wrong one still fails.
        var info = Info(Salt(16));

        Refused(info, "guess").Message.Should().Be("The passphrase does not open this archive.");
        var opened = info.KeyFrom(Passphrase);
        Refused(info, "guess").Message.Should().Be("The passphrase does not open this archive.");
        opened.Should().Equal(Encryption.DeriveKey(Passphrase, Salt(16), Rounds));
    }
}
