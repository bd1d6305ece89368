using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Storage;

namespace FactoryPulse.Dump.Sets;

/// <summary>
/// One backup run at a time per folder or store prefix: a lock file created exclusively in a folder, a lock object created
/// with the store's conditional create in a store. A stale lock (its process is gone; in a store also one not renewed
/// for <see cref="StoreLock.StaleAfter"/>) is taken over.
/// </summary>
internal abstract class BackupSetLock : IAsyncDisposable
{
    public const string FileName = ".fpdump-backup.lock";

    public static async Task<BackupSetLock> AcquireAsync(string directory, CancellationToken cancellationToken) =>
        ArchiveLocation.IsStore(directory)
            ? await StoreLock.TakeAsync(directory, cancellationToken).ConfigureAwait(false)
            : LocalLock.Acquire(directory);

    /// <summary>Throws <see cref="BackupSetLockedException"/> when another run holds the lock now: checked before the set's commit and before pruning.</summary>
    public abstract Task EnsureHeldAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    internal static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>A file created exclusively, holding the process id and deleted on close; the kernel's exclusive create is the lock.</summary>
    private sealed class LocalLock(FileStream file) : BackupSetLock
    {
        public static LocalLock Acquire(string directory)
        {
            var path = Path.Combine(directory, FileName);
            for (var attempt = 0; attempt < 2; attempt++)
            {
                try
                {
                    var lockOptions = new FileStreamOptions
                    {
                        Mode = FileMode.CreateNew,
                        Access = FileAccess.Write,
                        Share = FileShare.Read,
                        Options = FileOptions.DeleteOnClose,
                    };
                    if (!OperatingSystem.IsWindows())
                        lockOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                    var stream = new FileStream(path, lockOptions);
                    var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                    stream.Write(pid);
                    stream.Flush(flushToDisk: true);
                    return new LocalLock(stream);
                }
                catch (IOException) when (File.Exists(path))
                {
                    var text = File.ReadAllText(path).Trim();
                    if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && IsAlive(pid))
                        throw new BackupSetLockedException($"Another backup (process {pid}) is writing to {directory}; wait for it to finish.") { LockLocation = path, Holder = $"process {pid}" };
                    File.Delete(path); // left by a process that died
                }
            }
            throw new BackupSetLockedException($"Could not take the backup lock {path}.") { LockLocation = path };
        }

