namespace FactoryPulse.Dump.Tests;

/// <summary>Every rule of the options' Validate(): the ArgumentException family, naming the property that is wrong.</summary>
public sealed class OptionsValidationTests
{
    private static readonly DumpOptions ValidDump = new() { ConnectionString = "Host=db", OutputPath = "/backups/archive" };
    private static readonly RestoreOptions ValidRestore = new() { ConnectionString = "Host=db", InputPath = "/backups/archive" };
    private static readonly BackupSetOptions ValidSet = new() { ConnectionString = "Host=db", Directory = "/backups" };

    private static void ShouldReject<TException>(Action validate, string parameter)
        where TException : ArgumentException
    {
        var error = validate.Should().Throw<TException>().Which;
        error.ParamName.Should().Be(parameter);
        error.Message.Should().NotContain("\n", "the CLI prints it as one line");
    }

    [Fact]
    public void Defaults_and_an_empty_connection_string_are_valid()
    {
        ValidDump.Validate();
        (ValidDump with { ConnectionString = "" }).Validate();
        ValidRestore.Validate();
        ValidSet.Validate();
        new VerifyOptions().Validate();
    }

    [Fact]
    public void Restore_rejects_an_empty_database_name_to_create_and_creating_one_for_a_data_only_restore()
    {
        ShouldReject<ArgumentException>((ValidRestore with { CreateDatabaseName = " " }).Validate, nameof(RestoreOptions.CreateDatabaseName));
        ShouldReject<ArgumentException>((ValidRestore with { CreateDatabaseName = "shop_copy", DataOnly = true }).Validate, nameof(RestoreOptions.DataOnly));
        ShouldReject<ArgumentException>((ValidRestore with { CreateDatabase = true, DataOnly = true }).Validate, nameof(RestoreOptions.DataOnly));
        (ValidRestore with { CreateDatabaseName = "shop_copy" }).Validate();
    }

    [Fact]
    public void Dump_accepts_every_documented_setting_together()
    {
        (ValidDump with
        {
            Jobs = 8,
            Compression = DataCompression.Gzip,
            CompressionLevel = 9,
            ChunkSizeBytes = 8192,
            Sections = ["pre-data", "data", "post-data"],
            Redact = ["public.users.email", "public.users.name=anonymous"],
            EncryptionPassphrase = "secret",
            SchemaOnly = true,
        }).Validate();
        (ValidDump with { Compression = DataCompression.Zstd, CompressionLevel = 22 }).Validate();
        (ValidDump with { Format = ArchiveFormat.Plain, EncryptionPassphrase = "" }).Validate();
    }

    public static TheoryData<string, string> InvalidDumps => new()
    {
        { "schema-only and data-only", nameof(DumpOptions.DataOnly) },
        { "jobs 0", nameof(DumpOptions.Jobs) },
        { "jobs -1", nameof(DumpOptions.Jobs) },
        { "chunk size 0", nameof(DumpOptions.ChunkSizeBytes) },
        { "negative compression level", nameof(DumpOptions.CompressionLevel) },
        { "zstd level 23", nameof(DumpOptions.CompressionLevel) },
        { "gzip level 10", nameof(DumpOptions.CompressionLevel) },
        { "a level without compression", nameof(DumpOptions.CompressionLevel) },
        { "unknown compression", nameof(DumpOptions.Compression) },
        { "unknown format", nameof(DumpOptions.Format) },
        { "unknown profile", nameof(DumpOptions.Profile) },
        { "encrypted plain script", nameof(DumpOptions.EncryptionPassphrase) },
        { "unknown section", nameof(DumpOptions.Sections) },
        { "redaction rule without a table", nameof(DumpOptions.Redact) },
        { "redaction rule with four parts", nameof(DumpOptions.Redact) },
        { "empty schema pattern", nameof(DumpOptions.Schemas) },
        { "empty output path", nameof(DumpOptions.OutputPath) },
    };

