using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using FactoryPulse.Dump.Benchmarks.Macro;
using FactoryPulse.Dump.Testing;
using FactoryPulse.Dump.Testing.Snapshots;
using Npgsql;
using Respawn;
using Respawn.Graph;

namespace FactoryPulse.Dump.Benchmarks.Snapshots;

/// <summary>
/// Getting the seeded Factory Pulse fixture back after a test changed it (a project deleted across the projects ↔ approvals cycle,
/// a message posted, a project created from the sequence): in-place reset and template re-clone (FILE_COPY / WAL_LOG) against
/// Respawn + re-running seed.sql, and against a bare <c>DROP DATABASE</c> + <c>CREATE DATABASE … TEMPLATE</c>.
/// <c>dotnet run -c Release --project benchmarks/FactoryPulse.Dump.Benchmarks -- --filter *SnapshotReset*</c>
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 12, invocationCount: 1)]
[MemoryDiagnoser]
public class SnapshotResetBenchmarks
{
    private const string Mutation = """
        DELETE FROM public.projects WHERE id = '66666666-0000-4000-8000-000000000003';
        INSERT INTO public.messages (organization_id, project_id, sender_id, recipient_id, body)
        VALUES ('11111111-0000-4000-8000-000000000001', '66666666-0000-4000-8000-000000000001',
                '22222222-0000-4000-8000-000000000001', '22222222-0000-4000-8000-000000000002', 'benchmark');
        INSERT INTO public.projects (organization_id, title) VALUES ('11111111-0000-4000-8000-000000000001', 'benchmark');
        """;

    private PostgresServer server = null!;
    private string fixtures = null!;
    private PgTools tools = null!;
    private DatabaseSnapshot inPlace = null!;
    private DatabaseSnapshot template = null!;
    private DatabaseSnapshot templateWalLog = null!;
    private SnapshotClone clone = null!;
    private SnapshotClone cloneWalLog = null!;
    private string inPlaceDatabase = null!;
    private string respawnDatabase = null!;
    private string bareTemplate = null!;
    private string bareClone = null!;
    private Respawner respawner = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        server = await PostgresServer.StartAsync(new PostgresServerOptions { ConnectionStringVariable = "FPDUMP_SNAPSHOT_BENCHMARK_NEVER_SET" });
        fixtures = FindFixtures();
        tools = PgTools.Find(15);
        var seeded = await server.CreateDatabaseAsync("seeded");
        foreach (var file in new[] { "supabase_shim.sql", "schema.sql", "seed.sql" })
            await PsqlAsync(seeded, file);

        template = await DatabaseSnapshot.CaptureAsync(seeded, new DatabaseSnapshotOptions { CopyStrategy = TemplateCopyStrategy.FileCopy, DatabaseNamePrefix = "fc" });
        templateWalLog = await DatabaseSnapshot.CaptureAsync(seeded, new DatabaseSnapshotOptions { CopyStrategy = TemplateCopyStrategy.WalLog, DatabaseNamePrefix = "wl" });
        var bare = await DatabaseSnapshot.CaptureAsync(seeded, new DatabaseSnapshotOptions { DatabaseNamePrefix = "bare" });
        bareTemplate = bare.DatabaseName; // a plain template database; only used through raw SQL below
        clone = await template.CloneAsync();
        cloneWalLog = await templateWalLog.CloneAsync();
        bareClone = "bare_clone";
        await ExecuteAsync(server.ConnectionString, $"CREATE DATABASE {bareClone} TEMPLATE {bareTemplate}");

        var working = await template.CloneAsync();
        inPlaceDatabase = working.ConnectionString;
        inPlace = await DatabaseSnapshot.CaptureAsync(inPlaceDatabase, new DatabaseSnapshotOptions { Strategy = SnapshotStrategy.InPlace });

        respawnDatabase = (await template.CloneAsync()).ConnectionString;
        await using var connection = new NpgsqlConnection(respawnDatabase);
        await connection.OpenAsync();
        respawner = await Respawner.CreateAsync(connection, new RespawnerOptions
        {
            DbAdapter = DbAdapter.Postgres,
            SchemasToInclude = ["public", "auth", "storage"],
            TablesToIgnore = [new Table("storage", "buckets")], // filled by schema.sql, not by the seed
            WithReseed = true,
        });
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await server.DisposeAsync();

    [IterationSetup]
    public void Mutate()
    {
        // What a test did; not measured.
        ExecuteAsync(inPlaceDatabase, Mutation).GetAwaiter().GetResult();
        ExecuteAsync(respawnDatabase, Mutation).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "in-place ResetAsync")]
    public Task InPlaceReset() => inPlace.ResetAsync();

    [Benchmark(Description = "template: drop clone + CloneAsync (FILE_COPY)")]
    public async Task TemplateReclone()
    {
        await clone.DisposeAsync();
        clone = await template.CloneAsync();
    }

    [Benchmark(Description = "template: drop clone + CloneAsync (WAL_LOG)")]
    public async Task TemplateRecloneWalLog()
    {
        await cloneWalLog.DisposeAsync();
        cloneWalLog = await templateWalLog.CloneAsync();
    }

    [Benchmark(Baseline = true, Description = "bare DROP DATABASE + CREATE DATABASE … TEMPLATE")]
    public async Task BareDropCreate()
    {
        await ExecuteAsync(server.ConnectionString, $"DROP DATABASE {bareClone} WITH (FORCE)");
        await ExecuteAsync(server.ConnectionString, $"CREATE DATABASE {bareClone} TEMPLATE {bareTemplate}");
    }

    [Benchmark(Description = "Respawn ResetAsync + psql seed.sql")]
    public async Task RespawnAndReseed()
    {
        await using (var connection = new NpgsqlConnection(respawnDatabase))
        {
            await connection.OpenAsync();
            await respawner.ResetAsync(connection);
        }

        await PsqlAsync(respawnDatabase, "seed.sql");
    }

    private async Task PsqlAsync(string connectionString, string file)
    {
        var start = new ProcessStartInfo(tools.Psql) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", PgTools.ConnInfo(connectionString), "-f", Path.Combine(fixtures, file) })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"psql -f {file} failed: {await stderr}");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string FindFixtures()
    {
        if (Environment.GetEnvironmentVariable("FPDUMP_FIXTURES") is { Length: > 0 } configured)
            return configured;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "fixtures", "factory_pulse");
            if (Directory.Exists(candidate))
                return candidate;
        }

        throw new DirectoryNotFoundException("Cannot find shared/fixtures/factory_pulse; set FPDUMP_FIXTURES.");
    }
}