        // Only a dead process's lock is taken over, so a live run never loses this one.
        public override Task EnsureHeldAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override ValueTask DisposeAsync() => file.DisposeAsync();
    }

    /// <summary>
    /// A lock object: {tool, host, pid, run, started, renewed} as JSON, created only if absent (the store's conditional create),
    /// renewed every <see cref="RenewEvery"/> by a conditional replace of the version this run wrote, and deleted at the end.
    /// Stale, and taken over by a conditional replace of exactly the stale version, when its process on this host is gone
    /// (the local rule) or when it was not renewed for <see cref="StaleAfter"/> (a holder on another host, which cannot be asked;
    /// hosts' clocks must agree to within a few minutes). A run that finds its lock taken over stops before its commit.
    /// </summary>
    private sealed class StoreLock : BackupSetLock
    {
        internal static readonly TimeSpan RenewEvery = TimeSpan.FromMinutes(1);
        internal static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

        private readonly ArchiveStore store;
        private readonly string name;
        private readonly string location;
        private readonly LockRecord record;
        private readonly CancellationTokenSource stopRenewing = new();
        private readonly Task renewing;
        private string tag;
        private volatile bool lost;

        private StoreLock(ArchiveStore store, string name, string location, LockRecord record, string tag)
        {
            this.store = store;
            this.name = name;
            this.location = location;
            this.record = record;
            this.tag = tag;
            renewing = RenewAsync();
        }

        public static async Task<StoreLock> TakeAsync(string directory, CancellationToken cancellationToken)
        {
            var location = directory + "/" + FileName;
            var (store, name) = ArchiveLocation.Resolve(location);
            var record = new LockRecord(Environment.MachineName, Environment.ProcessId, Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow);
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var content = record.ToJson(DateTimeOffset.UtcNow);
                var tag = await store.TryWriteAsync(name, content, null, cancellationToken).ConfigureAwait(false);
                if (tag is not null)
                    return new StoreLock(store, name, location, record, tag);
                var current = await store.ReadVersionAsync(name, cancellationToken).ConfigureAwait(false);
                if (current is null)
                    continue; // released in between
                var holder = LockRecord.Parse(current.Content.Span);
                var renewed = holder?.Renewed ?? current.LastModified;
                if (!IsStale(holder, renewed))
                    throw Held(location, Describe(holder, renewed));
                // Exactly the stale version is replaced: of two runs taking it over, one wins.
                tag = await store.TryWriteAsync(name, content, current.Tag, cancellationToken).ConfigureAwait(false);
                if (tag is not null)
                    return new StoreLock(store, name, location, record, tag);
            }
            throw new BackupSetLockedException($"Could not take the backup lock {ArchiveLocation.Describe(location)}: it changed on every attempt, so another backup is starting there.") { LockLocation = ArchiveLocation.Describe(location) };
        }

        private static bool IsStale(LockRecord? holder, DateTimeOffset renewed) =>
            DateTimeOffset.UtcNow - renewed > StaleAfter
            || (holder is not null && string.Equals(holder.Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase) && !IsAlive(holder.ProcessId));

        private static string Describe(LockRecord? holder, DateTimeOffset renewed)
        {
            var age = DateTimeOffset.UtcNow - renewed;
            var ago = age < TimeSpan.Zero ? "just now" : age.TotalSeconds < 120 ? $"{age.TotalSeconds:0} s ago" : $"{age.TotalMinutes:0} min ago";
            return holder is null ? $"an unreadable lock written {ago}" : $"process {holder.ProcessId} on host {holder.Host}, renewed {ago}";
        }

        private static BackupSetLockedException Held(string location, string holder) =>
            new($"Another backup ({holder}) is writing to {ArchiveLocation.Describe(location[..^(FileName.Length + 1)])}; wait for it to finish. "
                + $"Its lock {FileName} is taken over when that process is gone from this host or the lock goes {StaleAfter.TotalMinutes:0} minutes without renewal.")
            {
                LockLocation = ArchiveLocation.Describe(location),
                Holder = holder,
            };

        public override async Task EnsureHeldAsync(CancellationToken cancellationToken)
        {
            var current = lost ? null : await store.ReadVersionAsync(name, cancellationToken).ConfigureAwait(false);
            var holder = current is null ? null : LockRecord.Parse(current.Content.Span);
            if (holder is not null && holder.Run == record.Run)
                return;
            lost = true;
            var now = holder is null ? "it is gone" : $"{Describe(holder, holder.Renewed)} holds it now";
            throw new BackupSetLockedException($"This backup lost its lock on {ArchiveLocation.Describe(location[..^(FileName.Length + 1)])} ({now}), so its set was not committed and no set was pruned.")
            {
                LockLocation = ArchiveLocation.Describe(location),
                Holder = holder is null ? null : Describe(holder, holder.Renewed),
            };
        }

        /// <summary>Rewrites the lock with a new renewal time, replacing only the version this run wrote; a failed request is retried at the next tick.</summary>
        private async Task RenewAsync()
        {
            using var timer = new PeriodicTimer(RenewEvery);
            try
            {
                while (await timer.WaitForNextTickAsync(stopRenewing.Token).ConfigureAwait(false))
                {
                    try
                    {
                        var next = await store.TryWriteAsync(name, record.ToJson(DateTimeOffset.UtcNow), tag, stopRenewing.Token).ConfigureAwait(false);
                        if (next is null)
                        {
                            lost = true; // taken over: EnsureHeldAsync reports it before the commit
                            return;
                        }
                        tag = next;
                    }
                    catch (Exception exception) when (exception is not (OperationCanceledException or OutOfMemoryException))
                    {
                        // The store could not be reached this time; the lock goes stale only after StaleAfter.
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        /// <summary>Stops renewing and deletes the lock if it is still this run's; best effort, cleanup does not honour cancellation.</summary>
        public override async ValueTask DisposeAsync()
        {
            await stopRenewing.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
            stopRenewing.Dispose();
            if (lost)
                return;
            try
            {
                var current = await store.ReadVersionAsync(name, CancellationToken.None).ConfigureAwait(false);
                if (current is not null && LockRecord.Parse(current.Content.Span)?.Run == record.Run)
                    await store.DeleteAsync(name, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // A lock left behind names a process that is gone (or goes stale): the next run takes it over.
            }
        }
    }

    /// <summary>What a store lock says about its holder.</summary>
    private sealed record LockRecord(string Host, int ProcessId, string Run, DateTimeOffset Started)
    {
        public DateTimeOffset Renewed { get; private init; } = Started;

        public byte[] ToJson(DateTimeOffset renewed)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("tool", "fpdump");
                json.WriteString("host", Host);
                json.WriteNumber("pid", ProcessId);
                json.WriteString("run", Run);
                json.WriteString("started", Started);
                json.WriteString("renewed", renewed);
                json.WriteEndObject();
            }
            return buffer.WrittenSpan.ToArray();
        }

        /// <summary>The holder, or null when the object is not a lock this tool wrote.</summary>
        public static LockRecord? Parse(ReadOnlySpan<byte> content)
        {
            try
            {
                var reader = new Utf8JsonReader(content);
                using var document = JsonDocument.ParseValue(ref reader);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object
                    || !root.TryGetProperty("host", out var host) || host.ValueKind != JsonValueKind.String
                    || !root.TryGetProperty("pid", out var pid) || !pid.TryGetInt32(out var processId)
                    || !root.TryGetProperty("run", out var run) || run.ValueKind != JsonValueKind.String
                    || !root.TryGetProperty("started", out var started) || !started.TryGetDateTimeOffset(out var startedAt)
                    || !root.TryGetProperty("renewed", out var renewed) || !renewed.TryGetDateTimeOffset(out var renewedAt))
                    return null;
                return new LockRecord(host.GetString()!, processId, run.GetString()!, startedAt) { Renewed = renewedAt };
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
