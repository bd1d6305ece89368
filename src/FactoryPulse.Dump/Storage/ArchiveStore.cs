namespace FactoryPulse.Dump.Storage;

/// <summary>
/// Where archives and backup sets live when they are not on the local file system: one bucket or container of an
/// object store. Names are '/'-separated keys inside it. Implementations stream (no whole-object buffering) and report
/// a missing bucket or container as <see cref="ArchiveStoreException"/>; the library adds the archive's rules on top
/// (manifest written last, checksums checked before the first change).
/// </summary>
public abstract class ArchiveStore
{
    /// <summary>
    /// Opens an object for reading, with its length, or returns null when it does not exist. An object read once is
    /// read again only in the same version (a store pins it, e.g. by ETag): the restore hashes every file, then reads
    /// them again to load them, and a file replaced in between is an error, never unverified bytes.
    /// </summary>
    public abstract Task<ArchiveStoreReadResult?> OpenReadAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Starts writing an object. Nothing is visible under <paramref name="name"/> until
    /// <see cref="ArchiveStoreUpload.CommitAsync"/> succeeds; disposing an upload that was not committed discards it.
    /// </summary>
    public abstract Task<ArchiveStoreUpload> CreateAsync(string name, CancellationToken cancellationToken);

    /// <summary>The objects whose names start with <paramref name="prefix"/>, with their sizes.</summary>
    public abstract IAsyncEnumerable<ArchiveStoreObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes an object; deleting one that does not exist is not an error.</summary>
    public abstract Task DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Reads a small object (a lock, a summary) whole, with the version tag a conditional write can name; null when it
    /// does not exist. Unlike <see cref="OpenReadAsync"/>, a later read sees whatever version is current.
    /// </summary>
    public abstract Task<ArchiveStoreVersion?> ReadVersionAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a small object in one request, only when no object has the name (<paramref name="expectedVersion"/> null) or
    /// when it is still at <paramref name="expectedVersion"/> (a tag from <see cref="ReadVersionAsync"/> or an earlier
    /// write). Returns the new version's tag, or null when the condition did not hold. The condition is the store's own
    /// where it has one (S3 <c>If-None-Match</c>/<c>If-Match</c>, Azure conditional headers); a store that ignores it is
    /// checked before and after the write instead, which a writer racing in between can slip past.
    /// </summary>
    public abstract Task<string?> TryWriteAsync(string name, ReadOnlyMemory<byte> content, string? expectedVersion, CancellationToken cancellationToken);
}

/// <summary>A small object read whole by <see cref="ArchiveStore.ReadVersionAsync"/>.</summary>
public sealed record ArchiveStoreVersion
{
    /// <summary>The object's bytes.</summary>
    public required ReadOnlyMemory<byte> Content { get; init; }

    /// <summary>The version's tag (an ETag): what <see cref="ArchiveStore.TryWriteAsync"/> expects to replace exactly this version.</summary>
    public required string Tag { get; init; }

    /// <summary>When the store last wrote it, by the store's clock.</summary>
    public DateTimeOffset LastModified { get; init; }
}

/// <summary>A write-only stream into a store object that appears only when committed.</summary>
public abstract class ArchiveStoreUpload : Stream
{
    /// <summary>Finishes the upload (the last part or block, then the object itself); only then does the object exist.</summary>
    public abstract Task CommitAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public sealed override bool CanRead => false;

    /// <inheritdoc />
    public sealed override bool CanSeek => false;

    /// <inheritdoc />
    public sealed override bool CanWrite => true;

    /// <inheritdoc />
    public sealed override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public sealed override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public sealed override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public sealed override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <summary>Buffers or uploads <paramref name="buffer"/>: the one write a store implements; the other forms come here.</summary>
    // RS0027 is about adding optional parameters to new overloads; this is Stream's own signature, re-declared abstract.
#pragma warning disable RS0027
    public abstract override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);
#pragma warning restore RS0027

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Blocks on <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/> unless a store has a true synchronous write (a local file).</summary>
    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
}

/// <summary>One object of a store listing.</summary>
public sealed record ArchiveStoreObject
{
    /// <summary>The object's full name (key) in its bucket or container.</summary>
    public required string Name { get; init; }

    /// <summary>Its size in bytes.</summary>
    public long Length { get; init; }
}

/// <summary>A location resolved to its store and the object name (key prefix) inside it.</summary>
/// <param name="Store">The bucket's or container's store.</param>
/// <param name="Name">The name inside it, '/'-separated, without a leading or trailing '/'.</param>
public readonly record struct ArchiveStoreLocation(ArchiveStore Store, string Name);

/// <summary>The bucket or container a location names does not exist (or cannot be reached); nothing was written.</summary>
public sealed class ArchiveStoreException : DumpException
{
    /// <summary>Creates the exception.</summary>
    public ArchiveStoreException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>The bucket or container, when the error is about one.</summary>
    public string? Container { get; init; }
}
