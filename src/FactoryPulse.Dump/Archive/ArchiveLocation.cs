using FactoryPulse.Dump.Storage;

namespace FactoryPulse.Dump.Archive;

/// <summary>
/// Archive locations are strings: a local path, or a store URI (<c>s3://bucket/prefix/name</c>). Callers combine them
/// with file names as they always did (Path.Combine); this turns either into a store and a name.
/// </summary>
internal static class ArchiveLocation
{
    /// <summary>True for "scheme://…" with a scheme of two or more letters (so "C:\…" stays a path).</summary>
    public static bool IsStore(string location)
    {
        var separator = location.IndexOf("://", StringComparison.Ordinal);
        if (separator < 2)
            return false;
        for (var i = 0; i < separator; i++)
        {
            if (!char.IsAsciiLetterOrDigit(location[i]) && location[i] is not ('+' or '-' or '.'))
                return false;
        }
        return true;
    }

    /// <summary>The store and name of a location; local paths resolve to the file system with their full path as the name.</summary>
    public static ArchiveStoreLocation Resolve(string location)
    {
        if (!IsStore(location))
            return new ArchiveStoreLocation(LocalArchiveStore.Instance, location);
        // Path.Combine on Windows joins with '\'; store names use '/' only.
        var normalized = location.Replace('\\', '/');
        if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri))
            throw new ArchiveStoreException($"'{Describe(location)}' is not a valid store location.");
        if (!ArchiveStores.TryGetResolver(uri.Scheme, out var resolve))
            throw new ArchiveStoreException($"No archive store is registered for '{uri.Scheme}://' locations: reference the store's package "
                + "(FactoryPulse.Dump.Storage.S3 for s3://, FactoryPulse.Dump.Storage.Azure for az:// and https://…blob.core.windows.net) and call its Register().");
        var resolved = resolve(uri);
        return resolved with { Name = resolved.Name.Trim('/') };
    }

    /// <summary>A location for messages: the scheme, host and path only (a URI could carry a query with a signature).</summary>
    public static string Describe(string location)
    {
        var query = location.IndexOfAny(['?', '#']);
        return query < 0 ? location : location[..query];
    }

    /// <summary>The name of an object under an archive's prefix.</summary>
    public static string Child(string prefix, string name) => prefix.Length == 0 ? name : prefix + "/" + name.Replace('\\', '/');

    /// <summary>Whether anything exists at a location: a file, a directory, or any object under the prefix.</summary>
    public static async Task<bool> ExistsAsync(string location, CancellationToken cancellationToken)
    {
        if (!IsStore(location))
            return Directory.Exists(location) || File.Exists(location);
        var (store, name) = Resolve(location);
        await foreach (var item in store.ListAsync(name, cancellationToken).ConfigureAwait(false))
        {
            if (item.Name == name || item.Name.StartsWith(name + "/", StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    /// <summary>Objects under an archive's prefix, by their name relative to it.</summary>
    public static async Task<Dictionary<string, long>> ListArchiveAsync(ArchiveStore store, string prefix, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, long>(StringComparer.Ordinal);
        var start = prefix.Length == 0 ? "" : prefix + "/";
        await foreach (var item in store.ListAsync(start, cancellationToken).ConfigureAwait(false))
        {
            if (item.Name.StartsWith(start, StringComparison.Ordinal))
                files[item.Name[start.Length..]] = item.Length;
        }
        return files;
    }

    /// <summary>Deletes everything under an archive's prefix; best effort, the caller reports the original failure.</summary>
    public static async Task TryDeleteArchiveAsync(string location)
    {
        try
        {
            var (store, prefix) = Resolve(location);
            var files = await ListArchiveAsync(store, prefix, CancellationToken.None).ConfigureAwait(false);
            // The manifest first: once it is gone, what remains is visibly incomplete.
            if (files.Remove(ArchiveManifest.FileName))
                await store.DeleteAsync(Child(prefix, ArchiveManifest.FileName), CancellationToken.None).ConfigureAwait(false);
            foreach (var name in files.Keys)
                await store.DeleteAsync(Child(prefix, name), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Best effort: what is left has no manifest, so nothing takes it for an archive.
        }
    }
}
