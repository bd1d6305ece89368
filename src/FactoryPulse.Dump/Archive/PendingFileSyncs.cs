namespace FactoryPulse.Dump.Archive;

/// <summary>
/// Data files written but not yet flushed to disk; <see cref="SyncAllAsync"/> flushes them all at once before the
/// manifest (the archive's commit point) is written. One fsync per file as it is written cost a journal commit each:
/// 3 000 small tables spent seconds waiting on them one after another, while the same fsyncs issued side by side
/// share commits (measured: 3 030 files, 10–16 s one by one, 0.4–0.9 s eight at a time on ext4).
/// </summary>
internal sealed class PendingFileSyncs
{
    /// <summary>Fsyncs in flight at once: enough for the file system to group them, few enough to be cheap threads.</summary>
    internal const int Parallelism = 8;

    private readonly Lock _gate = new();
    private readonly List<string> _paths = [];

    public int Count
    {
        get
        {
            lock (_gate)
                return _paths.Count;
        }
    }

    /// <summary>Records a closed (or flushed) file whose bytes must be durable before the archive is committed.</summary>
    public void Add(string path)
    {
        lock (_gate)
            _paths.Add(path);
    }

    /// <summary>
    /// Flushes every recorded file to disk, <see cref="Parallelism"/> at a time, on threads of their own: fsync blocks,
    /// and blocking the thread pool with it would starve the rest of the run. Returns when all are durable; the first
    /// failure is rethrown once every thread has stopped.
    /// </summary>
    public Task SyncAllAsync(CancellationToken cancellationToken)
    {
        string[] paths;
        lock (_gate)
        {
            paths = [.. _paths];
            _paths.Clear();
        }
        if (paths.Length == 0)
            return Task.CompletedTask;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var threads = Math.Min(Parallelism, paths.Length);
        var running = threads;
        var next = -1;
        Exception? failure = null;
        for (var t = 0; t < threads; t++)
        {
            var thread = new Thread(() =>
            {
                try
                {
                    int index;
                    while (Volatile.Read(ref failure) is null && (index = Interlocked.Increment(ref next)) < paths.Length)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        Sync(paths[index]);
                    }
                }
                catch (Exception exception)
                {
                    Interlocked.CompareExchange(ref failure, exception, null);
                }
                if (Interlocked.Decrement(ref running) == 0)
                {
                    if (failure is null)
                        done.SetResult();
                    else
                        done.SetException(failure);
                }
            })
            {
                IsBackground = true,
                Name = "fpdump fsync",
            };
            thread.Start();
        }
        return done.Task;
    }

    /// <summary>
    /// Reopens a written file and flushes it to disk (fsync on Unix, FlushFileBuffers on Windows: both need write access);
    /// a bare handle, without a FileStream's buffering and file-type probes.
    /// </summary>
    private static void Sync(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        RandomAccess.FlushToDisk(handle);
    }
}
