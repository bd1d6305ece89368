// FactoryPulse.Dump sample: back up and restore PostgreSQL databases from .NET, without pg_dump.
//
//   dotnet run --project samples/FactoryPulse.Dump.Sample
//       On a throwaway server: create a demo database, write a verified backup set (complete, schema-only,
//       data-only + summary), restore it completely into one empty database and schema-then-data into another,
//       and check that both hold the same rows, row-level security and policies as the source.
//
//   dotnet run --project samples/FactoryPulse.Dump.Sample -- --connection "<connection string>" [--output <dir>]
//       Back up one database into <dir> (default: ./backups/<database>-<yyyyMMdd-HHmmss>).
//
// Exit code 0 on success, 1 on a mismatch or an error.

using FactoryPulse.Dump;
using FactoryPulse.Dump.Sample;
using FactoryPulse.Dump.Testing;
using Npgsql;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

try
{
    return args switch
    {
        [] => await RoundTripAsync(cancel.Token),
        ["--connection", var connection] => await BackupAsync(connection, output: null, cancel.Token),
        ["--connection", var connection, "--output", var output] => await BackupAsync(connection, output, cancel.Token),
        ["--output", var output, "--connection", var connection] => await BackupAsync(connection, output, cancel.Token),
        ["--help" or "-h"] => Usage(exitCode: 0),
        _ => Usage(exitCode: 1),
    };
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("Cancelled.");
    return 1;
}
catch (Exception ex)
{
    // The library's messages are one line and never contain passwords.
    Console.Error.WriteLine($"Error: {ex.Message.ReplaceLineEndings(" ")}");
    return 1;
}

// Backs up one database and prints what was written.
static async Task<int> BackupAsync(string connectionString, string? output, CancellationToken ct)
{
    output ??= Path.Combine("backups", $"{DatabaseName(connectionString)}-{DateTime.Now:yyyyMMdd-HHmmss}");
    output = Path.GetFullPath(output);
    Directory.CreateDirectory(Path.GetDirectoryName(output)!); // the parent must exist, the archive folder itself must not

    var dump = await DatabaseDumper.DumpAsync(
        new DumpOptions { ConnectionString = connectionString, OutputPath = output },
        new ConsoleProgress("backup"),
        ct);
    PrintDump(dump);
    return 0;
}

// Demo database -> dump -> restore into an empty database -> compare.
static async Task<int> RoundTripAsync(CancellationToken ct)
{
    Console.WriteLine("Starting a throwaway PostgreSQL server...");
    await using var server = await PostgresServer.StartAsync(cancellationToken: ct);
    Console.WriteLine($"Server:   {server.Description}");

    // 1. A source database with the demo schema and data (embedded demo_factory_pulse.sql).
    var source = await server.CreateDatabaseAsync("demo_source", ct);
    await LoadDemoDataAsync(source, ct);
    Console.WriteLine($"Source:   database {DatabaseName(source)} loaded from demo_factory_pulse.sql");

    var workDirectory = Directory.CreateTempSubdirectory("fpdump-sample-");
    try
    {
        // 2. A backup set, as the Factory Pulse script keeps them: complete, schema-only and data-only archives from
        //    one snapshot, verified, with a summary generated from the archive.
        var set = await BackupSet.CreateAsync(
            new BackupSetOptions { ConnectionString = source, Directory = workDirectory.FullName, Prefix = "demo", Keep = 1 },
            new ConsoleProgress("backup"),
            ct);
        Console.WriteLine($"Backup:   {Path.GetFileName(set.CompleteArchive)}, {Path.GetFileName(set.SchemaArchive)}, {Path.GetFileName(set.DataArchive)}");
        Console.WriteLine($"Summary:  {set.SummaryPath}");

        // 3. Verify the complete archive on its own: structure, checksums and row counts.
        var verification = await ArchiveVerifier.VerifyAsync(set.CompleteArchive, cancellationToken: ct);
        Console.WriteLine($"Verify:   {(verification.Passed ? "OK" : "FAILED")}, {verification.FilesChecked} data files, {verification.RowsCounted} rows");

        // 4. Complete restore into an empty database.
        var complete = await server.CreateDatabaseAsync("demo_restored", ct);
        var restore = await DatabaseRestorer.RestoreAsync(
            new RestoreOptions { ConnectionString = complete, InputPath = set.CompleteArchive },
            new ConsoleProgress("restore", restoring: true),
            ct);
        Console.WriteLine($"Restored: database {DatabaseName(complete)}: {restore.ObjectsCreated} objects, {restore.TotalRows} rows in {restore.Elapsed.TotalSeconds:0.00} s");
        PrintWarnings(restore.Warnings);

        // 5. Schema first, then the rows into that existing schema: a data-only restore loads tables in foreign-key
        //    order, defers the self-referencing and circular keys and keeps the updated_at triggers from firing.
        var twoStep = await server.CreateDatabaseAsync("demo_two_step", ct);
        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = twoStep, InputPath = set.SchemaArchive }, cancellationToken: ct);
        var data = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = twoStep, InputPath = set.DataArchive, DataOnly = true }, cancellationToken: ct);
        Console.WriteLine($"Restored: database {DatabaseName(twoStep)} schema-only then data-only: {data.TotalRows} rows");

        // 6. Compare row counts, row-level security and policies table by table.
        var expected = await TableCensus.ReadAsync(source, ct);
        var matches = verification.Passed
            & TableCensus.Compare(expected, await TableCensus.ReadAsync(complete, ct), Console.Out)
            & TableCensus.Compare(expected, await TableCensus.ReadAsync(twoStep, ct), Console.Out);
        Console.WriteLine(matches ? "Result:   OK, both restored databases match the source." : "Result:   MISMATCH between source and a restored database.");
        return matches ? 0 : 1;
    }
    finally
    {
        workDirectory.Delete(recursive: true);
    }
}

