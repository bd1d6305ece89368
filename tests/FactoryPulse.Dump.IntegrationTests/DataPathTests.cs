using FactoryPulse.Dump.IntegrationTests.Oracle;
using FactoryPulse.Dump.IntegrationTests.Support;
using FactoryPulse.Dump.Testing;
using Npgsql;

namespace FactoryPulse.Dump.IntegrationTests;

/// <summary>A few MB of mixed data, a 6 MB TOASTed value and an invariant a concurrent writer keeps.</summary>
public sealed class DataPathDatabase : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await SharedPostgresServer.GetAsync();
        ConnectionString = await Server.CreateDatabaseAsync("datapath");
        await Db.ExecuteAsync(ConnectionString, """
            CREATE TABLE public.events (id bigint PRIMARY KEY, kind int NOT NULL, amount numeric(12, 2), note text, at timestamptz, flag bool, ref uuid, tags text[], doc jsonb);
            INSERT INTO public.events
            SELECT g, g % 7, CASE WHEN g % 11 = 0 THEN NULL ELSE g * 0.25 END, CASE WHEN g % 13 = 0 THEN NULL ELSE repeat(md5(g::text), 1 + g % 5) END,
                   timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute', g % 2 = 0, md5(g::text)::uuid,
                   ARRAY['a' || g % 3, 'b' || g % 5], jsonb_build_object('g', g, 'even', g % 2 = 0)
            FROM generate_series(1, 60000) g;
            CREATE TABLE public.blobs (id int PRIMARY KEY, body text);
            INSERT INTO public.blobs SELECT 1, string_agg(md5(g::text), '') FROM generate_series(1, 200000) g; -- 6.4 MB, TOASTed
            CREATE TABLE public.accounts (id int PRIMARY KEY, balance bigint NOT NULL);
            INSERT INTO public.accounts SELECT g, 1000 FROM generate_series(1, 200) g;
            CREATE TABLE public.transfers (id bigserial PRIMARY KEY, from_id int, to_id int, amount bigint);
            """);
    }

    public Task DisposeAsync() => Server.DropDatabaseAsync(Db.DatabaseOf(ConnectionString));
}

public sealed class DataPathTests(DataPathDatabase source) : IClassFixture<DataPathDatabase>, IDisposable
{
    private readonly string _workDirectory = Directory.CreateTempSubdirectory("fpdump-path-").FullName;

    public void Dispose() => Directory.Delete(_workDirectory, recursive: true);

    [Theory]
    [InlineData(DataCompression.Zstd, 1, 1)]
    [InlineData(DataCompression.Zstd, 4, 2)]
    [InlineData(DataCompression.Gzip, 2, 1)]
    [InlineData(DataCompression.None, 2, 2)]
    public async Task Tables_split_into_chunks_and_compressed_come_back_row_for_row(DataCompression compression, int dumpJobs, int restoreJobs)
    {
        var archive = Path.Combine(_workDirectory, $"{compression}-{dumpJobs}");
        await DatabaseDumper.DumpAsync(new DumpOptions
        {
            ConnectionString = source.ConnectionString,
            OutputPath = archive,
            Compression = compression,
            Jobs = dumpJobs,
            ChunkSizeBytes = 1024 * 1024, // events (~10 MB) becomes several block ranges
        });
        var manifest = await File.ReadAllTextAsync(Path.Combine(archive, "manifest.json"));
        if (dumpJobs > 1)
            manifest.Should().Contain("\"chunks\"");
        manifest.Should().Contain($"\"compression\": \"{compression.ToString().ToLowerInvariant()}\"");
        var target = await source.Server.CreateDatabaseAsync("chunks");

        var report = await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Jobs = restoreJobs });

        report.Tables.Should().ContainSingle(table => table.Table == "public.events").Which.Rows.Should().Be(60000);
        var oracle = await DatabaseOracle.CompareAsync(source.ConnectionString, target);
        oracle.IsIdentical.Should().BeTrue(oracle.ToString());
    }

    [Fact]
    public async Task A_parallel_dump_during_concurrent_writes_sees_one_consistent_point_in_time()
    {
        // Each writer transaction moves money between two accounts and logs it: in any snapshot the balances sum to
        // 200 * 1000 and every transfer is reflected. Tables dumped at different moments would break that.
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(source.ConnectionString);
            await connection.OpenAsync();
            var random = new Random(7);
            var count = 0;
            while (!stop.IsCancellationRequested && count < 20000)
            {
                int from = random.Next(1, 201), to = random.Next(1, 201);
                await using var transaction = await connection.BeginTransactionAsync();
                foreach (var (sql, args) in new (string, object[])[]
                {
                    ("UPDATE public.accounts SET balance = balance - 5 WHERE id = $1", [from]),
                    ("UPDATE public.accounts SET balance = balance + 5 WHERE id = $1", [to]),
                    ("INSERT INTO public.transfers (from_id, to_id, amount) VALUES ($1, $2, 5)", [from, to]),
                })
                {
                    await using var command = new NpgsqlCommand(sql, connection, transaction);
                    foreach (var arg in args)
                        command.Parameters.Add(new NpgsqlParameter { Value = arg });
                    await command.ExecuteNonQueryAsync();
                }
                await transaction.CommitAsync();
                count++;
            }
            return count;
        });
        await Task.Delay(300);
        var archive = Path.Combine(_workDirectory, "concurrent");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive, Jobs = 4, ChunkSizeBytes = 1024 * 1024 });
        await stop.CancelAsync();
        (await writer).Should().BeGreaterThan(0, "the writer ran during the dump");
        var target = await source.Server.CreateDatabaseAsync("concurrent");

        await DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive, Jobs = 2 });

        (await Db.ScalarAsync<decimal>(target, "SELECT sum(balance) FROM public.accounts")).Should().Be(200_000);
        (await Db.ScalarAsync<long>(target, """
            SELECT count(*) FROM public.accounts a
            WHERE a.balance <> 1000 - 5 * (SELECT count(*) FROM public.transfers t WHERE t.from_id = a.id) + 5 * (SELECT count(*) FROM public.transfers t WHERE t.to_id = a.id)
            """)).Should().Be(0, "every account's balance matches the transfers in the same snapshot");
    }

    [Fact]
    public async Task A_flipped_byte_in_a_compressed_chunk_is_found_before_its_table_loads()
    {
        var archive = Path.Combine(_workDirectory, "flipped");
        await DatabaseDumper.DumpAsync(new DumpOptions { ConnectionString = source.ConnectionString, OutputPath = archive, Jobs = 2, ChunkSizeBytes = 1024 * 1024 });
        var chunk = Directory.GetFiles(Path.Combine(archive, "data"), "*.2.dat.zstd").Single();
        var bytes = await File.ReadAllBytesAsync(chunk);
        bytes[bytes.Length / 3] ^= 0x01;
        await File.WriteAllBytesAsync(chunk, bytes);
        var target = await source.Server.CreateDatabaseAsync("flipped");

        var act = () => DatabaseRestorer.RestoreAsync(new RestoreOptions { ConnectionString = target, InputPath = archive });

        (await act.Should().ThrowAsync<ArchiveException>()).Which.Message.Should().Contain(Path.GetFileName(chunk)).And.Contain("public.events");
        (await Db.ScalarAsync<long>(target, "SELECT count(*) FROM pg_class WHERE relname = 'events'")).Should().Be(0, "every file is checked before the first change");
    }
}
