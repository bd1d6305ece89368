using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Data;
using FactoryPulse.Dump.Sql;
using Npgsql;

namespace FactoryPulse.Dump.Restore;

/// <summary>
/// Where an entry's rows come from while the restore engine loads them: the archive's data files
/// (<see cref="ArchiveEntryData"/>) or, for a direct copy, a live source server. Called on the target connection,
/// inside the load's transaction.
/// </summary>
internal interface IEntryDataSource
{
    /// <summary>
    /// Loads the entry's rows (or large objects) into the target, with COPY FREEZE when <paramref name="freeze"/>. A
    /// source that learns the row count only while loading sets <see cref="TableDataInfo.Rows"/> before returning.
    /// </summary>
    Task LoadAsync(NpgsqlConnection target, TocEntry entry, TableDataInfo data, bool freeze, CancellationToken cancellationToken);
}

/// <summary>An archive's data files, decrypted with <paramref name="key"/>; their checksums were verified before the first change.</summary>
internal sealed class ArchiveEntryData(string inputPath, byte[]? key) : IEntryDataSource
{
    public Task LoadAsync(NpgsqlConnection target, TocEntry entry, TableDataInfo data, bool freeze, CancellationToken cancellationToken) =>
        DataLoader.LoadAsync(target, inputPath, entry, data, truncateFirst: false, freeze, key, cancellationToken);
}

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
