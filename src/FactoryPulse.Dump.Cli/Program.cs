using System.CommandLine;
using FactoryPulse.Dump;
using Spectre.Console;

namespace FactoryPulse.Dump.Cli;

/// <summary>fpdump: pg_dump / pg_restore without pg_dump. Exit codes: 0 success, 1 failure, 2 usage error (including options the library rejects), 3 verification failed.</summary>
internal static class Program
{
    private const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    private static async Task<int> Main(string[] args)
    {
        // Socket reads complete on the I/O thread instead of hopping to the thread pool: a COPY stream arrives as one
        // message per row, and the hops cost about a third of the client's CPU while reading (measured on 2 cores).
        // Only for dump and restore between PostgreSQL and local files: there nothing blocks inside a continuation. The
        // object-store SDKs, the backup's throwaway server and anything else may wait synchronously, and a wait on the
        // I/O thread that must complete it never ends (seen: backup to s3:// hung). Set before the first socket; the
        // user's value wins.
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null && InlineCompletionsAreSafe(args))
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
        var root = new RootCommand("fpdump — back up and restore PostgreSQL databases without pg_dump.\nExit codes: 0 success, 1 failure, 2 usage error, 3 verification failed.")
        {
            DumpCommand(),
            RestoreCommand(),
            CopyCommand(),
            ListCommand(),
            VerifyCommand(),
            BackupCommand(),
            SummaryCommand(),
        };
        var createBucket = new Option<bool>("--create-bucket")
        {
            Description = "With an s3:// or az:// location, create a missing bucket or container instead of failing.",
            Recursive = true,
        };
        root.Options.Add(createBucket);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
                await Console.Error.WriteLineAsync($"fpdump: {error.Message}");
            await Console.Error.WriteLineAsync("Try 'fpdump --help' for more information.");
            return 2;
        }
        RegisterStores(parseResult.GetValue(createBucket));
        return await parseResult.InvokeAsync();
    }

    /// <summary>dump or restore, with no object-store location (any URL) among the arguments.</summary>
    internal static bool InlineCompletionsAreSafe(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("dump" or "restore"))
            return false;
        foreach (var argument in args)
        {
            if (argument.Contains("://", StringComparison.Ordinal))
                return false;
        }
        return true;
    }

    /// <summary>Object-store locations (s3://, az://) for every command that takes an archive or backup folder.</summary>
    private static void RegisterStores(bool createMissing)
    {
        Storage.S3.S3ArchiveStore.Register(new Storage.S3.S3ArchiveStoreOptions { CreateMissingBucket = createMissing });
        Storage.Azure.AzureArchiveStore.Register(new Storage.Azure.AzureArchiveStoreOptions { CreateMissingContainer = createMissing });
    }

    private static Option<string> KeyFileOption() => new("--key-file")
    {
        Description = "File holding the passphrase of an encrypted archive (otherwise FPDUMP_PASSPHRASE is used).",
    };

    /// <summary>The passphrase from --key-file or FPDUMP_PASSPHRASE; never from the command line, where ps would show it.</summary>
    private static string? Passphrase(string? keyFile) =>
        keyFile is not null ? File.ReadAllText(keyFile).TrimEnd('\r', '\n') : Environment.GetEnvironmentVariable("FPDUMP_PASSPHRASE");

    private static Option<bool> QuietOption() => new("--quiet", "-q") { Description = "No progress display." };

    private static Option<bool> JsonOption() => new("--json") { Description = "Print the result as JSON on stdout (no progress display)." };

    private static void WriteJson<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(value, type));

    private static Option<bool> VerboseOption() => new("--verbose", "-v")
    {
        Description = "Print progress (phases and tables) to standard error, like pg_dump -v.",
    };

    private static Option<string> ConnectionOption() => new("--connection", "-d")
    {
        Description = "Connection string: Npgsql keywords (Host=…;Database=…) or a postgres:// URI. Missing parts come from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, then PGPASSFILE/~/.pgpass, then libpq's defaults.",
    };

    private static Command DumpCommand()
    {
        var connection = ConnectionOption();
        var output = new Option<string>("--output", "-f") { Description = "Archive directory (or, with --format plain, SQL file) to create (missing parent directories are created).", Required = true };
        var format = new Option<string>("--format", "-F") { Description = "directory (d, default): manifest + binary COPY files; plain (p): one SQL script for psql.", DefaultValueFactory = _ => "directory" };
        var schemaOnly = new Option<bool>("--schema-only", "-s") { Description = "Dump only the object definitions, no data." };
        var dataOnly = new Option<bool>("--data-only", "-a") { Description = "Dump only the data, no object definitions." };
        var section = new Option<string[]>("--section") { Description = "Dump only this section: pre-data, data or post-data (repeatable).", AllowMultipleArgumentsPerToken = false };
        var schema = new Option<string[]>("--schema", "-n") { Description = "Dump only schemas matching PATTERN (repeatable; psql pattern rules)." };
        var excludeSchema = new Option<string[]>("--exclude-schema", "-N") { Description = "Do not dump schemas matching PATTERN (repeatable)." };
        var table = new Option<string[]>("--table", "-t") { Description = "Dump only tables matching PATTERN, with their indexes, constraints, triggers and policies (repeatable)." };
        var excludeTable = new Option<string[]>("--exclude-table", "-T") { Description = "Do not dump tables matching PATTERN (repeatable)." };
        var excludeTableData = new Option<string[]>("--exclude-table-data") { Description = "Do not dump the rows of tables matching PATTERN (repeatable)." };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Dump N tables (or chunks of large tables) at once, all from one exported snapshot (default: the number of processors).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var compress = new Option<string>("--compress", "-Z") { Description = "zstd[:LEVEL] (default zstd:1), gzip[:LEVEL] or none.", DefaultValueFactory = _ => "zstd" };
        var chunkSize = new Option<int>("--chunk-size") { Description = "With --jobs, split tables larger than this many MiB into block ranges dumped side by side (default 256).", DefaultValueFactory = _ => 256 };
        var profile = new Option<string>("--profile") { Description = "supabase: leave platform-managed schemas to the platform, keep the user's policies, triggers, functions, buckets and auth users." };
        var noAuthData = new Option<bool>("--no-auth-data") { Description = "With --profile supabase, leave out the rows of auth.users and auth.identities." };
        var redact = new Option<string[]>("--redact") { Description = "schema.table.column[=VALUE]: write VALUE, or NULL / a neutral value of the column's type the restore accepts, instead of its values; refused up front (exit 2) when nothing fits (repeatable)." };
        var redactSupabase = new Option<bool>("--redact-supabase-secrets") { Description = "Redact Supabase's password hashes, tokens and MFA/OAuth secrets with values the platform accepts (a --redact rule for the same column wins)." };
        var encrypt = new Option<bool>("--encrypt") { Description = "Encrypt the data files and seal the manifest (AES-256-GCM); the passphrase comes from --key-file or FPDUMP_PASSPHRASE." };
        var dumpKeyFile = KeyFileOption();
        var databaseSettings = new Option<bool>("--database-settings") { Description = "Also dump ALTER DATABASE … SET and ALTER ROLE … IN DATABASE … SET settings and the database comment." };
        var noTablespaces = new Option<bool>("--no-tablespaces") { Description = "Leave out the tablespaces of tables, materialized views and indexes (restore into the default tablespace)." };
        var verbose = VerboseOption();
        var quiet = QuietOption();
        var json = JsonOption();
        var command = new Command("dump", "Write an archive of a database (like pg_dump -Fd or -Fp).")
        {
            connection, output, format, schemaOnly, dataOnly, section, schema, excludeSchema, table, excludeTable, excludeTableData, databaseSettings, noTablespaces, jobs, compress, chunkSize, profile, noAuthData, redact, redactSupabase, encrypt, dumpKeyFile, verbose, quiet, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var archiveFormat = result.GetValue(format) switch
            {
                "directory" or "d" => ArchiveFormat.Directory,
                "plain" or "p" => ArchiveFormat.Plain,
                _ => (ArchiveFormat?)null,
            };
            if (archiveFormat is null)
                return Usage($"unsupported format '{result.GetValue(format)}' (use directory or plain)");
            var compression = ParseCompression(result.GetValue(compress) ?? "zstd");
            if (compression is null)
                return Usage($"unsupported compression '{result.GetValue(compress)}' (use zstd[:LEVEL], gzip[:LEVEL] or none)");
            if (result.GetValue(jobs) < 1)
                return Usage("--jobs needs a number of at least 1");
            if (result.GetValue(profile) is { } profileName && profileName != "supabase")
                return Usage($"unknown profile '{profileName}' (known: supabase)");
            var live = ProgressDisplay.CanShowLive && !result.GetValue(quiet) && !result.GetValue(json);
            return await Run(async () =>
            {
                var dump = await ProgressDisplay.RunAsync(AnsiConsole.Console, live, result.GetValue(verbose), "dump", progress => DatabaseDumper.DumpAsync(new DumpOptions
                {
                    ConnectionString = result.GetValue(connection) ?? "",
                    OutputPath = result.GetValue(output)!,
                    SchemaOnly = result.GetValue(schemaOnly),
                    DataOnly = result.GetValue(dataOnly),
                    Format = archiveFormat.Value,
                    Sections = result.GetValue(section) ?? [],
                    Schemas = result.GetValue(schema) ?? [],
                    ExcludeSchemas = result.GetValue(excludeSchema) ?? [],
                    Tables = result.GetValue(table) ?? [],
                    ExcludeTables = result.GetValue(excludeTable) ?? [],
                    ExcludeTableData = result.GetValue(excludeTableData) ?? [],
                    DatabaseSettings = result.GetValue(databaseSettings),
                    NoTablespaces = result.GetValue(noTablespaces),
                    Jobs = result.GetValue(jobs),
                    Compression = compression.Value.Method,
                    CompressionLevel = compression.Value.Level,
                    ChunkSizeBytes = Math.Max(1, result.GetValue(chunkSize)) * 1024L * 1024,
                    Profile = result.GetValue(profile) == "supabase" ? DumpProfile.Supabase : DumpProfile.None,
                    SupabaseAuthData = !result.GetValue(noAuthData),
                    Redact = result.GetValue(redact) ?? [],
                    RedactSupabaseSecrets = result.GetValue(redactSupabase),
                    EncryptionPassphrase = result.GetValue(encrypt) ? RequirePassphrase(result.GetValue(dumpKeyFile)) : null,
                }, progress, cancellationToken));
                if (result.GetValue(json))
                {
                    WriteJson(dump, CliJsonContext.Default.DumpResult);
                    return;
                }
                Console.WriteLine($"fpdump: wrote {dump.ArchivePath}: {dump.EntryCount} entries, {dump.TableCount} tables, {dump.RowCount} rows, {dump.DataBytes} data bytes in {dump.Elapsed.TotalSeconds:0.0} s");
            });
        });
        return command;
    }

    private static Command RestoreCommand()
    {
        var connection = ConnectionOption();
        var input = new ArchiveInput("Archive directory written by 'fpdump dump'.");
        var schemaOnly = new Option<bool>("--schema-only", "-s") { Description = "Restore only the object definitions." };
        var dataOnly = new Option<bool>("--data-only", "-a") { Description = "Restore only the rows into the existing schema: one transaction, foreign-key order, cycles deferred, user triggers off during the load." };
        var section = new Option<string[]>("--section") { Description = "Restore only this section: pre-data, data or post-data (repeatable)." };
        var restoreSchema = new Option<string[]>("--schema", "-n") { Description = "Restore only objects in schemas matching PATTERN, and those schemas (repeatable; psql pattern rules)." };
        var restoreExcludeSchema = new Option<string[]>("--exclude-schema", "-N") { Description = "Do not restore objects in schemas matching PATTERN (repeatable)." };
        var restoreTable = new Option<string[]>("--table", "-t") { Description = "Restore only tables, views and sequences matching PATTERN, with their data, indexes, constraints, triggers, policies and grants (repeatable)." };
        var roleMap = new Option<string[]>("--role-map") { Description = "OLD=NEW: restore objects, grants and policies of role OLD as role NEW (repeatable)." };
        var cycles = new Option<string>("--foreign-key-cycles") { Description = "Data-only: defer (default; owners of NOT DEFERRABLE cycle keys), drop-recreate (NOT VALID + VALIDATE; owners of the cycle keys), or replication-role (superuser or SET on session_replication_role).", DefaultValueFactory = _ => "defer" };
        var keepTriggers = new Option<bool>("--keep-triggers") { Description = "Data-only: leave user triggers firing during the load." };
        var create = new Option<bool>("--create", "-C") { Description = "Create the archive's database first; --connection names the maintenance database." };
        var createDatabase = new Option<string>("--create-database")
        {
            Description = "Create the database NAME and restore into it (--create under a name you choose); --connection names the server and maintenance database. Refused when NAME exists.",
            HelpName = "NAME",
        };
        var continueOnError = new Option<bool>("--continue-on-error") { Description = "Report failed entries and go on (pg_restore without --exit-on-error); exit code 1 if any failed." };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Use N connections: tables and chunks load side by side, and each table's indexes and keys build as soon as its rows are in (default: the number of processors).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var restoreKeyFile = KeyFileOption();
        var useList = new Option<string>("--use-list", "-L") { Description = "Restore only the entries listed in FILE (edit the output of 'fpdump list')." };
        var clean = new Option<bool>("--clean", "-c") { Description = "Drop the archive's objects before re-creating them." };
        var ifExists = new Option<bool>("--if-exists") { Description = "With --clean, use DROP … IF EXISTS." };
        var noOwner = new Option<bool>("--no-owner", "-O") { Description = "Do not restore ownership; objects belong to the restoring role." };
        var noPrivileges = new Option<bool>("--no-privileges", "-x") { Description = "Do not restore GRANT/REVOKE or default privileges." };
        var singleTransaction = new Option<bool>("--single-transaction", "-1") { Description = "Restore in one transaction: any error leaves the target unchanged." };
        var verbose = VerboseOption();
        var quiet = QuietOption();
        var json = JsonOption();
        var command = new Command("restore", "Restore an archive into a database (like pg_restore).")
        {
            quiet, json,
            connection, input.Option, input.Argument, schemaOnly, dataOnly, section, restoreSchema, restoreExcludeSchema, restoreTable, clean, ifExists, noOwner, noPrivileges, roleMap,
            singleTransaction, cycles, keepTriggers, create, createDatabase,
            continueOnError, jobs, useList, restoreKeyFile, verbose,
        };
        input.Require(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in result.GetValue(roleMap) ?? [])
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || equals == pair.Length - 1)
                    return Usage($"--role-map needs OLD=NEW, not '{pair}'");
                map[pair[..equals]] = pair[(equals + 1)..];
            }
            ForeignKeyCycleStrategy strategy;
            switch (result.GetValue(cycles))
            {
                case "defer":
                    strategy = ForeignKeyCycleStrategy.DeferConstraints;
                    break;
                case "drop-recreate":
                    strategy = ForeignKeyCycleStrategy.DropAndRecreate;
                    break;
                case "replication-role":
                    strategy = ForeignKeyCycleStrategy.ReplicationRole;
                    break;
                default:
                    return Usage($"--foreign-key-cycles takes defer, drop-recreate or replication-role, not '{result.GetValue(cycles)}'");
            }
            if (result.GetValue(jobs) < 1)
                return Usage("--jobs needs a number of at least 1");
            var failed = false;
            var live = ProgressDisplay.CanShowLive && !result.GetValue(quiet) && !result.GetValue(json);
            var exit = await Run(async () =>
        {
            var report = await ProgressDisplay.RunAsync(AnsiConsole.Console, live, result.GetValue(verbose), "restore", progress => DatabaseRestorer.RestoreAsync(new RestoreOptions
            {
                ConnectionString = result.GetValue(connection) ?? "",
                InputPath = input.Value(result),
                SchemaOnly = result.GetValue(schemaOnly),
                DataOnly = result.GetValue(dataOnly),
                RoleMap = map,
                ForeignKeyCycles = strategy,
                DisableTriggers = !result.GetValue(keepTriggers),
                CreateDatabase = result.GetValue(create),
                CreateDatabaseName = result.GetValue(createDatabase),
                ExitOnError = !result.GetValue(continueOnError),
                Jobs = result.GetValue(jobs),
                UseListFile = result.GetValue(useList),
                EncryptionPassphrase = Passphrase(result.GetValue(restoreKeyFile)),
                Sections = result.GetValue(section) ?? [],
                Schemas = result.GetValue(restoreSchema) ?? [],
                ExcludeSchemas = result.GetValue(restoreExcludeSchema) ?? [],
                Tables = result.GetValue(restoreTable) ?? [],
                Clean = result.GetValue(clean),
                IfExists = result.GetValue(ifExists),
                NoOwner = result.GetValue(noOwner),
                NoPrivileges = result.GetValue(noPrivileges),
                SingleTransaction = result.GetValue(singleTransaction),
            }, progress, cancellationToken));
            if (result.GetValue(json))
            {
                WriteJson(report, CliJsonContext.Default.RestoreReport);
                failed = report.Errors.Count > 0;
                return;
            }
            failed = PrintOutcome("restored", report.ObjectsCreated, report.Tables, report.TotalRows, report.SequencesSet, report.Elapsed, report.Warnings, report.Errors);
        });
            return exit != 0 ? exit : failed ? 1 : 0;
        });
        return command;
    }

    private static Command CopyCommand()
    {
        var from = new Option<string>("--from")
        {
            Description = "Source connection string (Npgsql keywords or a postgres:// URI; missing parts from the PG* variables). Read in one snapshot.",
            HelpName = "CONNECTION",
            Required = true,
        };
        var to = new Option<string>("--to")
        {
            Description = "Target connection string; with --create or --create-database it names the server and maintenance database.",
            HelpName = "CONNECTION",
            Required = true,
        };
        var schemaOnly = new Option<bool>("--schema-only", "-s") { Description = "Copy only the object definitions." };
        var dataOnly = new Option<bool>("--data-only", "-a") { Description = "Copy only the rows into the target's existing schema: one transaction, foreign-key order, cycles deferred, user triggers off during the load." };
        var schema = new Option<string[]>("--schema", "-n") { Description = "Copy only objects in schemas matching PATTERN, and those schemas (repeatable; psql pattern rules)." };
        var excludeSchema = new Option<string[]>("--exclude-schema", "-N") { Description = "Do not copy objects in schemas matching PATTERN (repeatable)." };
        var table = new Option<string[]>("--table", "-t") { Description = "Copy only tables, views and sequences matching PATTERN, with their data, indexes, constraints, triggers, policies and grants (repeatable)." };
        var excludeTable = new Option<string[]>("--exclude-table", "-T") { Description = "Do not copy tables matching PATTERN (repeatable)." };
        var profile = new Option<string>("--profile") { Description = "supabase: leave platform-managed schemas to the target platform, keep the user's policies, triggers, functions, buckets and auth users." };
        var roleMap = new Option<string[]>("--role-map") { Description = "OLD=NEW: create objects, grants and policies of role OLD as role NEW (repeatable)." };
        var cycles = new Option<string>("--foreign-key-cycles") { Description = "Data-only: defer (default), drop-recreate or replication-role, as for restore.", DefaultValueFactory = _ => "defer" };
        var keepTriggers = new Option<bool>("--keep-triggers") { Description = "Data-only: leave user triggers firing during the load." };
        var create = new Option<bool>("--create", "-C") { Description = "Create a database named as the source's on the target server first; --to names the maintenance database." };
        var createDatabase = new Option<string>("--create-database")
        {
            Description = "Create the database NAME on the target server and copy into it; --to names the server and maintenance database. Refused when NAME exists.",
            HelpName = "NAME",
        };
        var clean = new Option<bool>("--clean", "-c") { Description = "Drop the copied objects from the target before re-creating them." };
        var ifExists = new Option<bool>("--if-exists") { Description = "With --clean, use DROP … IF EXISTS." };
        var noOwner = new Option<bool>("--no-owner", "-O") { Description = "Do not copy ownership; objects belong to the target's connecting role." };
        var noPrivileges = new Option<bool>("--no-privileges", "-x") { Description = "Do not copy GRANT/REVOKE or default privileges." };
        var noTablespaces = new Option<bool>("--no-tablespaces") { Description = "Leave out tablespaces (copy into the target's default tablespace)." };
        var continueOnError = new Option<bool>("--continue-on-error") { Description = "Report failed entries and go on; exit code 1 if any failed." };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Use N target connections (each load reading from its own source connection in the snapshot): tables and chunks copy side by side, and each table's indexes and keys build as soon as its rows are in (default: the number of processors).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var chunkSize = new Option<int>("--chunk-size") { Description = "With --jobs, copy tables larger than this many MiB as block ranges side by side (default 256).", DefaultValueFactory = _ => 256 };
        var verbose = VerboseOption();
        var quiet = QuietOption();
        var json = JsonOption();
        var command = new Command("copy", "Copy a database straight into another, without an archive (like pgcopydb): one source snapshot, parallel loads, indexes built as tables finish.")
        {
            from, to, schemaOnly, dataOnly, schema, excludeSchema, table, excludeTable, profile, roleMap, cycles, keepTriggers, create, createDatabase,
            clean, ifExists, noOwner, noPrivileges, noTablespaces, continueOnError, jobs, chunkSize, verbose, quiet, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in result.GetValue(roleMap) ?? [])
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || equals == pair.Length - 1)
                    return Usage($"--role-map needs OLD=NEW, not '{pair}'");
                map[pair[..equals]] = pair[(equals + 1)..];
            }
            ForeignKeyCycleStrategy? strategy = result.GetValue(cycles) switch
            {
                "defer" => ForeignKeyCycleStrategy.DeferConstraints,
                "drop-recreate" => ForeignKeyCycleStrategy.DropAndRecreate,
                "replication-role" => ForeignKeyCycleStrategy.ReplicationRole,
                _ => null,
            };
            if (strategy is null)
                return Usage($"--foreign-key-cycles takes defer, drop-recreate or replication-role, not '{result.GetValue(cycles)}'");
            if (result.GetValue(jobs) < 1)
                return Usage("--jobs needs a number of at least 1");
            if (result.GetValue(profile) is { } profileName && profileName != "supabase")
                return Usage($"unknown profile '{profileName}' (known: supabase)");
            var failed = false;
            var live = ProgressDisplay.CanShowLive && !result.GetValue(quiet) && !result.GetValue(json);
            var exit = await Run(async () =>
            {
                var copy = await ProgressDisplay.RunAsync(AnsiConsole.Console, live, result.GetValue(verbose), "copy", progress => DatabaseCopier.CopyAsync(new CopyOptions
                {
                    SourceConnectionString = result.GetValue(from)!,
                    TargetConnectionString = result.GetValue(to)!,
                    SchemaOnly = result.GetValue(schemaOnly),
                    DataOnly = result.GetValue(dataOnly),
                    Schemas = result.GetValue(schema) ?? [],
                    ExcludeSchemas = result.GetValue(excludeSchema) ?? [],
                    Tables = result.GetValue(table) ?? [],
                    ExcludeTables = result.GetValue(excludeTable) ?? [],
                    Profile = result.GetValue(profile) == "supabase" ? DumpProfile.Supabase : DumpProfile.None,
                    RoleMap = map,
                    ForeignKeyCycles = strategy.Value,
                    DisableTriggers = !result.GetValue(keepTriggers),
                    CreateDatabase = result.GetValue(create),
                    CreateDatabaseName = result.GetValue(createDatabase),
                    Clean = result.GetValue(clean),
                    IfExists = result.GetValue(ifExists),
                    NoOwner = result.GetValue(noOwner),
                    NoPrivileges = result.GetValue(noPrivileges),
                    NoTablespaces = result.GetValue(noTablespaces),
                    ExitOnError = !result.GetValue(continueOnError),
                    Jobs = result.GetValue(jobs),
                    ChunkSizeBytes = Math.Max(1, result.GetValue(chunkSize)) * 1024L * 1024,
                }, progress, cancellationToken));
                if (result.GetValue(json))
                {
                    WriteJson(copy, CliJsonContext.Default.CopyResult);
                    failed = copy.Errors.Count > 0;
                    return;
                }
                failed = PrintOutcome("copied", copy.ObjectsCreated, copy.Tables, copy.TotalRows, copy.SequencesSet, copy.Elapsed, copy.Warnings, copy.Errors);
            });
            return exit != 0 ? exit : failed ? 1 : 0;
        });
        return command;
    }

    /// <summary>The restore's and the copy's human-readable outcome; true when entries failed.</summary>
    private static bool PrintOutcome(
        string done, int objects, IReadOnlyList<RestoredTable> tables, long rows, int sequences, TimeSpan elapsed, IReadOnlyList<string> warnings, IReadOnlyList<string> errors)
    {
        foreach (var warning in warnings)
            Console.WriteLine($"fpdump: warning: {warning}");
        foreach (var error in errors)
            Console.Error.WriteLine($"fpdump: error: {error}");
        Console.WriteLine($"fpdump: {done} {objects} objects, {tables.Count} tables, {rows} rows, {sequences} sequence values in {elapsed.TotalSeconds:0.0} s");
        foreach (var table in tables)
            Console.WriteLine($"fpdump:   {table.Table}: {table.Rows} rows");
        if (errors.Count == 0)
            return false;
        Console.WriteLine($"fpdump: {errors.Count} entries failed; the rest was {done}");
        return true;
    }

    private static Command VerifyCommand()
    {
        var input = new ArchiveInput("Archive directory to check.");
        var connection = ConnectionOption();
        connection.Description = "Also restore into a scratch database on this server (created and dropped) and compare row counts.";
        var keyFile = KeyFileOption();
        var json = JsonOption();
        var command = new Command("verify", "Check an archive: manifest, sizes, checksums, row counts; exit code 3 when it fails.") { input.Option, input.Argument, connection, keyFile, json };
        input.Require(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            VerificationReport? report = null;
            var exit = await Run(async () =>
            {
                report = await ArchiveVerifier.VerifyAsync(input.Value(result),
                    new VerifyOptions { ConnectionString = result.GetValue(connection), EncryptionPassphrase = Passphrase(result.GetValue(keyFile)) }, cancellationToken);
                if (result.GetValue(json))
                {
                    WriteJson(report, CliJsonContext.Default.VerificationReport);
                    return;
                }
                foreach (var problem in report.Problems)
                    Console.Error.WriteLine($"fpdump: verify: {problem}");
                Console.WriteLine(report.Passed
                    ? $"fpdump: verified {report.FilesChecked} data files, {report.RowsCounted} rows: OK"
                    : $"fpdump: verification FAILED ({report.Problems.Count} problems)");
            });
            return exit != 0 ? exit : report!.Passed ? 0 : 3;
        });
        return command;
    }

    private static Command BackupCommand()
    {
        var connection = ConnectionOption();
        var dir = new Option<string>("--dir") { Description = "Folder, or object-store prefix (s3://bucket/prefix, az://container/prefix), that holds the backup sets.", Required = true };
        var prefix = new Option<string>("--prefix") { Description = "Name prefix of the set's archives (default: the database name)." };
        var keep = new Option<int>("--keep") { Description = "Complete, verified sets to keep (default 1); unverified or incomplete sets are never deleted.", DefaultValueFactory = _ => 1 };
        var plain = new Option<bool>("--plain") { Description = "Also write the three archives as psql-restorable .sql files." };
        var profile = new Option<string>("--profile") { Description = "supabase: leave platform-managed schemas to the platform." };
        var redactSupabase = new Option<bool>("--redact-supabase-secrets") { Description = "Redact Supabase's password hashes, tokens and MFA/OAuth secrets with values the platform accepts (a --redact rule for the same column wins)." };
        var redact = new Option<string[]>("--redact") { Description = "schema.table.column[=VALUE] to redact, as dump --redact does (repeatable)." };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Dump N tables at once from one snapshot.", DefaultValueFactory = _ => 1 };
        var encrypt = new Option<bool>("--encrypt") { Description = "Encrypt the data files and seal the manifests; passphrase from --key-file or FPDUMP_PASSPHRASE." };
        var keyFile = KeyFileOption();
        var verifyServer = new Option<string>("--verify-server")
        {
            Description = $"Restore the new set into scratch databases on this server (a superuser connection; created and dropped) to verify it, instead of starting a throwaway server. Default: ${ThrowawayVerifyServer.ConnectionVariable}.",
        };
        var noRestoreCheck = new Option<bool>("--no-restore-check") { Description = "Verify the set by its checksums only; the summary then says it was not restored." };
        var json = JsonOption();
        var command = new Command("backup", "Write a backup set (complete, schema and data archives + summary), verify it by restoring it into a throwaway server (when PostgreSQL server binaries are installed), prune older sets.")
        {
            connection, dir, prefix, keep, plain, profile, redactSupabase, redact, jobs, encrypt, keyFile, verifyServer, noRestoreCheck, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.GetValue(keep) < 1)
                return Usage("--keep must be at least 1");
            if (result.GetValue(profile) is { } profileName && profileName != "supabase")
                return Usage($"unknown profile '{profileName}' (known: supabase)");
            var skipRestoreCheck = result.GetValue(noRestoreCheck);
            if (result.GetValue(verifyServer) is not null && skipRestoreCheck)
                return Usage("--verify-server and --no-restore-check contradict each other");
            var scratchServer = skipRestoreCheck ? null
                : result.GetValue(verifyServer) ?? (Environment.GetEnvironmentVariable(ThrowawayVerifyServer.ConnectionVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
            return await Run(async () =>
            {
                // Started only when the check needs it (not for --no-restore-check, --verify-server or a Supabase-profile set), stopped whatever happens.
                var throwaway = new ThrowawayVerifyServer();
                await using var throwawayScope = throwaway;
                var set = await BackupSet.CreateAsync(new BackupSetOptions
                {
                    RestoreCheckConnectionString = scratchServer,
                    // With --no-restore-check the "server" is only the reason, so the summary says why the set was not restored.
                    StartRestoreCheckServer = scratchServer is not null ? null
                        : skipRestoreCheck ? (_, _) => Task.FromResult(new RestoreCheckServer { Description = "the restore check was switched off (--no-restore-check)" })
                        : throwaway.StartAsync,
                    ConnectionString = result.GetValue(connection) ?? "",
                    Directory = result.GetValue(dir)!,
                    Prefix = result.GetValue(prefix),
                    Keep = result.GetValue(keep),
                    Plain = result.GetValue(plain),
                    Dump = new DumpOptions
                    {
                        ConnectionString = "",
                        OutputPath = "",
                        Profile = result.GetValue(profile) == "supabase" ? DumpProfile.Supabase : DumpProfile.None,
                        RedactSupabaseSecrets = result.GetValue(redactSupabase),
                        Redact = result.GetValue(redact) ?? [],
                        Jobs = Math.Max(1, result.GetValue(jobs)),
                        EncryptionPassphrase = result.GetValue(encrypt) ? RequirePassphrase(result.GetValue(keyFile)) : null,
                    },
                }, null, cancellationToken);
                if (result.GetValue(json))
                {
                    WriteJson(set, CliJsonContext.Default.BackupSetResult);
                    return;
                }
                Console.WriteLine($"fpdump: wrote {set.CompleteArchive}");
                Console.WriteLine($"fpdump: wrote {set.SchemaArchive}");
                Console.WriteLine($"fpdump: wrote {set.DataArchive}");
                foreach (var file in set.PlainFiles)
                    Console.WriteLine($"fpdump: wrote {file}");
                Console.WriteLine($"fpdump: wrote {set.SummaryPath} ({set.Verification.FilesChecked} data files, {set.Verification.RowsCounted} rows checked)");
                Console.WriteLine(set.Verification.Level == VerificationLevel.Restored
                    ? $"fpdump: verified: {set.Verification.LevelDescription}"
                    : $"fpdump: verified by checksums only, not restored: {set.Verification.LevelDescription}");
                foreach (var deleted in set.DeletedSets)
                    Console.WriteLine($"fpdump: removed old {deleted}");
            });
        });
        return command;
    }

    private static Command SummaryCommand()
    {
        var input = new ArchiveInput("Archive directory.");
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };
        var keyFile = KeyFileOption();
        var command = new Command("summary", "Print what an archive holds: objects per schema, policies, rows per table, foreign-key cycles.") { input.Option, input.Argument, json, keyFile };
        input.Require(command);
        command.SetAction(async (result, cancellationToken) => await Run(async () =>
            Console.Write(await ArchiveVerifier.SummarizeAsync(input.Value(result), result.GetValue(json), Passphrase(result.GetValue(keyFile)), cancellationToken))));
        return command;
    }

    private static Command ListCommand()
    {
        var input = new ArchiveInput("Archive directory written by 'fpdump dump'.");
        var keyFile = KeyFileOption();
        var command = new Command("list", "Print the archive's table of contents, one entry a line (like pg_restore -l).") { input.Option, input.Argument, keyFile };
        input.Require(command);
        command.SetAction(async (result, cancellationToken) => await Run(async () =>
            Console.Write(await DatabaseRestorer.ListAsync(input.Value(result), Passphrase(result.GetValue(keyFile)), cancellationToken))));
        return command;
    }

    /// <summary>pg_dump-style METHOD[:LEVEL]; a bare number is a zstd level (0 = none).</summary>
    private static (DataCompression Method, int Level)? ParseCompression(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var method = colon < 0 ? text : text[..colon];
        var level = 0;
        if (colon >= 0 && !int.TryParse(text.AsSpan(colon + 1), out level))
            return null;
        if (int.TryParse(method, out var bare))
            return bare == 0 ? (DataCompression.None, 0) : (DataCompression.Zstd, bare);
        return method switch
        {
            "zstd" when level is >= 0 and <= 22 => (DataCompression.Zstd, level),
            "gzip" when level is >= 0 and <= 9 => (DataCompression.Gzip, level),
            "none" => (DataCompression.None, 0),
            _ => null,
        };
    }

    private static string RequirePassphrase(string? keyFile) =>
        Passphrase(keyFile) is { Length: > 0 } passphrase
            ? passphrase
            : throw new DumpException("--encrypt needs a passphrase: --key-file FILE or the FPDUMP_PASSPHRASE environment variable.");

    /// <summary>
    /// The archive a command reads, taken as pg_restore takes it: positional (<c>fpdump restore DIR</c>) or with
    /// <c>-i</c>/<c>--input</c>; exactly one of them (or both the same).
    /// </summary>
    private sealed class ArchiveInput
    {
        public ArchiveInput(string description)
        {
            Option = new Option<string>("--input", "-i") { Description = description + " Also accepted without -i, as the last argument." };
            Argument = new Argument<string?>("archive") { Description = description, Arity = ArgumentArity.ZeroOrOne };
            Argument.Validators.Add(result =>
            {
                var parent = result.Parent as System.CommandLine.Parsing.CommandResult;
                var named = parent?.GetValue(Option);
                var positional = result.GetValueOrDefault<string?>();
                if (named is not null && positional is not null && named != positional)
                    result.AddError($"two archives given: -i {named} and {positional}");
            });
        }

        /// <summary>Refuses the command when neither form names an archive (an absent argument has no result to validate).</summary>
        public Command Require(Command command)
        {
            command.Validators.Add(result =>
            {
                if (result.GetValue(Option) is null && result.GetValue(Argument) is null)
                    result.AddError("an archive is needed: give it as the last argument or with -i/--input");
            });
            return command;
        }

        public Option<string> Option { get; }

        public Argument<string?> Argument { get; }

        public string Value(ParseResult result) => result.GetValue(Option) ?? result.GetValue(Argument)!;
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"fpdump: {message}");
        return 2;
    }

    private static async Task<int> Run(Func<Task> action)
    {
        try
        {
            await action();
            return 0;
        }
        catch (DumpException exception)
        {
            await Console.Error.WriteLineAsync($"fpdump: error: {exception.Message}");
            if (exception is RestoreFailedException { PartialReport: { } partial })
            {
                await Console.Error.WriteLineAsync($"fpdump: before the error, {partial.ObjectsCreated} objects and the data of {partial.Tables.Count} tables were restored and committed:");
                foreach (var table in partial.Tables)
                    await Console.Error.WriteLineAsync($"fpdump:   {table.Table}: {table.Rows} rows");
            }
            return 1;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("fpdump: cancelled; no archive was left under the output name.");
            return 1;
        }
        catch (ArgumentException exception)
        {
            // The library rejects contradictory or out-of-range options before it connects: a usage error.
            return Usage(OneLine(exception.Message));
        }
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
