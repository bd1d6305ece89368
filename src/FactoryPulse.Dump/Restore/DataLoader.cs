using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Data;
using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Restore;

/// <summary>Loads an entry's data files into the target, for the full, parallel and data-only restore alike, and checks them first.</summary>
internal static class DataLoader
{
    /// <summary>Hashes every data file, on as many threads as there are cores: the restore waits for this before its first change.</summary>
    public static async Task VerifyChecksumsAsync(string inputPath, IReadOnlyList<TocEntry> entries, CancellationToken cancellationToken)
    {
        var files = new List<(TocEntry Entry, string File, string Checksum)>();
        foreach (var entry in entries)
        {
            if (entry.Data is null)
                continue;
            foreach (var part in entry.Data.Parts())
                files.Add((entry, part.File, part.Checksum));
        }
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(files, parallel, async (file, token) =>
        {
            var checksum = await DataFiles.ChecksumAsync(Path.Combine(inputPath, file.File), token).ConfigureAwait(false);
            if (checksum != file.Checksum)
                throw new ArchiveException($"Data file '{file.File}' of {file.Entry.DisplayName} is corrupt: checksum {checksum}, the manifest says {file.Checksum}. Nothing was restored.");
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Streams the entry's data files into the table (or large objects); their checksums were checked by
    /// <see cref="VerifyChecksumsAsync"/> before the restore's first change, so they are not hashed a second time here.
    /// For a table this restore created: TRUNCATE (same transaction) and COPY FREEZE, so rows are written frozen and
    /// need no later vacuum to set hint bits — what pg_restore gets only with --single-transaction.
    /// </summary>
    public static async Task LoadAsync(
        NpgsqlConnection connection, string inputPath, TocEntry entry, TableDataInfo data, bool truncateFirst, bool freeze, byte[]? key, CancellationToken cancellationToken)
    {
        if (data.Format == DataFormat.LargeObjects)
        {
            await LargeObjectCopier.RestoreAsync(connection, Path.Combine(inputPath, data.File), key, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (truncateFirst)
            await ServerConnection.ExecuteAsync(connection, $"TRUNCATE TABLE ONLY {CopySpec.Table(entry)}", cancellationToken).ConfigureAwait(false);
        var command = CopySpec.FromStdin(entry, data, freeze);
        var binary = data.Format == DataFormat.Binary;
        foreach (var part in data.Parts())
            await TableCopier.CopyInAsync(connection, command, binary, Path.Combine(inputPath, part.File), data.Compression, key, cancellationToken).ConfigureAwait(false);
    }
}
