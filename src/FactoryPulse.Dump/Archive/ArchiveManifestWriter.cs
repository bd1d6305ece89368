using System.Text.Json;
using FactoryPulse.Dump.Storage;

namespace FactoryPulse.Dump.Archive;

/// <summary>Writes manifest.json into an archive folder (owner-only, flushed to disk) or store prefix: readable JSON, or sealed when the archive is encrypted.</summary>
internal static class ArchiveManifestWriter
{
    /// <summary>
    /// With <paramref name="key"/> (the archive's data key), the manifest is sealed (format version 2, see
    /// <see cref="ManifestSeal"/>); without it, written as readable JSON as before.
    /// </summary>
    public static async Task WriteAsync(string archiveDirectory, ArchiveManifest manifest, byte[]? key, CancellationToken cancellationToken)
    {
        // In a store, this object's existence is what marks the archive complete: it is written after every data file.
        var (store, name) = ArchiveLocation.Resolve(Path.Combine(archiveDirectory, ArchiveManifest.FileName));
        var file = await store.CreateAsync(name, cancellationToken).ConfigureAwait(false);
        await using (file.ConfigureAwait(false))
        {
            if (key is null)
                await JsonSerializer.SerializeAsync(file, manifest, ArchiveManifest.JsonType(ArchiveManifest.JsonOptions), cancellationToken).ConfigureAwait(false);
            else
                await file.WriteAsync(ManifestSeal.Seal(manifest, key), cancellationToken).ConfigureAwait(false);
            await file.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
