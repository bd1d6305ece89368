using System.Buffers.Binary;
using System.Text;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Data;
using FactoryPulse.Dump.Model;

namespace FactoryPulse.Dump.Sets;

/// <summary>
/// The storage buckets an archive holds, named for the summary. Buckets are rows of storage.buckets, so they are read
/// from that table's data file (the archive's own record of what it restores), not from the source at dump time:
/// nothing new goes into the manifest, and an archive whose bucket rows were left out names none.
/// </summary>
internal static class StorageBucketNames
{
    // storage.buckets holds a handful of rows; a file beyond this is not one to list in a summary.
    private const int MaxBytes = 16 << 20;

    /// <summary>The bucket names, sorted; null when the archive holds no rows of storage.buckets (or cannot be read).</summary>
    public static async Task<List<string>?> ReadAsync(string archivePath, ArchiveManifest manifest, byte[]? key, CancellationToken cancellationToken)
    {
        var entry = manifest.Entries.Find(candidate => candidate.Kind == ObjectKind.TableData && candidate.Schema == "storage" && candidate.Name == "buckets" && candidate.Data is not null);
        if (entry?.Data is not { } data || (manifest.Encryption is not null && key is null) || data.Format == DataFormat.LargeObjects)
            return null;
        var column = data.Columns.FindIndex(candidate => candidate.Name == "name");
        if (column < 0)
            column = data.Columns.FindIndex(candidate => candidate.Name == "id");
        if (column < 0)
            return null;
        var names = new List<string>();
        foreach (var part in data.Parts())
        {
            using var content = new MemoryStream();
            try
            {
                var reader = DataFiles.OpenRead(Path.Combine(archivePath, part.File), data.Compression, key);
                await using var readerScope = reader.ConfigureAwait(false);
                var buffer = new byte[81920];
                int read;
                while ((read = await reader.Content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (content.Length + read > MaxBytes)
                        return null;
                    content.Write(buffer, 0, read);
                }
            }
            catch (Exception exception) when (exception is IOException or InvalidDataException or ArchiveException or ZstdSharp.ZstdException or System.Security.Cryptography.CryptographicException)
            {
                return null;
            }
            try
            {
                var bytes = content.GetBuffer().AsSpan(0, (int)content.Length);
                if (data.Format == DataFormat.Binary)
                    ReadBinary(bytes, column, names);
                else
                    ReadText(bytes, column, names);
            }
            catch (ArgumentOutOfRangeException)
            {
                return null; // a damaged file: verification names it; the summary only cannot list the buckets
            }
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>Binary COPY: signature, flags, header extension, then per row a field count and length-prefixed fields (-1: NULL).</summary>
    private static void ReadBinary(ReadOnlySpan<byte> bytes, int column, List<string> names)
    {
        var at = 11 + 4;
        at += 4 + BinaryPrimitives.ReadInt32BigEndian(bytes[at..]);
        while (true)
        {
            var fields = BinaryPrimitives.ReadInt16BigEndian(bytes[at..]);
            at += 2;
            if (fields < 0)
                return;
            for (var field = 0; field < fields; field++)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(bytes[at..]);
                at += 4;
                if (length < 0)
                    continue;
                // The dump's sessions use client_encoding UTF8, so text values arrive as UTF-8.
                if (field == column)
                    names.Add(Encoding.UTF8.GetString(bytes.Slice(at, length)));
                at += length;
            }
        }
    }

    /// <summary>Text COPY: one row a line, tab-separated, backslash escapes, \N for NULL.</summary>
    private static void ReadText(ReadOnlySpan<byte> bytes, int column, List<string> names)
    {
        foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\t');
            if (column >= fields.Length || fields[column] == "\\N")
                continue;
            names.Add(Unescape(fields[column]));
        }
    }

    private static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
            return value;
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\' || i + 1 == value.Length)
            {
                text.Append(value[i]);
                continue;
            }
            i++;
            text.Append(value[i] switch
            {
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                _ => value[i],
            });
        }
        return text.ToString();
    }
}
