using System.Text.Json;
using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests;

public sealed class BackupSetTests(FactoryPulseSource source) : IClassFixture<FactoryPulseSource>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fpdump-sets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<BackupSetResult> BackupAsync(string folder, int keep = 1) => BackupSet.CreateAsync(new BackupSetOptions
    {
        ConnectionString = source.ConnectionString,
        Directory = Path.Combine(_directory, folder),
        Prefix = "factory_pulse",
        Keep = keep,
    });

    [Fact]
    public async Task Three_backups_with_keep_1_leave_exactly_one_verified_set_whose_summary_matches_the_database()
    {
        BackupSetResult last = null!;
        for (var run = 0; run < 3; run++)
        {
            last = await BackupAsync("keep1");
            await Task.Delay(1100); // set names carry the second
        }

        var entries = Directory.GetFileSystemEntries(Path.Combine(_directory, "keep1")).Select(Path.GetFileName).Order().ToList();
        entries.Should().HaveCount(5, string.Join(", ", entries));
        entries.Should().Contain(name => name!.StartsWith("factory_pulse_complete_backup_", StringComparison.Ordinal))
            .And.Contain(name => name!.StartsWith("factory_pulse_schema_backup_", StringComparison.Ordinal))
            .And.Contain(name => name!.StartsWith("factory_pulse_data_backup_", StringComparison.Ordinal))
            .And.Contain(name => name!.StartsWith("backup-summary-", StringComparison.Ordinal) && name.EndsWith(".md", StringComparison.Ordinal));
        last.Verification.Passed.Should().BeTrue();

        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(last.SummaryPath, ".json")));
        var rows = summary.RootElement.GetProperty("tables").EnumerateArray().ToDictionary(t => t.GetProperty("table").GetString()!, t => t.GetProperty("rows").GetInt64());
        rows["public.organizations"].Should().Be(8);
        rows["public.users"].Should().Be(25);
        rows["public.workflow_stages"].Should().Be(8);
        rows["public.workflow_sub_stages"].Should().Be(30);
        rows["public.projects"].Should().Be(17);
        rows["public.contacts"].Should().Be(10);
        rows["public.activity_log"].Should().Be(27);
        var schemas = summary.RootElement.GetProperty("schemas").EnumerateArray().ToList();
        var policies = schemas.Sum(schema => schema.GetProperty("policies").GetInt32());
        var tablesWithPolicies = schemas.Sum(schema => schema.GetProperty("policiesPerTable").EnumerateObject().Count());
        policies.Should().BeGreaterThanOrEqualTo(40);
        tablesWithPolicies.Should().BeGreaterThanOrEqualTo(14);
        var markdown = await File.ReadAllTextAsync(last.SummaryPath);
        markdown.Should().Contain("fpdump restore --connection").And.Contain("--data-only").And.Contain("--schema-only").And.Contain("Verified: yes")
            .And.Contain("public.users references itself");
    }

    [Fact]
    public async Task A_complete_archive_without_data_fails_verification()
    {
        var archive = Path.Combine(_directory, "no-data");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive, SchemaOnly = true });
        // What the user's old script produced: a "complete" backup that holds only definitions.
        var manifestPath = Path.Combine(archive, "manifest.json");
        var manifest = await File.ReadAllTextAsync(manifestPath);
        await File.WriteAllTextAsync(manifestPath, manifest.Replace("\"schemaOnly\": true", "\"schemaOnly\": false", StringComparison.Ordinal));

        var report = await ArchiveVerifier.VerifyAsync(archive);

        report.Passed.Should().BeFalse();
        report.Problems.Should().Contain(problem => problem.Contains("holds no table data", StringComparison.Ordinal));
        var cli = await ExternalTool.FpdumpAsync("verify", "--input", archive);
        cli.ExitCode.Should().Be(3);
    }

    [Fact]
    public async Task A_flipped_byte_in_any_data_file_fails_verification_naming_the_file()
    {
        var set = await BackupAsync("flipped");
        var file = Directory.GetFiles(Path.Combine(set.DataArchive, "data")).OrderBy(path => path, StringComparer.Ordinal).Skip(3).First();
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0x04;
        await File.WriteAllBytesAsync(file, bytes);

        var report = await ArchiveVerifier.VerifyAsync(set.DataArchive);

        report.Passed.Should().BeFalse();
        report.Problems.Should().ContainSingle().Which.Should().Contain(Path.GetFileName(file));
        (await ArchiveVerifier.VerifyAsync(set.CompleteArchive)).Passed.Should().BeTrue("the complete archive's copy is untouched");
    }

    [Fact]
    public async Task Verification_with_a_connection_restores_into_a_scratch_database_and_compares_rows()
    {
        var archive = Path.Combine(_directory, "online");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive });

        var report = await ArchiveVerifier.VerifyAsync(archive, new VerifyOptions { ConnectionString = source.Server.ConnectionString });

        report.Passed.Should().BeTrue(string.Join("\n", report.Problems));
        (await Db.ScalarAsync<long>(source.Server.ConnectionString, "SELECT count(*) FROM pg_database WHERE datname LIKE 'fpdump_verify_%'")).Should().Be(0, "the scratch database is dropped");
    }

    [Fact]
    public async Task A_second_backup_into_the_same_folder_while_one_runs_is_refused()
    {
        var folder = Path.Combine(_directory, "locked");
        Directory.CreateDirectory(folder);
        // A live process holds the lock: this test process itself.
        await File.WriteAllTextAsync(Path.Combine(folder, ".fpdump-backup.lock"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var act = () => BackupAsync("locked");

        (await act.Should().ThrowAsync<DumpException>()).Which.Message.Should().Contain("Another backup");
        File.Delete(Path.Combine(folder, ".fpdump-backup.lock"));
        (await BackupAsync("locked")).Verification.Passed.Should().BeTrue("a stale or released lock does not block");
    }

    [Fact]
    public async Task A_set_with_plain_files_holds_no_password_from_the_connection_string()
    {
        const string password = "Sup3rSecret-Pa55word";
        var withPassword = new Npgsql.NpgsqlConnectionStringBuilder(source.ConnectionString) { Password = password }.ConnectionString;

        var set = await BackupSet.CreateAsync(new BackupSetOptions
        {
            ConnectionString = withPassword,
            Directory = Path.Combine(_directory, "secret"),
            Prefix = "factory_pulse",
            Plain = true,
        });

        set.PlainFiles.Should().HaveCount(3).And.OnlyContain(file => File.Exists(file));
        foreach (var file in Directory.GetFiles(Path.Combine(_directory, "secret"), "*", SearchOption.AllDirectories))
        {
            (await File.ReadAllTextAsync(file)).Should().NotContain(password, file);
            if (!OperatingSystem.IsWindows())
                File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, file);
        }
    }

    [Fact]
    public async Task The_cli_backup_prints_json_and_list_and_summary_read_the_archive_it_names()
    {
        var folder = Path.Combine(_directory, "cli");

        var backup = await ExternalTool.FpdumpAsync("backup", "--connection", source.ConnectionString, "--dir", folder, "--prefix", "factory_pulse", "--json");

        backup.ExitCode.Should().Be(0, backup.Stderr);
        using var result = JsonDocument.Parse(backup.Stdout);
        var complete = result.RootElement.GetProperty("completeArchive").GetString()!;
        Path.GetFileName(complete).Should().StartWith("factory_pulse_complete_backup_");
        result.RootElement.GetProperty("verification").GetProperty("passed").GetBoolean().Should().BeTrue();

        var list = await ExternalTool.FpdumpAsync("list", "--input", complete);
        list.ExitCode.Should().Be(0, list.Stderr);
        list.Stdout.Should().Contain("TABLE public users").And.Contain("TABLE DATA public approvals").And.Contain("POLICY public");

        var summary = await ExternalTool.FpdumpAsync("summary", "--input", complete, "--json");
        summary.ExitCode.Should().Be(0, summary.Stderr);
        using var parsed = JsonDocument.Parse(summary.Stdout);
        parsed.RootElement.GetProperty("tables").EnumerateArray()
            .Single(t => t.GetProperty("table").GetString() == "public.projects").GetProperty("rows").GetInt64().Should().Be(17);
    }
}
