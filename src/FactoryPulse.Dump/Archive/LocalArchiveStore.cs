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

    public override async Task<ArchiveStoreVersion?> ReadVersionAsync(string name, CancellationToken cancellationToken)
    {
        if (!File.Exists(name))
            return null;
        var content = await File.ReadAllBytesAsync(name, cancellationToken).ConfigureAwait(false);
        var written = File.GetLastWriteTimeUtc(name);
        return new ArchiveStoreVersion { Content = content, Tag = Tag(written, content.Length), LastModified = written };
    }

    /// <summary>Create-if-absent is the file system's own (CreateNew); a replacement is checked, then written under a temporary name and renamed.</summary>
    public override async Task<string?> TryWriteAsync(string name, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken cancellationToken)
    {
        if (expectedVersion is null)
        {
            FileStream file;
            try
            {
                file = OwnerOnlyFiles.CreateNew(name, bufferSize: 0);
            }
            catch (IOException) when (File.Exists(name))
            {
                return null;
            }
            await using (file.ConfigureAwait(false))
            {
                await file.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
        }
        else
        {
            var current = await ReadVersionAsync(name, cancellationToken).ConfigureAwait(false);
            if (current?.Tag != expectedVersion)
                return null;
            await StagedOutput.WriteFileAsync(name, overwrite: true, async file =>
            {
                await file.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        return Tag(File.GetLastWriteTimeUtc(name), content.Length);
    }

    private static string Tag(DateTime written, long length) =>
        written.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + length.ToString(System.Globalization.CultureInfo.InvariantCulture);

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
