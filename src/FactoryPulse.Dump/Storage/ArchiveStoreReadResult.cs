namespace FactoryPulse.Dump.Storage;

/// <summary>
/// An object opened for reading: its bytes as they arrive, and its length as the store announced it (readers bound
/// records by what is left). Disposing it releases the response and its connection.
/// </summary>
public sealed class ArchiveStoreReadResult : IDisposable, IAsyncDisposable
{
    private readonly IDisposable? _response;

    /// <summary>Creates the result.</summary>
    /// <param name="content">The object's bytes (the response body); disposed with the result.</param>
    /// <param name="length">The object's length in bytes.</param>
    /// <param name="response">What else the read holds (an SDK response), disposed after the body.</param>
    public ArchiveStoreReadResult(Stream content, long length, IDisposable? response = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Content = content;
        Length = length;
        _response = response;
    }

    /// <summary>The object's bytes, read forward only.</summary>
    public Stream Content { get; }

    /// <summary>The object's length in bytes.</summary>
    public long Length { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Content.Dispose();
        _response?.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync().ConfigureAwait(false);
        _response?.Dispose();
    }
}
