using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FactoryPulse.Dump.Archive;

/// <summary>
/// The manifest of an encrypted archive (format version 2): a clear header — format version, tool, encryption
/// parameters, complete — and <c>sealed</c>, the whole manifest (DDL, names, files, checksums) as one AES-256-GCM
/// message under a key derived from the archive key, with the header as associated data. Whoever can write the archive
/// but lacks the passphrase can neither read the schema nor change, reorder or swap anything the restore runs or
/// checks: the data files' checksums and sizes live inside the sealed part.
/// </summary>
internal static class ManifestSeal
{
    private static readonly JsonSerializerOptions CompactJson = new(ArchiveManifest.JsonOptions) { WriteIndented = false };

    /// <summary>manifest.json for <paramref name="manifest"/> sealed under <paramref name="key"/> (its format version becomes at least 2).</summary>
    public static byte[] Seal(ArchiveManifest manifest, byte[] key)
    {
        var encryption = manifest.Encryption ?? throw new InvalidOperationException("Only a manifest with encryption parameters can be sealed.");
        manifest.FormatVersion = Math.Max(manifest.FormatVersion, ArchiveManifest.SealedFormatVersion);
        manifest.Sealed = null;
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(manifest, ArchiveManifest.JsonType(CompactJson));
        var message = Encryption.SealMessage(Encryption.ManifestKey(key), plaintext, Header(manifest));

        var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("formatVersion", manifest.FormatVersion);
            writer.WriteString("tool", manifest.Tool);
            writer.WriteString("toolVersion", manifest.ToolVersion);
            writer.WriteStartObject("encryption");
            writer.WriteString("algorithm", encryption.Algorithm);
            writer.WriteString("keyDerivation", encryption.KeyDerivation);
            writer.WriteNumber("iterations", encryption.Iterations);
            writer.WriteString("salt", encryption.Salt);
            writer.WriteString("keyCheck", encryption.KeyCheck);
            writer.WriteEndObject();
            writer.WriteBase64String("sealed", message);
            writer.WriteBoolean("complete", manifest.Complete);
            writer.WriteEndObject();
        }
        return output.ToArray();
    }

    /// <summary>True when the manifest as read is the clear header of a sealed one (or claims to be).</summary>
    public static bool IsSealed(ArchiveManifest outer) =>
        outer.Sealed is not null || (outer.Encryption is not null && outer.FormatVersion >= ArchiveManifest.SealedFormatVersion);

    /// <summary>
    /// The manifest inside a sealed one, after checking the passphrase and authenticating every byte of the sealed part
    /// together with the clear header; anything else raises <see cref="ArchiveException"/> and nothing of it is used.
    /// </summary>
    public static ArchiveManifest Open(ArchiveManifest outer, string? passphrase, string manifestPath)
    {
        var encryption = outer.Encryption
            ?? throw new ArchiveException($"{manifestPath} holds a sealed table of contents but no encryption parameters.");
        if (outer.Sealed is null)
            throw new ArchiveException($"{manifestPath} is an encrypted manifest of format version {outer.FormatVersion} without its sealed table of contents.");
        if (outer.FormatVersion < ArchiveManifest.SealedFormatVersion)
            throw new ArchiveException($"{manifestPath} holds a sealed table of contents under format version {outer.FormatVersion}, which has none.");
        encryption.ManifestSealed = true;
        var key = encryption.KeyFrom(passphrase);
        byte[] message;
        try
        {
            message = Convert.FromBase64String(outer.Sealed);
        }
        catch (FormatException exception)
        {
            throw new ArchiveException($"{manifestPath}: the sealed table of contents is damaged (not base64).", exception);
        }
        var plaintext = Encryption.OpenMessage(Encryption.ManifestKey(key), message, Header(outer));

        ArchiveManifest? inner;
        try
        {
            inner = JsonSerializer.Deserialize(plaintext, ArchiveManifest.JsonType(ArchiveManifest.JsonOptions));
        }
        catch (JsonException exception)
        {
            throw new ArchiveException($"{manifestPath}: the sealed table of contents is not a manifest: {exception.Message}", exception);
        }
        // The header is authenticated as associated data; the sealed copy must say the same (a writer's mistake otherwise).
        if (inner is null || inner.Sealed is not null || inner.FormatVersion != outer.FormatVersion || inner.Complete != outer.Complete
            || inner.Tool != outer.Tool || inner.ToolVersion != outer.ToolVersion || inner.Encryption is not { } sealedEncryption
            || sealedEncryption.Algorithm != encryption.Algorithm || sealedEncryption.KeyDerivation != encryption.KeyDerivation
            || sealedEncryption.Iterations != encryption.Iterations || sealedEncryption.Salt != encryption.Salt || sealedEncryption.KeyCheck != encryption.KeyCheck)
            throw new ArchiveException($"{manifestPath}: the sealed table of contents does not match the manifest's header.");
        // The opened key travels with the manifest, so the restore does not derive it again.
        inner.Encryption = encryption;
        return inner;
    }

    /// <summary>
    /// The associated data: a label, then each clear header field as a 4-byte big-endian length and its UTF-8 bytes, so
    /// no two headers encode alike. A change to any of them (rounds, salt, version, complete, ...) fails the seal.
    /// </summary>
    internal static byte[] Header(ArchiveManifest manifest)
    {
        var encryption = manifest.Encryption!;
        string[] fields =
        [
            "FactoryPulse.Dump sealed manifest",
            manifest.FormatVersion.ToString(CultureInfo.InvariantCulture),
            manifest.Tool,
            manifest.ToolVersion,
            encryption.Algorithm,
            encryption.KeyDerivation,
            encryption.Iterations.ToString(CultureInfo.InvariantCulture),
            encryption.Salt,
            encryption.KeyCheck,
            manifest.Complete ? "true" : "false",
        ];
        var output = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var field in fields)
        {
            var bytes = Encoding.UTF8.GetBytes(field ?? "");
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            output.Write(length);
            output.Write(bytes);
        }
        return output.ToArray();
    }
}
