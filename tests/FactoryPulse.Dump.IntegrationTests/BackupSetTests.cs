using System.Text.Json;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;

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
        markdown.Should().Contain("fpdump restore --connection").And.Contain("--data-only").And.Contain("--schema-only")
            .And.Contain("public.users references itself");
        // No scratch server given: the set is whole, not shown restorable, and the summary says exactly that and why.
        last.Verification.Level.Should().Be(VerificationLevel.Checksums);
        last.Verification.LevelDescription.Should().Be("checksums verified only: no scratch server to restore into was given");
        summary.RootElement.GetProperty("verificationLevel").GetString().Should().Be("Checksums");
        markdown.Should().Contain("- Verified: checksums only (structure, sizes, checksums, row counts of the files), not restored\n")
            .And.Contain("- Verification: checksums verified only: no scratch server to restore into was given\n")
            .And.NotContain("Verified: yes");
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
        report.Level.Should().Be(VerificationLevel.Restored);
        (await Db.ScalarAsync<long>(source.Server.ConnectionString, "SELECT count(*) FROM pg_database WHERE datname LIKE 'fpdump_verify_%'")).Should().Be(0, "the scratch database is dropped");

        // A restore really happens: a definition no checksum covers, made unrestorable, passes offline and fails online.
        TamperTableDefinition(archive, "contacts");
        (await ArchiveVerifier.VerifyAsync(archive)).Passed.Should().BeTrue("the offline check reads files and counts, not definitions");
        var online = await ArchiveVerifier.VerifyAsync(archive, new VerifyOptions { ConnectionString = source.Server.ConnectionString });
        online.Passed.Should().BeFalse();
        online.Level.Should().Be(VerificationLevel.Checksums);
        online.Problems.Should().ContainSingle().Which.Should().Contain("restoring into a scratch database failed").And.Contain("fpdump_no_such_type");
        (await Db.ScalarAsync<long>(source.Server.ConnectionString, "SELECT count(*) FROM pg_database WHERE datname LIKE 'fpdump_verify_%'")).Should().Be(0, "the scratch database is dropped after a failure too");
    }

    /// <summary>Adds a column of a type that does not exist to a table's CREATE TABLE in the manifest: no checksum covers it, a restore fails on it.</summary>
    private static void TamperTableDefinition(string archive, string table)
    {
        var manifestPath = Path.Combine(archive, "manifest.json");
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifestPath))!;
        var entry = manifest["entries"]!.AsArray().Single(node => node!["kind"]!.GetValue<string>() == "TABLE"
            && node["schema"]!.GetValue<string>() == "public" && node["name"]!.GetValue<string>() == table)!;
        var statements = entry["statements"]!.AsArray();
        var create = statements[0]!.GetValue<string>();
        var opening = $"CREATE TABLE public.{table} (";
        create.Should().Contain(opening);
        statements[0] = create.Replace(opening, opening + "\n    tampered public.fpdump_no_such_type,", StringComparison.Ordinal);
        File.WriteAllText(manifestPath, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static Task<long> ScratchDatabasesAsync(string server) =>
        Db.ScalarAsync<long>(server, @"SELECT count(*) FROM pg_database WHERE datname LIKE 'fpdump\_verify\_%' AND (datname LIKE '%\_complete' OR datname LIKE '%\_split')");

    [Fact]
    public async Task A_set_of_the_fixture_is_restore_verified_on_a_throwaway_server_that_gets_the_missing_roles_and_keeps_no_scratch_database()
    {
        await using var throwaway = await PostgresServer.StartAsync();
        var asked = new List<int>();

        var set = await BackupSet.CreateAsync(new BackupSetOptions
        {
            ConnectionString = source.ConnectionString,
            Directory = Path.Combine(_directory, "restored"),
            Prefix = "factory_pulse",
            StartRestoreCheckServer = (major, _) =>
            {
                asked.Add(major);
                return Task.FromResult(new RestoreCheckServer
                {
                    ConnectionString = throwaway.ConnectionString,
                    Description = "the test's throwaway server",
                    MayCreateRoles = throwaway.Kind != PostgresServerKind.Environment,
                });
            },
        });

        set.Verification.Passed.Should().BeTrue(string.Join("\n", set.Verification.Problems));
        set.Verification.Level.Should().Be(VerificationLevel.Restored);
        set.Verification.LevelDescription.Should().StartWith("restore-verified on the test's throwaway server");
        asked.Should().Equal([await Db.ScalarAsync<int>(source.ConnectionString, "SELECT current_setting('server_version_num')::int / 10000")]);
        (await ScratchDatabasesAsync(throwaway.ConnectionString)).Should().Be(0, "both scratch databases are dropped");
        (await Db.ScalarAsync<long>(throwaway.ConnectionString, "SELECT count(*) FROM pg_database WHERE datname LIKE 'fpdump_verify_%'")).Should().Be(0);
        if (throwaway.Kind != PostgresServerKind.Environment)
            (await Db.ScalarAsync<bool>(throwaway.ConnectionString, "SELECT NOT rolcanlogin FROM pg_roles WHERE rolname = 'supabase_auth_admin'")).Should().BeTrue("a missing role is created NOLOGIN");
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(set.SummaryPath, ".json")));
        summary.RootElement.GetProperty("verified").GetBoolean().Should().BeTrue();
        summary.RootElement.GetProperty("verificationLevel").GetString().Should().Be("Restored");
        var markdown = await File.ReadAllTextAsync(set.SummaryPath);
        markdown.Should().Contain("- Verified: yes, restored\n").And.Contain("- Verification: restore-verified on the test's throwaway server");
    }

    [Fact]
    public async Task A_scratch_server_you_run_is_not_given_roles_the_check_reports_them_and_the_set_is_not_verified()
    {
        await using var yours = await PostgresServer.StartAsync();
        if (yours.Kind == PostgresServerKind.Environment)
            return; // the fixture's roles exist on a shared server: nothing is missing there

        var act = () => BackupSet.CreateAsync(new BackupSetOptions
        {
            ConnectionString = source.ConnectionString,
            Directory = Path.Combine(_directory, "roles"),
            Prefix = "factory_pulse",
            RestoreCheckConnectionString = yours.ConnectionString,
        });

        (await act.Should().ThrowAsync<ArchiveException>()).Which.Message.Should().Contain("lacks the roles").And.Contain("supabase_auth_admin");
        (await Db.ScalarAsync<long>(yours.ConnectionString, "SELECT count(*) FROM pg_roles WHERE rolname = 'supabase_auth_admin'")).Should().Be(0, "roles are created only on a server started for the check");
    }

    [Fact]
    public async Task A_set_whose_complete_archive_does_not_restore_is_not_verified_and_prunes_nothing()
    {
        var folder = Path.Combine(_directory, "unrestorable");
        var good = await BackupSet.CreateAsync(new BackupSetOptions { ConnectionString = source.ConnectionString, Directory = folder, Prefix = "factory_pulse", Keep = 1 });
        good.Verification.Passed.Should().BeTrue();
        await Task.Delay(1100); // set names carry the second

        // Checksums pass (the files are whole); the definition no checksum covers is what the restore meets.
        var act = () => BackupSet.CreateAsync(new BackupSetOptions
        {
            ConnectionString = source.ConnectionString,
            Directory = folder,
            Prefix = "factory_pulse",
            Keep = 1,
            StartRestoreCheckServer = (_, _) =>
            {
                TamperTableDefinition(Directory.GetDirectories(folder, "factory_pulse_complete_backup_*").Max(StringComparer.Ordinal)!, "contacts");
                return Task.FromResult(new RestoreCheckServer { ConnectionString = source.Server.ConnectionString, Description = "the shared test server" });
            },
        });

        var failure = (await act.Should().ThrowAsync<ArchiveException>()).Which;
        failure.Message.Should().Contain("failed verification").And.Contain("restoring the complete archive into a scratch database failed").And.Contain("fpdump_no_such_type")
            .And.Contain("no older set was deleted");
        failure.Message.Should().NotContain("schema archive", "the schema and data archives are untouched and restore");
        Directory.Exists(good.CompleteArchive).Should().BeTrue("a failed set prunes nothing");
        File.Exists(good.SummaryPath).Should().BeTrue();
        var summaries = Directory.GetFiles(folder, "backup-summary-*.json").Order(StringComparer.Ordinal).ToList();
        summaries.Should().HaveCount(2);
        using var failed = JsonDocument.Parse(await File.ReadAllTextAsync(summaries[1]));
        failed.RootElement.GetProperty("verified").GetBoolean().Should().BeFalse();
        failed.RootElement.GetProperty("verificationLevel").GetString().Should().Be("Checksums");
        var markdown = await File.ReadAllTextAsync(Path.ChangeExtension(summaries[1], ".md"));
        markdown.Should().Contain("- Verified: NO").And.Contain("NOT restore-verified").And.NotContain("Verified: yes").And.NotContain("## Warnings\n\nNone.");
        (await ScratchDatabasesAsync(source.Server.ConnectionString)).Should().Be(0, "the scratch databases are dropped after a failure too");

        // The next good run prunes only verified sets: the failed one stays beside the new one.
        await Task.Delay(1100);
        var next = await BackupSet.CreateAsync(new BackupSetOptions { ConnectionString = source.ConnectionString, Directory = folder, Prefix = "factory_pulse", Keep = 1 });
        Directory.Exists(good.CompleteArchive).Should().BeFalse("keep 1 removes the older verified set");
        Directory.GetDirectories(folder, "factory_pulse_complete_backup_*").Should().HaveCount(2, "the unverified set is never deleted");
        next.DeletedSets.Should().Contain(good.CompleteArchive);
    }

    [Fact]
    public async Task The_summary_names_every_security_definer_function_and_bucket_and_lists_the_dumps_warnings()
    {
        var set = await BackupAsync("named");

        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(set.SummaryPath, ".json")));
        var definers = await Db.ColumnAsync(source.ConnectionString, """
            SELECT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
            """);
        definers.Sort(StringComparer.Ordinal);
        // The fixture's 13 public helpers and the shim's storage trigger function.
        definers.Should().Equal("public.advance_project_stage", "public.can_access_project", "public.can_manage_project", "public.current_user_has_role",
            "public.delegate_approval", "public.get_current_user_org_id", "public.get_current_user_role", "public.handle_new_auth_user", "public.is_internal_user",
            "public.is_project_member", "public.log_activity", "public.notify_message_recipient", "public.notify_stage_change", "storage.insert_object_prefixes");
        summary.RootElement.GetProperty("securityDefinerFunctions").EnumerateArray().Select(name => name.GetString()).Should().Equal(definers);
        var buckets = await Db.ColumnAsync(source.ConnectionString, "SELECT name FROM storage.buckets");
        buckets.Sort(StringComparer.Ordinal);
        buckets.Should().Equal("avatars", "documents", "project-files");
        summary.RootElement.GetProperty("storageBuckets").EnumerateArray().Select(name => name.GetString()).Should().Equal(buckets);
        var markdown = await File.ReadAllTextAsync(set.SummaryPath);
        markdown.Should().Contain("## SECURITY DEFINER functions\n\n" + string.Concat(definers.Select(name => $"- {name}\n")))
            .And.Contain("## Storage buckets\n\n" + string.Concat(buckets.Select(name => $"- {name}\n")))
            .And.Contain("## Warnings\n\nNone.\n", "the fixture's dump by a superuser warns about nothing");
    }

    [Fact]
    public async Task A_set_whose_dump_warned_lists_the_warning_instead_of_none()
    {
        var server = await SharedPostgresServer.GetAsync();
        var database = await server.CreateDatabaseAsync("set_warned");
        try
        {
            await Db.ExecuteAsync(database,
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fp_set_reader') THEN CREATE ROLE fp_set_reader LOGIN; END IF; END $$; " +
                "CREATE TABLE public.kept (id integer PRIMARY KEY); INSERT INTO public.kept VALUES (1); GRANT SELECT ON public.kept TO fp_set_reader; " +
                "CREATE SUBSCRIPTION fp_set_hidden CONNECTION 'host=127.0.0.1 port=1 dbname=x' PUBLICATION p WITH (connect = false, slot_name = NONE)");
            var reader = new Npgsql.NpgsqlConnectionStringBuilder(database) { Username = "fp_set_reader" }.ConnectionString;

            var set = await BackupSet.CreateAsync(new BackupSetOptions { ConnectionString = reader, Directory = Path.Combine(_directory, "warned"), Prefix = "warned" });

            var markdown = await File.ReadAllTextAsync(set.SummaryPath);
            markdown.Should().Contain("## Warnings\n\n- 1 subscription(s) not dumped").And.NotContain("## Warnings\n\nNone.");
            using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(set.SummaryPath, ".json")));
            summary.RootElement.GetProperty("warnings").EnumerateArray().Should().Contain(warning => warning.GetString()!.Contains("subscription(s) not dumped"));
            markdown.Should().Contain("## Storage buckets\n\nNone in this archive");
        }
        finally
        {
            await server.DropDatabaseAsync(Db.DatabaseOf(database));
        }
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
        // Binaries are installed here: by default the set is restored into a throwaway server of the source's major version.
        var major = await Db.ScalarAsync<int>(source.ConnectionString, "SELECT current_setting('server_version_num')::int / 10000");
        result.RootElement.GetProperty("verification").GetProperty("level").GetString().Should().Be("Restored");
        result.RootElement.GetProperty("verification").GetProperty("levelDescription").GetString().Should().StartWith("restore-verified on a throwaway server (local PostgreSQL " + major + ".");

        var list = await ExternalTool.FpdumpAsync("list", "--input", complete);
        list.ExitCode.Should().Be(0, list.Stderr);
        list.Stdout.Should().Contain("TABLE public users").And.Contain("TABLE DATA public approvals").And.Contain("POLICY public");

        var summary = await ExternalTool.FpdumpAsync("summary", "--input", complete, "--json");
        summary.ExitCode.Should().Be(0, summary.Stderr);
        using var parsed = JsonDocument.Parse(summary.Stdout);
        parsed.RootElement.GetProperty("tables").EnumerateArray()
            .Single(t => t.GetProperty("table").GetString() == "public.projects").GetProperty("rows").GetInt64().Should().Be(17);

        var skipped = await ExternalTool.FpdumpAsync("backup", "--connection", source.ConnectionString, "--dir", Path.Combine(_directory, "cli-skip"), "--prefix", "factory_pulse", "--no-restore-check");
        skipped.ExitCode.Should().Be(0, skipped.Stderr);
        skipped.Stdout.Should().Contain("fpdump: verified by checksums only, not restored: checksums verified only: the restore check was switched off (--no-restore-check)");
        var skippedSummary = await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(_directory, "cli-skip"), "backup-summary-*.md").Single());
        skippedSummary.Should().Contain("- Verification: checksums verified only: the restore check was switched off (--no-restore-check)");
        var contradiction = await ExternalTool.FpdumpAsync("backup", "--connection", source.ConnectionString, "--dir", Path.Combine(_directory, "cli-both"), "--verify-server", source.Server.ConnectionString, "--no-restore-check");
        contradiction.ExitCode.Should().Be(2);
    }

    [Fact]
    public async Task A_supabase_profile_set_says_it_was_not_restored_and_why_without_starting_a_server()
    {
        var started = false;

        var set = await BackupSet.CreateAsync(new BackupSetOptions
        {
            ConnectionString = source.ConnectionString,
            Directory = Path.Combine(_directory, "supabase"),
            Prefix = "factory_pulse",
            Dump = new DumpOptions { ConnectionString = "", OutputPath = "", Profile = DumpProfile.Supabase },
            StartRestoreCheckServer = (_, _) =>
            {
                started = true;
                return Task.FromResult(new RestoreCheckServer { ConnectionString = source.Server.ConnectionString, Description = "unused" });
            },
        });

        started.Should().BeFalse("a bare server cannot show a Supabase-profile set restorable");
        set.Verification.Passed.Should().BeTrue();
        set.Verification.Level.Should().Be(VerificationLevel.Checksums);
        set.Verification.LevelDescription.Should().Contain("Supabase-profile set restores into a Supabase project");
        (await File.ReadAllTextAsync(set.SummaryPath)).Should().Contain("- Verified: checksums only").And.Contain("Supabase project");
    }
}
