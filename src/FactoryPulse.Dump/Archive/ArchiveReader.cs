using System.Text.Json;
using FactoryPulse.Dump.Storage;

namespace FactoryPulse.Dump.Archive;

/// <summary>Opens a directory archive and checks its manifest before anything touches a database.</summary>
internal static class ArchiveReader
{
    // A manifest is text the size of the schema; anything larger is not ours.
    private const long MaxManifestBytes = 256L * 1024 * 1024;

    public static Task<ArchiveManifest> ReadManifestAsync(string archivePath, CancellationToken cancellationToken) =>
        ReadManifestAsync(archivePath, null, cancellationToken);

    /// <summary>
    /// The manifest, checked. An encrypted archive's manifest is read only with its passphrase: a sealed one (format
    /// version 2) is authenticated and decrypted, an older one's passphrase is checked. A passphrase given for an
    /// unencrypted archive is refused, since anyone who can write an archive can put an unencrypted one in its place.
    /// </summary>
    public static async Task<ArchiveManifest> ReadManifestAsync(string archivePath, string? passphrase, CancellationToken cancellationToken)
    {
        var store = ArchiveLocation.IsStore(archivePath);
        Dictionary<string, long>? storeFiles = null;
        string manifestPath;
        Stream? stream;
        if (store)
        {
            // One listing serves the manifest's presence and every data file's size check below.
            var (objects, prefix) = ArchiveLocation.Resolve(archivePath);
            storeFiles = await ArchiveLocation.ListArchiveAsync(objects, prefix, cancellationToken).ConfigureAwait(false);
            manifestPath = ArchiveLocation.Describe(archivePath).TrimEnd('/') + "/" + ArchiveManifest.FileName;
            if (storeFiles.Count == 0)
                throw new ArchiveException($"No archive at '{ArchiveLocation.Describe(archivePath)}': the store holds nothing under that name.");
            if (!storeFiles.TryGetValue(ArchiveManifest.FileName, out var storedLength))
                throw new ArchiveException($"'{ArchiveLocation.Describe(archivePath)}' is not a complete archive: {ArchiveManifest.FileName} is missing (an interrupted dump leaves no manifest).");
            if (storedLength > MaxManifestBytes)
                throw new ArchiveException($"{manifestPath} is {storedLength} bytes, larger than any manifest this tool writes.");
            stream = (await objects.OpenReadAsync(ArchiveLocation.Child(prefix, ArchiveManifest.FileName), cancellationToken).ConfigureAwait(false))?.Content
                ?? throw new ArchiveException($"'{ArchiveLocation.Describe(archivePath)}' is not a complete archive: {ArchiveManifest.FileName} is missing.");
        }
        else
        {
            if (!Directory.Exists(archivePath))
                throw new ArchiveException($"No archive at '{archivePath}': the directory does not exist.");
            manifestPath = Path.Combine(archivePath, ArchiveManifest.FileName);
            if (!File.Exists(manifestPath))
                throw new ArchiveException($"'{archivePath}' is not a complete archive: {ArchiveManifest.FileName} is missing (an interrupted dump leaves no manifest).");
            var length = new FileInfo(manifestPath).Length;
            if (length > MaxManifestBytes)
                throw new ArchiveException($"{manifestPath} is {length} bytes, larger than any manifest this tool writes.");
            stream = File.OpenRead(manifestPath);
        }

        ArchiveManifest? manifest;
        try
        {
            await using var streamScope = stream.ConfigureAwait(false);
            manifest = await JsonSerializer.DeserializeAsync(stream, ArchiveManifest.JsonType(ArchiveManifest.JsonOptions), cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException exception)
        {
            throw new ArchiveException($"{manifestPath} is corrupt: {exception.Message}", exception);
        }
        if (manifest is null)
            throw new ArchiveException($"{manifestPath} is empty.");
        if (manifest.FormatVersion > ArchiveManifest.CurrentFormatVersion)
            throw new ArchiveException($"The archive has format version {manifest.FormatVersion}, newer than this tool reads ({ArchiveManifest.CurrentFormatVersion}). Upgrade FactoryPulse.Dump.");
        if (manifest.FormatVersion < 1)
            throw new ArchiveException($"{manifestPath} has an invalid format version {manifest.FormatVersion}.");
        if (ManifestSeal.IsSealed(manifest))
            manifest = ManifestSeal.Open(manifest, passphrase, manifestPath);
        else if (manifest.Encryption is { } encryption)
            encryption.KeyFrom(passphrase); // written before sealing: readable, but only for whoever holds the passphrase
        else if (!string.IsNullOrEmpty(passphrase))
            throw new ArchiveException($"The archive at '{archivePath}' is not encrypted, but a passphrase was given: refused, since an encrypted archive can be replaced by an unencrypted one without the passphrase. Leave out the passphrase (EncryptionPassphrase; the CLI reads --key-file or FPDUMP_PASSPHRASE) for an unencrypted archive.");
        if (!manifest.Complete)
            throw new ArchiveException($"The archive at '{archivePath}' is marked incomplete; it cannot be restored.");
        if (manifest.FormatVersion < ArchiveManifest.StatementListsSince)
            LegacyManifest.Upgrade(manifest);
        Validate(archivePath, manifest, storeFiles);
        return manifest;
    }

    // storeFiles: for a store archive, its objects by relative name and size; null for a directory.
    private static void Validate(string archivePath, ArchiveManifest manifest, Dictionary<string, long>? storeFiles)
    {
        var ids = new HashSet<int>();
        var files = new HashSet<string>(StringComparer.Ordinal);
        var root = storeFiles is null ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(archivePath)) : "";
        foreach (var entry in manifest.Entries)
        {
            if (entry is null)
                throw new ArchiveException("The manifest holds an empty entry.");
            if (!ids.Add(entry.DumpId))
                throw new ArchiveException($"The manifest lists dump id {entry.DumpId} twice.");
            if (entry.Data is not { } data)
                continue;
            if (data.Chunks is { Count: 0 })
                throw new ArchiveException($"Entry {entry.DisplayName} lists an empty set of chunks.");
            foreach (var part in data.Parts())
            {
                if (string.IsNullOrEmpty(part.File) || Path.IsPathRooted(part.File) || part.File.Contains("..", StringComparison.Ordinal)
                    || part.File.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
                    throw new ArchiveException($"Entry {entry.DisplayName} names an unsafe data file '{part.File}'.");
                if (!files.Add(part.File))
                    throw new ArchiveException($"Two entries share the data file '{part.File}'.");
                if (storeFiles is not null)
                {
                    if (!storeFiles.TryGetValue(part.File, out var storedLength))
                        throw new ArchiveException($"Data file '{part.File}' of {entry.DisplayName} is missing.");
                    if (storedLength != part.Bytes)
                        throw new ArchiveException($"Data file '{part.File}' of {entry.DisplayName} has {storedLength} bytes; the manifest says {part.Bytes} (truncated or replaced).");
                    continue;
                }
                var full = Path.GetFullPath(Path.Combine(root, part.File));
                if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw new ArchiveException($"Entry {entry.DisplayName} names a data file outside the archive: '{part.File}'.");
                if (!File.Exists(full))
                    throw new ArchiveException($"Data file '{part.File}' of {entry.DisplayName} is missing.");
                var length = new FileInfo(full).Length;
                if (length != part.Bytes)
                    throw new ArchiveException($"Data file '{part.File}' of {entry.DisplayName} has {length} bytes; the manifest says {part.Bytes} (truncated or replaced).");
            }
        }
        foreach (var entry in manifest.Entries)
        {
            foreach (var dependency in entry.Dependencies)
            {
                if (!ids.Contains(dependency))
                    throw new ArchiveException($"Entry {entry.DisplayName} depends on dump id {dependency}, which the manifest does not hold.");
            }
        }
    }

    public static string DataFilePath(string archivePath, TableDataInfo data) => Path.Combine(archivePath, data.File);
}
