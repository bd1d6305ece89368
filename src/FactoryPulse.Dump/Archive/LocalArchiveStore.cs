using FactoryPulse.Dump.Storage;

namespace FactoryPulse.Dump.Archive;

/// <summary>
/// The local file system as a store: names are paths. Files are owner-only and flushed to disk on commit; the
/// archive's atomicity stays with <see cref="StagedOutput"/> (a hidden directory renamed at the end).
/// </summary>
internal sealed class LocalArchiveStore : ArchiveStore
{
    public static readonly LocalArchiveStore Instance = new();

    public override Task<ArchiveStoreReadResult?> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        if (!File.Exists(name))
            return Task.FromResult<ArchiveStoreReadResult?>(null);
        var file = OwnerOnlyFiles.OpenRead(name);
        return Task.FromResult<ArchiveStoreReadResult?>(new ArchiveStoreReadResult(file, file.Length));
    }

    public override Task<ArchiveStoreUpload> CreateAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult<ArchiveStoreUpload>(new LocalUpload(OwnerOnlyFiles.CreateNew(name, bufferSize: 0)));

    public override async IAsyncEnumerable<ArchiveStoreObject> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var directory = prefix.EndsWith(Path.DirectorySeparatorChar) || prefix.EndsWith('/') ? prefix : Path.GetDirectoryName(prefix);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
            yield break;
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.StartsWith(prefix, StringComparison.Ordinal))
                yield return new ArchiveStoreObject { Name = file, Length = new FileInfo(file).Length };
        }
    }

    public override Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        File.Delete(name);
        return Task.CompletedTask;
    }

    /// <summary>An owner-only file; committing flushes it to disk.</summary>
    private sealed class LocalUpload(FileStream file) : ArchiveStoreUpload
    {
        public override void Write(byte[] buffer, int offset, int count) => file.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => file.Write(buffer);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            file.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            file.WriteAsync(buffer, offset, count, cancellationToken);

        public override async Task CommitAsync(CancellationToken cancellationToken)
        {
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                file.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await file.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
