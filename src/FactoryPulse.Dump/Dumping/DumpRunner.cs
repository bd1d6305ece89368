using System.Diagnostics;
using System.Reflection;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Catalog;
using FactoryPulse.Dump.Data;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sorting;
using FactoryPulse.Dump.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FactoryPulse.Dump.Dumping;

/// <summary>pg_dump's main(): connect, snapshot, read the catalog, sort, write entries and data, commit the archive.</summary>
internal static class DumpRunner
{
    internal static string ToolVersion =>
        typeof(DumpRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static async Task<DumpResult> RunAsync(DumpOptions options, NpgsqlDataSource? dataSource, IProgress<DumpProgress>? progress, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var logger = options.Logger;
        if (options.SchemaOnly && options.DataOnly)
            throw new DumpException("Schema-only and data-only cannot be used together.");
        var toStore = ArchiveLocation.IsStore(options.OutputPath);
        var finalPath = toStore ? options.OutputPath.TrimEnd('/') : Path.GetFullPath(options.OutputPath);
        var parent = toStore ? "" : Path.GetDirectoryName(finalPath.TrimEnd(Path.DirectorySeparatorChar)) ?? throw new OutputPathException($"'{finalPath}' has no parent directory.");
        if (await ArchiveLocation.ExistsAsync(finalPath, cancellationToken).ConfigureAwait(false))
            throw new OutputPathException($"Cannot write the archive to '{ArchiveLocation.Describe(finalPath)}': it already exists. Choose a new path or remove the old one.");

        var source = ConnectionSource.Create(options.ConnectionString, dataSource);
        progress?.Report(new DumpProgress { Phase = OperationPhase.Connecting });
        logger?.LogInformation("Connecting to {Server}", source.Describe());
        var connection = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        // The connections of --jobs beyond the main one; the first is opened early and reads part of the catalog.
        var workers = new List<NpgsqlConnection>();
        // Missing parent directories are made only once the server answered, owner-only like the archive itself.
        if (!toStore)
            CreateParentDirectories(parent, finalPath);

        try
        {
            await ServerConnection.ExecuteAsync(connection, SessionSettings.Dump, cancellationToken).ConfigureAwait(false);
            // One snapshot for catalog and data: the archive is a single point in time.
            await ServerConnection.ExecuteAsync(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", cancellationToken).ConfigureAwait(false);
            // With --jobs the workers import this snapshot (pg_dump's synchronized snapshots).
            var snapshot = options.Jobs > 1 && options.Format == ArchiveFormat.Directory
                ? await ServerConnection.ScalarAsync<string>(connection, "SELECT pg_catalog.pg_export_snapshot()", cancellationToken).ConfigureAwait(false)
                : null;

            progress?.Report(new DumpProgress { Phase = OperationPhase.ReadingCatalog });
            // A worker in the same snapshot reads the largest catalog families while this connection reads the rest; on a
            // small catalog a second cold backend costs more (its own catalog caches, ~+40 % server CPU) than it saves.
            if (snapshot is not null && await CountUserRelationsAsync(connection, cancellationToken).ConfigureAwait(false) >= CatalogHelperMinimumRelations)
                await OpenWorkerAsync(source, snapshot, workers, cancellationToken).ConfigureAwait(false);
            var plan = await PlanAsync(connection, workers.Count > 0 ? workers[0] : null, options, logger, cancellationToken).ConfigureAwait(false);
            var manifest = plan.Manifest;
            progress = progress is null ? null : new EstimatingProgress(progress, plan.EstimatedRows, plan.EstimatedBytes);
            var result = options.Format == ArchiveFormat.Plain
                ? await WritePlainAsync(connection, manifest, finalPath, progress, cancellationToken).ConfigureAwait(false)
                : await WriteArchiveAsync(connection, workers, snapshot, source, options, manifest, plan.Blocks, plan.EstimatedBytes, plan.Key, parent, finalPath, progress, logger, cancellationToken).ConfigureAwait(false);
            // The archive now stands under its final name, whole: ending the read-only snapshot can no longer change
            // the outcome, so it is not cancellable (a cancel arriving now must not report a finished dump as
            // cancelled) and a connection lost at this point does not fail it.
            try
            {
                await ServerConnection.ExecuteAsync(connection, "COMMIT", CancellationToken.None).ConfigureAwait(false);
            }
            catch (NpgsqlException exception) when (exception is not PostgresException)
            {
                logger?.LogWarning("Ending the snapshot transaction failed after the archive was complete: {Message}", exception.Message);
            }
            progress?.Report(new DumpProgress { Phase = OperationPhase.Completed, TablesDone = result.Tables, TablesTotal = result.Tables, RowsDone = result.Rows, BytesDone = result.Bytes });
            logger?.LogInformation("Wrote {Path}: {Entries} entries, {Tables} tables, {Rows} rows", finalPath, manifest.Entries.Count, result.Tables, result.Rows);
            return new DumpResult { ArchivePath = finalPath, EntryCount = manifest.Entries.Count, TableCount = result.Tables, RowCount = result.Rows, DataBytes = result.Bytes, Elapsed = stopwatch.Elapsed, Warnings = plan.Warnings };
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new InsufficientPrivilegeException($"The role lacks a privilege the dump needs: {exception.MessageText}. Dump as a superuser or as the owner of every object.", exception)
            {
                SqlState = exception.SqlState,
            };
        }
        catch (PostgresException exception)
        {
            throw new DumpException($"The server reported an error while dumping: {exception.MessageText} (SQLSTATE {exception.SqlState}).", exception)
            {
                SqlState = exception.SqlState,
            };
        }
        catch (IOException exception) when (exception is not EndOfStreamException)
        {
            // Disk full, read-only file system, permissions: the archive could not be written (nothing is left under its name).
            throw new OutputPathException($"Writing the archive '{finalPath}' failed: {exception.Message}", exception);
        }
        catch (NpgsqlException exception) when (exception is not PostgresException && !cancellationToken.IsCancellationRequested)
        {
            throw new ServerConnectionException($"Lost the connection to {source.Describe()} during the dump: {exception.Message}", exception);
        }
        finally
        {
            foreach (var worker in workers)
                await worker.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Relations (tables, indexes, views, sequences …) a catalog needs before a helper connection reads part of it: the
    /// Factory Pulse fixture has 200 and reads faster alone, the 3 000-table many-objects shape 21 000.
    /// </summary>
    internal const long CatalogHelperMinimumRelations = 2000;

    /// <summary>Below this much table data (by relation size) one connection dumps it all: a worker's start costs more than it saves.</summary>
    internal const long ParallelDataMinimumBytes = 8L * 1024 * 1024;

    private static Task<long> CountUserRelationsAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        // 16384 is FirstNormalObjectId: everything below it came with initdb.
        ServerConnection.ScalarAsync<long>(connection, "SELECT pg_catalog.count(*) FROM pg_catalog.pg_class WHERE oid >= 16384", cancellationToken);

    /// <summary>Opens a worker connection that reads the leader's snapshot (pg_dump's synchronized snapshots); it joins <paramref name="workers"/> before anything can fail, so it is always closed.</summary>
    private static async Task<NpgsqlConnection> OpenWorkerAsync(ConnectionSource source, string snapshot, List<NpgsqlConnection> workers, CancellationToken cancellationToken)
    {
        var worker = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        workers.Add(worker);
        await ServerConnection.ExecuteAsync(worker, SessionSettings.Dump, cancellationToken).ConfigureAwait(false);
        await ServerConnection.ExecuteAsync(worker, $"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT {SqlText.QuoteLiteral(snapshot)}", cancellationToken).ConfigureAwait(false);
        return worker;
    }

    /// <summary>
    /// What the writing phase needs from the catalog. The catalog, its objects and their sorted list end with this
    /// method, so the data phase runs on a heap that holds the manifest and little else (cheaper collections, lower peak).
    /// </summary>
    internal sealed record DumpPlan(ArchiveManifest Manifest, byte[]? Key, Dictionary<int, long> Blocks, long EstimatedRows, long EstimatedBytes, IReadOnlyList<string> Warnings);

    /// <summary>Reads the catalog, selects and sorts the objects, builds the manifest's entries and sizes the data (also for fpdump copy, which writes no archive).</summary>
    internal static async Task<DumpPlan> PlanAsync(NpgsqlConnection connection, NpgsqlConnection? helper, DumpOptions options, ILogger? logger, CancellationToken cancellationToken)
    {
        var catalog = await CatalogReader.ReadAsync(connection, helper, cancellationToken).ConfigureAwait(false);
        foreach (var warning in catalog.Warnings)
            logger?.LogWarning("{Warning}", warning);
        CheckConstraintPlacement.Apply(catalog.Tables, catalog.InlineCheckReferences, catalog.Objects);
        if (options.NoTablespaces)
            ClearTablespaces(catalog.Objects);
        await LockTablesAsync(connection, catalog, cancellationToken).ConfigureAwait(false);
        var objects = await SelectObjectsAsync(connection, catalog, options, cancellationToken).ConfigureAwait(false);
        await CheckRowSecurityAsync(connection, objects, cancellationToken).ConfigureAwait(false);
        // Before anything is written: each redacted column gets a replacement the restore will accept, or the dump is refused.
        await RedactionPlanner.ApplyAsync(connection, catalog.Tables, objects, options, cancellationToken).ConfigureAwait(false);
        var sorted = DependencySorter.Sort(objects);
        var manifest = new ArchiveManifest
        {
            ToolVersion = ToolVersion,
            ServerVersion = catalog.ServerVersion,
            ServerVersionNumber = catalog.ServerVersionNumber,
            Database = catalog.DatabaseName,
            Encoding = catalog.Encoding,
            CreatedAt = DateTimeOffset.UtcNow,
            Options = new ManifestOptions
            {
                SchemaOnly = options.SchemaOnly,
                DataOnly = options.DataOnly,
                Profile = options.Profile == DumpProfile.Supabase ? "supabase" : null,
            },
        };
        foreach (var item in sorted)
            manifest.Entries.Add(TocBuilder.Build(item, catalog.Context));
        byte[]? key = null;
        if (!string.IsNullOrEmpty(options.EncryptionPassphrase) && options.Format == ArchiveFormat.Directory)
        {
            var salt = Encryption.NewSalt();
            key = Encryption.DeriveKey(options.EncryptionPassphrase, salt);
            manifest.Encryption = new EncryptionInfo
            {
                Algorithm = Encryption.Algorithm,
                KeyDerivation = Encryption.KeyDerivation,
                Iterations = Encryption.Iterations,
                Salt = Convert.ToHexString(salt),
                KeyCheck = Encryption.KeyCheck(key),
            };
        }
        if (!string.IsNullOrEmpty(options.EncryptionPassphrase) && options.Format != ArchiveFormat.Directory)
        {
            throw new DumpException("Encryption applies to directory archives; a plain SQL script cannot be encrypted by the dump.");
        }

        var (blocks, estimatedBytes) = await ReadTableBlocksAsync(connection, sorted, cancellationToken).ConfigureAwait(false);
        long estimatedRows = 0;
        foreach (var item in sorted)
        {
            if (item is TableDataObject data)
                estimatedRows += (long)Math.Max(0, catalog.TableRowEstimates.GetValueOrDefault(data.Table.Id.ObjectId));
        }
        return new DumpPlan(manifest, key, blocks, estimatedRows, estimatedBytes, catalog.Warnings);
    }

    /// <summary>With row_security off, a role that cannot bypass RLS would fail per table; say so once, up front.</summary>
    private static async Task CheckRowSecurityAsync(NpgsqlConnection connection, List<DumpableObject> objects, CancellationToken cancellationToken)
    {
        string role = "";
        var bypass = false;
        await CatalogQuery.ForEachAsync(connection,
            "SELECT r.rolname, r.rolsuper OR r.rolbypassrls AS bypass FROM pg_catalog.pg_roles r WHERE r.rolname = current_user",
            row =>
            {
                role = row.String("rolname");
                bypass = row.Bool("bypass");
            }, cancellationToken).ConfigureAwait(false);
        if (bypass)
            return;
        var blocked = new List<string>();
        foreach (var item in objects)
        {
            if (item is TableDataObject { Table: var table } && table.RowSecurity && (table.ForceRowSecurity || table.Owner != role))
                blocked.Add($"{table.Schema}.{table.Name}");
        }
        if (blocked.Count > 0)
            throw new InsufficientPrivilegeException(
                $"Role '{role}' cannot bypass row-level security on {blocked.Count} table(s) ({string.Join(", ", blocked.Take(8))}{(blocked.Count > 8 ? ", …" : "")}); " +
                "a dump would silently miss rows. Dump as a superuser, a BYPASSRLS role, or the tables' owner (without FORCE ROW LEVEL SECURITY).");
    }

    /// <summary>
    /// Like pg_dump: ACCESS SHARE locks keep tables from being dropped or altered while we read them. Foreign tables are
    /// not named (LOCK refuses them: "cannot lock relation"); pg_dump locks only plain and partitioned tables as well.
    /// </summary>
    private static async Task LockTablesAsync(NpgsqlConnection connection, DatabaseCatalog catalog, CancellationToken cancellationToken)
    {
        var names = new List<string>(catalog.Tables.Count);
        foreach (var table in catalog.Tables)
        {
            if (table.Foreign is null)
                names.Add(SqlText.QuoteQualified(table.Schema, table.Name));
        }
        if (names.Count == 0)
            return;
        await ServerConnection.ExecuteAsync(connection, $"LOCK TABLE {string.Join(", ", names)} IN ACCESS SHARE MODE", cancellationToken).ConfigureAwait(false);
    }

    private static void ClearTablespaces(IEnumerable<DumpableObject> objects)
    {
        foreach (var item in objects)
        {
            switch (item)
            {
                case TableObject table:
                    table.Tablespace = null;
                    break;
                case MaterializedViewObject view:
                    view.Tablespace = null;
                    break;
                case IndexObject index:
                    index.Tablespace = null;
                    break;
                case ConstraintObject constraint:
                    constraint.IndexTablespace = null;
                    break;
            }
        }
    }

    private static async Task<List<DumpableObject>> SelectObjectsAsync(NpgsqlConnection connection, DatabaseCatalog catalog, DumpOptions options, CancellationToken cancellationToken)
    {
        var filter = new ObjectFilter(options);
        var schemaOwners = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var item in catalog.Objects)
        {
            if (item is SchemaObject schema)
                schemaOwners[schema.Name] = schema.Owner;
        }
        var objects = new List<DumpableObject>();
        if (!options.DataOnly)
        {
            foreach (var item in catalog.Objects)
            {
                if (filter.Includes(item))
                    objects.Add(item);
            }
            if (options.DatabaseSettings && filter.IncludesSection(Section.PreData))
                objects.Add(await ReadDatabasePropertiesAsync(connection, catalog, cancellationToken).ConfigureAwait(false));
        }
        if (options.SchemaOnly || !filter.IncludesSection(Section.Data))
        {
            AddRefreshes(objects, catalog, options, filter);
            if (options.Profile == DumpProfile.Supabase)
            {
                objects.RemoveAll(item => !Profiles.SupabaseProfile.Keeps(item, options.SupabaseAuthData, schemaOwners));
                Profiles.SupabaseProfile.MarkPlatformObjects(objects, schemaOwners);
            }
            return objects;
        }

        var copyFormats = new CopyFormatChooser(catalog.TypeShapes);
        foreach (var table in catalog.Tables)
        {
            if (!table.HasData || !filter.IncludesData(table))
                continue;
            // Redacted columns are chosen later (RedactionPlanner), once filters and the profile have settled which rows are dumped.
            var data = new TableDataObject(table, copyFormats.CanUseBinary(table));
            data.AddDependency(table);
            if (filter.Includes(data))
                objects.Add(data);
        }
        foreach (var (table, condition, extension) in catalog.ExtensionConfigTables)
        {
            var data = new TableDataObject(table, copyFormats.CanUseBinary(table)) { Condition = condition, Extension = extension };
            data.AddDependency(extension);
            if (filter.Includes(data) && filter.IncludesObject(extension))
                objects.Add(data);
        }
        var dumpedSequences = new List<SequenceObject>();
        foreach (var sequence in catalog.Sequences)
        {
            if (filter.IncludesObject(sequence) && (options.Profile != DumpProfile.Supabase || Profiles.SupabaseProfile.Keeps(sequence, options.SupabaseAuthData, schemaOwners)))
                dumpedSequences.Add(sequence);
        }
        foreach (var (sequence, lastValue, isCalled) in await ReadSequenceValuesAsync(connection, dumpedSequences, cancellationToken).ConfigureAwait(false))
        {
            var set = new SequenceSetObject(sequence, lastValue, isCalled);
            set.AddDependency(sequence);
            objects.Add(set);
        }
        if (catalog.LargeObjects.Count > 0)
        {
            var contents = new LargeObjectDataObject();
            foreach (var largeObject in catalog.LargeObjects)
                contents.AddDependency(largeObject);
            if (filter.Includes(contents))
                objects.Add(contents);
        }
        AddRefreshes(objects, catalog, options, filter);
        if (options.Profile == DumpProfile.Supabase)
        {
            objects.RemoveAll(item => !Profiles.SupabaseProfile.Keeps(item, options.SupabaseAuthData, schemaOwners));
            Profiles.SupabaseProfile.MarkPlatformObjects(objects, schemaOwners);
        }
        OrderDataIntoExistingTables(objects, catalog);
        return objects;
    }

    /// <summary>
    /// Rows for tables the archive does not create (the Supabase profile's auth and storage tables) go into tables whose
    /// foreign keys already exist on the target: their data entries depend on the data of the tables they reference,
    /// so referenced rows load first. Self-references and cycles are left alone (one COPY, or nothing to order by).
    /// </summary>
    private static void OrderDataIntoExistingTables(List<DumpableObject> objects, DatabaseCatalog catalog)
    {
        var created = new HashSet<TableObject>();
        var dataByTable = new Dictionary<string, TableDataObject>(StringComparer.Ordinal);
        foreach (var item in objects)
        {
            if (item is TableObject table)
                created.Add(table);
            else if (item is TableDataObject data)
                dataByTable[$"{data.Table.Schema}.{data.Table.Name}"] = data;
        }
        foreach (var item in catalog.Objects)
        {
            if (item is not ConstraintObject { ConstraintType: 'f', Table: TableObject table, ReferencedSchema: { } schema, ReferencedTable: { } name }
                || created.Contains(table)
                || !dataByTable.TryGetValue($"{table.Schema}.{table.Name}", out var referencing)
                || !dataByTable.TryGetValue($"{schema}.{name}", out var referenced)
                || referencing == referenced || DependsOn(referenced, referencing))
            {
                continue;
            }
            referencing.AddDependency(referenced);
        }
    }

    private static bool DependsOn(DumpableObject item, DumpableObject other)
    {
        var pending = new Stack<DumpableObject>();
        var seen = new HashSet<DumpableObject>();
        pending.Push(item);
        while (pending.Count > 0)
        {
            foreach (var dependency in pending.Pop().Dependencies)
            {
                if (dependency == other)
                    return true;
                if (dependency is TableDataObject && seen.Add(dependency))
                    pending.Push(dependency);
            }
        }
        return false;
    }

    /// <summary>How many sequences one query reads: keeps the statement text a few hundred kilobytes at most.</summary>
    internal const int SequencesPerQuery = 500;

    /// <summary>
    /// Each sequence's last_value and is_called, in the given order: a few sequences per UNION ALL query instead of one
    /// round trip each (a sequence is read as a one-row relation; there is no catalog function for it before PostgreSQL 18).
    /// </summary>
    private static async Task<List<(SequenceObject Sequence, long LastValue, bool IsCalled)>> ReadSequenceValuesAsync(
        NpgsqlConnection connection, List<SequenceObject> sequences, CancellationToken cancellationToken)
    {
        var values = new List<(SequenceObject, long, bool)>(sequences.Count);
        var sql = new System.Text.StringBuilder();
        for (var first = 0; first < sequences.Count; first += SequencesPerQuery)
        {
            var count = Math.Min(SequencesPerQuery, sequences.Count - first);
            sql.Clear();
            for (var i = 0; i < count; i++)
            {
                var sequence = sequences[first + i];
                if (i > 0)
                    sql.Append("\nUNION ALL ");
                sql.Append(System.Globalization.CultureInfo.InvariantCulture, $"SELECT {i} AS item, last_value, is_called FROM {SqlText.QuoteQualified(sequence.Schema, sequence.Name)}");
            }
            // UNION ALL keeps no order by itself: the item number puts each row back with its sequence.
            sql.Append("\nORDER BY item");
            var batch = first;
            await CatalogQuery.ForEachAsync(connection, sql.ToString(),
                row => values.Add((sequences[batch + row.Int("item")], row.Long("last_value"), row.Bool("is_called"))), cancellationToken).ConfigureAwait(false);
        }
        return values;
    }

    private static async Task<DatabasePropertiesObject> ReadDatabasePropertiesAsync(NpgsqlConnection connection, DatabaseCatalog catalog, CancellationToken cancellationToken)
    {
        string? comment = null;
        await CatalogQuery.ForEachAsync(connection,
            "SELECT pg_catalog.shobj_description(d.oid, 'pg_database') AS comment FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()",
            row => comment = row.NullableString("comment"), cancellationToken).ConfigureAwait(false);
        var settings = new List<(string? Role, string Setting)>();
        await CatalogQuery.ForEachAsync(connection,
            """
            SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(s.setrole)::text END AS role, c.setting
            FROM pg_catalog.pg_db_role_setting s
            JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase AND d.datname = pg_catalog.current_database()
            CROSS JOIN LATERAL pg_catalog.unnest(s.setconfig) WITH ORDINALITY AS c(setting, position)
            ORDER BY s.setrole <> 0, role, c.position
            """,
            row => settings.Add((row.NullableString("role"), row.String("setting"))), cancellationToken).ConfigureAwait(false);
        return new DatabasePropertiesObject(catalog.DatabaseName, comment, settings);
    }

    /// <summary>
    /// Current size in blocks of every table whose data is dumped, to split large ones and start with the largest; and the
    /// bytes of all of them with their TOAST tables (out-of-line values are COPY bytes too), to size the run.
    /// </summary>
    private static async Task<(Dictionary<int, long> Blocks, long Bytes)> ReadTableBlocksAsync(NpgsqlConnection connection, List<DumpableObject> sorted, CancellationToken cancellationToken)
    {
        var byOid = new Dictionary<uint, int>();
        foreach (var item in sorted)
        {
            if (item is TableDataObject data)
                byOid[data.Table.Id.ObjectId] = data.DumpId;
        }
        var blocks = new Dictionary<int, long>();
        long bytes = 0;
        if (byOid.Count == 0)
            return (blocks, bytes);
        await CatalogQuery.ForEachAsync(connection,
            """
            SELECT c.oid, pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::bigint AS blocks,
                   CASE WHEN c.reltoastrelid = 0 THEN 0 ELSE pg_catalog.pg_relation_size(c.reltoastrelid) END AS toast_bytes
            FROM pg_catalog.pg_class c WHERE c.relkind = 'r'
            """,
            row =>
            {
                if (byOid.TryGetValue(row.Oid("oid"), out var dumpId))
                {
                    blocks[dumpId] = row.Long("blocks");
                    bytes += row.Long("blocks") * 8192 + row.Long("toast_bytes");
                }
            }, cancellationToken).ConfigureAwait(false);
        return (blocks, bytes);
    }

    /// <summary>Populated materialized views are refreshed after the data, as pg_dump's MATERIALIZED VIEW DATA entries.</summary>
    private static List<DumpableObject> AddRefreshes(List<DumpableObject> objects, DatabaseCatalog catalog, DumpOptions options, ObjectFilter filter)
    {
        // Like pg_dump, a data-only dump refreshes materialized views too: their rows are data.
        if (options.SchemaOnly)
            return objects;
        foreach (var view in catalog.MaterializedViews)
        {
            if (!view.Populated)
                continue;
            var refresh = new RefreshMaterializedViewObject(view);
            refresh.AddDependency(view);
            if (filter.Includes(refresh))
                objects.Add(refresh);
        }
        return objects;
    }

    private readonly record struct WriteTotals(int Tables, long Rows, long Bytes);

    private static async Task<WriteTotals> WritePlainAsync(
        NpgsqlConnection connection, ArchiveManifest manifest, string finalPath, IProgress<DumpProgress>? progress, CancellationToken cancellationToken)
    {
        if (ArchiveLocation.IsStore(finalPath))
        {
            var (tables, rows, bytes) = await Formats.PlainScriptWriter.WriteToStoreAsync(connection, manifest, finalPath, progress, cancellationToken).ConfigureAwait(false);
            return new WriteTotals(tables, rows, bytes);
        }
        return await StagedOutput.WriteFileAsync(finalPath, overwrite: false, async file =>
        {
            try
            {
                var (tables, rows, bytes) = await Formats.PlainScriptWriter.WriteAsync(connection, manifest, file, progress, cancellationToken).ConfigureAwait(false);
                return new WriteTotals(tables, rows, bytes);
            }
            catch (IOException exception) when (exception is not EndOfStreamException)
            {
                throw new OutputPathException($"Writing '{finalPath}' failed: {exception.Message}", exception);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds the dump's up-front estimates (pg_class) to every report, so a display can show an ETA.</summary>
    private sealed class EstimatingProgress(IProgress<DumpProgress> inner, long rows, long bytes) : IProgress<DumpProgress>
    {
        public void Report(DumpProgress value) => inner.Report(value with { EstimatedRows = rows, EstimatedBytes = bytes });
    }

    /// <summary>One COPY to run: a whole table, a chunk of one, or the large objects.</summary>
    private sealed record DataWork(TocEntry Entry, DataChunk? Chunk, string Command, bool Binary, string FilePath, long Estimate);

    private static Task<WriteTotals> WriteArchiveAsync(
        NpgsqlConnection connection, List<NpgsqlConnection> workers, string? snapshot, ConnectionSource source, DumpOptions options, ArchiveManifest manifest,
        Dictionary<int, long> blocksByDumpId, long dataBytes, byte[]? key, string parent, string finalPath, IProgress<DumpProgress>? progress, ILogger? logger, CancellationToken cancellationToken)
    {
        // Written under a hidden temporary name and renamed at the end: a crash never leaves a complete-looking archive.
        return StagedOutput.WriteDirectoryAsync(finalPath, WriteIntoAsync);

        async Task<WriteTotals> WriteIntoAsync(string tempPath)
        {
            if (!ArchiveLocation.IsStore(tempPath))
                OwnerOnlyFiles.CreateDirectory(Path.Combine(tempPath, "data"));
            var work = PlanWork(options, manifest, blocksByDumpId, tempPath);
            // Local data files reach the disk together, before the manifest: one fsync each as written was most of a many-table dump.
            var pendingSyncs = ArchiveLocation.IsStore(tempPath) ? null : new PendingFileSyncs();
            var tablesTotal = 0;
            foreach (var entry in manifest.Entries)
            {
                if (entry.Data is not null)
                    tablesTotal++;
            }

            // Workers read the leader's snapshot, so a parallel dump is as consistent as a serial one.
            var jobs = workers.Count == 0 && dataBytes < ParallelDataMinimumBytes ? 1 : Math.Max(1, Math.Min(options.Jobs, work.Count));
            var connections = new List<NpgsqlConnection> { connection };
            for (var i = 1; i < jobs; i++)
                connections.Add(i <= workers.Count ? workers[i - 1] : await OpenWorkerAsync(source, snapshot!, workers, cancellationToken).ConfigureAwait(false));

            var gate = new Lock();
            int partsDone = 0;
            long rows = 0, bytes = 0;
            var next = -1;
            using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            async Task RunWorkerAsync(NpgsqlConnection worker)
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < work.Count)
                {
                    var item = work[index];
                    progress?.Report(new DumpProgress { Phase = OperationPhase.Data, CurrentObject = $"{item.Entry.Schema}.{item.Entry.Name}", TablesDone = partsDone, TablesTotal = work.Count, RowsDone = rows, BytesDone = bytes });
                    CopyOutResult copied;
                    try
                    {
                        var data = item.Entry.Data!;
                        copied = data.Format == DataFormat.LargeObjects
                            ? await LargeObjectCopier.DumpAsync(worker, item.FilePath, key, failed.Token).ConfigureAwait(false)
                            : await DataFiles.WriteBatchedAsync(item.FilePath, data.Compression, CompressionLevelOf(options), key,
                                sink => TableCopier.CopyOutAsync(worker, item.Command, item.Binary, sink, failed.Token), pendingSyncs, failed.Token).ConfigureAwait(false);
                    }
                    catch (IOException exception) when (exception is not EndOfStreamException)
                    {
                        throw new OutputPathException($"Writing the data of {item.Entry.Schema}.{item.Entry.Name} to '{parent}' failed: {exception.Message}", exception);
                    }
                    lock (gate)
                    {
                        var part = item.Chunk;
                        var data = item.Entry.Data!;
                        if (part is null)
                        {
                            data.Rows = copied.Rows;
                            data.Bytes = copied.Bytes;
                            data.RawBytes = copied.RawBytes;
                            data.Checksum = copied.Checksum;
                        }
                        else
                        {
                            part.Rows = copied.Rows;
                            part.Bytes = copied.Bytes;
                            part.RawBytes = copied.RawBytes;
                            part.Checksum = copied.Checksum;
                            data.Rows += copied.Rows;
                            data.Bytes += copied.Bytes;
                            data.RawBytes += copied.RawBytes;
                        }
                        partsDone++;
                        rows += copied.Rows;
                        bytes += copied.Bytes;
                    }
                    logger?.LogDebug("Dumped {Table}: {Rows} rows, {Bytes} bytes", $"{item.Entry.Schema}.{item.Entry.Name}", copied.Rows, copied.Bytes);
                }
            }
            var running = new List<Task>(connections.Count);
            foreach (var worker in connections)
            {
                running.Add(Task.Run(async () =>
                {
                    try
                    {
                        await RunWorkerAsync(worker).ConfigureAwait(false);
                    }
                    catch
                    {
                        // One failure stops the others promptly instead of letting them dump on.
                        await failed.CancelAsync().ConfigureAwait(false);
                        throw;
                    }
                }, CancellationToken.None));
            }
            try
            {
                await Task.WhenAll(running).ConfigureAwait(false);
            }
            catch
            {
                // Report the first real error, not the cancellations it caused.
                foreach (var task in running)
                {
                    if (task.Exception?.InnerException is { } inner and not OperationCanceledException)
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
                }
                throw;
            }
            progress?.Report(new DumpProgress { Phase = OperationPhase.Data, TablesDone = tablesTotal, TablesTotal = tablesTotal, RowsDone = rows, BytesDone = bytes });

            // The commit point: every data file is durable before the manifest that vouches for it is written.
            if (pendingSyncs is not null)
                await pendingSyncs.SyncAllAsync(cancellationToken).ConfigureAwait(false);
            manifest.Complete = true;
            await ArchiveManifestWriter.WriteAsync(tempPath, manifest, key, cancellationToken).ConfigureAwait(false);
            return new WriteTotals(tablesTotal, rows, bytes);
        }
    }

    private static int CompressionLevelOf(DumpOptions options) =>
        options.CompressionLevel > 0 ? options.CompressionLevel : Data.Compression.DefaultLevel(options.Compression);

    /// <summary>COPY commands for every data entry; with several jobs, large tables become block ranges. Largest first.</summary>
    private static List<DataWork> PlanWork(DumpOptions options, ArchiveManifest manifest, Dictionary<int, long> blocksByDumpId, string tempPath)
    {
        var work = new List<DataWork>();
        var compression = options.Compression;
        foreach (var entry in manifest.Entries)
        {
            if (entry.Data is not { } data)
                continue;
            if (data.Format == DataFormat.LargeObjects)
            {
                work.Add(new DataWork(entry, null, "", true, Path.Combine(tempPath, data.File), long.MaxValue));
                continue;
            }
            data.Compression = compression;
            var extension = compression == DataCompression.None ? "" : "." + ManifestNames.Of(compression);
            data.File += extension;
            var binary = data.Format == DataFormat.Binary;
            var blocks = blocksByDumpId.GetValueOrDefault(entry.DumpId);
            var size = blocks * 8192;
            var chunkBlocks = Math.Max(1, options.ChunkSizeBytes / 8192);
            if (options.Jobs > 1 && string.IsNullOrEmpty(data.Condition) && size > options.ChunkSizeBytes && blocks > chunkBlocks)
            {
                // Block ranges scan with a TID range scan (PostgreSQL 14+); the last one is open so rows in pages added
                // after the size was read are not missed.
                // Equal ranges, as many as a multiple of the jobs: a 1.3× threshold table becomes two halves, not a full
                // chunk and a remnant that leaves one worker idle.
                var count = (blocks + chunkBlocks - 1) / chunkBlocks;
                count = (count + options.Jobs - 1) / options.Jobs * options.Jobs;
                chunkBlocks = (blocks + count - 1) / count;
                data.Chunks = [];
                var basis = data.File[..data.File.IndexOf('.', StringComparison.Ordinal)];
                for (long first = 0, part = 1; first < blocks; first += chunkBlocks, part++)
                {
                    var last = first + chunkBlocks >= blocks ? (long?)null : first + chunkBlocks;
                    var chunk = new DataChunk { File = $"{basis}.{part}.dat{extension}", FirstBlock = first, EndBlock = last };
                    data.Chunks.Add(chunk);
                    work.Add(new DataWork(entry, chunk, CopySpec.ToStdout(entry, data, binary, first, last),
                        binary, Path.Combine(tempPath, chunk.File), Math.Min(chunkBlocks, blocks - first) * 8192));
                }
                data.File = "";
                continue;
            }
            work.Add(new DataWork(entry, null, CopySpec.ToStdout(entry, data, binary), binary, Path.Combine(tempPath, data.File), size));
        }
        work.Sort((a, b) => b.Estimate.CompareTo(a.Estimate));
        return work;
    }

    private static void CreateParentDirectories(string parent, string finalPath)
    {
        if (Directory.Exists(parent))
            return;
        // Each missing level gets 0700: Directory.CreateDirectory applies the mode to the last level only.
        var missing = new Stack<string>();
        for (var directory = parent; directory is not null && !Directory.Exists(directory); directory = Path.GetDirectoryName(directory))
            missing.Push(directory);
        try
        {
            while (missing.Count > 0)
                OwnerOnlyFiles.CreateDirectory(missing.Pop());
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new OutputPathException($"Cannot write the archive to '{finalPath}': creating the directory '{parent}' failed: {exception.Message}", exception);
        }
    }
}
