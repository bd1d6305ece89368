using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;

namespace FactoryPulse.Dump.IntegrationTests.Stores;

/// <summary>
/// Issue 17's backup sets in an object store, against a real server the fixture starts (s3rver, Azurite) or a real
/// bucket: retention leaves exactly the newest sets, each restorable; the lock refuses a second run and is taken over
/// when stale; a killed run leaves no set and nothing the next runs count or delete.
/// </summary>
public abstract class StoreBackupSetTests<TServer>
    where TServer : StoreServer
{
    private const string LockName = ".fpdump-backup.lock";

    private readonly TServer _store;
    private readonly FactoryPulseSource _source;

    protected StoreBackupSetTests(TServer store, FactoryPulseSource source)
    {
        _store = store;
        _source = source;
        store.Register();
    }

    private static string Fpdump => Path.Combine(AppContext.BaseDirectory, "fpdump.dll");

    private Task<BackupSetResult> BackupAsync(string directory, int keep, bool restoreCheck = false, string? connectionString = null, string prefix = "factory_pulse") =>
        BackupSet.CreateAsync(new BackupSetOptions
        {
            ConnectionString = connectionString ?? _source.ConnectionString,
            Directory = _store.Location(directory),
            Prefix = prefix,
            Keep = keep,
            RestoreCheckConnectionString = restoreCheck ? _source.Server.ConnectionString : null,
        });

    [Fact]
    public async Task Backup_with_keep_2_run_three_times_leaves_exactly_the_two_newest_sets_in_the_store_each_restorable_with_exact_rows()
    {
        var first = await BackupAsync("keep2", keep: 2, restoreCheck: true);
        await Task.Delay(1100); // set names carry the second
        var second = await BackupAsync("keep2", keep: 2, restoreCheck: true);
        await Task.Delay(1100);
        // The third through the CLI: `fpdump backup --dir s3://…` (or az://…), verified by its own restore into a
        // throwaway server read from the store (this restore once hung in the text COPY's synchronous end).
        var cli = await ExternalTool.RunAsync("dotnet",
            [Fpdump, "backup", "--connection", _source.ConnectionString, "--dir", _store.Location("keep2"), "--prefix", "factory_pulse", "--keep", "2", "--json"],
            Environment());
        cli.ExitCode.Should().Be(0, cli.Stderr);
        var third = JsonSerializer.Deserialize<BackupSetResult>(cli.Stdout, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

        foreach (var set in new[] { first, second, third })
        {
            set.Verification.Passed.Should().BeTrue(string.Join("; ", set.Verification.Problems));
            set.Verification.Level.Should().Be(VerificationLevel.Restored, "the scratch restore reads the set from the store");
            set.CompleteArchive.Should().StartWith(_store.Location("keep2/factory_pulse_complete_backup_"));
        }
        first.DeletedSets.Should().BeEmpty();
        second.DeletedSets.Should().BeEmpty();
        third.DeletedSets.Should().BeEquivalentTo([first.CompleteArchive, first.SchemaArchive, first.DataArchive, first.SummaryPath, Path.ChangeExtension(first.SummaryPath, ".json")]);

        // Exactly the two newest sets: their three archives and two summaries, no lock, nothing of the first set.
        var objects = await _store.ListObjectsAsync(_store.ObjectName("keep2/"));
        var topLevel = objects.Select(name => TopLevel("keep2", name)).ToHashSet(StringComparer.Ordinal);
        topLevel.Should().BeEquivalentTo(SetNames(second).Concat(SetNames(third)));
        foreach (var set in new[] { second, third })
        {
            var complete = Relative(objects, set.CompleteArchive);
            var schema = Relative(objects, set.SchemaArchive);
            var data = Relative(objects, set.DataArchive);
            schema.Should().Equal("manifest.json");
            complete.Should().Contain("manifest.json").And.Contain(name => name.StartsWith("data/", StringComparison.Ordinal));
            data.Should().Equal(complete, "the data archive holds the complete one's data files and a manifest");

            var target = await _source.Server.CreateDatabaseAsync("store_set");
            var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = set.CompleteArchive, Jobs = 2 });
            report.Errors.Should().BeEmpty();
            var oracle = await DatabaseOracle.CompareAsync(_source.ConnectionString, target);
            oracle.IsIdentical.Should().BeTrue(oracle.ToString());
            (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM public.activity_log")).Should().Be(27);
        }

        // list, verify and summary take an archive of a set in the store as they take any archive.
        var list = await ExternalTool.RunAsync("dotnet", [Fpdump, "list", third.CompleteArchive], Environment());
        list.ExitCode.Should().Be(0, list.Stderr);
        list.Stdout.Should().Contain("TABLE public activity_log");
        var verify = await ExternalTool.RunAsync("dotnet", [Fpdump, "verify", "--input", third.SchemaArchive], Environment());
        verify.ExitCode.Should().Be(0, verify.Stdout + verify.Stderr);
        var summary = await ExternalTool.RunAsync("dotnet", [Fpdump, "summary", "--json", second.CompleteArchive], Environment());
        summary.ExitCode.Should().Be(0, summary.Stderr);
        summary.Stdout.Should().Contain("activity_log").And.Contain(Path.GetFileName(second.CompleteArchive) + "/manifest.json");
        var setSummary = Encoding.UTF8.GetString(await _store.ReadObjectAsync(_store.ObjectName("keep2/" + Path.GetFileName(Path.ChangeExtension(third.SummaryPath, ".json")))));
        using var json = JsonDocument.Parse(setSummary);
        json.RootElement.GetProperty("verified").GetBoolean().Should().BeTrue();
        json.RootElement.GetProperty("verificationLevel").GetString().Should().Be("Restored");
    }

    [Fact]
    public async Task A_held_lock_refuses_a_second_backup_with_a_typed_error_and_exit_code_and_a_stale_one_is_taken_over()
    {
        var lockObject = _store.ObjectName("locked/" + LockName);
        // A live holder: this test process, on this host, renewed just now.
        var held = LockRecord(System.Environment.MachineName, System.Environment.ProcessId, DateTimeOffset.UtcNow);
        await _store.WriteObjectAsync(lockObject, held);

        var act = () => BackupAsync("locked", keep: 1);

        var error = (await act.Should().ThrowAsync<BackupSetLockedException>()).Which;
        error.Message.Should().Contain("Another backup").And.Contain($"process {System.Environment.ProcessId} on host {System.Environment.MachineName}");
        error.Holder.Should().StartWith($"process {System.Environment.ProcessId} on host ");
        error.LockLocation.Should().Be(_store.Location("locked/" + LockName));
        var cli = await ExternalTool.RunAsync("dotnet",
            [Fpdump, "backup", "--connection", _source.ConnectionString, "--dir", _store.Location("locked"), "--no-restore-check"], Environment());
        cli.ExitCode.Should().Be(1);
        cli.Stderr.Should().StartWith("fpdump: error: Another backup (process ").And.Contain("wait for it to finish");
        (await _store.ListObjectsAsync(_store.ObjectName("locked/"))).Should().Equal(lockObject);
        (await _store.ReadObjectAsync(lockObject)).Should().Equal(held, "a refused run leaves the holder's lock alone");

        // Another host's lock renewed a minute ago is live; one not renewed for 11 minutes is stale.
        await _store.WriteObjectAsync(lockObject, LockRecord("backup-host-elsewhere", 4242, DateTimeOffset.UtcNow.AddMinutes(-1)));
        (await act.Should().ThrowAsync<BackupSetLockedException>()).Which.Holder.Should().StartWith("process 4242 on host backup-host-elsewhere, renewed ");
        await _store.WriteObjectAsync(lockObject, LockRecord("backup-host-elsewhere", 4242, DateTimeOffset.UtcNow.AddMinutes(-11)));
        var taken = await BackupAsync("locked", keep: 1);
        taken.Verification.Passed.Should().BeTrue();

        // A dead process on this host: the local rule.
        await Task.Delay(1100);
        await _store.WriteObjectAsync(lockObject, LockRecord(System.Environment.MachineName, DeadProcessId(), DateTimeOffset.UtcNow));
        var again = await BackupAsync("locked", keep: 1);
        again.DeletedSets.Should().Contain(taken.CompleteArchive);
        var left = (await _store.ListObjectsAsync(_store.ObjectName("locked/"))).Select(name => TopLevel("locked", name)).ToHashSet(StringComparer.Ordinal);
        left.Should().BeEquivalentTo(SetNames(again), "the lock is released at the end and the older set pruned");
    }

    [Fact]
    public async Task Two_backups_started_together_into_one_prefix_commit_one_set_and_refuse_the_other()
    {
        async Task<(BackupSetResult? Set, Exception? Error)> AttemptAsync()
        {
            try
            {
                return (await BackupAsync("race", keep: 2), null);
            }
            catch (Exception exception)
            {
                return (null, exception);
            }
        }

        var outcomes = await Task.WhenAll(AttemptAsync(), AttemptAsync());

        outcomes.Count(outcome => outcome.Set is not null).Should().Be(1, string.Join("; ", outcomes.Select(outcome => outcome.Error?.Message)));
        outcomes.Single(outcome => outcome.Error is not null).Error.Should().BeOfType<BackupSetLockedException>();
        var winner = outcomes.Single(outcome => outcome.Set is not null).Set!;
        var left = (await _store.ListObjectsAsync(_store.ObjectName("race/"))).Select(name => TopLevel("race", name)).ToHashSet(StringComparer.Ordinal);
        left.Should().BeEquivalentTo(SetNames(winner));
    }

    [Fact]
    public async Task A_backup_killed_mid_upload_leaves_no_set_and_the_next_runs_take_its_lock_over_without_counting_or_deleting_its_objects()
    {
        var source = await _source.Server.CreateDatabaseAsync("store_set_killed");
        await Db.ExecuteAsync(source, """
            CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL);
            INSERT INTO big SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, 300000) g;
            CREATE TABLE small (id int PRIMARY KEY);
            INSERT INTO small SELECT generate_series(1, 10);
            """);
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Fpdump, "backup", "--connection", source, "--dir", _store.Location("killed"), "--prefix", "big", "--jobs", "2", "--no-restore-check", "--keep", "1" })
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in Environment())
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Killed as soon as the complete archive's first data file is in the store: the big table is then still uploading.
        var completePrefix = _store.ObjectName("killed/big_complete_backup_");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!process.HasExited && DateTime.UtcNow < deadline && !(await _store.ListObjectsAsync(completePrefix)).Any(name => name.Contains("/data/", StringComparison.Ordinal)))
            await Task.Delay(20);
        process.HasExited.Should().BeFalse("the backup must still be uploading when it is killed");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();

        var leftovers = await _store.ListObjectsAsync(_store.ObjectName("killed/"));
        leftovers.Should().Contain(_store.ObjectName("killed/" + LockName), "a killed run cannot release its lock");
        leftovers.Should().NotContain(name => name.Contains("backup-summary-", StringComparison.Ordinal), "no summary: the set was never committed");
        var partial = leftovers.Select(name => TopLevel("killed", name)).Where(name => name.StartsWith("big_complete_backup_", StringComparison.Ordinal)).Distinct().Single();
        var list = await ExternalTool.RunAsync("dotnet", [Fpdump, "list", _store.Location("killed/" + partial)], Environment());
        list.ExitCode.Should().NotBe(0);
        list.Stderr.Should().Contain("not a complete archive");
        var partialObjects = leftovers.Where(name => TopLevel("killed", name) == partial).Order(StringComparer.Ordinal).ToList();

        // The dead process's lock is taken over; the partial set is not a set: keep 1 keeps the newest good one only.
        await Task.Delay(1100);
        var first = await BackupAsync("killed", keep: 1, connectionString: source, prefix: "big");
        await Task.Delay(1100);
        var second = await BackupAsync("killed", keep: 1, connectionString: source, prefix: "big");

        first.DeletedSets.Should().BeEmpty("the killed run's objects are not a set to count or prune");
        second.DeletedSets.Should().HaveCount(5).And.Contain(first.CompleteArchive);
        var after = await _store.ListObjectsAsync(_store.ObjectName("killed/"));
        after.Select(name => TopLevel("killed", name)).ToHashSet(StringComparer.Ordinal).Should().BeEquivalentTo(SetNames(second).Append(partial));
        after.Where(name => TopLevel("killed", name) == partial).Order(StringComparer.Ordinal).Should().Equal(partialObjects, "an incomplete set is never touched");
        var target = await _source.Server.CreateDatabaseAsync("store_set_killed_target");
        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = second.SchemaArchive });
        report.Errors.Should().BeEmpty();
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = second.DataArchive, DataOnly = true, Jobs = 2 });
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM big")).Should().Be(300000);
        (await Db.ScalarAsync<string>(target, "SELECT md5(string_agg(payload, '' ORDER BY id)) FROM big"))
            .Should().Be(await Db.ScalarAsync<string>(source, "SELECT md5(string_agg(payload, '' ORDER BY id)) FROM big"));
    }

    /// <summary>The five top-level names of a set in its prefix: three archives and the summary's .md and .json.</summary>
    private static IEnumerable<string> SetNames(BackupSetResult set) =>
    [
        Path.GetFileName(set.CompleteArchive), Path.GetFileName(set.SchemaArchive), Path.GetFileName(set.DataArchive),
        Path.GetFileName(set.SummaryPath), Path.GetFileName(Path.ChangeExtension(set.SummaryPath, ".json")),
    ];

    private string TopLevel(string directory, string objectName)
    {
        var relative = objectName[(_store.ObjectName(directory).Length + 1)..];
        var slash = relative.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? relative : relative[..slash];
    }

    /// <summary>The objects of an archive, relative to it, sorted.</summary>
    private List<string> Relative(List<string> objects, string archiveLocation)
    {
        var prefix = _store.ObjectName(archiveLocation[_store.Location("").Length..]) + "/";
        return objects.Where(name => name.StartsWith(prefix, StringComparison.Ordinal)).Select(name => name[prefix.Length..]).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A lock object as a run of fpdump writes it.</summary>
    private static byte[] LockRecord(string host, int processId, DateTimeOffset renewed) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"tool":"fpdump","host":"{{host}}","pid":{{processId}},"run":"{{Guid.NewGuid():N}}","started":"{{renewed.AddMinutes(-5):O}}","renewed":"{{renewed:O}}"}"""));

    /// <summary>A process id no process on this host has: one that just exited.</summary>
    private static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    private Dictionary<string, string> Environment() => new(_store.CliEnvironment, StringComparer.Ordinal);
}

[Collection(S3StoreRegistration.Name)]
public sealed class S3StoreBackupSetTests(S3Server store, FactoryPulseSource source)
    : StoreBackupSetTests<S3Server>(store, source), IClassFixture<S3Server>, IClassFixture<FactoryPulseSource>;

[Collection(AzureStoreRegistration.Name)]
public sealed class AzureStoreBackupSetTests(AzureServer store, FactoryPulseSource source)
    : StoreBackupSetTests<AzureServer>(store, source), IClassFixture<AzureServer>, IClassFixture<FactoryPulseSource>;

/// <summary>
/// The classes that register <c>s3://</c> with their own server: the registration is process-wide (the last one wins), so
/// they run one after another, never beside each other.
/// </summary>
[CollectionDefinition(Name)]
public sealed class S3StoreRegistration
{
    public const string Name = "s3:// registration";
}

/// <summary>The classes that register <c>az://</c> with their own server (see <see cref="S3StoreRegistration"/>).</summary>
[CollectionDefinition(Name)]
public sealed class AzureStoreRegistration
{
    public const string Name = "az:// registration";
}
