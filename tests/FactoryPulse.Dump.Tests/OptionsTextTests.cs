namespace FactoryPulse.Dump.Tests;

/// <summary>
/// An options record printed into a log (string interpolation, structured logging) never shows a password or a passphrase,
/// and still shows every other member: the records' generated ToString printed both secrets verbatim.
/// </summary>
public sealed class OptionsTextTests
{
    private const string Password = "s3cr3t-pw";
    private const string Passphrase = "correct horse battery";
    private const string Connection = "Host=db.example;Username=app;Password=" + Password + ";Database=shop";

    public static TheoryData<string, object> Options() => new()
    {
        { "DumpOptions", new DumpOptions { ConnectionString = Connection, OutputPath = "/backups/a", EncryptionPassphrase = Passphrase } },
        { "RestoreOptions", new RestoreOptions { ConnectionString = Connection, InputPath = "/backups/a", EncryptionPassphrase = Passphrase } },
        { "CopyOptions", new CopyOptions { SourceConnectionString = Connection, TargetConnectionString = Connection.Replace("shop", "copy", StringComparison.Ordinal) } },
        { "BackupSetOptions", new BackupSetOptions { ConnectionString = Connection, Directory = "/backups", RestoreCheckConnectionString = Connection, Dump = new DumpOptions { OutputPath = "/a", EncryptionPassphrase = Passphrase } } },
        { "VerifyOptions", new VerifyOptions { ConnectionString = Connection, EncryptionPassphrase = Passphrase } },
        { "RestoreCheckServer", new RestoreCheckServer { ConnectionString = Connection, Description = "scratch" } },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void ToString_hides_the_password_and_the_passphrase_and_names_every_member(string type, object options)
    {
        var text = options.ToString()!;

        text.Should().StartWith(type + " { ");
        text.Should().NotContain(Password).And.NotContain(Passphrase);
        text.Should().Contain("Password=" + OptionsText.Hidden);
        text.Should().Contain("Host=db.example", "the rest of the connection string still helps whoever reads the log");
        foreach (var property in options.GetType().GetProperties())
            text.Should().Contain(property.Name + " = ", "the record printed every member before secrets were hidden");
    }

    [Fact]
    public void A_passphrase_is_hidden_but_an_absent_one_prints_empty()
    {
        new DumpOptions { OutputPath = "/a", EncryptionPassphrase = Passphrase }.ToString().Should().Contain("EncryptionPassphrase = (hidden)");
        new DumpOptions { OutputPath = "/a" }.ToString().Should().Contain("EncryptionPassphrase = ,");
    }

    [Theory]
    [InlineData("Host=db;Password=x", "Host=db;Password=(hidden)")]
    [InlineData("Host=db;Username=app", "Host=db;Username=app")]
    [InlineData("Host=db;Password", "(hidden)")]
    public void A_connection_string_keeps_everything_but_its_password(string given, string printed) =>
        OptionsText.WithoutPassword(given).Should().Be(printed);
}