    private static DumpOptions InvalidDump(string rule) => rule switch
    {
        "schema-only and data-only" => ValidDump with { SchemaOnly = true, DataOnly = true },
        "jobs 0" => ValidDump with { Jobs = 0 },
        "jobs -1" => ValidDump with { Jobs = -1 },
        "chunk size 0" => ValidDump with { ChunkSizeBytes = 0 },
        "negative compression level" => ValidDump with { CompressionLevel = -1 },
        "zstd level 23" => ValidDump with { Compression = DataCompression.Zstd, CompressionLevel = 23 },
        "gzip level 10" => ValidDump with { Compression = DataCompression.Gzip, CompressionLevel = 10 },
        "a level without compression" => ValidDump with { Compression = DataCompression.None, CompressionLevel = 3 },
        "unknown compression" => ValidDump with { Compression = (DataCompression)42 },
        "unknown format" => ValidDump with { Format = (ArchiveFormat)42 },
        "unknown profile" => ValidDump with { Profile = (DumpProfile)42 },
        "encrypted plain script" => ValidDump with { Format = ArchiveFormat.Plain, EncryptionPassphrase = "secret" },
        "unknown section" => ValidDump with { Sections = ["pre-data", "predata"] },
        "redaction rule without a table" => ValidDump with { Redact = ["users.email"] },
        "redaction rule with four parts" => ValidDump with { Redact = ["db.public.users.email=x"] },
        "empty schema pattern" => ValidDump with { Schemas = ["public", " "] },
        "empty output path" => ValidDump with { OutputPath = " " },
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    [Theory]
    [MemberData(nameof(InvalidDumps))]
    public void Invalid_dump_options_are_rejected_naming_the_property(string rule, string property) =>
        ShouldReject<ArgumentException>(() => InvalidDump(rule).Validate(), property);

    [Fact]
    public void Out_of_range_numbers_are_ArgumentOutOfRangeException()
    {
        ShouldReject<ArgumentOutOfRangeException>(() => (ValidDump with { Jobs = 0 }).Validate(), nameof(DumpOptions.Jobs));
        ShouldReject<ArgumentOutOfRangeException>(() => (ValidDump with { CompressionLevel = -5 }).Validate(), nameof(DumpOptions.CompressionLevel));
        ShouldReject<ArgumentOutOfRangeException>(() => (ValidRestore with { Jobs = 0 }).Validate(), nameof(RestoreOptions.Jobs));
        ShouldReject<ArgumentOutOfRangeException>(() => (ValidSet with { Keep = 0 }).Validate(), nameof(BackupSetOptions.Keep));
    }

    [Fact]
    public void A_missing_list_is_ArgumentNullException()
    {
        ShouldReject<ArgumentNullException>(() => (ValidDump with { Tables = null! }).Validate(), nameof(DumpOptions.Tables));
        ShouldReject<ArgumentNullException>(() => (ValidRestore with { RoleMap = null! }).Validate(), nameof(RestoreOptions.RoleMap));
        ShouldReject<ArgumentNullException>(() => new VerifyOptions { RequireData = null! }.Validate(), nameof(VerifyOptions.RequireData));
    }

    public static TheoryData<string, string> InvalidRestores => new()
    {
        { "schema-only and data-only", nameof(RestoreOptions.DataOnly) },
        { "clean and data-only", nameof(RestoreOptions.Clean) },
        { "if-exists without clean", nameof(RestoreOptions.IfExists) },
        { "jobs 0", nameof(RestoreOptions.Jobs) },
        { "unknown cycle strategy", nameof(RestoreOptions.ForeignKeyCycles) },
        { "empty list file", nameof(RestoreOptions.UseListFile) },
        { "unknown section", nameof(RestoreOptions.Sections) },
        { "empty table pattern", nameof(RestoreOptions.Tables) },
        { "role mapped to nothing", nameof(RestoreOptions.RoleMap) },
        { "empty input path", nameof(RestoreOptions.InputPath) },
    };

    private static RestoreOptions InvalidRestore(string rule) => rule switch
    {
        "schema-only and data-only" => ValidRestore with { SchemaOnly = true, DataOnly = true },
        "clean and data-only" => ValidRestore with { Clean = true, DataOnly = true },
        "if-exists without clean" => ValidRestore with { IfExists = true },
        "jobs 0" => ValidRestore with { Jobs = 0 },
        "unknown cycle strategy" => ValidRestore with { ForeignKeyCycles = (ForeignKeyCycleStrategy)42 },
        "empty list file" => ValidRestore with { UseListFile = "" },
        "unknown section" => ValidRestore with { Sections = ["post_data"] },
        "empty table pattern" => ValidRestore with { Tables = [""] },
        "role mapped to nothing" => ValidRestore with { RoleMap = new Dictionary<string, string> { ["anon"] = "" } },
        "empty input path" => ValidRestore with { InputPath = "" },
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    [Theory]
    [MemberData(nameof(InvalidRestores))]
    public void Invalid_restore_options_are_rejected_naming_the_property(string rule, string property) =>
        ShouldReject<ArgumentException>(() => InvalidRestore(rule).Validate(), property);

    [Fact]
    public void Restore_accepts_clean_with_if_exists_and_a_role_map()
    {
        (ValidRestore with
        {
            Clean = true,
            IfExists = true,
            Jobs = 4,
            Sections = ["pre-data"],
            RoleMap = new Dictionary<string, string> { ["anon"] = "web_anon" },
            UseListFile = "/tmp/list.txt",
        }).Validate();
        (ValidRestore with { DataOnly = true, ForeignKeyCycles = ForeignKeyCycleStrategy.ReplicationRole }).Validate();
    }

    public static TheoryData<string, string> InvalidSets => new()
    {
        { "keep 0", nameof(BackupSetOptions.Keep) },
        { "empty directory", nameof(BackupSetOptions.Directory) },
        { "prefix with a slash", nameof(BackupSetOptions.Prefix) },
        { "prefix with dots", nameof(BackupSetOptions.Prefix) },
        { "encrypted plain files", nameof(BackupSetOptions.Plain) },
        { "dump jobs 0", "Dump.Jobs" },
        { "dump unknown section", "Dump.Sections" },
    };

    private static BackupSetOptions InvalidSet(string rule) => rule switch
    {
        "keep 0" => ValidSet with { Keep = 0 },
        "empty directory" => ValidSet with { Directory = "" },
        "prefix with a slash" => ValidSet with { Prefix = "factory/pulse" },
        "prefix with dots" => ValidSet with { Prefix = "..factory" },
        "encrypted plain files" => ValidSet with { Plain = true, Dump = ValidDump with { EncryptionPassphrase = "secret" } },
        "dump jobs 0" => ValidSet with { Dump = ValidDump with { Jobs = 0 } },
        "dump unknown section" => ValidSet with { Dump = ValidDump with { Sections = ["all"] } },
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    [Theory]
    [MemberData(nameof(InvalidSets))]
    public void Invalid_backup_set_options_are_rejected_naming_the_property(string rule, string property) =>
        ShouldReject<ArgumentException>(() => InvalidSet(rule).Validate(), property);

    [Fact]
    public void A_set_ignores_the_dump_settings_it_decides_itself()
    {
        // The set writes complete, schema and data archives in directory format whatever Dump says.
        (ValidSet with { Dump = ValidDump with { SchemaOnly = true, DataOnly = true, Format = ArchiveFormat.Plain, EncryptionPassphrase = "secret" } }).Validate();
    }

    [Theory]
    [InlineData("")]
    [InlineData("users")]
    public void Verification_requires_data_of_schema_qualified_tables(string table) =>
        ShouldReject<ArgumentException>(() => new VerifyOptions { RequireData = ["public.orders", table] }.Validate(), nameof(VerifyOptions.RequireData));

    [Fact]
    public async Task Entry_points_reject_invalid_options_before_they_start()
    {
        // Port 1 on loopback: nothing listens, so a connection attempt would fail with a ServerConnectionException instead.
        const string Nowhere = "Host=127.0.0.1;Port=1;Timeout=1";
        var missing = Path.Combine(Path.GetTempPath(), "fpdump-never-" + Guid.NewGuid().ToString("N"));

        await FluentActions.Awaiting(() => DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = Nowhere, OutputPath = missing, Jobs = 0 }))
            .Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(() => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = Nowhere, InputPath = missing, Sections = ["bogus"] }))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => DatabaseRestorer.ListAsync(" "))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => ArchiveVerifier.VerifyAsync("", null))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => ArchiveVerifier.SummarizeAsync(""))
            .Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => BackupSet.CreateAsync(new BackupSetOptions { ConnectionString = Nowhere, Directory = missing, Keep = 0 }))
            .Should().ThrowAsync<ArgumentOutOfRangeException>();
        Directory.Exists(missing).Should().BeFalse("nothing was created");
    }

    [Fact]
    public async Task Entry_points_type_what_escapes_them_a_missing_archive_included()
    {
        var missing = Path.Combine(Path.GetTempPath(), "fpdump-never-" + Guid.NewGuid().ToString("N"));

        await FluentActions.Awaiting(() => DatabaseRestorer.ListAsync(missing)).Should().ThrowAsync<ArchiveException>();
        await FluentActions.Awaiting(() => ArchiveVerifier.SummarizeAsync(missing)).Should().ThrowAsync<ArchiveException>();
        (await ArchiveVerifier.VerifyAsync(missing)).Passed.Should().BeFalse();
    }
}
