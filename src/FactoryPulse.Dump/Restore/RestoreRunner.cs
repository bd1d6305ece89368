using System.Diagnostics;
using FactoryPulse.Dump.Archive;
using FactoryPulse.Dump.Catalog;
using FactoryPulse.Dump.Data;
using FactoryPulse.Dump.Model;
using FactoryPulse.Dump.Sql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FactoryPulse.Dump.Restore;

/// <summary>pg_restore in small: check everything first, then run the entries pass by pass in dump order.</summary>
internal static class RestoreRunner
{
    public static async Task<RestoreReport> RunAsync(RestoreOptions options, NpgsqlDataSource? dataSource, IProgress<DumpProgress>? progress, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        progress?.Report(new DumpProgress { Phase = OperationPhase.ReadingCatalog });
        var manifest = await ArchiveReader.ReadManifestAsync(options.InputPath, options.EncryptionPassphrase, cancellationToken).ConfigureAwait(false);
        RoleMapper.Apply(manifest.Entries, options.RoleMap);
        var plan = RestorePlan.Build(manifest.Entries, options, options.UseListFile is null ? null : ReadListFile(options.UseListFile));
        ReleaseUnused(manifest.Entries, options.Clean);
        var entries = plan.Entries;
        // A missing or wrong passphrase fails here, before the target is touched.
        var key = manifest.Encryption?.KeyFrom(options.EncryptionPassphrase);
        // Every data file is checked before the first change: a damaged archive changes nothing, whatever the options. The
        // hashing runs while the connection opens and the preflight reads the target (neither changes anything); a
        // failure there is reported as the damaged archive when the archive is damaged too, as before.
        var checksums = DataLoader.VerifyChecksumsAsync(options.InputPath, entries, cancellationToken);
        return await ExecuteAsync(options, manifest, plan, new ArchiveEntryData(options.InputPath, key), checksums, dataSource, progress, stopwatch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a checked plan on the target: the archive's restore, or (fpdump copy) a manifest read from a live source
    /// whose rows <paramref name="entryData"/> streams from that server. <paramref name="checksums"/> is the archive's
    /// checksum pass, still running: nothing changes in the target before it has succeeded.
    /// </summary>
    internal static async Task<RestoreReport> ExecuteAsync(
        RestoreOptions options, ArchiveManifest manifest, RestorePlan plan, IEntryDataSource entryData, Task checksums, NpgsqlDataSource? dataSource,
        IProgress<DumpProgress>? progress, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var logger = options.Logger;
        var entries = plan.Entries;
        var source = ConnectionSource.Create(options.ConnectionString, dataSource);
        NpgsqlConnection connection;
        try
        {
            progress?.Report(new DumpProgress { Phase = OperationPhase.Connecting });
            if (options.CreateDatabaseName is not null || options.CreateDatabase)
            {
                await checksums.ConfigureAwait(false);
                source = await CreateDatabaseAsync(source, options.CreateDatabaseName ?? manifest.Database, manifest.Encoding, cancellationToken).ConfigureAwait(false);
            }
            connection = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await checksums.ConfigureAwait(false);
            throw;
        }
        await using var connectionScope = connection.ConfigureAwait(false);
        var workers = new WorkerConnections(source);
        await using var workersScope = workers.ConfigureAwait(false);
        try
        {
            await ServerConnection.ExecuteAsync(connection, SessionSettings.Restore, cancellationToken).ConfigureAwait(false);
            if (!plan.DataOnly)
                await PreflightAsync(connection, manifest, plan, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await checksums.ConfigureAwait(false);
            throw;
        }
        await checksums.ConfigureAwait(false);

        if (plan.DataOnly)
        {
            var (loaded, sequencesSet, dataWarnings) = await DataOnlyRestorer.RunAsync(connection, entries, options, entryData, progress, cancellationToken).ConfigureAwait(false);
            long loadedRows = 0, loadedBytes = 0;
            foreach (var entry in entries)
            {
                if (entry.Data is null)
                    continue;
                loadedRows += entry.Data.Rows;
                loadedBytes += entry.Data.Bytes;
            }
            progress?.Report(new DumpProgress
            {
                Phase = OperationPhase.Completed, TablesDone = loaded.Count, TablesTotal = loaded.Count,
                RowsDone = loadedRows, BytesDone = loadedBytes, EstimatedRows = loadedRows, EstimatedBytes = loadedBytes,
            });
            logger?.LogInformation("Restored the data of {Tables} tables into {Target}", loaded.Count, source.Describe());
            return new RestoreReport { ObjectsCreated = 0, Tables = loaded, SequencesSet = sequencesSet, Elapsed = stopwatch.Elapsed, Warnings = dataWarnings };
        }
        var state = new RunState(plan)
        {
            Data = entryData,
            // Objects get exactly the archive's privileges: what the target's defaults add is taken back per object.
            // With --no-privileges the target's defaults apply, as with pg_restore -x.
            DefaultPrivileges = plan.CreatesObjects && !options.NoPrivileges
                ? await TargetDefaultPrivileges.ReadAsync(connection, cancellationToken).ConfigureAwait(false)
                : null,
        };
        connection.Notice += state.OnNotice;
        if (options.SingleTransaction)
            await ServerConnection.ExecuteAsync(connection, "BEGIN", cancellationToken).ConfigureAwait(false);
        await CleanAsync(connection, plan, options, cancellationToken).ConfigureAwait(false);
        foreach (var stage in plan.Stages)
        {
            if (stage.Parallel)
            {
                await RunInParallelAsync(connection, workers, options, stage.Units, state, progress, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var units = stage.Units;
            for (var first = 0; first < units.Count;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var end = first;
                while (end < units.Count && end - first < EntriesPerRoundTrip && CanPipeline(units[end].Entry))
                    end++;
                if (end - first < 2)
                {
                    await RestoreEntryAsync(connection, options, units[first].Entry, stage.Pass, state, progress, units[first], cancellationToken).ConfigureAwait(false);
                    first++;
                    continue;
                }
                await RestorePipelinedAsync(connection, options, units, first, end, stage.Pass, state, progress, cancellationToken).ConfigureAwait(false);
                first = end;
            }
        }
        if (options.SingleTransaction)
            await ServerConnection.ExecuteAsync(connection, "COMMIT", cancellationToken).ConfigureAwait(false);
        progress?.Report(state.Progress(OperationPhase.Completed, null));
        logger?.LogInformation("Restored {Objects} objects and {Rows} rows into {Target}", state.Objects, state.Rows, source.Describe());
        return new RestoreReport { ObjectsCreated = state.Objects, Tables = state.Tables, SequencesSet = state.Sequences, Elapsed = stopwatch.Elapsed, Warnings = state.Warnings, Errors = state.Errors };
    }

    /// <summary>
    /// What the manifest holds and this restore no longer reads — role positions once roles are mapped, drop statements
    /// without Clean — is let go before the first statement: for 50 000 entries that is a good part of the peak memory.
    /// </summary>
    private static void ReleaseUnused(List<TocEntry> entries, bool clean)
    {
        foreach (var entry in entries)
        {
            entry.RoleReferences = [];
            if (clean)
                continue;
            entry.DropStatements = null;
            entry.DropIfExistsStatements = null;
        }
    }

    /// <summary>Counters shared by the main connection and the --jobs workers.</summary>
    private sealed class RunState
    {
        private readonly Lock _lock = new();

        public RunState(RestorePlan plan)
        {
            CreatedTables = plan.CreatedTables;
            foreach (var entry in plan.Entries)
            {
                if (entry.Data is null)
                    continue;
                TablesTotal++;
                // The manifest knows every table's rows and archive bytes: the totals a progress bar and an ETA need.
                RowsTotal += entry.Data.Rows;
                BytesTotal += entry.Data.Bytes;
            }
        }

        /// <summary>Tables this restore creates: loaded with TRUNCATE + COPY FREEZE.</summary>
        public IReadOnlySet<string> CreatedTables { get; }

        /// <summary>Where the entries' rows come from: the archive's data files, or a live source server.</summary>
        public required IEntryDataSource Data { get; init; }

        /// <summary>The target's default privileges for the objects this restore creates; null when none apply.</summary>
        public TargetDefaultPrivileges? DefaultPrivileges { get; init; }

        public int TablesTotal { get; }
        public long RowsTotal { get; }
        public long BytesTotal { get; }
        public List<RestoredTable> Tables { get; } = [];
        public List<string> Warnings { get; } = [];
        public List<string> Errors { get; } = [];
        public int Objects { get; private set; }
        public int Sequences { get; private set; }

        public void EntryDone(bool sequence)
        {
            lock (_lock)
            {
                if (sequence)
                    Sequences++;
                else
                    Objects++;
            }
        }
        public long Rows { get; private set; }
        public long Bytes { get; private set; }

        /// <summary>Warnings of a pipelined batch per connection, held until it is known whether the batch stays or runs again entry by entry.</summary>
        private readonly Dictionary<NpgsqlConnection, List<string>> _heldWarnings = [];

        /// <summary>
        /// Listens to a connection's notices (the main one and every --jobs worker): a server WARNING is kept, or held
        /// while a pipelined batch runs on that connection.
        /// </summary>
        public void OnNotice(object sender, NpgsqlNoticeEventArgs e)
        {
            if (e.Notice.Severity is not "WARNING")
                return;
            lock (_lock)
                (_heldWarnings.GetValueOrDefault((NpgsqlConnection)sender) ?? Warnings).Add(e.Notice.MessageText);
        }

        public void HoldWarnings(NpgsqlConnection connection)
        {
            lock (_lock)
                _heldWarnings[connection] = [];
        }

        /// <summary>Ends holding: the held warnings are kept (the batch committed) or dropped (it was rolled back and runs again).</summary>
        public void ReleaseWarnings(NpgsqlConnection connection, bool keep)
        {
            lock (_lock)
            {
                if (_heldWarnings.Remove(connection, out var held) && keep)
                    Warnings.AddRange(held);
            }
        }

        public void AddError(string error)
        {
            lock (_lock)
                Errors.Add(error);
        }

        public void TableDone(TocEntry entry)
        {
            lock (_lock)
            {
                // Chunks of one table arrive separately; the report shows the table once.
                var name = $"{entry.Schema}.{entry.Name}";
                var index = Tables.FindIndex(table => table.Table == name);
                if (index >= 0)
                    Tables[index] = Tables[index] with { Rows = Tables[index].Rows + entry.Data!.Rows };
                else
                    Tables.Add(new RestoredTable { Table = name, Rows = entry.Data!.Rows });
                Rows += entry.Data.Rows;
                Bytes += entry.Data.Bytes;
            }
        }

        public RestoreReport Snapshot()
        {
            lock (_lock)
                return new RestoreReport { ObjectsCreated = Objects, Tables = [.. Tables], SequencesSet = Sequences, Elapsed = TimeSpan.Zero, Warnings = [.. Warnings], Errors = [.. Errors] };
        }

        public DumpProgress Progress(OperationPhase phase, string? current)
        {
            lock (_lock)
                return new DumpProgress { Phase = phase, CurrentObject = current, TablesDone = Tables.Count, TablesTotal = TablesTotal, RowsDone = Rows, BytesDone = Bytes, EstimatedRows = RowsTotal, EstimatedBytes = BytesTotal };
        }
    }

    /// <summary>Runs one entry, or with <paramref name="step"/> one step of an entry built in two (see <see cref="ScheduledUnit"/>).</summary>
    private static async Task RestoreEntryAsync(
        NpgsqlConnection connection, RestoreOptions options, TocEntry entry, RestorePass pass, RunState state, IProgress<DumpProgress>? progress, ScheduledUnit? step,
        CancellationToken cancellationToken)
    {
        var phase = pass != RestorePass.Main ? OperationPhase.Finishing : entry.Section switch
        {
            Section.PreData => OperationPhase.PreData,
            Section.Data => OperationPhase.Data,
            _ => OperationPhase.PostData,
        };
        progress?.Report(state.Progress(phase, entry.DisplayName));
        try
        {
            if (entry.Data is { } data)
            {
                var createdHere = data.Format != DataFormat.LargeObjects && data.Chunks is null && state.CreatedTables.Contains(entry.QualifiedName);
                await LoadTableAsync(connection, options, entry, data, createdHere, state.Data, cancellationToken).ConfigureAwait(false);
                state.TableDone(entry);
                return;
            }
            if (step?.Statements is { } statements)
            {
                await StatementBatch.ExecuteAsync(connection, statements, cancellationToken).ConfigureAwait(false);
                if (step.IsLastStep)
                    state.EntryDone(sequence: false);
                return;
            }
            await StatementBatch.ExecuteAsync(connection, entry, withOwner: !options.NoOwner, state.DefaultPrivileges, cancellationToken).ConfigureAwait(false);
            state.EntryDone(sequence: entry.Kind == ObjectKind.SequenceSet);
        }
        catch (PostgresException exception)
        {
            EntryFailed(options, entry, exception, state);
        }
    }

    /// <summary>
    /// Definitions sent per round trip: a serial stage's run of entries, or a group of a parallel stage. pg_restore
    /// (PostgreSQL 17) commits every 1000 objects with --transaction-size; a smaller batch keeps the locks one implicit
    /// transaction holds well inside the server's lock table.
    /// </summary>
    internal const int EntriesPerRoundTrip = 100;

    private static readonly string[] BeginPipeline = ["SAVEPOINT fpdump_pipeline"];
    private static readonly string[] EndPipeline = ["RELEASE SAVEPOINT fpdump_pipeline"];

    /// <summary>
    /// Entries whose statements may share a pipelined batch: definitions. Data is streamed with COPY; a subscription's
    /// statements may refuse to run inside a transaction block, so it runs alone as before.
    /// </summary>
    private static bool CanPipeline(TocEntry entry) => entry.Data is null && entry.Kind != ObjectKind.Subscription;

    /// <summary>
    /// Runs the definitions <paramref name="units"/>[<paramref name="first"/>..<paramref name="end"/>) in one round trip.
    /// The batch is one implicit transaction (in a single transaction: runs inside a savepoint): if any statement fails
    /// nothing of it stays, and its entries run again as without pipelining — those before the failing one together, the
    /// failing one alone, the rest together — so what commits, which entry fails and what the report says are the same
    /// (the failure, and its warnings, are seen once).
    /// </summary>
    private static async Task RestorePipelinedAsync(
        NpgsqlConnection connection, RestoreOptions options, IReadOnlyList<ScheduledUnit> units, int first, int end, RestorePass pass, RunState state,
        IProgress<DumpProgress>? progress, CancellationToken cancellationToken)
    {
        var phase = pass != RestorePass.Main ? OperationPhase.Finishing : units[first].Entry.Section switch
        {
            Section.PreData => OperationPhase.PreData,
            _ => OperationPhase.PostData,
        };
        progress?.Report(state.Progress(phase, units[first].Entry.DisplayName));
        var statements = new List<IReadOnlyList<string>>(end - first + 2);
        // In a single transaction a savepoint stands in for the implicit transaction: a failed batch is undone to it.
        if (options.SingleTransaction)
            statements.Add(BeginPipeline);
        for (var i = first; i < end; i++)
            statements.Add(units[i].Statements ?? StatementBatch.StatementsOf(units[i].Entry, withOwner: !options.NoOwner, state.DefaultPrivileges));
        if (options.SingleTransaction)
            statements.Add(EndPipeline);
        state.HoldWarnings(connection);
        PipelineFailure? failure = null;
        try
        {
            failure = await StatementBatch.TryExecuteAsync(connection, statements, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A failed batch was rolled back: its entries warn again when they run below.
            state.ReleaseWarnings(connection, keep: failure is null);
        }
        if (failure is null)
        {
            for (var i = first; i < end; i++)
            {
                // An entry built in two steps (a key's index, then the key) counts once, after its last step.
                if (units[i].IsLastStep)
                    state.EntryDone(sequence: units[i].Statements is null && units[i].Entry.Kind == ObjectKind.SequenceSet);
            }
            return;
        }
        var failed = failure.Entry;
        if (options.SingleTransaction)
        {
            await ServerConnection.ExecuteAsync(connection, "ROLLBACK TO SAVEPOINT fpdump_pipeline", cancellationToken).ConfigureAwait(false);
            failed = failed > 0 && failed <= end - first ? failed - 1 : -1;
        }
        if (failed < 0)
        {
            for (var i = first; i < end; i++)
                await RestoreEntryAsync(connection, options, units[i].Entry, pass, state, progress, units[i], cancellationToken).ConfigureAwait(false);
            return;
        }
        // The entries before the failing one ran without error: together again. The failing one alone, as without
        // pipelining (it may also have failed only for sharing a transaction, e.g. a statement that refuses a
        // transaction block; alone it runs as before). Then the rest, pipelined.
        var failing = first + failed;
        await RestoreRangeAsync(connection, options, units, first, failing, pass, state, progress, cancellationToken).ConfigureAwait(false);
        await RestoreEntryAsync(connection, options, units[failing].Entry, pass, state, progress, units[failing], cancellationToken).ConfigureAwait(false);
        await RestoreRangeAsync(connection, options, units, failing + 1, end, pass, state, progress, cancellationToken).ConfigureAwait(false);
    }

    private static Task RestoreRangeAsync(
        NpgsqlConnection connection, RestoreOptions options, IReadOnlyList<ScheduledUnit> units, int first, int end, RestorePass pass, RunState state,
        IProgress<DumpProgress>? progress, CancellationToken cancellationToken) => (end - first) switch
        {
            0 => Task.CompletedTask,
            1 => RestoreEntryAsync(connection, options, units[first].Entry, pass, state, progress, units[first], cancellationToken),
            _ => RestorePipelinedAsync(connection, options, units, first, end, pass, state, progress, cancellationToken),
        };

    /// <summary>
    /// An entry failed: with --exit-on-error or a single transaction the restore stops with the entry and the server's
    /// error; otherwise (pg_restore without --exit-on-error) the error is reported and the restore goes on.
    /// </summary>
    private static void EntryFailed(RestoreOptions options, TocEntry entry, PostgresException exception, RunState state)
    {
        var message = $"Restoring {entry.DisplayName} failed: {exception.MessageText}{(exception.Detail is null ? "" : " (" + exception.Detail + ")")}";
        if (options.ExitOnError || options.SingleTransaction)
        {
            throw new RestoreFailedException(message + (options.SingleTransaction ? " Nothing was changed (single transaction)." : ""), exception)
            {
                // Without a single transaction, what committed before the error stays; say exactly what that is.
                PartialReport = options.SingleTransaction ? null : state.Snapshot(),
                SqlState = exception.SqlState,
                Entry = entry.DisplayName,
                ObjectName = ObjectNameOf(exception),
            };
        }
        // pg_restore without --exit-on-error: report and go on; the report lists what failed.
        state.AddError(message);
    }

    /// <summary>
    /// Runs a parallel stage of the plan — loads (chunks side by side, each in its own transaction) and post-data
    /// entries — on the main connection and <see cref="RestoreOptions.Jobs"/> − 1 more, as <see cref="ParallelScheduler"/>
    /// hands them out.
    /// </summary>
    private static async Task RunInParallelAsync(
        NpgsqlConnection main, WorkerConnections workers, RestoreOptions options, IReadOnlyList<ScheduledUnit> units, RunState state,
        IProgress<DumpProgress>? progress, CancellationToken cancellationToken)
    {
        var connections = new List<NpgsqlConnection> { main };
        for (var i = 1; i < Math.Min(options.Jobs, units.Count); i++)
            connections.Add(await workers.GetAsync(i - 1, state, cancellationToken).ConfigureAwait(false));
        await ParallelScheduler.RunAsync(units, connections, EntriesPerRoundTrip,
            (connection, group) => group.Count == 1
                ? RestoreEntryAsync(connection, options, group[0].Entry, RestorePass.Main, state, progress, group[0], cancellationToken)
                : RestorePipelinedAsync(connection, options, group, 0, group.Count, RestorePass.Main, state, progress, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// The --jobs workers beside the main connection, opened when a parallel stage first needs them and kept for the
    /// stages after it (pre-data, then loads and post-data): a connection and its session settings cost round trips.
    /// </summary>
    private sealed class WorkerConnections(ConnectionSource source) : IAsyncDisposable
    {
        private readonly List<NpgsqlConnection> _open = [];

        public async Task<NpgsqlConnection> GetAsync(int index, RunState state, CancellationToken cancellationToken)
        {
            while (_open.Count <= index)
            {
                var worker = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
                _open.Add(worker);
                worker.Notice += state.OnNotice;
                await ServerConnection.ExecuteAsync(worker, SessionSettings.Restore, cancellationToken).ConfigureAwait(false);
            }
            return _open[index];
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var worker in _open)
                await worker.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// pg_restore --create: make the database (the archive's name, or the one the caller chose) and restore into it. An
    /// existing database is refused up front, so nothing in it changes (pg_restore would fail on CREATE DATABASE too).
    /// </summary>
    private static async Task<ConnectionSource> CreateDatabaseAsync(ConnectionSource source, string database, string encoding, CancellationToken cancellationToken)
    {
        var connection = await source.ForMaintenance().OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var exists = new NpgsqlCommand("SELECT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = $1)", connection) { Parameters = { new() { Value = database } } };
            await using (exists.ConfigureAwait(false))
            {
                if ((bool)(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                    throw DatabaseExists(database, null);
            }
            try
            {
                await ServerConnection.ExecuteAsync(connection,
                    $"CREATE DATABASE {SqlText.QuoteIdentifier(database)} WITH TEMPLATE = template0 ENCODING = {SqlText.QuoteLiteral(encoding)}",
                    cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // Created by someone else between the check and the CREATE.
                throw DatabaseExists(database, exception);
            }
            catch (PostgresException exception)
            {
                throw new RestoreFailedException($"Creating database \"{database}\" failed: {exception.MessageText}", exception);
            }
        }
        return source.WithDatabase(database);
    }

    private static DatabaseExistsException DatabaseExists(string database, Exception? exception) =>
        new($"Database \"{database}\" already exists; nothing was changed. Restore into it without creating it, drop it first, or choose another name.", database, exception)
        {
            SqlState = PostgresErrorCodes.DuplicateDatabase,
            ObjectName = database,
        };

    /// <summary>The dump ids of a list file as <c>fpdump list</c> writes it; lines starting with ';' are comments (pg_restore -L).</summary>
    private static HashSet<int> ReadListFile(string path)
    {
        if (!File.Exists(path))
            throw new DumpException($"The list file '{path}' does not exist.");
        var ids = new HashSet<int>();
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith(';'))
                continue;
            var end = line.IndexOf(';', StringComparison.Ordinal);
            if (end <= 0 || !int.TryParse(line.AsSpan(0, end), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                throw new DumpException($"Line {number} of the list file '{path}' does not start with a dump id and ';': {line}");
            ids.Add(id);
        }
        return ids;
    }

    /// <summary>The archive's table of contents, one entry a line, like pg_restore -l.</summary>
    public static async Task<string> ListAsync(string inputPath, string? encryptionPassphrase, CancellationToken cancellationToken)
    {
        var manifest = await ArchiveReader.ReadManifestAsync(inputPath, encryptionPassphrase, cancellationToken).ConfigureAwait(false);
        var text = new System.Text.StringBuilder();
        text.Append(";\n; Archive created at ").Append(manifest.CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        text.Append(";     dbname: ").Append(manifest.Database).Append('\n');
        text.Append(";     TOC Entries: ").Append(manifest.Entries.Count).Append('\n');
        text.Append(";     Format: DIRECTORY (version ").Append(manifest.FormatVersion).Append(")\n");
        text.Append(";     Dumped from database version: ").Append(manifest.ServerVersion).Append('\n');
        text.Append(";     Dumped by FactoryPulse.Dump ").Append(manifest.ToolVersion).Append("\n;\n;\n; Selected TOC Entries:\n;\n");
        foreach (var entry in manifest.Entries)
        {
            text.Append(entry.DumpId).Append("; ").Append(entry.Kind.TocName()).Append(' ').Append(OneLine(entry.Schema ?? "-")).Append(' ')
                .Append(OneLine(entry.Name)).Append(' ').Append(OneLine(entry.Owner ?? "-")).Append('\n');
        }
        return text.ToString();
    }

    private static string OneLine(string text) => text.Replace('\n', ' ').Replace('\r', ' ');

    /// <summary>Every problem that can be known before the first change is reported together, and nothing is changed.</summary>
    private static async Task PreflightAsync(NpgsqlConnection connection, ArchiveManifest manifest, RestorePlan plan, RestoreOptions options, CancellationToken cancellationToken)
    {
        var entries = plan.Entries;
        var createsObjects = plan.CreatesObjects;
        // Catalog definitions move forward only: a newer server's DDL may not parse on an older one.
        var targetVersion = await ServerConnection.ScalarAsync<int>(connection, "SELECT pg_catalog.current_setting('server_version_num')::int", cancellationToken).ConfigureAwait(false);
        var problems = new PreflightProblems { ArchiveServerVersion = manifest.ServerVersionNumber, TargetServerVersion = targetVersion };
        if (targetVersion / 10000 < manifest.ServerVersionNumber / 10000)
            problems.Add(PreflightCheck.ServerVersion, $"the target runs PostgreSQL {targetVersion / 10000}, older than the archive's {manifest.ServerVersionNumber / 10000}; restore into {manifest.ServerVersionNumber / 10000} or newer");

        var extensions = new List<string>();
        foreach (var entry in entries)
        {
            if (entry.Kind == ObjectKind.Extension)
                extensions.Add(entry.Name);
        }
        if (extensions.Count > 0)
        {
            var available = new HashSet<string>(StringComparer.Ordinal);
            await CatalogQuery.ForEachAsync(connection, "SELECT e.name FROM pg_catalog.pg_available_extensions e", row => available.Add(row.String("name")), cancellationToken).ConfigureAwait(false);
            foreach (var extension in extensions)
            {
                if (!available.Contains(extension))
                    problems.Add(PreflightCheck.Extensions, $"extension \"{extension}\" is not available on the target server (install its package first)");
            }
        }

        var needed = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            foreach (var role in entry.Roles)
            {
                if (options.NoOwner && role == entry.Owner && !entry.Kind.IsPrivileges())
                    continue;
                if (!needed.TryGetValue(role, out var users))
                    needed[role] = users = [];
                users.Add(entry.DisplayName);
            }
        }
        if (needed.Count > 0)
        {
            var existing = new HashSet<string>(StringComparer.Ordinal);
            await CatalogQuery.ForEachAsync(connection, "SELECT r.rolname FROM pg_catalog.pg_roles r", row => existing.Add(row.String("rolname")), cancellationToken).ConfigureAwait(false);
            foreach (var (role, users) in needed)
            {
                if (!existing.Contains(role))
                    problems.Add(PreflightCheck.Roles, $"role \"{role}\" does not exist on the target (needed by {users.Count} entries, e.g. {string.Join(", ", users.Take(3))}); create it, map it with RoleMap (--role-map), or restore with NoOwner/NoPrivileges (--no-owner/--no-privileges)");
            }
        }

        await CheckSuperuserOnlyEntriesAsync(connection, entries, options, problems, cancellationToken).ConfigureAwait(false);
        if (options.Clean)
        {
            await CheckDropsOnTablesNotOwnedAsync(connection, plan.Drops, options, problems, cancellationToken).ConfigureAwait(false);
            await CheckRowsKeptByCleanAsync(connection, plan, problems, cancellationToken).ConfigureAwait(false);
        }

        // Only an archive that creates objects needs an empty target; data or post-data alone go into an existing schema.
        // A selective restore (by name or list) goes into an existing database, as pg_restore's does: there only the
        // schemas and relations it creates must not exist yet.
        var selective = options.Schemas.Count > 0 || options.ExcludeSchemas.Count > 0 || options.Tables.Count > 0 || options.UseListFile is not null;
        if (!options.Clean && selective)
        {
            var clashes = await ExistingTargetsAsync(connection, entries, cancellationToken).ConfigureAwait(false);
            if (clashes.Count > 0)
                problems.Add(PreflightCheck.TargetContents, $"the target already has {string.Join(", ", clashes)}{(clashes.Count == 5 ? ", …" : "")}, which the selected entries create; drop them or set Clean (--clean)");
        }
        else if (!options.Clean && createsObjects)
        {
            var found = new List<string>();
            // A Supabase-profile archive goes into a project that already has the platform's schemas and extensions.
            var platform = manifest.Options.Profile == "supabase";
            var managed = platform ? string.Join(", ", Profiles.SupabaseProfile.ManagedSchemas.Select(SqlText.QuoteLiteral)) : "''";
            await CatalogQuery.ForEachAsync(connection,
                $"""
                SELECT kind || ' ' || name AS object FROM (
                  SELECT 'schema' AS kind, n.nspname::text AS name FROM pg_catalog.pg_namespace n
                    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'public') AND n.nspname NOT IN ({managed})
                  UNION ALL SELECT 'relation', n.nspname || '.' || c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND n.nspname NOT IN ({managed})
                  UNION ALL SELECT 'function', n.nspname || '.' || p.proname FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND n.nspname NOT IN ({managed})
                  UNION ALL SELECT 'extension', x.extname::text FROM pg_catalog.pg_extension x WHERE x.oid >= 16384 AND NOT {(platform ? "true" : "false")}
                ) o ORDER BY 1 LIMIT 5
                """,
                row => found.Add(row.String("object")), cancellationToken).ConfigureAwait(false);
            if (found.Count > 0)
                problems.Add(PreflightCheck.TargetContents, $"the target database is not empty (it has {string.Join(", ", found)}{(found.Count == 5 ? ", …" : "")}); restore into an empty database, set CreateDatabaseName (--create-database NAME) for a new one, or set Clean (--clean)");
        }

        if (problems.ToException() is { } exception)
            throw exception;
    }

    /// <summary>
    /// Only a superuser may CREATE EVENT TRIGGER on PostgreSQL (on Supabase, supautils also lets its privileged role, the
    /// project's postgres). A restoring role that may not has the event triggers named here, with the way to leave them
    /// out (a list file, as with pg_restore -L), instead of failing on the first of them after everything else ran.
    /// </summary>
    private static async Task CheckSuperuserOnlyEntriesAsync(
        NpgsqlConnection connection, IReadOnlyList<TocEntry> entries, RestoreOptions options, PreflightProblems problems, CancellationToken cancellationToken)
    {
        var eventTriggers = new List<TocEntry>();
        foreach (var entry in entries)
        {
            if (entry.Kind == ObjectKind.EventTrigger)
                eventTriggers.Add(entry);
        }
        if (eventTriggers.Count == 0)
            return;
        string role = "";
        var allowed = false;
        await CatalogQuery.ForEachAsync(connection,
            """
            SELECT current_user::text AS role,
                   r.rolsuper OR current_user::text IS NOT DISTINCT FROM pg_catalog.current_setting('supautils.privileged_role', true) AS allowed
            FROM pg_catalog.pg_roles r WHERE r.rolname = current_user
            """,
            row =>
            {
                role = row.String("role");
                allowed = row.Bool("allowed");
            }, cancellationToken).ConfigureAwait(false);
        if (allowed)
            return;
        var names = new List<string>(eventTriggers.Count);
        foreach (var entry in eventTriggers)
            names.Add($"{entry.DisplayName} (dump id {entry.DumpId})");
        problems.Add(PreflightCheck.SuperuserOnly,
            $"{role} is no superuser, and only a superuser may create event triggers: {string.Join(", ", names)}; restore as a superuser, "
            + $"or leave them out: 'fpdump list -i {options.InputPath} > restore.list', put ';' before the lines of those dump ids, then restore with -L restore.list");
    }

    /// <summary>
    /// Only a table's owner may drop its triggers and policies, though TRIGGER privilege suffices to create a trigger: the
    /// hosted project's postgres creates the user's trigger on auth.users, but --clean could not drop it again. Such drops
    /// (of objects the target has) are named before the first one runs, instead of failing halfway through the drops.
    /// </summary>
    private static async Task CheckDropsOnTablesNotOwnedAsync(
        NpgsqlConnection connection, IReadOnlyList<TocEntry> drops, RestoreOptions options, PreflightProblems problems, CancellationToken cancellationToken)
    {
        var kinds = new List<string>();
        var schemas = new List<string>();
        var tables = new List<string>();
        var names = new List<string>();
        var ids = new List<int>();
        var byId = new Dictionary<int, TocEntry>();
        foreach (var entry in drops)
        {
            if (entry.Kind is not (ObjectKind.Trigger or ObjectKind.Policy) || entry.Schema is null || entry.Table is null
                || !entry.Table.StartsWith(entry.Schema + ".", StringComparison.Ordinal))
                continue;
            kinds.Add(entry.Kind == ObjectKind.Trigger ? "trigger" : "policy");
            schemas.Add(entry.Schema);
            tables.Add(entry.Table[(entry.Schema.Length + 1)..]);
            names.Add(entry.Name);
            ids.Add(entry.DumpId);
            byId[entry.DumpId] = entry;
        }
        if (ids.Count == 0)
            return;
        // unnest of several arrays (ROWS FROM) exists only unqualified; pg_catalog comes first on any search_path.
        var command = new NpgsqlCommand(
            """
            SELECT e.id, pg_catalog.pg_get_userbyid(c.relowner)::text AS owner, current_user::text AS role
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) AS e(kind, schema_name, table_name, name, id)
            JOIN pg_catalog.pg_namespace n ON n.nspname = e.schema_name
            JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = e.table_name
            WHERE NOT pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')
              AND CASE e.kind WHEN 'trigger' THEN EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = e.name)
                              ELSE EXISTS (SELECT 1 FROM pg_catalog.pg_policy p WHERE p.polrelid = c.oid AND p.polname = e.name) END
            ORDER BY e.id
            """, connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { Value = kinds.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = schemas.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = tables.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = names.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        var found = new List<string>();
        var role = "";
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var entry = byId[reader.GetInt32(0)];
                found.Add($"{entry.DisplayName} on {entry.Table}, owned by {reader.GetString(1)} (dump id {entry.DumpId})");
                role = reader.GetString(2);
            }
        }
        if (found.Count > 0)
        {
            problems.Add(PreflightCheck.Ownership,
                $"Clean (--clean) would drop what only a table's owner may drop, and {role} owns none of these tables: {string.Join(", ", found)}; "
                + "restore into a fresh database without Clean, or run the Clean restore as the tables' owner or a superuser");
        }
    }

    /// <summary>
    /// --clean drops and re-creates the archive's tables, so their rows go; rows for tables the archive does not create (the
    /// Supabase profile's auth.users, storage.objects, …) are loaded into the table as it is, and rows it already holds would
    /// collide with the archive's on their keys after the drops ran. Such tables are named before anything is dropped.
    /// </summary>
    private static async Task CheckRowsKeptByCleanAsync(NpgsqlConnection connection, RestorePlan plan, PreflightProblems problems, CancellationToken cancellationToken)
    {
        var filled = new List<string>();
        foreach (var entry in plan.Entries)
        {
            if (entry.Data is not { Format: not DataFormat.LargeObjects } || entry.Schema is null || plan.CreatedTables.Contains(entry.QualifiedName))
                continue;
            var table = SqlText.QuoteQualified(entry.Schema, entry.Name);
            // A missing table fails its load as it would without --clean; only one that is there can hold rows.
            if (!await ServerConnection.ScalarAsync<bool>(connection, $"SELECT pg_catalog.to_regclass({SqlText.QuoteLiteral(table)}) IS NOT NULL", cancellationToken).ConfigureAwait(false))
                continue;
            if (await ServerConnection.ScalarAsync<bool>(connection, $"SELECT EXISTS (SELECT FROM {table})", cancellationToken).ConfigureAwait(false))
                filled.Add(entry.QualifiedName);
        }
        if (filled.Count > 0)
        {
            problems.Add(PreflightCheck.TargetContents,
                $"Clean (--clean) empties only the tables the archive creates, and {string.Join(", ", filled)} already hold rows the archive would add to; "
                + "restore into a fresh database, or with SchemaOnly (--schema-only)");
        }
    }

    /// <summary>Schemas and relations that the selected entries create and the target already has (at most five).</summary>
    private static async Task<List<string>> ExistingTargetsAsync(NpgsqlConnection connection, IReadOnlyList<TocEntry> entries, CancellationToken cancellationToken)
    {
        var schemas = new List<string>();
        var relations = new List<string>();
        foreach (var entry in entries)
        {
            // The public schema's entry only comments on it (every database has one). Archives without facts: the dump
            // wrote CREATE SCHEMA for every schema but public, so the name says the same.
            if (entry.Kind == ObjectKind.Schema && entry.Pass == RestorePass.Main && (entry.Facts?.CreatesSchema ?? entry.Name != "public"))
                schemas.Add(entry.Name);
            else if (entry.Kind.IsRelation() && entry.Schema is not null)
                relations.Add(SqlText.QuoteQualified(entry.Schema, entry.Name));
        }
        var found = new List<string>();
        if (schemas.Count == 0 && relations.Count == 0)
            return found;
        var command = new NpgsqlCommand(
            """
            SELECT 'schema ' || n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY ($1)
            UNION ALL SELECT 'relation ' || r FROM pg_catalog.unnest($2::text[]) AS r WHERE pg_catalog.to_regclass(r) IS NOT NULL
            LIMIT 5
            """, connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { Value = schemas.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = relations.ToArray() });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            found.Add(reader.GetString(0));
        return found;
    }

    /// <summary>pg_restore --clean: the plan's drop statements, in reverse dependency order, before anything is re-created.</summary>
    private static async Task CleanAsync(NpgsqlConnection connection, RestorePlan plan, RestoreOptions options, CancellationToken cancellationToken)
    {
        foreach (var entry in plan.Drops)
        {
            try
            {
                await StatementBatch.ExecuteAsync(connection, (options.IfExists ? entry.DropIfExistsStatements : entry.DropStatements)!, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException exception)
            {
                throw new RestoreFailedException($"Dropping {entry.DisplayName} for Clean (--clean) failed: {exception.MessageText}", exception)
                {
                    SqlState = exception.SqlState,
                    Entry = entry.DisplayName,
                    ObjectName = ObjectNameOf(exception),
                };
            }
        }
    }

    private static Task LoadTableAsync(NpgsqlConnection connection, RestoreOptions options, TocEntry entry, TableDataInfo data, bool createdHere, IEntryDataSource rows, CancellationToken cancellationToken)
    {
        // In a single transaction the table was created in it: COPY FREEZE needs nothing more. Otherwise FREEZE needs a
        // TRUNCATE in the load's own transaction, which gives the table new files: worth it for rows a later vacuum would
        // otherwise rewrite, not for a small table, whose load is then one COPY — its own transaction, no BEGIN, TRUNCATE
        // or COMMIT round trips.
        var freeze = createdHere && (options.SingleTransaction || LoadBytes(data) >= FreezeFromBytes);
        if (!options.SingleTransaction && !freeze && data.Format != DataFormat.LargeObjects && (data.Chunks is null || data.Chunks.Count == 1))
            return rows.LoadAsync(connection, entry, data, freeze: false, cancellationToken);
        // The TRUNCATE travels with the BEGIN.
        var begin = freeze && !options.SingleTransaction ? BeginAndTruncate(entry) : Begin;
        return InTransactionAsync(connection, options, begin,
            () => rows.LoadAsync(connection, entry, data, freeze, cancellationToken), cancellationToken);
    }

    /// <summary>Tables whose COPY stream is at least this large (1 MiB) load with TRUNCATE + COPY FREEZE when the restore created them.</summary>
    internal const long FreezeFromBytes = 1L << 20;

    private static long LoadBytes(TableDataInfo data) => data.RawBytes > 0 ? data.RawBytes : data.Bytes;

    private static readonly string[] Begin = ["BEGIN"];

    private static string[] BeginAndTruncate(TocEntry entry) => ["BEGIN", $"TRUNCATE TABLE ONLY {CopySpec.Table(entry)}"];

    /// <summary>
    /// Each table loads in its own transaction unless the whole restore is one: never half a table. <paramref name="begin"/>
    /// opens it (one round trip, with what must run first inside it).
    /// </summary>
    private static async Task InTransactionAsync(NpgsqlConnection connection, RestoreOptions options, IReadOnlyList<string> begin, Func<Task> load, CancellationToken cancellationToken)
    {
        try
        {
            // Inside the try: a failing TRUNCATE leaves an open, aborted transaction to roll back.
            if (!options.SingleTransaction)
                await StatementBatch.ExecuteAsync(connection, begin, cancellationToken).ConfigureAwait(false);
            await load().ConfigureAwait(false);
            if (!options.SingleTransaction)
                await ServerConnection.ExecuteAsync(connection, "COMMIT", cancellationToken).ConfigureAwait(false);
        }
        catch when (!options.SingleTransaction)
        {
            await RollbackQuietlyAsync(connection).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task RollbackQuietlyAsync(NpgsqlConnection connection)
    {
        try
        {
            if (connection.FullState == System.Data.ConnectionState.Open)
                await ServerConnection.ExecuteAsync(connection, "ROLLBACK", CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // The connection is gone; the server rolls back on its own.
        }
    }

    /// <summary>What the server named as the failing object: the table (schema-qualified), else the constraint or data type.</summary>
    internal static string? ObjectNameOf(PostgresException exception) =>
        exception.TableName is { } table ? (exception.SchemaName is { } schema ? $"{schema}.{table}" : table) : exception.ConstraintName ?? exception.DataTypeName;
}
