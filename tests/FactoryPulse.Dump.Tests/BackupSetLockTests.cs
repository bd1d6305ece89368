using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Sets;
using FactoryPulse.Dump.Storage;

namespace FactoryPulse.Dump.Tests;

/// <summary>The backup lock in a store (an in-memory one with the store's conditional writes) and the local store's conditional writes, without a server.</summary>
public sealed class BackupSetLockTests
{
    private const string Scheme = "locktest";

    private static readonly MemoryStore Store = RegisterStore();

    private readonly string _directory = $"{Scheme}://bucket/{Guid.NewGuid():N}";

    private static MemoryStore RegisterStore()
    {
        var store = new MemoryStore();
        ArchiveStores.Register(Scheme, location => new ArchiveStoreLocation(store, location.AbsolutePath));
        return store;
    }

    private string LockName => _directory[$"{Scheme}://bucket/".Length..] + "/" + BackupSetLock.FileName;

    [Fact]
    public async Task A_second_run_is_refused_while_the_first_holds_the_lock_and_may_take_it_once_released()
    {
        var first = await BackupSetLock.AcquireAsync(_directory, CancellationToken.None);
        var written = Encoding.UTF8.GetString(Store.Objects[LockName].Content);
        written.Should().Contain($"\"host\":\"{Environment.MachineName}\"").And.Contain($"\"pid\":{Environment.ProcessId}");

        var second = () => BackupSetLock.AcquireAsync(_directory, CancellationToken.None);

        var error = (await second.Should().ThrowAsync<BackupSetLockedException>()).Which;
        error.Holder.Should().StartWith($"process {Environment.ProcessId} on host {Environment.MachineName}, renewed ");
        error.LockLocation.Should().Be(_directory + "/" + BackupSetLock.FileName);
        error.Message.Should().StartWith($"Another backup (process {Environment.ProcessId} on host ").And.Contain("wait for it to finish");
        await first.EnsureHeldAsync(CancellationToken.None);
        await first.DisposeAsync();
        Store.Objects.Should().NotContainKey(LockName, "the lock is deleted at the end");
        await using var third = await BackupSetLock.AcquireAsync(_directory, CancellationToken.None);
    }

    [Fact]
    public async Task A_lock_not_renewed_for_ten_minutes_or_left_by_a_dead_process_on_this_host_is_taken_over_and_a_fresh_one_elsewhere_is_not()
    {
        Store.Put(LockName, LockRecord("elsewhere", 4242, DateTimeOffset.UtcNow.AddMinutes(-9)));
        var fresh = () => BackupSetLock.AcquireAsync(_directory, CancellationToken.None);
        (await fresh.Should().ThrowAsync<BackupSetLockedException>()).Which.Holder.Should().Be("process 4242 on host elsewhere, renewed 9 min ago");

        Store.Put(LockName, LockRecord("elsewhere", 4242, DateTimeOffset.UtcNow.AddMinutes(-11)));
        await (await BackupSetLock.AcquireAsync(_directory, CancellationToken.None)).DisposeAsync();

        Store.Put(LockName, LockRecord(Environment.MachineName, DeadProcessId(), DateTimeOffset.UtcNow));
        await using var taken = await BackupSetLock.AcquireAsync(_directory, CancellationToken.None);
        Encoding.UTF8.GetString(Store.Objects[LockName].Content).Should().Contain($"\"pid\":{Environment.ProcessId}");
    }

    [Fact]
    public async Task An_unreadable_lock_is_judged_by_when_it_was_written()
    {
        Store.Put(LockName, Encoding.UTF8.GetBytes("12345"));
        var act = () => BackupSetLock.AcquireAsync(_directory, CancellationToken.None);
        (await act.Should().ThrowAsync<BackupSetLockedException>()).Which.Holder.Should().StartWith("an unreadable lock written ");

        Store.Put(LockName, Encoding.UTF8.GetBytes("12345"), DateTimeOffset.UtcNow.AddHours(-1));
        await using var taken = await BackupSetLock.AcquireAsync(_directory, CancellationToken.None);
    }

