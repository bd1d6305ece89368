using System.Collections.Concurrent;

namespace FactoryPulse.Dump.Storage;

/// <summary>
/// Object stores by location scheme (<c>s3://</c>, <c>az://</c> …). The store packages register themselves here
/// (e.g. <c>S3ArchiveStore.Register()</c>), so the core library carries no vendor SDK; plain paths need no registration.
/// </summary>
public static class ArchiveStores
{
    private static readonly ConcurrentDictionary<string, Func<Uri, ArchiveStoreLocation>> Resolvers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Makes locations with <paramref name="scheme"/> (without "://") resolve through <paramref name="resolve"/>, which
    /// turns a location into its store and the name inside it. A later registration for the same scheme replaces it.
    /// </summary>
    public static void Register(string scheme, Func<Uri, ArchiveStoreLocation> resolve)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scheme);
        ArgumentNullException.ThrowIfNull(resolve);
        Resolvers[scheme] = resolve;
    }

    internal static bool TryGetResolver(string scheme, out Func<Uri, ArchiveStoreLocation> resolve) =>
        Resolvers.TryGetValue(scheme, out resolve!);
}
