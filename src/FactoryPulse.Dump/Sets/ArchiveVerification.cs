using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Data;
using FactoryPulse.Dump.Sql;

namespace FactoryPulse.Dump.Sets;

/// <summary>
/// Offline: manifest structure and sizes (ArchiveReader), every data file's checksum, every file's row count read
/// back from its COPY framing, and that a complete archive holds data at all. Online (with a connection): a restore
/// into a scratch database whose row counts must equal the manifest's.
/// </summary>
internal static class ArchiveVerification
{
    public static async Task<VerificationReport> RunAsync(string archivePath, VerifyOptions options, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        ArchiveManifest manifest;
        try
        {
            manifest = await ArchiveReader.ReadManifestAsync(archivePath, options.EncryptionPassphrase, cancellationToken).ConfigureAwait(false);
        }
        catch (ArchiveException exception)
        {
            return new VerificationReport { Passed = false, Problems = [exception.Message], FilesChecked = 0, RowsCounted = 0 };
        }
        byte[]? key = null;
        if (manifest.Encryption is { } encryption && options.EncryptionPassphrase is not null)
        {
            try
            {
                key = encryption.KeyFrom(options.EncryptionPassphrase);
            }
            catch (ArchiveException exception)
            {
                return new VerificationReport { Passed = false, Problems = [exception.Message], FilesChecked = 0, RowsCounted = 0 };
            }
        }
        var canRead = manifest.Encryption is null || key is not null;
        var files = 0;
        long rows = 0;
        var tables = 0;
        var dataTables = 0;
        foreach (var entry in manifest.Entries)
        {
            if (entry.Kind == Model.ObjectKind.Table)
                tables++;
            if (entry.Data is not { } data)
                continue;
            dataTables++;
            long entryRows = 0;
            var damaged = false;
            foreach (var part in data.Parts())
            {
                cancellationToken.ThrowIfCancellationRequested();
                files++;
                var path = Path.Combine(archivePath, part.File);
                var checksum = await DataFiles.ChecksumAsync(path, cancellationToken).ConfigureAwait(false);
                if (checksum != part.Checksum)
                {
                    problems.Add($"data file '{part.File}' of {entry.DisplayName} is corrupt: checksum {checksum}, the manifest says {part.Checksum}");
                    damaged = true;
                    continue;
                }
                if (data.Format == DataFormat.LargeObjects || !canRead)
                    continue;
                try
                {
                    entryRows += await DataFiles.CountRowsAsync(path, data.Format == DataFormat.Binary, data.Compression, key, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is InvalidDataException or IOException or ArchiveException or ZstdSharp.ZstdException)
                {
                    problems.Add($"data file '{part.File}' of {entry.DisplayName} cannot be read back: {exception.Message}");
                    damaged = true;
                }
            }
            if (!damaged && canRead && data.Format != DataFormat.LargeObjects && entryRows != data.Rows)
                problems.Add($"{entry.DisplayName} holds {entryRows} rows; the manifest says {data.Rows}");
            rows += entryRows;
        }
        if (!manifest.Options.SchemaOnly && !manifest.Options.DataOnly && tables > 0 && dataTables == 0)
            problems.Add("the archive claims to be complete but holds no table data");
        if (options.RequireData is { Count: > 0 } required)
        {
            foreach (var table in required)
            {
                if (!manifest.Entries.Exists(entry => entry.Data is not null && $"{entry.Schema}.{entry.Name}" == table))
                    problems.Add($"the archive holds no data for {table}");
            }
        }
        var restored = false;
        if (problems.Count == 0 && options.ConnectionString is not null)
        {
            await VerifyByRestoringAsync(archivePath, manifest, options, problems, cancellationToken).ConfigureAwait(false);
            restored = problems.Count == 0;
        }
        return new VerificationReport
        {
            Passed = problems.Count == 0,
            Problems = problems,
            FilesChecked = files,
            RowsCounted = rows,
            Level = restored ? VerificationLevel.Restored : VerificationLevel.Checksums,
            LevelDescription = restored ? RestoredDescription
                : options.ConnectionString is null ? "checksums verified only: no server to restore into was given" : "checksums verified only: the restore check failed",
        };
    }

    internal const string RestoredDescription = "restored into a scratch database with zero errors; every table's rows equal the manifest";

    /// <summary>Restores into a scratch database on the given server and compares row counts with the manifest (<see cref="ScratchRestore"/>).</summary>
    private static async Task VerifyByRestoringAsync(string archivePath, ArchiveManifest manifest, VerifyOptions options, List<string> problems, CancellationToken cancellationToken)
    {
        var builder = ServerConnection.Resolve(options.ConnectionString!);
        var maintenance = await ServerConnection.OpenAsync(builder, cancellationToken).ConfigureAwait(false);
        await using var maintenanceScope = maintenance.ConfigureAwait(false);
        if (manifest.Options.Profile == "supabase")
        {
            problems.Add("a Supabase-profile archive needs a Supabase project to restore into; verified offline only");
            return;
        }
        var scratch = $"{ScratchRestore.ScratchPrefix}{Guid.NewGuid():N}"[..30];
        await ScratchRestore.RunAsync(maintenance, builder, scratch, manifest, [new ScratchArchive(archivePath, DataOnly: false, What: null)],
            options.EncryptionPassphrase, compared: null, problems, cancellationToken).ConfigureAwait(false);
    }
}