    [Fact]
    public async Task A_run_whose_lock_was_taken_over_stops_before_its_commit_and_leaves_the_new_holders_lock()
    {
        var run = await BackupSetLock.AcquireAsync(_directory, CancellationToken.None);
        var other = LockRecord("elsewhere", 7, DateTimeOffset.UtcNow);
        Store.Put(LockName, other);

        var commit = () => run.EnsureHeldAsync(CancellationToken.None);

        (await commit.Should().ThrowAsync<BackupSetLockedException>()).Which.Message.Should().Contain("lost its lock").And.Contain("process 7 on host elsewhere");
        await run.DisposeAsync();
        Store.Objects[LockName].Content.Should().Equal(other);
    }

    [Fact]
    public async Task The_local_store_creates_only_when_absent_and_replaces_only_the_version_it_was_given()
    {
        var folder = Directory.CreateTempSubdirectory("fpdump-lockstore-").FullName;
        try
        {
            var path = Path.Combine(folder, "lock");
            var store = LocalArchiveStore.Instance;
            var created = await store.TryWriteAsync(path, "one"u8.ToArray(), null, CancellationToken.None);
            created.Should().NotBeNull();
            (await store.TryWriteAsync(path, "two"u8.ToArray(), null, CancellationToken.None)).Should().BeNull();
            var read = await store.ReadVersionAsync(path, CancellationToken.None);
            read!.Tag.Should().Be(created);
            read.Content.ToArray().Should().Equal("one"u8.ToArray());
            (await store.TryWriteAsync(path, "three"u8.ToArray(), "0-0", CancellationToken.None)).Should().BeNull();
            (await store.TryWriteAsync(path, "three"u8.ToArray(), created, CancellationToken.None)).Should().NotBeNull();
            (await File.ReadAllTextAsync(path)).Should().Be("three");
            (await store.ReadVersionAsync(Path.Combine(folder, "missing"), CancellationToken.None)).Should().BeNull();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_set_in_a_store_is_valid_options_but_plain_scripts_there_are_refused_up_front()
    {
        new BackupSetOptions { ConnectionString = "Host=db", Directory = "s3://bucket/sets" }.Validate();

        var plain = () => new BackupSetOptions { ConnectionString = "Host=db", Directory = "az://container/sets", Plain = true }.Validate();

        plain.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(nameof(BackupSetOptions.Plain));
    }

    private static byte[] LockRecord(string host, int processId, DateTimeOffset renewed) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"tool":"fpdump","host":"{{host}}","pid":{{processId}},"run":"{{Guid.NewGuid():N}}","started":"{{renewed:O}}","renewed":"{{renewed:O}}"}"""));

    private static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    /// <summary>Objects in a dictionary; conditional writes atomic, as Azure's and S3's are.</summary>
    private sealed class MemoryStore : ArchiveStore
    {
        private int _version;

        public ConcurrentDictionary<string, (byte[] Content, string Tag, DateTimeOffset Written)> Objects { get; } = new(StringComparer.Ordinal);

        public void Put(string name, byte[] content, DateTimeOffset? written = null) =>
            Objects[name] = (content, NextTag(), written ?? DateTimeOffset.UtcNow);

        private string NextTag() => Interlocked.Increment(ref _version).ToString(CultureInfo.InvariantCulture);

        public override Task<ArchiveStoreVersion?> ReadVersionAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult(Objects.TryGetValue(name, out var item) ? new ArchiveStoreVersion { Content = item.Content, Tag = item.Tag, LastModified = item.Written } : null);

        public override Task<string?> TryWriteAsync(string name, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken cancellationToken)
        {
            lock (Objects)
            {
                var exists = Objects.TryGetValue(name, out var current);
                if (expectedVersion is null ? exists : !exists || current.Tag != expectedVersion)
                    return Task.FromResult<string?>(null);
                var tag = NextTag();
                Objects[name] = (content.ToArray(), tag, DateTimeOffset.UtcNow);
                return Task.FromResult<string?>(tag);
            }
        }

        public override Task DeleteAsync(string name, CancellationToken cancellationToken)
        {
            Objects.TryRemove(name, out _);
            return Task.CompletedTask;
        }

        public override Task<ArchiveStoreReadResult?> OpenReadAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult(Objects.TryGetValue(name, out var item)
                ? new ArchiveStoreReadResult(new MemoryStream(item.Content, writable: false), item.Content.Length)
                : null);

        public override Task<ArchiveStoreUpload> CreateAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public override async IAsyncEnumerable<ArchiveStoreObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            foreach (var (name, item) in Objects)
            {
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                    yield return new ArchiveStoreObject { Name = name, Length = item.Content.Length };
            }
        }
    }
}
