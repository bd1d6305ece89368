using System.Text.Json;

namespace FactoryPulse.Dump.Archive;

/// <summary>Writes manifest.json into an archive folder (owner-only, flushed to disk): readable JSON, or sealed when the archive is encrypted.</summary>
internal static class ArchiveManifestWriter
{
    /// <summary>
    /// With <paramref name="key"/> (the archive's data key), the manifest is sealed (format version 2, see
    /// <see cref="ManifestSeal"/>); without it, written as readable JSON as before.
    /// </summary>
    public static async Task WriteAsync(string archiveDirectory, ArchiveManifest manifest, byte[]? key, CancellationToken cancellationToken)
    {
        var file = OwnerOnlyFiles.CreateNew(Path.Combine(archiveDirectory, ArchiveManifest.FileName));
        await using (file.ConfigureAwait(false))
        {
            if (key is null)
                await JsonSerializer.SerializeAsync(file, manifest, ArchiveManifest.JsonType(ArchiveManifest.JsonOptions), cancellationToken).ConfigureAwait(false);
            else
                await file.WriteAsync(ManifestSeal.Seal(manifest, key), cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
    }
}