static async Task LoadDemoDataAsync(string connectionString, CancellationToken ct)
{
    using var stream = typeof(ConsoleProgress).Assembly.GetManifestResourceStream("FactoryPulse.Dump.Sample.demo_factory_pulse.sql")
        ?? throw new InvalidOperationException("The embedded resource demo_factory_pulse.sql is missing.");
    using var text = new StreamReader(stream);
    var script = await text.ReadToEndAsync(ct);

    // Npgsql runs a multi-statement script in one round trip (dollar-quoted bodies are fine).
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync(ct);
    await using var command = new NpgsqlCommand(script, connection);
    await command.ExecuteNonQueryAsync(ct);
}

static void PrintDump(DumpResult dump)
{
    Console.WriteLine($"Archive:  {dump.ArchivePath}");
    Console.WriteLine($"          {dump.EntryCount} entries, {dump.TableCount} tables, {dump.RowCount} rows, " +
                      $"{Size.Format(dump.DataBytes)} of data in {dump.Elapsed.TotalSeconds:0.00} s");
    PrintWarnings(dump.Warnings);
}

static void PrintWarnings(IReadOnlyList<string> warnings)
{
    foreach (var warning in warnings)
        Console.WriteLine($"Warning:  {warning}");
}

// The database name from either connection string form (Npgsql keywords or a postgres:// URI), for folder names and output.
static string DatabaseName(string connectionString)
{
    string? name = null;
    if (connectionString.Contains("://", StringComparison.Ordinal))
    {
        var path = connectionString[(connectionString.IndexOf("://", StringComparison.Ordinal) + 3)..].Split('?')[0];
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        name = slash >= 0 ? Uri.UnescapeDataString(path[(slash + 1)..]) : null;
    }
    else
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        name = builder.Database ?? builder.Username;
    }

    name = string.Concat((name ?? "").Select(c => Path.GetInvalidFileNameChars().Contains(c) ? '_' : c));
    return name.Length > 0 ? name : "database";
}

static int Usage(int exitCode)
{
    var output = exitCode == 0 ? Console.Out : Console.Error;
    output.WriteLine("Usage: FactoryPulse.Dump.Sample                                        (demo round trip)");
    output.WriteLine("       FactoryPulse.Dump.Sample --connection \"<conn string>\" [--output <dir>]  (back up one database)");
    return exitCode;
}
