using System.Diagnostics;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Dumping;
using FactoryPulse.Dump.Restore;
using FactoryPulse.Dump.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FactoryPulse.Dump.Copy;

/// <summary>
/// fpdump copy: the dump's plan without its archive, executed by the restore engine. The source's catalog is read in a
/// snapshot this connection exports and keeps open to the end; the manifest the dump would have written is built in
/// memory, and the restore runs it on the target with <see cref="SourceEntryData"/> in place of the data files.
/// </summary>
internal static class CopyRunner
{
    public static async Task<CopyResult> RunAsync(CopyOptions options, IProgress<DumpProgress>? progress, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var logger = options.Logger;
        var dumpOptions = options.ToDumpOptions();
        var restoreOptions = options.ToRestoreOptions();
        var source = ConnectionSource.Create(options.SourceConnectionString, null);
        progress?.Report(new DumpProgress { Phase = OperationPhase.Connecting });
        logger?.LogInformation("Copying from {Source}", source.Describe());
        var connection = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        await ServerConnection.ExecuteAsync(connection, SessionSettings.Dump, cancellationToken).ConfigureAwait(false);
        // One snapshot for catalog and rows: the copy is a single point in time, as a dump is. Every source connection
        // imports it, and this transaction keeps it importable until the last table has been read.
        await ServerConnection.ExecuteAsync(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", cancellationToken).ConfigureAwait(false);
        var snapshot = await ServerConnection.ScalarAsync<string>(connection, "SELECT pg_catalog.pg_export_snapshot()", cancellationToken).ConfigureAwait(false);
        var rows = new SourceEntryData(source, snapshot);
        await using var rowsScope = rows.ConfigureAwait(false);

        progress?.Report(new DumpProgress { Phase = OperationPhase.ReadingCatalog });
        // With more than one job a second connection in the snapshot reads part of the catalog (as the dump's first worker
        // does), then serves the first load.
        var helper = options.Jobs > 1 ? await rows.RentAsync(cancellationToken).ConfigureAwait(false) : null;
        DumpRunner.DumpPlan plan;
        try
        {
            plan = await DumpRunner.PlanAsync(connection, helper, dumpOptions, logger, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (helper is not null)
                await rows.ReturnAsync(helper, reusable: true).ConfigureAwait(false);
        }
        var manifest = plan.Manifest;
        PrepareData(manifest, plan.Blocks, options);
        RoleMapper.Apply(manifest.Entries, options.RoleMap);
        var restorePlan = RestorePlan.Build(manifest.Entries, restoreOptions, null);
        var report = await RestoreRunner.ExecuteAsync(restoreOptions, manifest, restorePlan, rows, Task.CompletedTask, null, progress, stopwatch, cancellationToken).ConfigureAwait(false);

        // Every row has been read and committed on the target: ending the read-only snapshot cannot change the outcome.
        try
        {
            await ServerConnection.ExecuteAsync(connection, "COMMIT", CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException exception) when (exception is not PostgresException)
        {
            logger?.LogWarning("Ending the source's snapshot transaction failed after the copy was complete: {Message}", exception.Message);
        }
        var warnings = new List<string>(plan.Warnings.Count + report.Warnings.Count);
        warnings.AddRange(plan.Warnings);
        warnings.AddRange(report.Warnings);
        logger?.LogInformation("Copied {Objects} objects and {Rows} rows from {Source}", report.ObjectsCreated, report.TotalRows, source.Describe());
        return new CopyResult
        {
            ObjectsCreated = report.ObjectsCreated,
            Tables = report.Tables,
            SequencesSet = report.SequencesSet,
            SourceServerVersion = manifest.ServerVersion,
            Elapsed = stopwatch.Elapsed,
            Warnings = warnings,
            Errors = report.Errors,
        };
    }

    /// <summary>
    /// What the dump records while writing, known here beforehand: each table's size (its heap, in place of the archive
    /// bytes the restore schedules by: largest first, small tables' indexes pipelined), and, with several jobs, large
    /// tables split into block ranges copied side by side as the dump splits them.
    /// </summary>
    private static void PrepareData(ArchiveManifest manifest, Dictionary<int, long> blocksByDumpId, CopyOptions options)
    {
        // Block ranges scan with a TID range scan from PostgreSQL 14; on 13 each range would read the whole table.
        var split = options.Jobs > 1 && manifest.ServerVersionNumber >= 140000;
        var chunkBlocks = Math.Max(1, options.ChunkSizeBytes / 8192);
        foreach (var entry in manifest.Entries)
        {
            if (entry.Data is not { Format: not DataFormat.LargeObjects } data)
                continue;
            var blocks = blocksByDumpId.GetValueOrDefault(entry.DumpId);
            data.Bytes = blocks * 8192;
            if (!split || !string.IsNullOrEmpty(data.Condition) || blocks <= chunkBlocks)
                continue;
            // Equal ranges, as many as a multiple of the jobs (the dump's rule); the last is open-ended so rows in pages
            // added after the size was read are not missed.
            var count = (blocks + chunkBlocks - 1) / chunkBlocks;
            count = (count + options.Jobs - 1) / options.Jobs * options.Jobs;
            var rangeBlocks = (blocks + count - 1) / count;
            data.Chunks = [];
            for (long first = 0; first < blocks; first += rangeBlocks)
            {
                var end = first + rangeBlocks >= blocks ? (long?)null : first + rangeBlocks;
                data.Chunks.Add(new DataChunk { FirstBlock = first, EndBlock = end, Bytes = Math.Min(rangeBlocks, blocks - first) * 8192 });
            }
        }
    }
}
