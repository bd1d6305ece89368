using System.Text.Json;
using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>
/// The database the committed format-1 archives were dumped from: Fixtures/format1/source.sql loaded with psql (as the archives'
/// source was) into a fresh database on the shared test server. The script also creates the roles the archives name.
/// </summary>
public sealed class Format1SourceDatabase : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await SharedPostgresServer.GetAsync();
        ConnectionString = await Server.CreateDatabaseAsync("format1_src");
        await ExternalTool.PsqlFileAsync(ConnectionString, ArchiveCompatibilityTests.FixturePath("source.sql"));
    }

    public Task DisposeAsync() => Server.DropDatabaseAsync(Db.DatabaseOf(ConnectionString));
}

/// <summary>
/// Archives written by format version 1 (the code before the typed manifest of issue 12) must keep restoring, listing and summarizing
/// after the manifest changes. Fixtures/format1/archive and archive-encrypted were written once by `fpdump dump` of that code (default
/// options, zstd; the second with --encrypt) from Fixtures/format1/source.sql on PostgreSQL 15 and are committed as they came out:
/// never rewrite them with newer code, or they stop proving anything (see Fixtures/format1/README.md).
/// </summary>
public sealed class ArchiveCompatibilityTests(Format1SourceDatabase source) : IClassFixture<Format1SourceDatabase>
{
    /// <summary>Passphrase the encrypted fixture was written with.</summary>
    private const string Passphrase = "format1-fixture";

    private const string PlainArchive = "archive";
    private const string EncryptedArchive = "archive-encrypted";

    internal static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "format1", name);

    public static TheoryData<string, int> ArchivesAndJobs => new()
    {
        { PlainArchive, 2 },
        { EncryptedArchive, 1 },
        { EncryptedArchive, 2 },
    };

    [Fact]
    public void The_committed_archives_are_format_1_and_were_not_rewritten()
    {
        foreach (var archive in new[] { PlainArchive, EncryptedArchive })
        {
            using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(FixturePath(archive), "manifest.json")));
            var root = manifest.RootElement;
            root.GetProperty("formatVersion").GetInt32().Should().Be(1, $"{archive} is the format-1 compatibility fixture");
            root.GetProperty("toolVersion").GetString().Should().Be("0.0.0-alpha.0.59", $"{archive} must stay as format-1 code wrote it");
            root.GetProperty("serverVersionNumber").GetInt32().Should().Be(150018);
            root.GetProperty("entries").GetArrayLength().Should().Be(50);
        }
    }

    [Fact]
    public async Task An_archive_written_by_format_1_restores_exactly()
    {
        var target = await source.Server.CreateDatabaseAsync("format1_plain");

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = FixturePath(PlainArchive) });

        report.TotalRows.Should().Be(13);
        report.Errors.Should().BeEmpty();
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    [Theory]
    [MemberData(nameof(ArchivesAndJobs))]
    public async Task An_archive_written_by_format_1_restores_exactly_encrypted_or_with_two_jobs(string archive, int jobs)
    {
        var target = await source.Server.CreateDatabaseAsync($"format1_{(archive == PlainArchive ? "p" : "e")}{jobs}");

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions
        {
            ConnectionString = target,
            InputPath = FixturePath(archive),
            EncryptionPassphrase = archive == EncryptedArchive ? Passphrase : null,
            Jobs = jobs,
        });

        report.TotalRows.Should().Be(13);
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
        (await Db.ScalarAsync<string>(target, "SELECT convert_from(lo_get(16500), 'UTF8')")).Should().Be("format 1 large object");
        (await Db.ScalarAsync<long>(target, "SELECT last_value FROM inventory.ticket_numbers")).Should().Be(142);
    }

    [Fact]
    public async Task An_encrypted_archive_written_by_format_1_still_refuses_a_wrong_passphrase_before_touching_the_target()
    {
        var target = await source.Server.CreateDatabaseAsync("format1_wrong");

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = FixturePath(EncryptedArchive), EncryptionPassphrase = "guess" });

        await act.Should().ThrowAsync<ArchiveException>();
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_namespace WHERE nspname = 'inventory'")).Should().Be(0);
    }

    [Fact]
    public async Task Archives_written_by_format_1_still_verify()
    {
        var plain = await ArchiveVerifier.VerifyAsync(FixturePath(PlainArchive));
        var encrypted = await ArchiveVerifier.VerifyAsync(FixturePath(EncryptedArchive), new VerifyOptions { EncryptionPassphrase = Passphrase });

        plain.Passed.Should().BeTrue(string.Join("; ", plain.Problems));
        encrypted.Passed.Should().BeTrue(string.Join("; ", encrypted.Problems));
    }

    [Fact]
    public async Task Fpdump_list_of_a_format_1_archive_prints_every_entry()
    {
        var result = await ExternalTool.FpdumpAsync("list", "--input", FixturePath(PlainArchive));

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Contain("Format: DIRECTORY (version 1)").And.Contain("TOC Entries: 50");
        var entries = result.Stdout.Split('\n').Where(line => line.Length > 0 && char.IsAsciiDigit(line[0])).ToList();
        entries.Should().HaveCount(50);
        entries.Should().Contain(
        [
            "1; SCHEMA - inventory postgres",
            "10; TABLE inventory movements postgres",
            "13; TABLE inventory sites fmt1_owner",
            "22; BLOB - 16500 postgres",
            "35; CONSTRAINT inventory items_quantity_positive -",
            "43; FK CONSTRAINT inventory managers_deputy_team_fk -",
            "46; POLICY inventory items_by_site -",
        ]);
    }

    [Fact]
    public async Task The_summary_of_a_format_1_archive_counts_its_objects_exactly()
    {
        var json = await ArchiveVerifier.SummarizeAsync(FixturePath(PlainArchive), json: true);
        var cli = await ExternalTool.FpdumpAsync("summary", "--input", FixturePath(PlainArchive));

        using var summary = JsonDocument.Parse(json);
        var root = summary.RootElement;
        root.GetProperty("verified").GetBoolean().Should().BeTrue();
        root.GetProperty("kind").GetString().Should().Be("complete");
        root.GetProperty("totalRows").GetInt64().Should().Be(12, "rows of tables; the large object is not a row");
        var schemas = root.GetProperty("schemas").EnumerateArray().ToList();
        schemas.Select(schema => schema.GetProperty("schema").GetString()).Should().Equal("inventory");
        var inventory = schemas[0];
        inventory.GetProperty("tables").GetInt32().Should().Be(7);
        inventory.GetProperty("views").GetInt32().Should().Be(1);
        inventory.GetProperty("policies").GetInt32().Should().Be(1);
        inventory.GetProperty("functions").GetInt32().Should().Be(3);
        // Format 1 recorded no facts: what needs them is unknown (absent), never a wrong count, and the summary says so.
        inventory.TryGetProperty("securityDefinerFunctions", out _).Should().BeFalse();
        inventory.GetProperty("triggers").GetInt32().Should().Be(1);
        inventory.GetProperty("indexes").GetInt32().Should().Be(1);
        root.TryGetProperty("foreignKeyCycles", out _).Should().BeFalse();
        root.GetProperty("warnings").EnumerateArray().Select(warning => warning.GetString()).Should().Contain(
            "Written by a version that recorded no facts per entry: SECURITY DEFINER functions and foreign-key cycles are unknown (not counted).");
        cli.ExitCode.Should().Be(0, cli.Stderr);
        cli.Stdout.Should().Contain("# Backup summary: format1").And.Contain("Unknown: the archive was written before entries carried facts.");
    }
}
